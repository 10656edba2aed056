"""Tempering of the ELBO (the ``Tempered`` objective wrapper, QHN's default for the exact
ELBO): schedule, what it minimises, its effect on the KL to the posterior, and where it is
refused."""
import pytest
import torch

import qhyper as qh
from qhyper.objectives import ELBO, MLE, LossSource, MMDSurrogateELBO, Tempered
from qhyper.objectives.tempered import TEMPER_START
from qhyper.symmetry import symmetrise
from qhyper.trainers import QHN

FRACTION, STAGES = Tempered(ELBO()).fraction, Tempered(ELBO()).num_stages


def hypernet(n=4, shots=None, layers=2, seed=0):
    return qh.Hypernetwork(qh.circuits.get("brick", n_qubits=n, layers=layers), shots=shots, seed=seed)


@pytest.fixture
def table():
    t = torch.rand(16, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    t[9] = t.min() - 0.1
    return t


def _ll_spread(table, data_size):
    return float((-data_size * table).std())


@pytest.mark.parametrize("beta", [1.0, 0.5])
def test_lbfgs_stages_fall_geometrically_from_beta0_to_beta_and_share_the_budget(table, beta):
    objective = Tempered(ELBO(beta=beta, data_size=50), start=2.0)
    objective.prepare(LossSource(table))
    beta0 = 2.0 * _ll_spread(table, 50)
    assert objective.weight == pytest.approx(beta0)
    stages = [(objective.weight, evals) for evals in objective.stages(300)]
    assert sum(e for _, e in stages) == 300 and len(stages) == STAGES + 1
    weights = [w for w, _ in stages]
    assert weights[0] == pytest.approx(beta0) and weights[-1] == beta
    ratios = [weights[i + 1] / weights[i] for i in range(STAGES - 1)]
    assert ratios == pytest.approx([ratios[0]] * len(ratios))  # geometric
    assert ratios[0] == pytest.approx((beta / beta0) ** (1 / STAGES))


def test_adam_weight_falls_to_beta_over_the_fraction_and_the_history_shows_the_plain_elbo(table):
    steps = 40
    res = QHN(ELBO(data_size=50), optimizer="adam", steps=steps, lr=0.1, seed=0, progress=False).fit(hypernet(), table)
    weights = res.history["kl_weight"]
    assert weights[0] == pytest.approx(TEMPER_START * _ll_spread(table, 50))
    assert all(a >= b for a, b in zip(weights, weights[1:]))
    cold = int(FRACTION * steps)
    assert all(w == 1.0 for w in weights[cold:]) and all(w > 1.0 for w in weights[:cold])
    q = res.state["probs"]
    plain = float(ELBO(data_size=50).exact_loss(q, LossSource(table)))
    assert res.metrics["objective"] == pytest.approx(-plain)  # the ELBO at β = 1, not the tempered one


def test_the_minimised_loss_is_the_elbo_at_the_current_weight(table):
    source = LossSource(table)
    objective = Tempered(ELBO(data_size=20), start=3.0)
    objective.prepare(source)
    q = torch.softmax(torch.randn(16, generator=torch.Generator().manual_seed(0), dtype=torch.float64), 0)
    minimised, value = objective.exact_objective(q, source)
    assert float(minimised) == pytest.approx(float(ELBO(beta=objective.weight, data_size=20).exact_loss(q, source)))
    assert value == pytest.approx(-float(ELBO(data_size=20).exact_loss(q, source)))
    assert float(objective.exact_loss(q, source)) == pytest.approx(-value)


def test_a_small_spread_trains_the_plain_elbo(table):
    objective = Tempered(ELBO(beta=10.0, data_size=1), start=0.1)  # β0 = 0.1·σ < β: nothing to temper
    objective.prepare(LossSource(table))
    assert [(objective.weight, e) for e in objective.stages(50)] == [(10.0, 50)] and objective.traces() == {}


def test_tempering_reaches_the_posterior_where_the_plain_elbo_sticks_in_a_poor_mode():
    """10-bit 2→2→1 on 200 points of gaussian_mixture, brick depth 2: from these seeds the
    plain ELBO ends 7–27 nats from the posterior (KL of the symmetrised q̄); tempered, 0.00."""
    data = qh.datasets.load("gaussian_mixture").subsample(200, seed=0)
    model = qh.BinaryMLP([2, 2, 1], activation=["relu", "sigmoid"], bias=True)
    ev = qh.Evaluator.from_dataset(model, data)
    post = qh.ExactPosterior(ev)
    for seed in (0, 1):
        kl = {}
        for anneal in (None, "auto"):
            res = QHN(ELBO(symmetrise=True), seed=seed, anneal=anneal, progress=False).fit(
                hypernet(model.num_bits, seed=seed), ev)
            kl[anneal] = post.kl_from(symmetrise(res.state["probs"], model))
        assert kl[None] > 5.0 and kl["auto"] < 0.1, kl


def test_a_tempered_objective_passed_directly_trains_like_the_anneal_shortcut(table):
    fit = lambda **kw: QHN(optimizer="adam", steps=20, lr=0.1, seed=2, progress=False, **kw).fit(hypernet(), table)
    wrapped = fit(objective=Tempered(ELBO(data_size=30), start=0.7), anneal=None)
    shortcut = fit(objective=ELBO(data_size=30), anneal=0.7)
    assert wrapped.history["objective"] == shortcut.history["objective"]
    assert wrapped.history["kl_weight"] == shortcut.history["kl_weight"]
    assert wrapped.method == "qhn-elbo"
    plain = fit(objective=ELBO(data_size=30), anneal=None)
    assert "kl_weight" not in plain.history and plain.history["objective"] != shortcut.history["objective"]


def test_tempering_is_refused_where_it_cannot_apply(table):
    with pytest.raises(ValueError, match="tempering raises the KL weight of an ELBO; MLE has none"):
        Tempered(MLE())
    with pytest.raises(ValueError, match="tempering raises the KL weight of an ELBO; MMDSurrogateELBO has none"):
        Tempered(MMDSurrogateELBO(lam=1.0))
    with pytest.raises(TypeError, match="pass an instance"):
        Tempered(ELBO)
    with pytest.raises(ValueError, match="start"):
        Tempered(ELBO(), start=-1.0)
    with pytest.raises(ValueError, match="fraction"):
        Tempered(ELBO(), fraction=0.0)
    with pytest.raises(ValueError, match="stages"):
        Tempered(ELBO(), stages=0)
    with pytest.raises(ValueError, match="already tempered"):
        QHN(Tempered(ELBO()), anneal=2.0)
    with pytest.raises(ValueError, match="shot mode never reads"):
        Tempered(ELBO(data_size=1)).shot_form(LossSource(table))
