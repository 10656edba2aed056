import math

import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.pibinn import PIBiNN, UnrolledISTA, load_problem, train
from pibinn_batched import assert_batched_matches_single

TINY = dict(n=8, m=4, blocks=2, k=1, n_train=64, n_test=32)


@pytest.fixture(scope="module")
def tiny():
    return load_problem("block_cs", seed=0, **TINY)


@pytest.mark.parametrize("weights", ["real", "binary", "ternary"])
@pytest.mark.parametrize("form", ["lista", "cp"])
@pytest.mark.parametrize("tied", [False, True])
def test_masked_positions_stay_exactly_zero_after_training(tiny, weights, form, tied):
    net = UnrolledISTA(tiny, layers=3, weights=weights, form=form, tied=tied)
    res = train(net, tiny, steps=30, seed=0, batch_size=16, progress=False, eval_every=10)
    W1, W2 = (w.detach() for w in net.weights())
    assert res.metrics["test_nmse_db"] < 0 and len(res.history["loss"]) == 30
    assert torch.all(W1[:, ~net.M1.bool()] == 0) and torch.all(W2[:, ~net.M2.bool()] == 0)
    assert torch.all(net.V1[:, ~net.M1.bool()] == 0)
    assert bool(net.quantized) == (weights != "real")
    if weights == "binary":
        vals = W1[:, net.M1.bool()].abs().unique()
        assert vals.numel() == 1 and float(vals) == pytest.approx(float(net.lam.detach()))
    if weights == "ternary":
        assert set(torch.sign(W1).unique().tolist()) <= {-1.0, 0.0, 1.0}


def test_ste_gradient_is_zero_where_latent_weight_exceeds_one(tiny):
    net = PIBiNN(tiny, layers=3)
    net.quantize_()
    idx = torch.nonzero(net.M1)
    with torch.no_grad():
        net.V1[0, idx[0, 0], idx[0, 1]] = 1.5
        net.V1[0, idx[1, 0], idx[1, 1]] = -3.0
    loss = ((net(tiny.Y_train) - tiny.X_train) ** 2).sum()
    loss.backward()
    g = net.V1.grad[0]
    assert g[idx[0, 0], idx[0, 1]] == 0 and g[idx[1, 0], idx[1, 1]] == 0
    inside = net.V1[0].abs() <= 1
    assert (g[inside & net.M1.bool()] != 0).sum() > 0


def test_bits_round_trip_and_order(tiny):
    net = UnrolledISTA(tiny, layers=3, weights="binary", form="lista")
    net.quantize_()
    nnz1, nnz2 = int(net.M1.sum()), int(net.M2.sum())
    assert net.num_bits == 3 * nnz1 + 2 * nnz2
    bits = torch.randint(0, 2, (net.num_bits,), generator=torch.Generator().manual_seed(1)).double()
    assert torch.equal(net.set_bits(bits).bits(), bits)
    W1, W2 = net.weights()
    D1, D2 = net.decode(bits)
    assert torch.allclose(D1[0], W1) and torch.allclose(D2[0], W2)
    # bit 0 is W1 of layer 0 at its first support entry (row-major); then W1 of layer 1 starts
    # after nnz1 bits and W2 of layer 1 after 2·nnz1
    r, c = torch.nonzero(net.M1)[0]
    flip = bits.clone()
    flip[0] = 1 - flip[0]
    assert torch.sign(net.decode(flip)[0][0, 0, r, c]) == 2 * flip[0] - 1
    flip = bits.clone()
    flip[2 * nnz1] = 1 - flip[2 * nnz1]
    r2, c2 = torch.nonzero(net.M2)[0]
    E1, E2 = net.decode(flip)
    assert torch.equal(E1, D1) and E2[0, 0, r2, c2] == -D2[0, 0, r2, c2]
    with pytest.raises(ValueError, match="shape"):
        net.decode(bits[:-1])
    with pytest.raises(ValueError, match="binary"):
        UnrolledISTA(tiny, weights="ternary").num_bits


@pytest.mark.parametrize("form, residual", [("lista", False), ("lista", True), ("cp", False)])
def test_batched_forward_equals_one_network_at_a_time(tiny, form, residual):
    net = UnrolledISTA(tiny, layers=3, weights="binary", tied=True, form=form, residual=residual)
    net.quantize_()
    bits = torch.randint(0, 2, (5, net.num_bits), generator=torch.Generator().manual_seed(0)).double()
    assert_batched_matches_single(net, bits, tiny.Y_test)


def test_ista_reference_converges_and_pibinn_starts_as_ista(tiny):
    ista = qh.pibinn.ISTA(tiny, iterations=2000, reg=0.01)
    assert qh.pibinn.nmse_db(ista, tiny) < qh.pibinn.nmse_db(qh.pibinn.ISTA(tiny, 3, reg=0.01), tiny)
    # an untrained real LISTA is ISTA
    lista = UnrolledISTA(tiny, layers=5, reg=0.01)
    assert math.isclose(qh.pibinn.nmse_db(lista, tiny), qh.pibinn.nmse_db(qh.pibinn.ISTA(tiny, 5, reg=0.01), tiny),
                        abs_tol=1e-9)


class _Interrupting(UnrolledISTA):
    calls = 0

    def forward(self, *args):
        if torch.is_grad_enabled():
            type(self).calls += 1
            if type(self).calls > 7:
                raise KeyboardInterrupt
        return super().forward(*args)


def test_training_can_be_interrupted(tiny):
    net = _Interrupting(tiny, layers=2, weights="binary")
    res = train(net, tiny, steps=50, seed=0, batch_size=8, progress=False)
    assert res.interrupted and len(res.history["loss"]) == 7
    assert math.isfinite(res.metrics["test_nmse_db"])


def test_training_is_seeded(tiny):
    a = train(PIBiNN(tiny, layers=2), tiny, steps=20, seed=5, progress=False)
    b = train(PIBiNN(tiny, layers=2), tiny, steps=20, seed=5, progress=False)
    assert a.history["loss"] == b.history["loss"] and torch.equal(a.bits, b.bits)


def test_training_takes_a_numpy_or_torch_generator_and_never_the_global_rng(tiny):
    state = torch.get_rng_state()
    runs = [train(PIBiNN(tiny, layers=2), tiny, steps=10, seed=seed, batch_size=8, progress=False)
            for seed in (np.random.default_rng(2), np.random.default_rng(2), 7, torch.Generator().manual_seed(7))]
    assert torch.equal(state, torch.get_rng_state())  # model init and mini-batches use local generators
    assert runs[0].history["loss"] == runs[1].history["loss"]
    assert runs[2].history["loss"] == runs[3].history["loss"]  # an int seeds a torch generator with itself


@pytest.mark.parametrize("options, match", [
    (dict(batch_size=16.5), "batch_size must be an integer ≥ 1; got 16.5"),
    (dict(eval_every=0), "eval_every must be an integer ≥ 1; got 0"),
    (dict(steps=2.5), "steps must be an integer ≥ 0; got 2.5"),
    (dict(threads=1.5), "threads must be an integer ≥ 1 or None; got 1.5"),  # int() made it 1
    (dict(seed=1.5), "seed must be an integer ≥ 0"),
    (dict(lr="0.001"), "lr must be a finite number > 0; got '0.001' — pass a number, not a string"),
    (dict(qat_lr=float("inf")), "qat_lr must be a finite number > 0"),
    (dict(warm_fraction=float("nan")), r"warm_fraction must be a finite number in \[0, 1\]"),
])
def test_train_refuses_non_integer_counts_and_non_numbers(tiny, options, match):
    with pytest.raises(ValueError, match=match):
        train(PIBiNN(tiny, layers=2), tiny, progress=False, **options)


def test_train_refuses_a_model_of_another_operator(tiny):
    other = load_problem("block_cs", seed=0, n=16, m=8, blocks=2, k=1, n_train=8, n_test=8)
    with pytest.raises(ValueError, match="problem.operator"):
        train(PIBiNN(other), tiny, steps=1, progress=False)
    with pytest.raises(TypeError, match="ISTA has nothing to learn"):
        train(qh.pibinn.ISTA(tiny), tiny, steps=1)
