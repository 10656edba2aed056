import itertools

import numpy as np
import pytest
import torch

import qhyper as qh
from bnn_reference import all_rows, reference_log_likelihood, reference_logits

CASES = [
    ([3, 1], "sign", True, 1.0),                       # logistic regression
    ([2, 3, 1], ["relu", "sigmoid"], True, 0.7),       # hidden layer + choice bit
    ([2, 2, 3], "tanh", True, 1.3),                    # multiclass, one hidden layer
    ([3, 3], "sign", False, 1.0),                      # multiclass softmax regression
    ([2, 2, 2, 1], "relu", False, 1.0),                # deep: the enumerated engine
    ([2, 2, 1], ["sign", "relu", "sigmoid", "tanh"], False, 2.0),  # two choice bits
]


def _data(rng, sizes, N=11):
    X = rng.normal(size=(N, sizes[0]))
    y = rng.integers(0, max(2, sizes[-1]), N)
    return X, y


@pytest.mark.parametrize("sizes,act,bias,scale", CASES)
def test_sampled_scores_match_a_per_network_loop(sizes, act, bias, scale, rng):
    m = qh.BinaryMLP(sizes, activation=act, bias=bias)
    X, y = _data(rng, sizes)
    ev = qh.Evaluator(m, X, y, logit_scale=scale)
    bits = rng.integers(0, 2, (9, m.num_bits))
    ll = ev.log_likelihood(bits)
    acc = ev.accuracy(bits)
    for s in range(9):
        assert ll[s].item() == pytest.approx(reference_log_likelihood(m, bits[s], X, y, scale), abs=1e-10)
        z = reference_logits(m, bits[s], X)
        pred = (z[:, 0] >= 0).astype(int) if z.shape[1] == 1 else z.argmax(1)
        assert acc[s].item() == pytest.approx((pred == y).mean())
    assert torch.allclose(ev.nll(bits), -ll / len(y))
    probs = ev.predict_proba(bits)
    assert probs.shape == (9, len(y), m.n_classes)
    assert torch.allclose(probs.sum(-1), torch.ones(9, len(y), dtype=torch.float64))
    assert torch.allclose(probs.gather(-1, torch.as_tensor(y).view(1, -1, 1).expand(9, -1, 1)).squeeze(-1).log().sum(-1), ll)


@pytest.mark.parametrize("sizes,act,bias,scale", CASES)
def test_loss_table_matches_every_network_in_index_order(sizes, act, bias, scale, rng):
    m = qh.BinaryMLP(sizes, activation=act, bias=bias)
    X, y = _data(rng, sizes)
    ev = qh.Evaluator(m, X, y, logit_scale=scale)
    table = ev.loss_table()
    assert table.shape == (2**m.num_bits,) and table.dtype == torch.float64
    rows = all_rows(m.num_bits)  # itertools.product order = big-endian index order
    expected = [-reference_log_likelihood(m, r, X, y, scale) / len(y) for r in rows]
    np.testing.assert_allclose(table.numpy(), expected, rtol=1e-10, atol=1e-10)


def test_index_convention_bit_zero_is_most_significant():
    n = 5
    for i, row in enumerate(itertools.product((0, 1), repeat=n)):
        assert torch.equal(qh.bitstrings.index_to_bits(i, n), torch.tensor(row, dtype=torch.float64))
        assert int(qh.bitstrings.bits_to_index(torch.tensor(row))) == i
    vec = torch.arange(8.0)  # little-endian vector: entry k belongs to qubit bits reversed
    assert qh.bitstrings.reverse_bit_order(vec, 3).tolist() == [0, 4, 2, 6, 1, 5, 3, 7]


def test_grouped_engine_survives_huge_logits(rng):
    """With a large logit scale the product kernel would overflow; the stable kernel takes over."""
    m = qh.BinaryMLP([2, 3, 1], activation="relu")
    X, y = _data(rng, [2, 3, 1])
    ev = qh.Evaluator(m, X * 100, y, logit_scale=50.0)
    table = ev.loss_table()
    assert torch.isfinite(table).all()
    bits = qh.bitstrings.all_bits(m.num_bits)
    assert torch.allclose(table, ev.nll(bits), rtol=1e-9, atol=1e-9)


def test_large_dataset_takes_the_outer_loop(rng):
    """A tiny memory budget forces part of the bits into the Python outer loop; results agree."""
    m = qh.BinaryMLP([2, 2, 1], activation="sigmoid")
    X, y = _data(rng, [2, 2, 1], N=300)
    ev = qh.Evaluator(m, X, y, chunk_bytes=2**16)
    assert torch.allclose(ev.loss_table(), ev.nll(qh.bitstrings.all_bits(m.num_bits)), atol=1e-10)


def test_predictive_average_and_test_split(rng):
    data = qh.datasets.load("xor", n_train=40, n_test=30)
    m = qh.BinaryMLP([2, 2, 1], activation="sign")
    ev = qh.Evaluator.from_dataset(m, data)
    bits = rng.integers(0, 2, (6, m.num_bits))
    w = rng.random(6)
    pred = ev.predictive(bits, w)
    manual = np.einsum("s,snc->nc", w / w.sum(), ev.predict_proba(bits).numpy())
    np.testing.assert_allclose(pred.numpy(), manual, atol=1e-12)
    test = ev.test()
    assert test.num_data == 30 and test.logit_scale == ev.logit_scale


@pytest.mark.parametrize("X,y,match", [
    (np.array([[0.0, np.inf]] * 3), [0, 1, 0], "NaN or inf"),
    (np.zeros((3, 2)), [0, 2, 1], "labels must lie in 0 … 1"),
    (np.zeros((3, 2)), [0, -1, 1], "labels must lie"),
    (np.zeros((3, 2)), [0, 1], "one per row of X"),
    (np.zeros((3, 2)), [0.5, 1, 0], "integer class labels"),
    (np.zeros((3, 3)), [0, 1, 0], "3 features but the model expects 2"),
])
def test_bad_data_is_rejected(X, y, match):
    with pytest.raises(ValueError, match=match):
        qh.Evaluator(qh.BinaryMLP([2, 1]), X, y)


def test_bad_logit_scale_and_bits_are_rejected():
    ev = qh.Evaluator(qh.BinaryMLP([2, 1]), np.zeros((3, 2)), [0, 1, 0])
    with pytest.raises(ValueError, match="logit_scale"):
        qh.Evaluator(qh.BinaryMLP([2, 1]), np.zeros((3, 2)), [0, 1, 0], logit_scale=0)
    with pytest.raises(ValueError, match="shape"):
        ev.log_likelihood(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="0 or 1"):
        ev.accuracy([[0.5, 1, 0]])
    with pytest.raises(ValueError, match="no test split"):
        ev.test()


def test_loss_table_refuses_what_would_not_fit_before_allocating():
    m = qh.BinaryMLP([44, 1])  # 45 bits: 2^45 float64 entries
    ev = qh.Evaluator(m, np.zeros((2, 44)), [0, 1])
    with pytest.raises(MemoryError, match="2\\^45"):
        ev.loss_table()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def test_the_sign_symmetry_keeps_near_perfect_networks_exact():
    """Half of a binary model's table comes from the other half by negating the logits,
    log p(D|flip w) = log p(D|w) + Σ r. For a near-perfect flipped network that sum cancels
    almost everything (an error of ~8e-12 here, on a value of −4e-11); such entries are
    recomputed, so every entry matches a direct forward pass to 1e-9 relative plus 1e-12
    (the product kernel's own floor near zero is ~4e-14, as before the symmetry)."""
    rng = np.random.default_rng(3)
    X = rng.choice([-1.0, 1.0], size=(400, 2))
    y = (X[:, 0] > 0).astype(int)  # separable: networks that follow x0 are near perfect
    m = qh.BinaryMLP([2, 2, 1], activation="sign")
    ev = qh.Evaluator(m, X, y, logit_scale=30.0)
    table = ev.log_likelihood_table()
    direct = ev.log_likelihood(qh.bitstrings.all_bits(m.num_bits))
    assert float(direct.max()) > -1e-9  # some networks are near perfect: a real test of the cancellation
    assert torch.allclose(table, direct, rtol=1e-9, atol=1e-12)
