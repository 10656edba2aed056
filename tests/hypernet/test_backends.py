"""All exact backends give the same probabilities (big-endian) and gradients."""
import math

import numpy as np
import pytest
import torch

import qhyper as qh

from hn_reference import EXACT, FAMILIES, dense_probs


@pytest.mark.parametrize("backend,opts", EXACT)
@pytest.mark.parametrize("name,kw", FAMILIES)
def test_probs_match_dense_and_sum_to_one(name, kw, backend, opts):
    a = qh.circuits.get(name, n_qubits=4, **kw)
    hn = qh.Hypernetwork(a, backend=backend, seed=11, **opts)
    q = hn.distribution().probs()
    assert q.shape == (16,) and q.dtype == torch.float64
    assert q.sum().item() == pytest.approx(1.0, abs=1e-12)
    assert torch.allclose(q, dense_probs(a, hn.theta.detach()), atol=1e-12)


def test_backends_identical_for_same_theta():
    a = qh.circuits.get("brick", n_qubits=5, layers=2)
    theta = a.init_params(4)
    vecs = [qh.Hypernetwork(a, backend=b, init=theta, **o).distribution().probs().detach() for b, o in EXACT]
    for v in vecs[1:]:
        assert torch.allclose(v, vecs[0], atol=1e-12)


@pytest.mark.parametrize("backend,opts", EXACT)
def test_bit_order_big_endian(backend, opts):
    a = qh.circuits.get("product", n_qubits=3)
    hn = qh.Hypernetwork(a, backend=backend, init=torch.tensor([math.pi, 0.0, 0.0]), **opts)
    q = hn.distribution().probs()
    assert q[0b100].item() == pytest.approx(1.0, abs=1e-12)
    assert torch.equal(hn.sample(5, seed=0), torch.tensor([[1.0, 0.0, 0.0]] * 5, dtype=torch.float64))


@pytest.mark.parametrize("backend,opts", EXACT)
def test_gradients_agree_across_backends_and_with_finite_differences(backend, opts):
    a = qh.circuits.get("brick", n_qubits=3, layers=2)
    theta = a.init_params(9)
    cost = torch.linspace(-1.0, 2.0, 8, dtype=torch.float64)
    hn = qh.Hypernetwork(a, backend=backend, init=theta, **opts)
    (hn.distribution().probs() @ cost).backward()
    h = 1e-6
    fd = torch.zeros(a.num_params, dtype=torch.float64)
    ref = qh.Hypernetwork(a, backend="torch", init=theta)
    with torch.no_grad():
        for k in range(a.num_params):
            d = torch.zeros(a.num_params, dtype=torch.float64)
            d[k] = h
            fd[k] = (ref.probs_at(theta + d)[0] @ cost - ref.probs_at(theta - d)[0] @ cost) / (2 * h)
    assert torch.allclose(hn.theta.grad, fd, atol=1e-7)


@pytest.mark.parametrize("name,kw", FAMILIES)
def test_parameter_shift_of_one_probability_is_exact(name, kw):
    a = qh.circuits.get(name, n_qubits=4, **kw)
    hn = qh.Hypernetwork(a, seed=3)
    theta = hn.theta.detach()
    b = 5  # any fixed bitstring index
    (grad,) = torch.autograd.grad(hn.probs_at(hn.theta)[0, b], hn.theta)
    assert set(a.recipes) == {((0.5, math.pi / 2), (-0.5, -math.pi / 2))}  # the two-term rule
    shift = math.pi / 2
    shifts = torch.eye(a.num_params, dtype=torch.float64) * shift
    with torch.no_grad():
        plus, minus = hn.probs_at(theta + shifts)[:, b], hn.probs_at(theta - shifts)[:, b]
    assert torch.allclose(0.5 * (plus - minus), grad, atol=1e-12)


def test_for_model_builds_one_qubit_per_bit():
    model = qh.BinaryMLP([3, 1], bias=True)
    hn = qh.Hypernetwork.for_model(model, ansatz="hardware_efficient", layers=1, seed=0)
    assert hn.num_qubits == model.num_bits == 4
    assert hn.num_params == 8 and hn.theta.shape == (8,) and isinstance(hn.theta, torch.nn.Parameter)


def test_seeded_init_reproducible():
    a = qh.circuits.get("brick", n_qubits=3)
    t1 = qh.Hypernetwork(a, seed=5).theta
    assert torch.equal(t1, qh.Hypernetwork(a, seed=5).theta)
    assert not torch.equal(t1, qh.Hypernetwork(a, seed=6).theta)
    assert torch.equal(qh.Hypernetwork(a, seed=np.random.default_rng(5)).theta, t1)


def test_forward_is_probs_and_module_trains():
    a = qh.circuits.get("product", n_qubits=2)
    hn = qh.Hypernetwork(a, seed=0)
    cost = torch.tensor([3.0, 2.0, 1.0, 0.0], dtype=torch.float64)  # best: bits 11
    opt = torch.optim.Adam(hn.parameters(), lr=0.2)
    for _ in range(150):
        opt.zero_grad()
        (hn() @ cost).backward()
        opt.step()
    assert hn()[3].item() > 0.98


def test_qiskit_exact_rows_split_into_chunks_give_the_same_probabilities():
    a = qh.circuits.get("brick", n_qubits=3, layers=2)
    thetas = torch.stack([a.init_params(s) for s in range(5)])
    hn = qh.Hypernetwork(a, backend="qiskit")
    whole = hn.probs_at(thetas)
    hn.backend.chunk_amplitudes = 16  # two rows of 8 probabilities per Aer run
    assert torch.allclose(hn.probs_at(thetas), whole, atol=1e-14)
    assert torch.allclose(whole, qh.Hypernetwork(a).probs_at(thetas), atol=1e-12)
