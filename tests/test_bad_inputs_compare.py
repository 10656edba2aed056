"""Bad inputs to qh.compare, its tasks, registries, run store, executors and figure: refused
before any run, with the parameter named. On the old code each ``NEW`` case below
was accepted silently (``quick="yes"``, ``replace="no"`` counted as True; a seed ≥ 2^32 failed
inside the runs), failed late (a task's bad data set or model, an inverse method's bad
option: a ``failed`` row after the runs started), failed with a raw message ("'float' object
is not iterable", "unhashable type: 'list'", MemoryError) or would hang (a Ray run needing
more CPUs than the local Ray has)."""
import math
import sys

import pytest
import torch

import qhyper as qh
from qhyper.comparison import Comparison, LocalExecutor, RayExecutor, Task, registry
from qhyper.comparison.store import RunStore
from qhyper.trainers import TrainResult
from bad_inputs import refused

CALLS = []  # every run of the stand-in method: a refused comparison leaves it empty


def _probe(task, seed, options):
    CALLS.append(seed)
    return TrainResult(method="bad_probe", bits=torch.zeros(7), metrics={"train_accuracy": 0.5},
                       wall_time=0.01, evaluations=1)


@pytest.fixture(scope="module", autouse=True)
def stand_ins():
    """A counting method and a tiny task, removed afterwards; the task's data set is loaded
    once here, so that the timed part is the check alone."""
    methods, tasks = dict(registry._METHODS), dict(registry._TASKS)
    registry.register_method("bad_probe", _probe, "counting stand-in")
    registry.register_task(Task("bad_tiny", "bars_and_stripes", [4, 1, 1], activation="sign",
                                dataset_options={"rows": 2, "cols": 2, "n_train": 20, "n_test": 20},
                                methods=("bad_probe",)))
    registry.get_task("bad_tiny").data(), registry.get_task("digits01_4x4").data()
    yield
    registry._METHODS.clear(), registry._METHODS.update(methods)
    registry._TASKS.clear(), registry._TASKS.update(tasks)


@pytest.fixture(autouse=True)
def _no_calls():
    CALLS.clear()
    yield
    CALLS.clear()


def _compare(**kw):
    return qh.compare(**{"methods": ["bad_probe"], "task": "bad_tiny", "seeds": 1, "progress": False, **kw})


def _task(**kw):
    return Task(**{"name": "bad_t", "dataset": "bars_and_stripes", "layer_sizes": [4, 1, 1],
                   "dataset_options": {"rows": 2, "cols": 2, "n_train": 20, "n_test": 20}, **kw})


def _refused(build, error, name):
    refused(build, error, name)
    assert CALLS == []  # no run started


# (build, exception, pattern the message must contain); NEW marks a case the old code did not handle well
COMPARE = [
    # seeds
    pytest.param(dict(seeds=2.5), TypeError, "seeds.*2.5", id="NEW seeds=2.5 ('float' object is not iterable)"),
    pytest.param(dict(seeds=None), TypeError, "seeds.*None", id="NEW seeds=None (raw)"),
    pytest.param(dict(seeds=-3), ValueError, "seeds.*-3", id="NEW seeds=-3 (message without the value)"),
    pytest.param(dict(seeds=10**12), ValueError, "seeds.*1000000", id="NEW seeds=10**12 (MemoryError)"),
    pytest.param(dict(seeds=[2**32]), ValueError, "seeds.*4294967295", id="NEW seeds=[2**32] (sklearn fails in the run)"),
    pytest.param(dict(seeds=[2**64]), ValueError, "seeds", id="NEW seeds=[2**64] (torch overflow in the run)"),
    pytest.param(dict(seeds=[1.0]), TypeError, "seeds.*1.0", id="NEW seeds=[1.0] (ValueError for a type)"),
    pytest.param(dict(seeds="12"), TypeError, "seeds.*'12'", id="seeds='12'"),
    pytest.param(dict(seeds=[0, 0]), ValueError, "seeds.*repeats", id="seeds=[0, 0]"),
    pytest.param(dict(seeds=True), TypeError, "seeds", id="seeds=True"),
    # methods, task
    pytest.param(dict(methods=5), TypeError, "methods", id="NEW methods=5 ('int' object is not iterable)"),
    pytest.param(dict(methods=[["bad_probe"]]), TypeError, "methods", id="NEW methods=[[...]] (unhashable)"),
    pytest.param(dict(methods=[None]), TypeError, "methods", id="NEW methods=[None] (ValueError for a type)"),
    pytest.param(dict(methods=["bad_probe", "bad_probe"]), ValueError, "twice", id="methods named twice"),
    pytest.param(dict(task=["bad_tiny"]), TypeError, "task", id="NEW task=[...] (unhashable)"),
    pytest.param(dict(task=None), TypeError, "task", id="NEW task=None (ValueError for a type)"),
    # options
    pytest.param(dict(options="bad_probe"), TypeError, "options must be a dict", id="NEW options='...' (read as letters)"),
    pytest.param(dict(options={"bad_probe": 5}), TypeError, r"options\['bad_probe'\]", id="NEW options={m: 5} (raw)"),
    pytest.param(dict(methods=["ste"], options={"ste": {1: 2}}), TypeError, "ste.*key 1", id="NEW option key 1 (raw)"),
    pytest.param(dict(methods=["ste"], options={"ste": {"lr": "0.1"}}), TypeError, "lr",
                 id="NEW ste lr='0.1' (ValueError for a type)"),
    pytest.param(dict(grid={"bad_probe": {1: [2]}}), TypeError, "grid", id="NEW grid option 1 (the runs started)"),
    pytest.param(dict(methods=["elbo"], options={"elbo": {"symmetrise": "maybe"}}), TypeError, "symmetrise must be",
                 id="elbo symmetrise='maybe'"),
    # flags
    pytest.param(dict(quick="yes"), TypeError, "quick", id="NEW quick='yes' (truthy)"),
    pytest.param(dict(progress="no"), TypeError, "progress", id="NEW progress='no' (a bar)"),
    pytest.param(dict(strict="no"), TypeError, "strict", id="NEW strict='no' (truthy)"),
    # store, executor, budget
    pytest.param(dict(store=5), TypeError, "store", id="NEW store=5 (raw)"),
    pytest.param(dict(executor=LocalExecutor), TypeError, "executor must", id="NEW executor=the class (raw)"),
    pytest.param(dict(executor="Ray"), ValueError, "executor", id="executor='Ray'"),
    pytest.param(dict(max_time=math.nan), ValueError, "max_time", id="max_time=nan"),
]


@pytest.mark.parametrize("kw, error, name", COMPARE)
def test_compare_refuses_before_any_run(kw, error, name):
    _refused(lambda: _compare(**kw), error, name)


def test_compare_refuses_an_empty_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _refused(lambda: _compare(store=""), ValueError, "store")  # NEW: the current folder's runs.jsonl
    assert not any(tmp_path.iterdir())


def test_compare_refuses_a_store_that_is_a_file(tmp_path):
    path = tmp_path / "runs"
    path.write_text("")
    _refused(lambda: _compare(store=path), ValueError, "store folder.*is a file")  # NEW (FileExistsError)


@pytest.mark.parametrize("flag", ["resume", "replace"])
def test_resume_and_replace_need_a_bool_and_replace_no_keeps_the_runs(tmp_path, flag):
    store = RunStore(tmp_path)
    store.append({"key": "k", "status": "ok"})
    _refused(lambda: _compare(store=tmp_path, **{flag: "no"}), TypeError, flag)  # NEW: "no" counted as True
    assert [r["key"] for r in store.records()] == ["k"]  # replace="no" discarded them on the old code


# Tasks: on the old code a bad field failed inside every run (a `failed` row), or not at all
TASKS = [
    pytest.param(dict(name=5), TypeError, "name", id="NEW Task name=5"),
    pytest.param(dict(name=""), ValueError, "name", id="NEW Task name=''"),
    pytest.param(dict(dataset=5), TypeError, "dataset", id="NEW Task dataset=5 (failed in the runs)"),
    pytest.param(dict(layer_sizes="41"), TypeError, "layer_sizes", id="NEW Task layer_sizes='41' (failed in the runs)"),
    pytest.param(dict(bias="no"), TypeError, "bias", id="NEW Task bias='no' (failed in the runs)"),
    pytest.param(dict(logit_scale="a"), TypeError, "logit_scale", id="NEW Task logit_scale='a' ('>' not supported)"),
    pytest.param(dict(logit_scale=math.inf), ValueError, "logit_scale", id="NEW Task logit_scale=inf (raw, in the runs)"),
    pytest.param(dict(options={"ste": 5}), TypeError, "options", id="NEW Task options={'ste': 5} (raw in compare)"),
    pytest.param(dict(quick="fast"), TypeError, "quick", id="NEW Task quick='fast' (AttributeError with quick=True)"),
    pytest.param(dict(methods=5), TypeError, "methods", id="NEW Task methods=5 (raw in compare)"),
    pytest.param(dict(description=5), TypeError, "description", id="NEW Task description=5"),
    pytest.param(dict(kind="inverse", dataset="deconv1d", layer_sizes=[], dataset_options={"n": 8}), ValueError,
                 "dataset_options", id="NEW inverse Task dataset_options (silently ignored)"),
    pytest.param(dict(kind="regression"), ValueError, "kind", id="Task kind='regression'"),
]


@pytest.mark.parametrize("kw, error, name", TASKS)
def test_a_bad_task_is_refused_when_defined(kw, error, name):
    _refused(lambda: _task(**kw), error, name)


@pytest.mark.parametrize("kw, error, name", [
    pytest.param(dict(dataset="nope"), ValueError, "dataset", id="NEW unknown dataset"),
    pytest.param(dict(dataset="digits01_4x4", dataset_options={}), ValueError, "layer_sizes.*16 features",
                 id="NEW model width 4 on 16 features"),
    pytest.param(dict(dataset_options={"rows": 2, "cols": 2, "n_tran": 5}), TypeError, "n_tran",
                 id="NEW dataset option typo"),
])
def test_a_task_whose_data_does_not_fit_is_refused_before_any_run(kw, error, name):
    task = _task(methods=("bad_probe",), **kw)
    _refused(lambda: qh.compare(task=task, seeds=1, progress=False), error, name)  # old: a `failed` row per run


@pytest.mark.parametrize("task, method, options, error, name", [
    pytest.param("deconv1d", "lista", {"steps": -5}, ValueError, "steps", id="NEW lista steps=-5"),
    pytest.param("deconv1d", "lista", {"layers": 2.5}, TypeError, "layers", id="NEW lista layers=2.5"),
    pytest.param("deconv1d", "pibinn", {"lr": "x"}, TypeError, "lr", id="NEW pibinn lr='x'"),
    pytest.param("deconv1d", "ista", {"layers": 0}, ValueError, "layers", id="NEW ista layers=0"),
    pytest.param("deconv1d", "binary_pruned", {"form": "nope"}, ValueError, "form", id="NEW binary_pruned form"),
    pytest.param("block_cs", "qhn", {"qhn_steps": -1}, ValueError, "qhn_steps", id="NEW qhn qhn_steps=-1"),
    pytest.param("block_cs", "qhn", {"objective": "mmd"}, ValueError, "shots", id="NEW qhn mmd without shots"),
])
def test_inverse_method_options_are_checked_before_any_run(task, method, options, error, name):
    # old: the option reached the model or trainer inside the run: a `failed` row, exit status 1
    _refused(lambda: qh.compare([method], task=task, seeds=1, progress=False, quick=True,
                                options={method: options}), error, name)


@pytest.mark.parametrize("task, method, options, error, name", [
    pytest.param("digits01_4x4", "mle", {"shots": 0}, ValueError, "shots", id="NEW mle shots=0"),
    pytest.param("digits01_4x4", "mle", {"backend": "nope"}, ValueError, "backend", id="NEW mle backend='nope'"),
    pytest.param("digits01_4x4", "mle", {"ansatz": 5}, TypeError, "ansatz", id="NEW mle ansatz=5 (message about layers)"),
    pytest.param("digits01_4x4", "mle", {"shots": 64}, ValueError, "lbfgs", id="NEW mle shots with the task's L-BFGS"),
    pytest.param("digits01_4x4", "elbo", {"shots": 64}, ValueError, "shots", id="NEW elbo with shots"),
    pytest.param("digits01_4x4", "mmd", {"shots": 1}, ValueError, "shots", id="NEW mmd shots=1"),
    pytest.param("moons", "localib", {"hidden": "64"}, TypeError, "hidden", id="NEW localib hidden='64'"),
    pytest.param("moons", "localib", {"kind": "nope"}, ValueError, "kind", id="NEW localib kind='nope'"),
    pytest.param("moons", "hsic", {"unit_options": 5}, TypeError, "unit_options", id="NEW hsic unit_options=5 (raw)"),
    pytest.param("moons", "e2e", {"epochs": -1}, ValueError, "epochs", id="NEW e2e epochs=-1"),
    pytest.param("moons", "e2e", {"lr": "x"}, TypeError, "lr", id="NEW e2e lr='x'"),
])
def test_classification_method_options_are_checked_before_any_run(task, method, options, error, name):
    # old: the option reached the circuit, network or trainer inside the run: a `failed` row, exit status 1
    _refused(lambda: qh.compare([method], task=task, seeds=1, progress=False, quick=True,
                                options={method: options}), error, name)


@pytest.mark.parametrize("kw, error, name", [
    pytest.param(dict(qhn_steps=-1), ValueError, "qhn_steps", id="NEW sign_search qhn_steps=-1 (after the STE stage)"),
    pytest.param(dict(qhn_lr="0.1"), TypeError, "qhn_lr", id="NEW sign_search qhn_lr='0.1' (after the STE stage)"),
    pytest.param(dict(circuit_layers=0), ValueError, "circuit_layers",
                 id="NEW sign_search circuit_layers=0 (after the STE stage)"),
    pytest.param(dict(qhn_optimizer="sgd"), ValueError, "optimizer", id="NEW sign_search qhn_optimizer (after the STE stage)"),
])
def test_sign_search_checks_its_options_before_training(kw, error, name):
    from qhyper.comparison.methods.pibinn import small_problem
    from qhyper.comparison.methods.sign_search import sign_search

    problem = small_problem(0)
    _refused(lambda: sign_search(problem, **kw), error, name)


def _runner(task, seed, options):
    return None


REGISTRY = [
    pytest.param(lambda: registry.register_method(5, _runner), TypeError, "name", id="NEW register_method(5)"),
    pytest.param(lambda: registry.register_method("", _runner), ValueError, "name", id="NEW register_method('')"),
    pytest.param(lambda: registry.register_method("a,b", _runner), ValueError, "commas", id="NEW register_method('a,b')"),
    pytest.param(lambda: registry.register_method("x", _runner, kinds=5), TypeError, "kinds",
                 id="NEW kinds=5 ('int' object is not iterable)"),
    pytest.param(lambda: registry.register_method("x", _runner, kinds=()), ValueError, "kinds",
                 id="NEW kinds=() (a method that runs nowhere)"),
    pytest.param(lambda: registry.register_method("x", _runner, quantum="no"), TypeError, "quantum",
                 id="NEW quantum='no' (truthy)"),
    pytest.param(lambda: registry.register_method("x", _runner, description=5), TypeError, "description",
                 id="NEW description=5"),
    pytest.param(lambda: registry.register_method("x", "not callable"), TypeError, "runner", id="runner='...'"),
    pytest.param(lambda: registry.get_task(["x"]), TypeError, "task", id="NEW get_task([...]) (unhashable)"),
    pytest.param(lambda: registry.method(["x"]), TypeError, "method", id="NEW method([...]) (unhashable)"),
]


@pytest.mark.parametrize("build, error, name", REGISTRY)
def test_registries_refuse_bad_entries(build, error, name):
    try:
        _refused(build, error, name)
        assert "x" not in registry.methods()
    finally:
        registry._METHODS.pop("x", None)  # the old code registered some of them


def _afile(folder):
    (folder / "afile").write_text("")
    return folder / "afile"


@pytest.mark.parametrize("build, error, name", [
    pytest.param(lambda d: RunStore(5), TypeError, "store folder", id="NEW RunStore(5) (expected str, bytes or os.PathLike)"),
    pytest.param(lambda d: RunStore(""), ValueError, "store folder", id="NEW RunStore('') (the current folder)"),
    pytest.param(lambda d: RunStore(_afile(d)), ValueError, "is a file", id="NEW RunStore(a file) (FileExistsError)"),
    pytest.param(lambda d: RunStore(d, name="sub/runs.jsonl"), ValueError, "name",
                 id="NEW name='sub/runs.jsonl' (failed at the first append, after a run)"),
    pytest.param(lambda d: RunStore(d, name=""), ValueError, "name", id="NEW name='' (the folder as the file)"),
    pytest.param(lambda d: RunStore(d, name=5), TypeError, "name", id="NEW name=5 (unsupported operand type(s) for /)"),
])
def test_run_store_refuses_bad_folders_and_names(build, error, name, tmp_path):
    _refused(lambda: build(tmp_path), error, name)


@pytest.mark.parametrize("kw, error, name", [
    pytest.param(dict(num_cpus=math.inf), ValueError, "num_cpus", id="NEW num_cpus=inf (OverflowError after Ray started)"),
    pytest.param(dict(num_cpus="2"), TypeError, "num_cpus", id="NEW num_cpus='2' (ValueError for a type)"),
    pytest.param(dict(num_cpus=3, local_cpus=2), ValueError, "num_cpus", id="NEW num_cpus > local_cpus (hang)"),
    pytest.param(dict(grace=-1), ValueError, "grace", id="NEW grace=-1"),
    pytest.param(dict(grace="2"), TypeError, "grace", id="NEW grace='2' (coerced)"),
    pytest.param(dict(grace="x"), TypeError, "grace", id="NEW grace='x' (could not convert string to float)"),
    pytest.param(dict(grace=math.nan), ValueError, "grace", id="NEW grace=nan"),
    pytest.param(dict(shutdown="no"), TypeError, "shutdown", id="NEW shutdown='no' (truthy)"),
    pytest.param(dict(address=5), TypeError, "address", id="NEW address=5 (ValueError for a type)"),
    pytest.param(dict(local_cpus=1.5), TypeError, "local_cpus", id="local_cpus=1.5"),
])
def test_ray_executor_refuses_bad_settings_without_starting_ray(kw, error, name):
    _refused(lambda: RayExecutor(**kw), error, name)


def test_ray_executor_refuses_more_cpus_per_run_than_this_machine_has():
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():  # left warm by an earlier test: the check applies
        ray.shutdown()                             # without a session (with one, it runs at submission)
    _refused(lambda: RayExecutor(num_cpus=10**6), ValueError, "num_cpus")  # NEW: Ray never scheduled a run (hang)


@pytest.mark.parametrize("threads", [0, 2.5, "2", True])
def test_local_executor_threads(threads):
    _refused(lambda: LocalExecutor(threads=threads), (TypeError, ValueError), "threads")  # already refused well


@pytest.mark.parametrize("path, error, name", [
    pytest.param(lambda d: 5, TypeError, "path", id="NEW plot(5) ('int' object has no attribute 'write')"),
    pytest.param(lambda d: d, ValueError, "path.*folder", id="NEW plot(a folder) (silently wrote <folder>.png beside it)"),
    pytest.param(lambda d: d / "no" / "f.png", ValueError, "path", id="plot(in a missing folder) (after drawing)"),
])
def test_the_figure_refuses_a_bad_path_before_drawing(path, error, name, tmp_path):
    table = Comparison([], registry.get_task("bad_tiny"), [], [0])
    _refused(lambda: table.plot(path(tmp_path)), error, name)
    assert not tmp_path.with_suffix(".png").exists()


@pytest.mark.parametrize("path, error, name", [
    pytest.param(lambda d: 5, TypeError, "path", id="NEW save_json(5) (expected str, bytes or os.PathLike)"),
    pytest.param(lambda d: d, ValueError, "path.*folder", id="NEW save_json(a folder) (IsADirectoryError)"),
])
def test_the_json_refuses_a_bad_path(path, error, name, tmp_path):
    table = Comparison([], registry.get_task("bad_tiny"), [], [0])
    _refused(lambda: table.save_json(path(tmp_path)), error, name)


def test_the_good_spellings_still_work(tmp_path):
    import numpy as np

    for seeds, expected in [(2, [0, 1]), (np.int64(2), [0, 1]), ([3, 1], [3, 1]), ((5,), [5]), (range(2), [0, 1]),
                            (np.array([4, 2]), [4, 2]), ([2**32 - 1], [2**32 - 1])]:
        CALLS.clear()
        table = _compare(seeds=seeds, methods="bad_probe", options={"bad_probe": {}}, quick=False, strict=True,
                         executor=LocalExecutor(threads=1), max_time=5)
        assert CALLS == expected and table.seeds == expected and table[0]["status"] == "ok"
    _compare(store=tmp_path)
    _compare(store=str(tmp_path), resume=True)
    _compare(store=RunStore(tmp_path), replace=True, grid={"bad_probe": {"a": [1, 2]}})
    assert len(list(RunStore(tmp_path).records())) == 2
    table = _compare(store=RunStore(tmp_path / "other", name="mine.jsonl"), executor=None)
    assert (tmp_path / "other" / "mine.jsonl").exists()
    table.plot(tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000
    task = _task(methods="bad_probe", logit_scale=2, options={"ste": {"epochs": 1}})
    assert task.logit_scale == 2.0 and qh.compare(task=task, seeds=1, progress=False)[0]["status"] == "ok"
    assert RayExecutor(num_cpus=0.5, local_cpus=1, grace=0, shutdown=True).num_cpus == 0.5
    assert RayExecutor(address="auto", num_cpus=10**6).num_cpus == 10**6  # a cluster may have such nodes
