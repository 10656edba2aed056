import numpy as np
import pytest
import torch

import qhyper as qh
from bnn_reference import all_rows, reference_logits


def test_bit_layout_is_layer_by_layer_row_major_then_bias_then_choice():
    m = qh.BinaryMLP([2, 4, 1], activation=["relu", "sigmoid"])
    assert m.num_bits == 18 and m.num_choice_bits == 1 and m.num_weight_bits == 17
    names = [(b.name, b.start, b.stop, b.shape) for b in m.layout]
    assert names == [("W1", 0, 8, (4, 2)), ("b1", 8, 12, (4,)), ("W2", 12, 16, (1, 4)),
                     ("b2", 16, 17, (1,)), ("choice", 17, 18, (1,))]


def test_decode_maps_bit_one_to_plus_one_in_documented_order():
    m = qh.BinaryMLP([3, 2, 1])
    bits = torch.zeros(m.num_bits)
    bits[1] = 1            # W1[0, 1]
    bits[3 + 2] = 1        # W1[1, 2]
    bits[6 + 1] = 1        # b1[1]
    net = m.decode(bits)
    W1, b1 = net.layers[0]
    assert W1.shape == (1, 2, 3)
    expected = -torch.ones(2, 3, dtype=torch.float64)
    expected[0, 1] = expected[1, 2] = 1
    assert torch.equal(W1[0], expected)
    assert torch.equal(b1[0], torch.tensor([-1.0, 1.0], dtype=torch.float64))


@pytest.mark.parametrize("sizes,act,bias", [
    ([3, 4, 1], "sign", True), ([3, 2, 2, 3], "relu", True), ([4, 1], "sign", False),
    ([2, 3, 1], ["relu", "sigmoid"], True), ([2, 2, 2], ["sign", "tanh", "relu", "identity"], False),
])
def test_batched_forward_matches_per_network_loop(sizes, act, bias, rng):
    m = qh.BinaryMLP(sizes, activation=act, bias=bias)
    X = rng.normal(size=(7, sizes[0]))
    bits = rng.integers(0, 2, size=(25, m.num_bits))
    out = m.forward(bits, X)
    assert out.shape == (25, 7, sizes[-1])
    for s in range(25):
        np.testing.assert_allclose(out[s].numpy(), reference_logits(m, bits[s], X), atol=1e-12)


def test_choice_bit_selects_the_hidden_activation(rng):
    m = qh.BinaryMLP([2, 3, 1], activation=["relu", "sigmoid"])
    X = rng.normal(size=(5, 2))
    bits = rng.integers(0, 2, size=m.num_bits)
    bits[-1] = 0
    relu_out = m.forward(bits, X)
    bits[-1] = 1
    sig_out = m.forward(bits, X)
    plain = qh.BinaryMLP([2, 3, 1], activation="sigmoid").forward(bits[:-1], X)
    assert torch.allclose(sig_out, plain)
    assert not torch.allclose(relu_out, sig_out)


def test_sign_of_zero_is_plus_one():
    m = qh.BinaryMLP([2, 1, 1], activation="sign", bias=False)
    # W1 = [+1, -1], W2 = [+1]: hidden pre-activation x0 - x1 = 0 -> sign = +1 -> logit +1
    out = m.forward([1, 0, 1], [[0.5, 0.5]])
    assert float(out) == 1.0


@pytest.mark.parametrize("kwargs,match", [
    (dict(layer_sizes=[3]), "at least"),
    (dict(layer_sizes=[3, 0, 1]), "layer_sizes must be an integer ≥ 1; got 0"),
    (dict(layer_sizes=[3, 2.5, 1]), "layer_sizes must be an integer ≥ 1; got 2.5"),  # int() took it as 2
    (dict(layer_sizes=[2, 1], activation="swish"), "unknown activation"),
    (dict(layer_sizes=[2, 2, 1], activation=["relu", "sigmoid", "sign"]), "1, 2, 4"),
    (dict(layer_sizes=[2, 1], activation=["relu", "sigmoid"]), "hidden layer"),
])
def test_bad_model_definitions_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        qh.BinaryMLP(**kwargs)


def test_bad_bits_and_inputs_are_rejected_before_work():
    m = qh.BinaryMLP([2, 1])
    with pytest.raises(ValueError, match=r"shape \[S, 3\]"):
        m.forward(np.zeros((4, 5)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="0 or 1"):
        m.forward([[0, 1, -1]], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="features but the model expects 2"):
        m.forward([[0, 1, 1]], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="NaN or inf"):
        m.forward([[0, 1, 1]], [[0.0, np.nan]])


def test_logit_groups_reproduce_the_forward_pass(rng):
    m = qh.BinaryMLP([3, 2, 2], activation=["relu", "tanh"])
    X = rng.normal(size=(4, 3))
    bits = all_rows(m.num_bits)[rng.choice(2**m.num_bits, 30, replace=False)]
    for row in bits:
        c = int(row[-1])
        total = 0
        for idx, T in m.logit_groups(X, choice=c):
            k = int("".join(str(int(row[i])) for i in idx), 2)
            total = total + T[k]
        np.testing.assert_allclose(total.numpy(), m.forward(row, X)[0].numpy(), atol=1e-12)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
