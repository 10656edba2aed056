"""Bad input gets a clear error before any work."""
import pytest
import torch

import qhyper as qh


@pytest.fixture
def ansatz():
    return qh.circuits.get("brick", n_qubits=3, layers=1)


def test_unknown_backend(ansatz):
    with pytest.raises(ValueError, match="unknown backend 'cirq'"):
        qh.Hypernetwork(ansatz, backend="cirq")


def test_ansatz_name_instead_of_object():
    with pytest.raises(TypeError, match=r"qh.circuits.get\('brick'"):
        qh.Hypernetwork("brick")


def test_for_model_checks_qubit_count(ansatz):
    model = qh.BinaryMLP([4, 1])
    with pytest.raises(ValueError, match="has 5 bits but the hypernetwork has 3 qubits"):
        qh.Hypernetwork.for_model(model, ansatz=ansatz)
    with pytest.raises(ValueError, match="unknown ansatz"):
        qh.Hypernetwork.for_model(model, ansatz="nope")
    with pytest.raises(TypeError, match="num_bits"):
        qh.Hypernetwork.for_model(object())


@pytest.mark.parametrize("shots", [0, -5, 2.5, True])
def test_bad_shots(ansatz, shots):
    with pytest.raises(ValueError, match="shots must be an integer ≥ 1"):
        qh.Hypernetwork(ansatz, shots=shots)
    with pytest.raises(ValueError, match="shots must be an integer ≥ 1"):
        qh.Hypernetwork(ansatz).sample_at(torch.zeros(1, ansatz.num_params), shots)


@pytest.mark.parametrize("backend,opts", [("torch", {}), ("pennylane", {}), ("qiskit", {})])
def test_exact_mode_too_many_qubits(backend, opts):
    big = qh.circuits.get("brick", n_qubits=45, layers=1)
    with pytest.raises(MemoryError, match="45 qubits.*matrix_product_state"):
        qh.Hypernetwork(big, backend=backend, **opts)


def test_mps_cannot_give_probabilities(ansatz):
    with pytest.raises(ValueError, match="only samples.*shots"):
        qh.Hypernetwork(ansatz, backend="qiskit", method="matrix_product_state")


def test_non_finite_theta(ansatz):
    hn = qh.Hypernetwork(ansatz, seed=0)
    with torch.no_grad():
        hn.theta[0] = float("nan")
    with pytest.raises(ValueError, match="NaN or inf"):
        hn.distribution().probs()
    with pytest.raises(ValueError, match="NaN or inf"):
        hn.sample(3)
    with pytest.raises(ValueError, match="NaN or inf"):
        qh.Hypernetwork(ansatz, init=torch.full((ansatz.num_params,), float("inf")))


def test_wrong_theta_rows(ansatz):
    hn = qh.Hypernetwork(ansatz, seed=0)
    with pytest.raises(ValueError, match=r"shape \[B, 6\]"):
        hn.sample_at(torch.zeros(2, 5), 3)


@pytest.mark.parametrize("backend,opts,match", [
    ("pennylane", {"device": "default.gaussian"}, "unknown PennyLane device"),
    ("qiskit", {"method": "stabilizer"}, "unknown Aer method"),
    ("qiskit", {"max_bond": 3}, "unknown Aer option"),
    ("torch", {"block": 0}, "block must be"),
    ("torch", {"method": "mps"}, r"method must be one of \['auto', 'statevector', 'split'\]"),
    ("torch", {"method": 3}, "method must be one of"),
    ("torch", {"device": "cuda"}, "does not take option"),
])
def test_bad_backend_options(ansatz, backend, opts, match):
    with pytest.raises(ValueError, match=match):
        qh.Hypernetwork(ansatz, backend=backend, **opts)


def test_sample_needs_k_in_exact_mode(ansatz):
    with pytest.raises(ValueError, match="needs k"):
        qh.Hypernetwork(ansatz).sample()


def test_check_num_bits(ansatz):
    hn = qh.Hypernetwork(ansatz)
    hn.check_num_bits(3)
    with pytest.raises(ValueError, match="cost table has 4 bits but the hypernetwork has 3 qubits"):
        hn.check_num_bits(4, "the cost table")
