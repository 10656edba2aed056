"""qh.compare with a run store: every run recorded, resume redoes nothing finished, one
Ctrl-C stops the comparison and is never averaged as a finished run."""
import json
import math
import time

import pytest
import torch

import qhyper as qh
from qhyper.comparison import Task, registry
from qhyper.comparison.store import RunStore
from qhyper.trainers import TrainResult


@pytest.fixture(autouse=True)
def _restore_registries(monkeypatch):
    monkeypatch.setattr(registry, "_METHODS", dict(registry._METHODS))


@pytest.fixture(scope="module")
def task():
    return qh.comparison.register_task(Task("store_tiny", "bars_and_stripes", [4, 1, 1], activation="sign",
                                            dataset_options={"rows": 2, "cols": 2, "n_train": 20, "n_test": 20},
                                            methods=("fake_a", "fake_b")))


def fake(name, calls, interrupt_at=None, raise_at=None):
    """A method that counts its invocations; at seed ``interrupt_at`` its trainer is cut short,
    at ``raise_at`` Ctrl-C arrives outside any trainer."""

    def run(task, seed, options):
        calls.append((name, seed))
        if seed == raise_at:
            raise KeyboardInterrupt
        score = 0.5 + 0.1 * seed
        return TrainResult(method=name, bits=torch.zeros(7), metrics={"train_accuracy": score, "gap": math.nan},
                           wall_time=0.01, evaluations=seed + 1, interrupted=seed == interrupt_at)

    qh.comparison.register_method(name, run, f"a counting stand-in ({name})")


def test_every_run_is_recorded_and_resume_redoes_nothing_finished(task, tmp_path):
    calls = []
    fake("fake_a", calls), fake("fake_b", calls, interrupt_at=1)
    first = qh.compare(task=task, seeds=3, progress=False, store=tmp_path)
    assert calls == [("fake_a", 0), ("fake_a", 1), ("fake_a", 2), ("fake_b", 0), ("fake_b", 1)]
    assert first.interrupted["method"] == "fake_b" and first.interrupted["seed"] == 1
    row_b = {r["method"]: r for r in first}["fake_b"]
    assert row_b["seeds"] == 1 and row_b["train_accuracy_mean"] == pytest.approx(0.5)  # seed 1 not averaged
    assert "interrupted: fake_b seed 1" in first.format()
    statuses = [r["status"] for r in RunStore(tmp_path).records()]
    assert statuses == ["ok", "ok", "ok", "ok", "interrupted"]

    calls.clear()
    fake("fake_b", calls)  # no interrupt this time
    with pytest.raises(ValueError, match="already holds runs.*resume=True"):
        qh.compare(task=task, seeds=3, progress=False, store=tmp_path)
    assert calls == []  # refused before any run
    second = qh.compare(task=task, seeds=3, progress=False, store=tmp_path, resume=True)
    assert calls == [("fake_b", 1), ("fake_b", 2)]  # only the interrupted and the missing run
    assert second.interrupted is None
    rows = {r["method"]: r for r in second}
    assert rows["fake_a"]["train_accuracy_mean"] == pytest.approx(0.6) and rows["fake_b"]["seeds"] == 3
    calls.clear()
    qh.compare(task=task, seeds=3, progress=False, store=tmp_path, resume=True)
    assert calls == []  # finished: nothing is redone


def test_a_ctrl_c_outside_the_trainer_stops_the_comparison_and_keeps_what_finished(task, tmp_path):
    calls = []
    fake("fake_a", calls, raise_at=1), fake("fake_b", calls)
    table = qh.compare(task=task, seeds=2, progress=False, store=tmp_path)
    assert calls == [("fake_a", 0), ("fake_a", 1)]
    rows = {r["method"]: r for r in table}
    assert rows["fake_a"]["status"] == "ok" and rows["fake_a"]["seeds"] == 1
    assert rows["fake_b"]["status"] == "not run"
    assert [r["status"] for r in RunStore(tmp_path).records()] == ["ok", "interrupted"]


def test_the_summary_json_is_strict(task, tmp_path):
    calls = []
    fake("fake_a", calls), fake("fake_b", calls)
    table = qh.compare(task=task, seeds=2, progress=False)
    table.save_json(tmp_path / "summary.json")
    text = (tmp_path / "summary.json").read_text()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    assert "NaN" not in text


def test_the_command_exits_130_after_an_interrupt_and_writes_what_finished(task, tmp_path, capsys):
    from qhyper import cli

    calls = []
    fake("fake_a", calls, interrupt_at=1), fake("fake_b", calls)
    code = cli.main(["compare", "--task", task.name, "--seeds", "2", "--out", str(tmp_path), "--no-progress"])
    assert code == 130 and calls == [("fake_a", 0), ("fake_a", 1)]
    assert "interrupted" in capsys.readouterr().err
    data = json.loads((tmp_path / f"compare_{task.name}.json").read_text())
    assert data["interrupted"]["seed"] == 1 and [r["status"] for r in data["rows"]] == ["ok", "not run"]


@pytest.mark.parametrize("argv, message", [
    (["--set", "ste.epoch=5"], "no option 'epoch' (did you mean 'epochs'?)"),
    (["--set", "ste.bogus=1"], "has no option 'bogus'"),
    (["--set", "ste.epochs=-5"], "epochs must be an integer ≥ 1; got -5"),
    (["--set", "ste.epochs=abc"], "epochs must be an integer ≥ 1; got 'abc'"),
    (["--out", "/proc/qhyper-cannot-write-here"], "cannot be written"),
])
def test_bad_options_and_outputs_fail_before_any_run(task, tmp_path, capsys, argv, message):
    from qhyper import cli

    calls = []
    fake("fake_a", calls)
    qh.comparison.register_method("ste", registry.method("ste").runner, "the real STE adapter")
    argv = ["compare", "--task", task.name, "--methods", "fake_a,ste", "--seeds", "1", "--no-progress",
            "--out", str(tmp_path), *argv]
    start = time.perf_counter()
    assert cli.main(argv) == 2
    assert time.perf_counter() - start < 2.0  # the bound, once the package is imported
    assert message in capsys.readouterr().err and calls == []  # nothing ran


@pytest.mark.parametrize("quick", [False, True])
def test_every_built_in_budget_passes_its_preflight(quick):
    from qhyper.comparison.catalogue import TASKS
    from qhyper.comparison.options import preflight

    for task in TASKS:
        for name in task.methods:
            entry = registry.method(name)
            if task.kind in entry.kinds:
                preflight(name, entry.runner, task.method_options(name, quick))


def test_a_new_command_never_overwrites_an_earlier_experiment(task, tmp_path, capsys):
    from qhyper import cli

    calls = []
    fake("fake_a", calls, interrupt_at=1), fake("fake_b", calls)
    argv = ["compare", "--task", task.name, "--seeds", "2", "--out", str(tmp_path), "--no-progress"]
    assert cli.main(argv) == 130
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert set(files) == {f"compare_{task.name}.json", f"compare_{task.name}.png", f"compare_{task.name}.runs.jsonl"}
    calls.clear()
    assert cli.main(argv) == 2 and "--resume to continue it" in capsys.readouterr().err
    assert calls == [] and {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files  # untouched

    fake("fake_a", calls)  # the interrupt is over
    assert cli.main([*argv, "--resume"]) == 0
    assert calls == [("fake_a", 1), ("fake_b", 0), ("fake_b", 1)]  # fake_a seed 0 was finished
    data = json.loads((tmp_path / f"compare_{task.name}.json").read_text())
    assert [r["seeds"] for r in data["rows"]] == [2, 2] and data["interrupted"] is None

    calls.clear()
    assert cli.main([*argv, "--force"]) == 0 and len(calls) == 4  # replaced: everything redone
    assert len(list(RunStore(tmp_path, name=f"compare_{task.name}.runs.jsonl").records())) == 4
    assert cli.main([*argv, "--force", "--resume"]) == 2


def test_sigint_stops_a_running_command_within_2_s(tmp_path):
    """A real `qhyper compare` subprocess: one SIGINT during a long MLE fit → exit 130 within
    2 s, the finished run and the interrupted one both in the store."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "exp"
    cmd = [sys.executable, "-m", "qhyper.cli", "compare", "--task", "bars_stripes_sign", "--methods", "exact,mle",
           "--seeds", "1", "--set", "mle.steps=1000000", "--out", str(out), "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store = out / "compare_bars_stripes_sign.runs.jsonl"
    deadline = time.monotonic() + 120
    while not (store.exists() and store.read_text().count("\n") >= 1):  # exact has finished
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    time.sleep(1.5)  # mle is training now
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=30)
    elapsed = time.monotonic() - sent
    stderr = proc.stderr.read()
    assert code == 130, stderr
    assert elapsed < 2.0, f"took {elapsed:.2f} s to stop"
    records = [json.loads(line) for line in store.read_text().splitlines()]
    assert [(r["method"], r["status"]) for r in records] == [("exact", "ok"), ("mle", "interrupted")]
    assert json.loads((out / "compare_bars_stripes_sign.json").read_text())["interrupted"]["method"] == "mle"


def test_inverse_problem_methods_name_an_unknown_option_before_any_run():
    with pytest.raises(ValueError, match=r"'pibinn' has no option 'stepz' \(did you mean 'steps'\?\)"):
        qh.compare(["ista", "pibinn"], task="deconv1d", seeds=1, options={"pibinn": {"stepz": 3}}, progress=False)
    with pytest.raises(ValueError, match="'qhn' has no option 'qhn_step'"):
        qh.compare(["qhn"], task="deconv1d", seeds=1, options={"qhn": {"qhn_step": 3}}, progress=False)
