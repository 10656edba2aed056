"""A real ``qhyper compare`` process, interrupted and killed: one Ctrl-C exits 130 within 2 s
and a second at once, SIGKILL mid-sweep loses only the runs in progress, and ``--resume``
re-runs exactly what had not finished (every trainer invocation is logged to a file)."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from qhyper.comparison.store import RunStore

PLUGIN = textwrap.dedent('''
    """Counting stand-ins: every invocation is appended to $QH_LOG; ``slow`` holds at seed
    $QH_HOLD until interrupted (then spends $QH_CLEANUP seconds cleaning up)."""
    import os, time
    import torch
    import qhyper as qh
    from qhyper.comparison import Task
    from qhyper.trainers import TrainResult

    def _log(name, seed, options):
        with open(os.environ["QH_LOG"], "a") as f:
            f.write(f"{name} {seed} {sorted(options.items())}\\n")

    def quick(task, seed, options):
        _log("quick", seed, options)
        return TrainResult("quick", torch.zeros(7), {"train_accuracy": 0.5 + 0.1 * seed}, wall_time=0.01)

    def slow(task, seed, options):
        _log("slow", seed, options)
        start, interrupted = time.perf_counter(), False
        try:
            while os.environ.get("QH_HOLD") == str(seed) and options.get("level", 1) == 1:
                time.sleep(0.01)
        except KeyboardInterrupt:
            interrupted = True
            time.sleep(float(os.environ.get("QH_CLEANUP", "0")))
        return TrainResult("slow", torch.zeros(7), {"train_accuracy": 0.7}, wall_time=time.perf_counter() - start,
                           interrupted=interrupted)

    qh.comparison.register_task(Task("proc_tiny", "bars_and_stripes", [4, 1, 1], methods=("quick", "slow"),
                                     dataset_options={"rows": 2, "cols": 2, "n_train": 20, "n_test": 20}))
    qh.comparison.register_method("quick", quick, "counting stand-in")
    qh.comparison.register_method("slow", slow, "counting stand-in that can hold")
''')


@pytest.fixture
def experiment(tmp_path):
    plugin = tmp_path / "plug.py"
    plugin.write_text(PLUGIN)
    log, out = tmp_path / "calls.log", tmp_path / "exp"

    def start(*extra, **env):
        cmd = [sys.executable, "-m", "qhyper.cli", "compare", "--plugin", str(plugin), "--task", "proc_tiny",
               "--seeds", "0-2", "--out", str(out), "--no-progress", *extra]
        environ = {**os.environ, "QH_LOG": str(log), **{k: str(v) for k, v in env.items()}}
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ)

    def calls():
        return log.read_text().splitlines() if log.exists() else []

    def wait_for(line, proc, timeout=60):
        deadline = time.monotonic() + timeout
        while not any(c.startswith(line) for c in calls()):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.02)
        time.sleep(0.3)  # inside the run now

    store = RunStore(out, name="compare_proc_tiny.runs.jsonl")
    return start, calls, wait_for, store, out


def test_sigint_exits_130_within_2_s_and_resume_reruns_only_what_had_not_finished(experiment):
    start, calls, wait_for, store, out = experiment
    proc = start(QH_HOLD=1)
    wait_for("slow 1", proc)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=30)
    elapsed = time.monotonic() - sent
    assert code == 130 and elapsed < 2.0, (code, elapsed, proc.stderr.read())
    assert [(r["method"], r["seed"], r["status"]) for r in store.records()] == [
        ("quick", 0, "ok"), ("quick", 1, "ok"), ("quick", 2, "ok"), ("slow", 0, "ok"), ("slow", 1, "interrupted")]
    files = {p.name: p.read_bytes() for p in out.iterdir()}

    refused = start()  # a new invocation without --resume leaves the experiment alone
    assert refused.wait(timeout=60) == 2 and "--resume" in refused.stderr.read()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == files

    before = len(calls())
    resumed = start("--resume")
    assert resumed.wait(timeout=60) == 0, resumed.stderr.read()
    assert [c.split(" [")[0] for c in calls()[before:]] == ["slow 1", "slow 2"]  # nothing finished is redone
    data = json.loads((out / "compare_proc_tiny.json").read_text())
    assert [(r["method"], r["seeds"]) for r in data["rows"]] == [("quick", 3), ("slow", 3)]


def test_a_second_ctrl_c_exits_at_once_and_the_store_stays_readable(experiment):
    start, calls, wait_for, store, out = experiment
    proc = start(QH_HOLD=1, QH_CLEANUP=60)  # the interrupted run takes a minute to clean up
    wait_for("slow 1", proc)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert proc.poll() is None  # still cleaning up
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=30)
    assert code == 130 and time.monotonic() - sent < 1.0
    assert "second Ctrl-C" in proc.stderr.read()
    assert [r["status"] for r in store.records()] == ["ok"] * 4  # the four finished runs, intact


def test_sigkill_mid_sweep_then_resume_redoes_only_unfinished_runs(experiment):
    start, calls, wait_for, store, out = experiment
    proc = start("--grid", "slow.level=1,2", QH_HOLD=1)
    wait_for("slow 1", proc)
    proc.kill()  # SIGKILL: no handler runs, nothing is cleaned up
    proc.wait(timeout=30)
    finished = [(r["label"], r["seed"]) for r in store.records()]  # parses
    assert finished == [("quick", 0), ("quick", 1), ("quick", 2), ("slow[level=1]", 0)]
    before = len(calls())
    resumed = start("--grid", "slow.level=1,2", "--resume")
    assert resumed.wait(timeout=60) == 0, resumed.stderr.read()
    redone = [c.split(" [")[0] + (" level=2" if "('level', 2)" in c else "") for c in calls()[before:]]
    assert redone == ["slow 1", "slow 2", "slow 0 level=2", "slow 1 level=2", "slow 2 level=2"]
    assert len(list(store.records())) == 9 and len(store.finished_keys()) == 9


def test_sigint_on_the_ray_executor_hands_back_the_run_in_progress(experiment):
    """On Ray, the driver's Ctrl-C cancels the runs: the one in progress gets a KeyboardInterrupt
    in its worker and its cut-short result still reaches the store; resume (here locally) redoes it."""
    start, calls, wait_for, store, out = experiment
    proc = start("--executor", "ray", QH_HOLD=1)
    wait_for("slow 1", proc, timeout=120)
    time.sleep(0.7)  # every other run has finished by now (they take milliseconds)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=60)
    assert code == 130 and time.monotonic() - sent < 2.0, proc.stderr.read()
    status = {(r["method"], r["seed"]): (r["status"], r["reason"]) for r in store.records()}
    assert status.pop(("slow", 1)) == ("interrupted", "stopped early (Ctrl-C)")  # returned by the worker
    assert set(status.values()) == {("ok", "")} and len(status) == 5
    before = len(calls())
    resumed = start("--resume")
    assert resumed.wait(timeout=60) == 0, resumed.stderr.read()
    assert [c.split(" [")[0] for c in calls()[before:]] == ["slow 1"]


def test_refused_arguments_exit_2_from_the_console_entry_and_leave_nothing_behind(tmp_path):
    """The process path of a bad ``--set`` (``run()`` ends it with ``os._exit`` after flushing):
    the message reaches stderr, the status is 2 and the output folder holds no file."""
    out = tmp_path / "exp"
    proc = subprocess.run([sys.executable, "-m", "qhyper.cli", "compare", "--set", "mle.layres=2", "--out", str(out),
                           "--no-progress"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "no option 'layres' (did you mean 'layers'?)" in proc.stderr
    assert not out.exists() or not any(out.iterdir())
