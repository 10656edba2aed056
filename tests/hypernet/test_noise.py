"""Noise: qh.noise.depolarizing on Aer and PennyLane, exact density matrices and shots."""
import math

import pennylane as qml
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit_aer.noise import NoiseModel

import qhyper as qh


def entangling_ansatz():
    t = ParameterVector("t", 4)
    qc = QuantumCircuit(3)
    qc.ry(t[0], 0)
    qc.h(1)
    qc.cx(0, 1)
    qc.rzz(t[1], 1, 2)
    qc.rx(2 * t[2] - 0.4, 2)
    qc.cz(2, 0)
    qc.ryy(t[3], 0, 2)
    qc.ry(t[0], 1)
    return qh.circuits.from_qiskit(qc)


ANSATZE = {"brick": lambda: qh.circuits.get("brick", n_qubits=3, layers=2), "user": entangling_ansatz}


@pytest.mark.parametrize("backend", ["qiskit", "pennylane"])
def test_depolarizing_convention_is_the_pauli_error_probability(backend):
    # one RY(0) on |0⟩, then a channel with error probability p: X and Y flip the bit, so P(1) = 2p/3
    p = 0.3
    hn = qh.Hypernetwork(qh.circuits.get("product", n_qubits=1), backend=backend, init=torch.zeros(1),
                         noise=qh.noise.depolarizing(1.0, one_qubit=p, two_qubit=0.0))
    assert float(hn.distribution().probs().detach()[1]) == pytest.approx(2 * p / 3, abs=1e-12)


@pytest.mark.parametrize("name", sorted(ANSATZE))
def test_exact_noisy_probabilities_agree_between_aer_and_default_mixed(name):
    a = ANSATZE[name]()
    theta = a.init_params(3)
    noise = qh.noise.depolarizing(20.0)  # large, so that a convention slip would show
    aer = qh.Hypernetwork(a, backend="qiskit", noise=noise, init=theta).distribution().probs().detach()
    mixed = qh.Hypernetwork(a, backend="pennylane", noise=noise, init=theta).distribution().probs().detach()
    clean = qh.Hypernetwork(a, init=theta).distribution().probs().detach()
    assert torch.allclose(aer, mixed, atol=1e-10, rtol=0)
    assert float((aer - clean).abs().max()) > 1e-2  # and the noise does something


@pytest.mark.parametrize("backend", ["qiskit", "pennylane"])
def test_noisy_gradients_match_finite_differences(backend):
    a = entangling_ansatz()
    theta = a.init_params(4)
    noise = qh.noise.depolarizing(20.0)
    cost = torch.linspace(-1.0, 1.0, 8, dtype=torch.float64)
    hn = qh.Hypernetwork(a, backend=backend, noise=noise, init=theta)
    (hn.distribution().probs() @ cost).backward()
    h, fd = 1e-5, torch.zeros(a.num_params, dtype=torch.float64)
    with torch.no_grad():
        for k in range(a.num_params):
            d = torch.zeros(a.num_params, dtype=torch.float64)
            d[k] = h
            fd[k] = (hn.probs_at(theta + d)[0] @ cost - hn.probs_at(theta - d)[0] @ cost) / (2 * h)
    assert torch.allclose(hn.theta.grad, fd, atol=1e-8)


def test_pennylane_noise_model_matches_the_equivalent_spec():
    a = qh.circuits.get("brick", n_qubits=3, layers=2)
    theta = a.init_params(5)
    p = 0.05
    model = qml.NoiseModel({qml.noise.op_in(["RY", "RZ"]): qml.noise.partial_wires(qml.DepolarizingChannel, p)})
    user = qh.Hypernetwork(a, backend="pennylane", noise=model, init=theta).distribution().probs().detach()
    spec = qh.noise.depolarizing(1.0, one_qubit=p, two_qubit=0.0)
    ours = qh.Hypernetwork(a, backend="qiskit", noise=spec, init=theta).distribution().probs().detach()
    assert torch.allclose(user, ours, atol=1e-10)


@pytest.mark.parametrize("backend,opts", [("qiskit", {}), ("qiskit", {"method": "matrix_product_state"}),
                                          ("pennylane", {})])
def test_noisy_shots_follow_the_noisy_distribution(backend, opts):
    a = ANSATZE["brick"]()
    theta = a.init_params(6)
    noise = qh.noise.depolarizing(30.0)
    exact = qh.Hypernetwork(a, backend="qiskit", noise=noise, init=theta).distribution().probs().detach()
    shots = 20000
    bits = qh.Hypernetwork(a, backend=backend, noise=noise, shots=shots, seed=0, init=theta, **opts).sample(shots)
    freq = torch.bincount(qh.bitstrings.bits_to_index(bits), minlength=8).double() / shots
    assert float((freq - exact).abs().max()) < 5 * math.sqrt(0.25 / shots)


@pytest.mark.parametrize("call,error,match", [
    (lambda: qh.noise.depolarizing(-1), ValueError, "scale must be"),
    (lambda: qh.noise.depolarizing(float("nan")), ValueError, "scale must be"),
    (lambda: qh.noise.depolarizing(400), ValueError, "must be ≤ 1"),
    (lambda: qh.Hypernetwork(qh.circuits.get("product", n_qubits=2), backend="pennylane", noise=NoiseModel()),
     ValueError, "needs the Qiskit backend"),
    (lambda: qh.Hypernetwork(qh.circuits.get("product", n_qubits=2), backend="qiskit", noise=qml.NoiseModel({})),
     ValueError, "needs a PennyLane backend"),
    (lambda: qh.Hypernetwork(qh.circuits.get("product", n_qubits=2), backend="qiskit", noise=0.01), TypeError,
     "noise must be"),
    (lambda: qh.Hypernetwork(qh.circuits.get("product", n_qubits=2), backend="qiskit", method="statevector",
                             noise=qh.noise.depolarizing(1)), ValueError, "density_matrix"),
    (lambda: qh.Hypernetwork(qh.circuits.get("product", n_qubits=2), backend="qiskit", noise_model=NoiseModel()),
     ValueError, "noise=..."),
])
def test_bad_noise(call, error, match):
    with pytest.raises(error, match=match):
        call()
