"""Entropy annealing (the ``Annealed`` objective wrapper, QHN's default for exact MLE):
schedule, effect, and where it is refused."""
import pytest
import torch

import qhyper as qh
from qhyper.objectives import ELBO, MLE, Annealed, LossSource, MMDSurrogateELBO
from qhyper.trainers import QHN
from qhyper.objectives.annealed import DEFAULT_START as AUTO_ANNEAL  # QHN(anneal="auto") starts here

ANNEAL_FRACTION, LBFGS_STAGES = Annealed(MLE()).fraction, Annealed(MLE()).num_stages  # the wrapper's defaults


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
    assert "temperature" not in res.history and "kl_weight" in res.history  # the ELBO is tempered instead
    res = QHN(MLE(), steps=3, final_shots=64, seed=0, progress=False).fit(hypernet(shots=64), table)
    assert "temperature" not in res.history


@pytest.mark.parametrize("anneal", [-0.1, "hot", True, float("nan")])
def test_bad_anneal_values_are_refused(anneal):
    with pytest.raises(ValueError, match="anneal"):
        QHN(MLE(), anneal=anneal)


def test_anneal_is_refused_where_it_cannot_apply(table):
    with pytest.raises(ValueError, match="anneal applies to objectives whose optimum sits on a vertex"):
        QHN(MMDSurrogateELBO(lam=1.0, data_size=1), anneal=0.1)
    with pytest.raises(ValueError, match="annealing applies to objectives whose optimum sits on a vertex"):
        Annealed(ELBO(data_size=1))
    with pytest.raises(ValueError, match="shot mode"):
        QHN(MLE(), anneal=0.1).fit(hypernet(shots=64), table)


@pytest.mark.parametrize("steps", [1, 2, 5, 16, 300])
def test_lbfgs_stages_share_the_evaluation_budget(steps):
    objective = Annealed(MLE(), start=1.0)
    objective.prepare(LossSource(torch.tensor([0.0, 2.0])))  # σ(L) = √2
    stages = [(objective.temperature, evals) for evals in objective.stages(steps)]
    assert sum(evals for _, evals in stages) == steps and all(evals >= 1 for _, evals in stages)
    assert stages[-1][0] == 0 and len(stages) <= LBFGS_STAGES + 1
    assert [t for t, _ in stages] == sorted((t for t, _ in stages), reverse=True)


def test_an_annealed_objective_passed_directly_trains_like_the_anneal_shortcut(table):
    """``objective=Annealed(MLE(), start=s), anneal=None`` is ``objective=MLE(), anneal=s``."""
    fit = lambda **kw: QHN(optimizer="adam", steps=30, lr=0.1, seed=2, progress=False, **kw).fit(hypernet(), table)
    wrapped, shortcut = fit(objective=Annealed(MLE(), start=0.7), anneal=None), fit(objective=MLE(), anneal=0.7)
    assert wrapped.history["objective"] == shortcut.history["objective"]
    assert wrapped.history["temperature"] == shortcut.history["temperature"]
    assert wrapped.history["temperature"][0] == pytest.approx(0.7 * float(table.std()))
    assert wrapped.method == "qhn-mle"


def test_the_wrapper_minimises_the_free_energy_but_reports_the_plain_value(table):
    objective, source = Annealed(MLE(), start=1.0), LossSource(table)
    objective.prepare(source)
    q = torch.softmax(torch.randn(16, generator=torch.Generator().manual_seed(0), dtype=torch.float64), 0)
    minimised, value = objective.exact_objective(q, source)
    entropy = float(-(q * q.log()).sum())
    assert value == pytest.approx(float(q @ table))
    assert float(minimised) == pytest.approx(float(q @ table) - objective.temperature * entropy)
    with pytest.raises(ValueError, match="shot mode never reads"):
        objective.shot_form(source)
    with pytest.raises(ValueError, match="start"):
        Annealed(MLE(), start=-1)


def test_a_directly_annealed_fit_is_scored_by_the_plain_objective(table):
    """With ``fraction=1`` the temperature is still above zero at the last step: the
    result's objective is the expected loss, not the free energy."""
    res = QHN(Annealed(MLE(), start=1.0, fraction=1.0), optimizer="adam", steps=20, lr=0.1, anneal=None,
              seed=0, progress=False).fit(hypernet(), table)
    assert res.history["temperature"][-1] > 0
    assert res.metrics["objective"] == pytest.approx(res.metrics["expected_loss"], rel=1e-12)
    assert res.metrics["objective"] == pytest.approx(float(res.state["probs"] @ table), rel=1e-12)
    with pytest.raises(ValueError, match="already annealed"):
        QHN(Annealed(MLE()), anneal=0.3)
    with pytest.raises(TypeError, match=r"pass an instance, e.g. Annealed\(MLE\(\)\)"):
        Annealed(MLE)
