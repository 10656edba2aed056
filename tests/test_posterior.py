import math

import numpy as np
import pytest
import torch

import qhyper as qh


@pytest.fixture
def ev():
    data = qh.datasets.load("xor", n_train=30, n_test=40, seed=3)
    return qh.Evaluator.from_dataset(qh.BinaryMLP([2, 2, 1], activation="sign"), data, logit_scale=0.8)


def test_posterior_matches_direct_computation(ev):
    post = qh.ExactPosterior(ev)
    ll = ev.log_likelihood(qh.bitstrings.all_bits(ev.num_bits))
    n = ev.num_bits
    assert post.probs.sum().item() == pytest.approx(1.0, abs=1e-12)
    assert post.log_evidence == pytest.approx(float(torch.logsumexp(ll - n * math.log(2), 0)), abs=1e-9)
    assert torch.allclose(post.probs, torch.softmax(ll, 0), atol=1e-12)
    assert post.map_index == int(torch.argmax(ll))
    assert torch.equal(post.map_bits, qh.bitstrings.index_to_bits(int(torch.argmax(ll)), n))
    p = post.probs
    assert post.entropy == pytest.approx(float(-(p * p.log()).sum()), abs=1e-9)


def test_bernoulli_prior_and_tempering(ev):
    n = ev.num_bits
    pj = torch.linspace(0.2, 0.8, n, dtype=torch.float64)
    rows = qh.bitstrings.all_bits(n)
    log_prior = (rows * pj.log() + (1 - rows) * (1 - pj).log()).sum(1)
    assert torch.allclose(qh.posterior.log_prior_table(n, pj), log_prior, atol=1e-12)
    beta = 2.5
    post = qh.ExactPosterior(ev, prior=pj, beta=beta)
    ll = ev.log_likelihood_table()
    assert post.log_evidence == pytest.approx(beta * float(torch.logsumexp(log_prior + ll / beta, 0)), abs=1e-9)
    # the tempered evidence is the maximum over q of E_q[ll] - beta KL(q || prior), attained at the posterior
    q = post.probs
    elbo = float((q * ll).sum() - beta * (q * (q.log() - log_prior)).sum())
    assert elbo == pytest.approx(post.log_evidence, abs=1e-8)


def test_kl_from(ev):
    post = qh.ExactPosterior(ev)
    assert post.kl_from(post.probs) == pytest.approx(0.0, abs=1e-12)
    q = torch.full_like(post.probs, 1 / len(post.probs))
    assert post.kl_from(q) == pytest.approx(float((q * (q.log() - post.log_probs)).sum()), abs=1e-12)
    assert post.kl_from(q) > 0
    with pytest.raises(ValueError, match="length 2\\^"):
        post.kl_from(torch.ones(3) / 3)
    with pytest.raises(ValueError, match="sum to 1"):
        post.kl_from(torch.ones_like(post.probs))


def test_posterior_predictive_accuracy(ev):
    post = qh.ExactPosterior(ev)
    test = ev.test()
    bits, w = post.top(mass=1.0, max_networks=2**ev.num_bits)
    assert len(w) == 2**ev.num_bits
    probs = torch.einsum("s,snc->nc", w, test.predict_proba(bits))
    expected = float((probs.argmax(-1) == test.y).double().mean())
    assert post.predictive_accuracy(test.X, test.y, mass=1.0, max_networks=2**ev.num_bits) == pytest.approx(expected)


def test_bad_prior_and_beta(ev):
    with pytest.raises(ValueError, match="uniform"):
        qh.ExactPosterior(ev, prior="flat")
    with pytest.raises(ValueError, match="one probability per bit"):
        qh.ExactPosterior(ev, prior=[0.5, 0.5])
    with pytest.raises(ValueError, match="strictly between"):
        qh.ExactPosterior(ev, prior=np.r_[1.0, np.full(ev.num_bits - 1, 0.5)])
    with pytest.raises(ValueError, match="beta"):
        qh.ExactPosterior(ev, beta=0)


def test_non_finite_beta_and_non_integer_counts_are_refused(ev):
    with pytest.raises(ValueError, match="beta must be a finite number > 0; got inf"):
        qh.ExactPosterior(ev, beta=float("inf"))  # was accepted: every probability became NaN
    post = qh.ExactPosterior(ev)
    with pytest.raises(ValueError, match="max_networks must be an integer ≥ 1; got 2.5"):
        post.top(max_networks=2.5)
    with pytest.raises(ValueError, match=r"mass must be a finite number in \(0, 1\]; got '0.5'"):
        post.top(mass="0.5")
