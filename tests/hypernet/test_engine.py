"""The torch statevector engine against a dense reference and finite differences."""
import pytest
import torch

import qhyper as qh
from qhyper.hypernet.engine import StatevectorEngine

from hn_reference import FAMILIES, dense_probs


@pytest.mark.parametrize("block", [1, 2, 3, 4])
@pytest.mark.parametrize("name,kw", FAMILIES)
def test_probs_match_dense_statevector(name, kw, block):
    a = qh.circuits.get(name, n_qubits=5, **kw)
    thetas = torch.stack([a.init_params(s) for s in range(3)])
    p = StatevectorEngine(a, block=block).probs(thetas)
    assert p.shape == (3, 32)
    for row, theta in zip(p, thetas):
        assert torch.allclose(row, dense_probs(a, theta), atol=1e-12)
    assert torch.allclose(p.sum(1), torch.ones(3, dtype=torch.float64), atol=1e-12)


def test_real_ansatz_keeps_real_amplitudes():
    a = qh.circuits.get("hardware_efficient", n_qubits=4)
    e = StatevectorEngine(a)
    assert e.dtype == torch.float64 and e.state(a.init_params(0)[None]).dtype == torch.float64
    assert StatevectorEngine(qh.circuits.get("brick", n_qubits=4)).dtype == torch.complex128


@pytest.mark.parametrize("name,kw", FAMILIES)
def test_gradient_matches_finite_differences(name, kw):
    a = qh.circuits.get(name, n_qubits=4, **kw)
    e = StatevectorEngine(a, block=3)
    cost = torch.rand(2, 16, generator=torch.Generator().manual_seed(0), dtype=torch.float64)

    def f(t):  # a nonlinear function of q (entropy-like term + linear cost), two rows
        q = e.probs(t)
        return (q * cost).sum() + (q * torch.log(q + 1e-3)).sum()

    thetas = torch.stack([a.init_params(1), a.init_params(2)]).requires_grad_(True)
    (grad,) = torch.autograd.grad(f(thetas), thetas)
    h = 1e-6
    fd = torch.zeros_like(grad)
    with torch.no_grad():
        for r in range(2):
            for k in range(a.num_params):
                d = torch.zeros_like(thetas)
                d[r, k] = h
                fd[r, k] = (f(thetas + d) - f(thetas - d)) / (2 * h)
    assert torch.allclose(grad, fd, atol=1e-7)


def test_leading_entanglers_are_dropped_and_permutations_compiled():
    a = qh.circuits.get("brick", n_qubits=4, layers=2)
    e = StatevectorEngine(a)
    kinds = [k for k, _ in e.stages]
    assert kinds == ["rot", "ent", "rot"]  # first CX brick acts on |0000⟩


def test_repeated_entangler_patterns_share_one_table():
    e = StatevectorEngine(qh.circuits.get("brick", n_qubits=5, layers=5))
    assert e.num_permutations == 2  # odd and even bricks, whatever the depth
    assert StatevectorEngine(qh.circuits.get("product", n_qubits=5)).num_permutations == 0
