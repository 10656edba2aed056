"""ELBO(symmetrise=...): the ELBO of the circuit's distribution averaged over the model's
hidden-unit permutations — the bound's identity, its gain over the plain ELBO, bad input."""
import pytest
import torch

import qhyper as qh
from qhyper.objectives import ELBO
from qhyper.objectives.source import LossSource
from qhyper.symmetry import symmetrise


@pytest.fixture(scope="module")
def task():
    data = qh.datasets.load("moons", n_train=30, n_test=30, seed=0)
    model = qh.BinaryMLP([2, 2, 1], activation="relu")  # 9 bits, 2 hidden units: |G| = 2
    ev = qh.Evaluator.from_dataset(model, data)
    return model, ev, qh.ExactPosterior(ev)


def _random_q(n, seed):
    g = torch.Generator().manual_seed(seed)
    q = torch.rand(2**n, generator=g, dtype=torch.float64) ** 8  # peaked, not symmetric
    return q / q.sum()


def test_it_is_the_elbo_of_the_symmetrised_distribution(task):
    model, ev, post = task
    source = LossSource(ev, num_bits=model.num_bits)
    for seed in range(3):
        q = _random_q(model.num_bits, seed)
        sym_loss = float(ELBO(symmetrise=True).exact_loss(q, source))
        assert sym_loss == pytest.approx(float(ELBO(symmetrise=False).exact_loss(symmetrise(q, model), source)), rel=1e-12)
        # log Z − ELBO(q̄) = KL(q̄ ‖ posterior), and q̄ is never further than q
        assert post.log_evidence + sym_loss == pytest.approx(post.kl_from(symmetrise(q, model)), abs=1e-9)
        assert sym_loss < float(ELBO(symmetrise=False).exact_loss(q, source)) - 1e-6
    assert float(ELBO(symmetrise=model).exact_loss(q, source)) == pytest.approx(sym_loss, rel=1e-12)


def test_a_fit_differentiates_through_the_average(task):
    model, ev, post = task
    hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=model.num_bits, layers=2), seed=0)
    q0 = hn.distribution().probs().detach()
    qh.trainers.QHN(ELBO(symmetrise=True), steps=60, seed=0, progress=False, warm_start=True).fit(hn, ev)
    q = hn.distribution().probs().detach()
    assert post.kl_from(symmetrise(q, model)) < post.kl_from(symmetrise(q0, model)) - 1.0


def test_no_hidden_layer_is_the_plain_elbo():
    data = qh.datasets.load("moons", n_train=20, n_test=20, seed=0)
    model = qh.BinaryMLP([2, 1])
    source = LossSource(qh.Evaluator.from_dataset(model, data), num_bits=model.num_bits)
    q = _random_q(model.num_bits, 0)
    assert torch.equal(ELBO(symmetrise=True).exact_loss(q, source), ELBO(symmetrise=False).exact_loss(q, source))


def test_bad_symmetrise(task):
    model, ev, _ = task
    with pytest.raises(TypeError, match="symmetrise must be .auto., False, True"):
        ELBO(symmetrise="yes")
    table = torch.rand(2**model.num_bits, dtype=torch.float64)
    with pytest.raises(ValueError, match="pass the model itself"):
        ELBO(symmetrise=True, data_size=10).check(LossSource(table))
    with pytest.raises(ValueError, match="the model has 9 bits but the data 4"):
        ELBO(symmetrise=model, data_size=10).check(LossSource(torch.rand(16, dtype=torch.float64)))


def test_auto_symmetrises_over_the_evaluators_model_and_leaves_a_cost_table_alone(task):
    model, ev, _ = task
    source = LossSource(ev, num_bits=model.num_bits)
    q = _random_q(model.num_bits, 7)
    auto, on, off = (float(ELBO(symmetrise=s).exact_loss(q, source)) for s in ("auto", True, False))
    assert auto == on and auto < off - 1e-3  # the default is the symmetrised bound
    table = LossSource(torch.rand(2**model.num_bits, dtype=torch.float64, generator=torch.Generator().manual_seed(0)))
    assert float(ELBO(data_size=30).exact_loss(q, table)) == float(ELBO(symmetrise=False, data_size=30).exact_loss(q, table))
    with pytest.raises(ValueError, match="symmetrise=True"):
        ELBO(symmetrise=True, data_size=30).check(table)  # True requires a model; auto does not


def test_an_unsymmetrised_elbo_is_not_tempered_by_default(task):
    model, ev, _ = task
    fit = lambda sym: qh.trainers.QHN(ELBO(symmetrise=sym), steps=12, seed=0, progress=False).fit(
        qh.Hypernetwork(qh.circuits.get("brick", n_qubits=model.num_bits, layers=2), seed=0), ev)
    assert "kl_weight" in fit("auto").history and "kl_weight" not in fit(False).history


def test_a_prior_that_breaks_the_symmetry_turns_auto_off_and_is_refused_when_asked(task):
    model, ev, _ = task
    source = LossSource(ev, num_bits=model.num_bits)
    skewed = torch.linspace(0.2, 0.8, model.num_bits, dtype=torch.float64)  # not permutation-invariant
    q = _random_q(model.num_bits, 3)
    auto = float(ELBO(prior=skewed).exact_loss(q, source))
    assert auto == float(ELBO(prior=skewed, symmetrise=False).exact_loss(q, source))
    with pytest.raises(ValueError, match="prior is not invariant"):
        ELBO(prior=skewed, symmetrise=True).check(source)
    flat = torch.full((model.num_bits,), 0.3, dtype=torch.float64)  # invariant: symmetrised as asked
    assert float(ELBO(prior=flat).exact_loss(q, source)) == float(ELBO(prior=flat, symmetrise=True).exact_loss(q, source))
    assert float(ELBO(prior=flat).exact_loss(q, source)) < float(ELBO(prior=flat, symmetrise=False).exact_loss(q, source))
