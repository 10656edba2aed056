"""BornDistribution in exact mode, and the shot-mode honesty rule."""
import itertools

import pytest
import torch

import qhyper as qh
from qhyper.hypernet import ShotModeError


def test_log_prob_entropy_support():
    a = qh.circuits.get("brick", n_qubits=3, layers=2)
    d = qh.Hypernetwork(a, seed=4).distribution()
    q = d.probs()
    support = d.enumerate_support()
    assert support.tolist() == [list(map(float, b)) for b in itertools.product((0, 1), repeat=3)]
    assert torch.allclose(d.log_prob(support), torch.log(q))
    assert torch.allclose(d.log_prob(torch.tensor([1.0, 0.0, 1.0])), torch.log(q[5:6]))
    assert d.entropy().item() == pytest.approx(-(q * q.log()).sum().item())
    assert d.num_bits == 3
    with pytest.raises(ValueError, match="0 or 1"):
        d.log_prob(torch.tensor([[2.0, 0.0, 1.0]]))


def test_entropy_of_a_deterministic_circuit_is_zero():
    a = qh.circuits.get("product", n_qubits=3)
    d = qh.Hypernetwork(a, init=torch.zeros(3, dtype=torch.float64)).distribution()
    assert d.entropy().item() == 0.0
    assert d.log_prob(torch.tensor([1.0, 0.0, 0.0])).item() == float("-inf")


def test_entropy_is_differentiable():
    a = qh.circuits.get("product", n_qubits=2)
    hn = qh.Hypernetwork(a, init=torch.tensor([1.0, 2.0], dtype=torch.float64))
    hn.distribution().entropy().backward()
    assert torch.isfinite(hn.theta.grad).all() and hn.theta.grad.abs().sum() > 0


@pytest.mark.parametrize("backend,opts", [("torch", {}), ("pennylane", {}), ("qiskit", {}),
                                          ("qiskit", {"method": "matrix_product_state"})])
def test_shot_mode_refuses_probabilities(backend, opts):
    hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=3), backend=backend, shots=100, seed=0, **opts)
    d = hn.distribution()
    for call in (d.probs, lambda: d.log_prob(torch.zeros(1, 3)), d.entropy, hn.forward,
                 lambda: hn.probs_at(hn.theta)):
        with pytest.raises(ShotModeError, match="shot mode models hardware"):
            call()
    assert d.sample(7).shape == (7, 3)  # samples are what shot mode offers
