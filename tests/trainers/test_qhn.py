import math
import pytest
import torch

import qhyper as qh
from qhyper.bitstrings import index_to_bits
from qhyper.objectives import ELBO, MLE, MMD, MMDSurrogateELBO
from qhyper.trainers import QHN


def make_hypernet(n, layers=2, shots=None, seed=0, ansatz="brick", backend="torch"):
    layers = None if ansatz == "product" else layers
    return qh.Hypernetwork(qh.circuits.get(ansatz, n_qubits=n, layers=layers), backend=backend,
                           shots=shots, seed=seed)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def table():
    t = torch.rand(16, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    t[5] = t.min() - 0.2  # a clear unique minimum
    return t


@pytest.fixture(scope="module")
def ev():
    data = qh.datasets.load("xor").subsample(30, seed=0)
    return qh.Evaluator.from_dataset(qh.BinaryMLP([2, 1]), data)  # 3 bits


# --------------------------------------------------------------------------- exact mode
@pytest.mark.parametrize("optimizer, steps, lr", [("lbfgs", 100, None), ("adam", 150, 0.1)])
def test_finds_the_minimum_of_a_cost_table(table, optimizer, steps, lr):
    hn = make_hypernet(4, layers=2)
    res = QHN(MLE(), optimizer=optimizer, steps=steps, lr=lr, restarts=4, seed=0, progress=False).fit(hn, table)
    assert res.metrics["p_best"] > 0.98
    assert torch.equal(res.bits, index_to_bits(int(torch.argmin(table)), 4))
    assert res.metrics["expected_loss"] - float(table.min()) < 1e-2
    assert res.metrics["map_loss"] == pytest.approx(float(table.min()))
    assert len(res.history["objective"]) == len(res.history["entropy"]) > 0
    assert res.evaluations == 16 and not res.interrupted


def test_product_ansatz_elbo_recovers_the_mean_field_optimum():
    """Factorised likelihood log p(D|b) = Σ_j a_j b_j with a uniform prior: the posterior is
    Π_j Bernoulli(σ(a_j)), inside the product family, and log Z = Σ_j log((1 + e^{a_j})/2)."""
    a = torch.tensor([1.5, -0.7, 0.3, -2.0], dtype=torch.float64)
    bits = index_to_bits(torch.arange(16), 4)
    cost = -(bits @ a)  # cost table with data_size = 1: log p(D|b) = −L(b)
    hn = make_hypernet(4, ansatz="product")
    res = QHN(ELBO(data_size=1), optimizer="lbfgs", steps=200, restarts=2, seed=1, progress=False).fit(hn, cost)
    q = res.state["probs"]
    marginals = (q.unsqueeze(-1) * bits).sum(0)
    assert torch.allclose(marginals, torch.sigmoid(a), atol=1e-5)
    log_z = float(torch.log((1 + a.exp()) / 2).sum())
    assert res.metrics["objective"] == pytest.approx(log_z, abs=1e-8)


def test_elbo_on_an_evaluator_reports_train_and_test_metrics(ev):
    hn = make_hypernet(3, layers=4)  # 2-3 brick layers cannot express this posterior (gap 0.41)
    res = QHN(ELBO(), optimizer="lbfgs", steps=150, seed=0, progress=False).fit(hn, ev)
    post = qh.ExactPosterior(ev)
    gap = post.log_evidence - res.metrics["objective"]
    assert -1e-9 <= gap == pytest.approx(post.kl_from(res.state["probs"]), abs=1e-8)
    assert gap < 1e-8
    m = res.metrics
    assert m["train_accuracy"] == pytest.approx(float(ev.accuracy(res.bits)[0]))
    assert m["test_accuracy"] == pytest.approx(float(ev.test().accuracy(res.bits)[0]))
    assert m["predictive_train_accuracy"] == pytest.approx(ev.predictive_accuracy(*post.top()))
    assert m["predictive_test_accuracy"] == pytest.approx(post.predictive_accuracy(*ev._test))
    assert math.isfinite(m["predictive_test_nll"])
    assert 0 <= m["p_best"] <= 1 and m["entropy"] > 0


def test_test_split_argument_overrides_the_evaluator(ev):
    X, y = ev.X[:10], ev.y[:10]
    res = QHN(MLE(), steps=5, seed=0, progress=False).fit(make_hypernet(3), ev, test=(X, y))
    assert res.metrics["test_accuracy"] == pytest.approx(float(ev.with_data(X, y).accuracy(res.bits)[0]))


def test_auto_optimizer_is_lbfgs_for_exact_gradients_and_adam_for_shots(table):
    exact = QHN(MLE(), steps=100, restarts=3, seed=0, progress=False).fit(make_hypernet(4), table)
    assert exact.state["optimizer"] == "lbfgs" and exact.metrics["p_best"] > 0.98
    shots = QHN(MLE(), steps=3, final_shots=64, seed=0, progress=False).fit(make_hypernet(4, shots=64), table)
    assert shots.state["optimizer"] == "adam" and shots.state["gradient"] == "parameter-shift"


def test_restarts_keep_the_best_and_are_reproducible(table):
    def run():
        return QHN(MLE(), steps=20, lr=0.05, restarts=3, seed=7, progress=False).fit(make_hypernet(4), table)

    a, b = run(), run()
    finals = a.history["restart_objective"]
    assert len(finals) == 3 and a.metrics["objective"] == min(finals)
    assert len(set(finals)) == 3  # different random initialisations
    assert torch.equal(a.state["theta"], b.state["theta"]) and a.metrics == b.metrics


# --------------------------------------------------------------------------- shot mode
def test_parameter_shift_from_shots_finds_the_minimum(table):
    hn = make_hypernet(4, layers=2, shots=200)
    res = QHN(MLE(), steps=80, lr=0.1, restarts=3, seed=0, progress=False).fit(hn, table)
    assert res.state["gradient"] == "parameter-shift" and "probs" not in res.state
    assert res.metrics["p_best"] > 0.8  # fraction of final samples at the known optimum
    assert res.evaluations > 0 and res.state["samples"].shape == (4096, 4)


def test_p_best_in_shot_mode_is_the_share_at_the_optimum_not_at_the_best_sample(ev, monkeypatch):
    """A circuit collapsed on one network that is not the optimum has p_best 0 — it scored 1.0
    when p_best compared the samples with the best of themselves. With the optimum unknown
    (a model beyond OPTIMUM_MAX_BITS), that share is reported under its own name."""
    from qhyper.trainers import qhn_summary

    table = ev.loss_table()
    worst = index_to_bits(int(torch.argmax(table)), 3)
    assert float(table.max()) > float(table.min())
    angles = torch.pi * worst  # RY(π)|0> = |1>: every shot is the worst network
    fit = lambda: QHN(MLE(), steps=1, lr=1e-12, optimizer="adam", warm_start=True, final_shots=64, seed=0,
                      progress=False).fit(qh.Hypernetwork(qh.circuits.get("product", n_qubits=3), shots=32,
                                                          init=angles, seed=0), ev)
    res = fit()
    assert torch.equal(res.bits, worst) and res.metrics["p_best"] == 0.0
    assert res.metrics["min_loss"] == pytest.approx(float(table.min())) and "best_sample_share" not in res.metrics
    monkeypatch.setattr(qhn_summary, "OPTIMUM_MAX_BITS", 2)
    res = fit()
    assert "p_best" not in res.metrics and res.metrics["best_sample_share"] == 1.0


def test_spsa_decreases_the_expected_loss(table):
    hn = make_hypernet(4, layers=2, shots=200)
    res = QHN(MLE(), gradient="spsa", steps=150, lr=0.1, seed=0, progress=False).fit(hn, table)
    hist = torch.tensor(res.history["expected_loss"])
    assert float(hist[-20:].mean()) < float(hist[:20].mean()) - 0.1


def test_mmd_surrogate_elbo_from_shots_on_an_evaluator(ev):
    hn = make_hypernet(3, layers=2, shots=256)
    res = QHN(MMDSurrogateELBO(lam=30.0), steps=40, lr=0.1, seed=0, progress=False).fit(hn, ev)
    hist = res.history["objective"]
    assert sum(hist[-10:]) / 10 > sum(hist[:10]) / 10
    for key in ("train_accuracy", "test_accuracy", "predictive_test_accuracy", "p_best", "expected_loss"):
        assert key in res.metrics


def test_born_machine_learns_a_target_set():
    target = qh.datasets.bars_and_stripes_patterns(2, 2)
    hn = make_hypernet(4, layers=4, shots=128)
    res = QHN(MMD(target), steps=50, lr=0.15, seed=0, progress=False).fit(hn)
    assert res.metrics["target_fraction"] > 0.8  # 6 of 16 patterns: uniform would give 0.375


# --------------------------------------------------------------------------- interruption
def test_keyboard_interrupt_returns_what_it_has(table):
    hn = make_hypernet(4)
    calls = {"n": 0}
    inner = hn.distribution

    def interrupting():
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return inner()

    hn.distribution = interrupting
    res = QHN(MLE(), steps=50, seed=0, progress=False).fit(hn, table)
    assert res.interrupted and len(res.history["objective"]) == 5
    assert math.isfinite(res.metrics["expected_loss"])


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, match", [
    ({"optimizer": "sgd"}, "unknown optimizer"), ({"gradient": "finite-diff"}, "unknown gradient"),
    ({"shots_per_step": 0}, "shots_per_step"), ({"steps": 0}, "steps"), ({"restarts": 0}, "restarts"),
    ({"lr": -1.0}, "lr"), ({"lr": "fast"}, "lr must be a finite number"),
    ({"optimizer": "lbfgs", "gradient": "spsa"}, "L-BFGS"),
])
def test_bad_settings_rejected_at_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        QHN(MLE(), **kwargs)


def test_bad_inputs_rejected_before_any_work(table, ev):
    hn, shots_hn = make_hypernet(4), make_hypernet(4, shots=50)
    with pytest.raises(ValueError, match="2\\^n"):
        QHN(MLE()).fit(hn, table[:12])
    with pytest.raises(ValueError, match="NaN"):
        QHN(MLE()).fit(hn, torch.where(table > 0.5, math.nan, table))
    with pytest.raises(ValueError, match="3 bits but the hypernetwork has 4"):
        QHN(MLE()).fit(hn, ev)
    with pytest.raises(ValueError, match="one probability per bit"):
        QHN(ELBO(prior=[0.5] * 3, data_size=1)).fit(hn, table)
    with pytest.raises(ValueError, match="data_size"):
        QHN(ELBO()).fit(hn, table)
    with pytest.raises(ValueError, match="backprop"):
        QHN(MLE(), gradient="backprop").fit(shots_hn, table)
    with pytest.raises(ValueError, match="MMDSurrogateELBO"):
        QHN(ELBO(data_size=1)).fit(shots_hn, table)
    with pytest.raises(ValueError, match="shots_per_step"):
        QHN(MLE(), gradient="spsa").fit(hn, table)
    with pytest.raises(ValueError, match="needs training data"):
        QHN(MLE()).fit(hn)
    with pytest.raises(TypeError, match="objective"):
        QHN("mle")


@pytest.mark.parametrize("backend", ["torch", "pennylane", "qiskit"])
def test_shot_training_reads_samples_only(table, backend, monkeypatch):
    hn = make_hypernet(4, layers=1, shots=64, backend=backend)

    def forbidden(*args, **kwargs):
        raise AssertionError("shot-mode training read probabilities")

    monkeypatch.setattr(hn, "distribution", forbidden)
    monkeypatch.setattr(hn, "probs_at", forbidden)
    for gradient in ("parameter-shift", "spsa"):
        res = QHN(MLE(), gradient=gradient, steps=3, final_shots=64, seed=0, progress=False).fit(hn, table)
        assert len(res.history["objective"]) == 3 and res.state["samples"].shape == (64, 4)
