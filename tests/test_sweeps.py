"""Sweeps: grids of options expand into rows, per-run budgets reach the trainers, and the Ray
executor gives the same per-run results as the local one, streaming into the same store."""
import json

import pytest
import torch

import qhyper as qh
from qhyper import cli
from qhyper.comparison import Task, registry
from qhyper.comparison.executors import LocalExecutor, RayExecutor
from qhyper.comparison.store import RunStore
from qhyper.trainers import TrainResult


@pytest.fixture(autouse=True)
def _restore_registries(monkeypatch):
    monkeypatch.setattr(registry, "_METHODS", dict(registry._METHODS))


@pytest.fixture(scope="module")
def task():
    return qh.comparison.register_task(Task("sweep_tiny", "bars_and_stripes", [4, 1, 1], activation="sign",
                                            dataset_options={"rows": 2, "cols": 2, "n_train": 20, "n_test": 20},
                                            methods=("probe",)))


def probe(calls, budgeted=True, fail_at=None):
    """A method recording the options of every run; its score is its ``depth`` option."""

    def run(task, seed, options):
        calls.append((seed, dict(options)))
        if seed == fail_at:
            raise RuntimeError("planted failure")
        return TrainResult("probe", torch.zeros(7), {"train_accuracy": 0.1 * options.get("depth", 0) + 0.01 * seed},
                           wall_time=0.01, evaluations=1, budget_hit="max_time" in options)

    run.budgeted = budgeted
    qh.comparison.register_method("probe", run, "records its options")


def test_a_grid_expands_into_one_row_per_point_over_every_seed(task):
    calls = []
    probe(calls)
    table = qh.compare(["probe"], task=task, seeds=[3, 5], progress=False,
                       grid={"probe": {"depth": [1, 2], "mode": ["a", "b"]}}, options={"probe": {"depth": 9, "x": 1}})
    assert [r["method"] for r in table] == ["probe[depth=1,mode='a']", "probe[depth=1,mode='b']",
                                            "probe[depth=2,mode='a']", "probe[depth=2,mode='b']"]
    assert [r["grid"] for r in table][1] == {"depth": 1, "mode": "b"} and {r["name"] for r in table} == {"probe"}
    assert calls[:2] == [(3, {"depth": 1, "x": 1, "mode": "a"}), (5, {"depth": 1, "x": 1, "mode": "a"})]
    assert len(calls) == 8  # 4 points × 2 seeds; the grid value overrides options
    assert [round(r["train_accuracy_mean"], 6) for r in table] == [0.14, 0.14, 0.24, 0.24]
    assert table.to_dict()["grid"] == {"probe": {"depth": [1, 2], "mode": ["a", "b"]}}


def test_explicit_grid_points(task):
    calls = []
    probe(calls)
    table = qh.compare(["probe"], task=task, seeds=1, progress=False, grid={"probe": [{"depth": 1}, {"mode": "x"}]})
    assert [r["method"] for r in table] == ["probe[depth=1]", "probe[mode='x']"]
    assert [c[1] for c in calls] == [{"depth": 1}, {"mode": "x"}]


@pytest.mark.parametrize("grid, message", [
    ({"ste": {"epochs": [1]}}, "not being compared"),
    ({"probe": {"depth": []}}, "is empty"),
    ({"probe": {"depth": "246"}}, "must be a list of values"),
    ({"probe": {"depth": [2, 2]}}, "repeats a value"),
    ({"probe": {}}, "non-empty dict"),
    ({"probe": [{"depth": 1}, {}]}, "non-empty dicts"),
])
def test_a_bad_grid_is_refused_before_any_run(task, grid, message):
    calls = []
    probe(calls)
    with pytest.raises(ValueError, match=message):
        qh.compare(["probe"], task=task, seeds=1, progress=False, grid=grid)
    assert calls == []


@pytest.mark.parametrize("kwargs, error, message", [
    ({"seeds": "12"}, TypeError, "a count or a list of integer seeds"),
    ({"seeds": [1, 1]}, ValueError, "repeats a seed"),
    ({"seeds": [0, -1]}, ValueError, "integer ≥ 0"),
    ({"seeds": [0.5]}, ValueError, "integer ≥ 0"),
    ({"methods": ["probe", "probe"]}, ValueError, "names a method twice"),
    ({"max_time": 0}, ValueError, "max_time must be a finite number > 0"),
    ({"executor": "dask"}, ValueError, "executor must be one of"),
])
def test_bad_sweep_arguments_are_refused_before_any_run(task, kwargs, error, message):
    calls = []
    probe(calls)
    with pytest.raises(error, match=message):
        qh.compare(**{"methods": ["probe"], "task": task, "seeds": 1, "progress": False, **kwargs})
    assert calls == []


def test_max_time_reaches_the_budgeted_methods_only(task):
    calls = []
    probe(calls)
    table = qh.compare(["probe"], task=task, seeds=2, progress=False, max_time=7.5)
    assert [c[1] for c in calls] == [{"max_time": 7.5}] * 2
    assert table[0]["budget_hits"] == 2 and "probe 2/2" in table.format()
    calls.clear()
    qh.compare(["probe"], task=task, seeds=1, progress=False, max_time=7.5, options={"probe": {"max_time": 1}})
    assert calls[0][1] == {"max_time": 1}  # the method's own option wins
    calls.clear()
    probe(calls, budgeted=False)
    qh.compare(["probe"], task=task, seeds=1, progress=False, max_time=7.5)
    assert calls[0][1] == {}


def test_a_budget_is_part_of_a_runs_identity(task, tmp_path):
    calls = []
    probe(calls)
    qh.compare(["probe"], task=task, seeds=1, progress=False, store=tmp_path, max_time=5)
    qh.compare(["probe"], task=task, seeds=1, progress=False, store=tmp_path, max_time=10, resume=True)
    assert len(calls) == 2  # another budget is another run, not a finished one


def test_the_ray_executor_gives_the_local_per_run_results(tmp_path):
    """2 local Ray workers against this process, on a grid of real methods (timing metrics aside)."""
    # ray is in the test extra: no skip, a missing Ray fails here
    kwargs = dict(task="digits01_4x4", seeds=2, quick=True, progress=False,
                  grid={"ste": {"lr": [0.01, 0.1]}, "mle": {"layers": [1, 2]}})
    methods = ["ste", "qubo", "exact", "mle", "mmd"]
    local = qh.compare(methods, executor=LocalExecutor(threads=1), store=tmp_path / "local", **kwargs)
    ray = qh.compare(methods, executor=RayExecutor(num_cpus=1, local_cpus=2), store=tmp_path / "ray", **kwargs)
    assert [r["status"] for r in ray] == ["ok"] * 7

    def results(table):
        return {r["key"]: ({k: v for k, v in r["metrics"].items() if "time" not in k}, r["evaluations"], r["status"])
                for r in table.runs}

    # The same runs, seeds and options: counts and statuses match exactly, metrics to rounding.
    # Not bit-for-bit: a Ray worker is another process whose BLAS may pick another kernel or
    # alignment for the same reduction (seen on CI: entropies differing in the 15th digit).
    ray_results, local_results = results(ray), results(local)
    assert len(local_results) == 14 and ray_results.keys() == local_results.keys()
    for key, (metrics, evaluations, status) in local_results.items():
        assert ray_results[key][1:] == (evaluations, status), key
        assert ray_results[key][0] == pytest.approx(metrics, rel=1e-9, abs=1e-12), key
    stored = {r["key"] for r in RunStore(tmp_path / "ray").records()}
    assert stored == set(results(local))  # every record streamed into the driver's store
    import ray as ray_module

    assert ray_module.is_initialized()  # kept warm for the next comparison
    ray_module.shutdown()


def test_the_command_runs_a_grid_and_says_when_a_run_failed(task, tmp_path, capsys):
    calls = []
    probe(calls, fail_at=1)
    argv = ["compare", "--task", task.name, "--methods", "probe", "--seeds", "0-2", "--grid", "probe.depth=1,3",
            "--max-time", "30", "--out", str(tmp_path), "--no-progress"]
    assert cli.main(argv) == cli.RUN_FAILED
    err = capsys.readouterr().err
    assert "runs of probe[depth=1], probe[depth=3] failed" in err
    data = json.loads((tmp_path / f"compare_{task.name}.json").read_text())
    assert [r["status"] for r in data["rows"]] == ["failed", "failed"]
    assert [c[0] for c in calls] == [0, 1, 0, 1]  # the rest of a failed row is skipped
    assert all(c[1]["max_time"] == 30.0 for c in calls)


@pytest.mark.parametrize("argv, message", [
    (["--seeds", "5-2"], "expected a count"),
    (["--seeds", "0"], "a seed count must be ≥ 1"),
    (["--grid", "probe.depth"], "--grid takes METHOD.OPTION=V1,V2"),
    (["--address", "auto"], "--address and --num-cpus are for --executor ray"),
    (["--max-time", "-3"], "max_time must be a finite number > 0"),
    (["--plugin", "no_such_module_qhyper"], "cannot be imported"),
])
def test_bad_sweep_options_exit_2_before_any_run(task, tmp_path, capsys, argv, message):
    calls = []
    probe(calls)
    base = ["compare", "--task", task.name, "--methods", "probe", "--out", str(tmp_path), "--no-progress"]
    try:
        code = cli.main([*base, *argv])
    except SystemExit as exit_:  # argparse's own errors (--seeds)
        code = exit_.code
    assert code == 2 and message in capsys.readouterr().err and calls == []


def test_a_plugin_file_registers_its_methods_for_the_command(tmp_path, capsys):
    plugin = tmp_path / "myplugin.py"
    plugin.write_text("import qhyper as qh, torch\n"
                      "from qhyper.trainers import TrainResult\n"
                      "def mine(task, seed, options):\n"
                      "    return TrainResult('mine', torch.zeros(3), {'train_accuracy': 0.25}, wall_time=0.0)\n"
                      "qh.comparison.register_method('mine', mine, 'a plugin method')\n")
    assert cli.main(["methods", "--plugin", str(plugin)]) == 0
    assert "mine" in capsys.readouterr().out
    out = tmp_path / "out"
    assert cli.main(["compare", "--plugin", str(plugin), "--task", "digits01_4x4", "--methods", "mine",
                     "--seeds", "1", "--out", str(out), "--no-progress"]) == 0
    assert "0.250" in capsys.readouterr().out


@pytest.mark.parametrize("kwargs, message", [
    ({"num_cpus": 0}, "num_cpus must be a number > 0"),
    ({"num_cpus": "2"}, "num_cpus must be a number > 0"),
    ({"address": ""}, "address must be a Ray cluster address"),
    ({"local_cpus": 0}, "local_cpus must be an integer ≥ 1"),
])
def test_a_bad_ray_executor_is_refused_when_built(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RayExecutor(**kwargs)
