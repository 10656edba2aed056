"""The exhaustive oracle: MAP network and exact posterior by enumeration."""
import numpy as np
import pytest

import qhyper as qh
from qhyper.bitstrings import all_bits
from qhyper.trainers import Exhaustive


@pytest.fixture(scope="module")
def small():
    data = qh.datasets.load("bars_and_stripes", rows=2, cols=2, n_train=60, n_test=60)
    return qh.Evaluator.from_dataset(qh.BinaryMLP([4, 1, 1], activation="sign"), data)


def test_map_is_the_brute_force_minimum(small):
    res = Exhaustive().fit(small)
    nll = small.nll(all_bits(small.num_bits))  # one forward pass per network, no table
    assert res.metrics["train_nll"] == pytest.approx(float(nll.min()))
    assert float(small.nll(res.bits)[0]) == pytest.approx(float(nll.min()))
    assert res.evaluations == 2**small.num_bits


def test_posterior_figures_match_exact_posterior(small):
    res = Exhaustive(beta=0.5).fit(small)
    post = qh.ExactPosterior(small, beta=0.5)
    assert res.metrics["p_best"] == pytest.approx(float(post.probs.max()))
    assert res.metrics["log_evidence"] == pytest.approx(post.log_evidence)
    test = small.test()
    assert res.metrics["posterior_test_accuracy"] == pytest.approx(
        post.predictive_accuracy(test.X, test.y))


def test_too_many_bits_is_refused_before_enumeration():
    ev = qh.Evaluator(qh.BinaryMLP([40, 1]), np.zeros((2, 40)), np.array([0, 1]))
    with pytest.raises(ValueError, match="max_bits"):
        Exhaustive().fit(ev)


@pytest.mark.parametrize("kwargs", [{"beta": 0.0}, {"top_mass": 0.0}])
def test_bad_options_are_refused(kwargs):
    with pytest.raises(ValueError):
        Exhaustive(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"max_bits": 20.5}, "max_bits must be an integer ≥ 1; got 20.5"),  # int() silently made it 20
    ({"beta": float("inf")}, "beta must be a finite number > 0"),
    ({"beta": "1"}, "beta must be a finite number > 0; got '1' — pass a number, not a string"),
    ({"top_mass": float("nan")}, r"top_mass must be a finite number in \(0, 1\]"),
])
def test_non_integer_counts_and_non_numbers_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Exhaustive(**kwargs)
