"""Entropy annealing in the QHN trainer: schedule, effect, and where it is refused."""
import pytest
import torch

import qhyper as qh
from qhyper.objectives import ELBO, MLE
from qhyper.trainers import QHN
from qhyper.trainers.qhn import ANNEAL_FRACTION, AUTO_ANNEAL, LBFGS_STAGES


def hypernet(n=4, shots=None):
    return qh.Hypernetwork(qh.circuits.get("brick", n_qubits=n, layers=2), shots=shots, seed=0)


@pytest.fixture
def table():
    t = torch.rand(16, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    t[9] = t.min() - 0.1
    return t


def test_adam_schedule_falls_linearly_to_zero_and_the_objective_stays_plain_mle(table):
    steps = 50
    res = QHN(MLE(), optimizer="adam", steps=steps, lr=0.1, seed=0, progress=False).fit(hypernet(), table)
    temps = torch.tensor(res.history["temperature"])
    t0 = AUTO_ANNEAL * float(table.std())
    assert temps[0] == pytest.approx(t0)
    assert torch.all(temps[1:] <= temps[:-1]) and temps[-1] == 0
    cold = int(ANNEAL_FRACTION * steps)
    assert torch.all(temps[cold:] == 0) and torch.all(temps[:cold] > 0)
    # the recorded objective is the expected loss itself, not the free energy
    assert res.history["objective"] == pytest.approx(res.history["expected_loss"])
    assert res.metrics["objective"] == pytest.approx(float(res.state["probs"] @ table))


def test_the_entropy_bonus_keeps_the_distribution_broad_while_hot(table):
    """Same seed, same start: early in training the annealed run has the higher entropy."""
    runs = {a: QHN(MLE(), optimizer="adam", steps=40, lr=0.1, anneal=a, seed=4, progress=False).fit(hypernet(), table)
            for a in (None, 2.0)}
    early = slice(5, 20)
    hot = sum(runs[2.0].history["entropy"][early])
    plain = sum(runs[None].history["entropy"][early])
    assert hot > plain + 1.0
    assert "temperature" not in runs[None].history


def test_lbfgs_anneals_in_warm_started_stages(table):
    res = QHN(MLE(), optimizer="lbfgs", steps=200, anneal=0.5, seed=0, progress=False).fit(hypernet(), table)
    temps = res.history["temperature"]
    levels = sorted(set(temps), reverse=True)
    assert len(levels) == LBFGS_STAGES + 1 and levels[-1] == 0
    assert levels[0] == pytest.approx(0.5 * float(table.std()))
    assert temps[-1] == 0 and res.metrics["p_best"] > 0.98


def test_auto_anneals_only_exact_mle(table):
    res = QHN(ELBO(data_size=1), steps=5, seed=0, progress=False).fit(hypernet(), table)
    assert "temperature" not in res.history
    res = QHN(MLE(), steps=3, final_shots=64, seed=0, progress=False).fit(hypernet(shots=64), table)
    assert "temperature" not in res.history


@pytest.mark.parametrize("anneal", [-0.1, "hot", True, float("nan")])
def test_bad_anneal_values_are_refused(anneal):
    with pytest.raises(ValueError, match="anneal"):
        QHN(MLE(), anneal=anneal)


def test_anneal_is_refused_where_it_cannot_apply(table):
    with pytest.raises(ValueError, match="anneal applies to MLE"):
        QHN(ELBO(data_size=1), anneal=0.1).fit(hypernet(), table)
    with pytest.raises(ValueError, match="shot mode"):
        QHN(MLE(), anneal=0.1).fit(hypernet(shots=64), table)


@pytest.mark.parametrize("steps", [1, 2, 5, 16, 300])
def test_lbfgs_stages_share_the_evaluation_budget(steps):
    from qhyper.trainers.qhn import _lbfgs_stages

    stages = _lbfgs_stages(1.0, steps)
    assert sum(evals for _, evals in stages) == steps and all(evals >= 1 for _, evals in stages)
    assert stages[-1][0] == 0 and len(stages) <= LBFGS_STAGES + 1
    assert [t for t, _ in stages] == sorted((t for t, _ in stages), reverse=True)
