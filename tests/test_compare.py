"""qh.compare and qh.comparison: registries, equal-terms runs, honest rows, table, JSON and figure."""
import json
import statistics

import numpy as np
import pytest

import qhyper as qh
from qhyper.comparison import MethodUnavailable, Task, registry
from qhyper.trainers import TrainResult


@pytest.fixture(autouse=True)
def _restore_registries(monkeypatch):
    """Methods registered by a test disappear after it."""
    monkeypatch.setattr(registry, "_METHODS", dict(registry._METHODS))


@pytest.fixture(scope="module")
def tiny():
    return qh.comparison.register_task(Task(
        "tiny_sign", "bars_and_stripes", [4, 1, 1], activation="sign",
        dataset_options={"rows": 2, "cols": 2, "n_train": 40, "n_test": 40},
        description="a 7-bit smoke task", options={"ste": {"epochs": 5, "restarts": 2}},
        quick={"qubo": {"num_reads": 2, "num_sweeps": 50, "refine_rounds": 0},
               "mle": {"steps": 3, "layers": 1}}))


def test_compare_is_a_function_and_comparison_lists_the_registries():
    import qhyper.comparison.registry as registry_module  # the package does not shadow the function

    assert callable(qh.compare) and qh.compare is qh.comparison.compare and registry_module is registry
    assert qh.comparison.method("mle").quantum and qh.comparison.method("ste").kinds == ("classification",)
    with pytest.raises(ValueError, match="unknown method 'nope'"):
        qh.comparison.method("nope")
    assert {"digits01_4x4", "gaussian_mixture", "bars_stripes_sign"} <= set(qh.comparison.tasks())
    assert {"mle", "elbo", "mmd", "ste", "qubo", "exact"} <= set(qh.comparison.methods())
    assert qh.comparison.get_task("digits01_4x4").num_bits == 17
    assert qh.comparison.get_task("gaussian_mixture").num_bits == 18


def test_rows_are_means_and_stds_of_the_runs(tiny):
    table = qh.compare(["ste", "exact", "qubo"], task="tiny_sign", seeds=2, quick=True, progress=False)
    assert [r["method"] for r in table] == ["ste", "exact", "qubo"]
    assert all(r["status"] == "ok" and r["seeds"] == 2 for r in table)
    for row in table:
        runs = [r for r in table.runs if r["method"] == row["method"]]
        acc = [r["metrics"]["test_accuracy"] for r in runs]
        assert row["test_accuracy_mean"] == pytest.approx(statistics.fmean(acc))
        assert row["test_accuracy_std"] == pytest.approx(statistics.pstdev(acc))
        assert row["wall_time_mean"] == pytest.approx(statistics.fmean(r["wall_time"] for r in runs))
    exact = table[1]
    assert exact["evaluations_mean"] == 2**7 and exact["test_accuracy_std"] == 0.0
    # nobody beats the oracle's training NLL
    assert all(r["train_nll_mean"] >= exact["train_nll_mean"] - 1e-12 for r in table)


def test_options_override_task_budgets(tiny):
    table = qh.compare(["ste"], task="tiny_sign", seeds=[4], options={"ste": {"epochs": 2}}, progress=False)
    assert table.runs[0]["options"] == {"epochs": 2, "restarts": 2} and table.seeds == [4]


def test_quantum_rows_are_real(tiny):
    """The quantum stack is a test dependency: an `unavailable` quantum row is a failure here."""
    table = qh.compare(["mle", "exact"], task="tiny_sign", seeds=1, quick=True, progress=False)
    mle, exact = table
    assert [mle["status"], exact["status"]] == ["ok", "ok"], (mle.get("reason"), exact.get("reason"))
    assert mle["quantum"] and not exact["quantum"]
    assert mle["evaluations_mean"] == 2**7 and 0.0 < mle["p_best_mean"] <= 1.0  # the exact distribution
    assert mle["train_nll_mean"] >= exact["train_nll_mean"] - 1e-12  # nobody beats the oracle


def test_unavailable_and_failing_methods_are_reported_not_faked(tiny):
    def missing(task, seed, options):
        raise MethodUnavailable("not installed here")

    def broken(task, seed, options):
        raise RuntimeError("boom")

    qh.comparison.register_method("missing_method", missing)
    qh.comparison.register_method("broken_method", broken)
    table = qh.compare(["missing_method", "broken_method"], task="tiny_sign", seeds=2, progress=False)
    assert table[0]["status"] == "unavailable" and table[0]["reason"] == "not installed here"
    assert table[1]["status"] == "failed" and "boom" in table[1]["reason"]
    assert all("test_accuracy_mean" not in r for r in table) and table.runs == []
    assert "unavailable: not installed here" in table.format()
    with pytest.raises(RuntimeError, match="boom"):
        qh.compare(["broken_method"], task="tiny_sign", seeds=1, progress=False, strict=True)


def test_qubo_on_a_sigmoid_network_is_unavailable_with_the_reason():
    table = qh.compare(["qubo"], task="gaussian_mixture", seeds=1, progress=False)
    assert table[0]["status"] == "unavailable" and "sign" in table[0]["reason"]


def test_a_registered_runner_plugs_in(tiny):
    def constant(task, seed, options):
        ev = task.evaluator()
        bits = np.ones(ev.num_bits)
        return TrainResult("all-ones", bits, qh.trainers.network_metrics(ev, bits), wall_time=0.0, evaluations=1)

    qh.comparison.register_method("all_ones", constant, "every weight +1")
    table = qh.compare("all_ones", task="tiny_sign", seeds=1, progress=False)
    ev = qh.comparison.get_task("tiny_sign").evaluator()
    assert table[0]["train_accuracy_mean"] == pytest.approx(float(ev.accuracy(np.ones(7))[0]))
    assert qh.comparison.methods()["all_ones"] == "every weight +1"


def test_bad_names_are_refused_before_running(tiny):
    with pytest.raises(ValueError, match="unknown method"):
        qh.compare(["ste", "nope"], task="tiny_sign")
    with pytest.raises(ValueError, match="unknown task"):
        qh.compare(["ste"], task="nope")
    with pytest.raises(ValueError, match="not being compared"):
        qh.compare(["ste"], task="tiny_sign", options={"qubo": {}})
    with pytest.raises(ValueError, match="seeds"):
        qh.compare(["ste"], task="tiny_sign", seeds=0)
    with pytest.raises(TypeError):
        qh.comparison.register_task("not a task")
    with pytest.raises(TypeError):
        qh.comparison.register_method("x", "not callable")
    with pytest.raises(ValueError, match="kinds"):
        qh.comparison.register_method("x", lambda task, seed, options: None, kinds="inverse")
    with pytest.raises(ValueError, match="kind must be"):
        Task("x", "moons", [2, 1], kind="regression")


def test_json_and_figure(tiny, tmp_path):
    table = qh.compare(["ste", "exact"], task="tiny_sign", seeds=1, progress=False)
    table.save_json(tmp_path / "t.json")
    data = json.loads((tmp_path / "t.json").read_text())
    assert data["task"]["num_bits"] == 7 and len(data["rows"]) == 2 and len(data["runs"]) == 2
    fig = table.plot(tmp_path / "t.png")
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fig.axes) == 2
