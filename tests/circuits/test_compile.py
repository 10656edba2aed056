"""The PennyLane, Qiskit and OpenQASM compilations of each family describe the same circuit."""
import numpy as np
import pennylane as qml
import pytest
import torch
from qiskit import qasm2
from qiskit.quantum_info import Statevector

import qhyper as qh
from qhyper.bitstrings import reverse_bit_order

FAMILIES = [("brick", {"layers": 3}), ("hardware_efficient", {"layers": 2}),
            ("hardware_efficient", {"layers": 2, "entangler": "cx"}), ("product", {})]


def qiskit_probs(a, theta):
    little = torch.from_numpy(Statevector(a.to_qiskit(theta)).probabilities())
    return reverse_bit_order(little, a.num_qubits)


@pytest.mark.parametrize("name,kw", FAMILIES)
def test_pennylane_apply_matches_qiskit_statevector(name, kw):
    n = 4
    a = qh.circuits.get(name, n_qubits=n, **kw)
    theta = a.init_params(3)

    @qml.qnode(qml.device("default.qubit", wires=n), interface="torch")
    def probs(t):
        a.apply(t)
        return qml.probs(wires=range(n))

    assert torch.allclose(probs(theta), qiskit_probs(a, theta), atol=1e-12)


def test_qiskit_bit_order_is_converted():
    # RY(π) on wire 0 only: bitstring 1000 → big-endian index 8
    a = qh.circuits.get("product", n_qubits=4)
    p = qiskit_probs(a, torch.tensor([np.pi, 0.0, 0.0, 0.0]))
    assert p.argmax().item() == 8 and p[8].item() == pytest.approx(1.0)


def test_symbolic_circuit_has_all_parameters():
    a = qh.circuits.get("brick", n_qubits=5, layers=2)
    qc = a.to_qiskit()
    assert qc.num_parameters == a.num_params
    assert dict(qc.count_ops()) == {"cx": 2 + 2, "ry": 10, "rz": 10}
    assert "cx" in a.to_qiskit(measure=True).count_ops() and "measure" in a.to_qiskit(measure=True).count_ops()


@pytest.mark.parametrize("name,kw", FAMILIES)
def test_qasm3_export(name, kw):
    a = qh.circuits.get(name, n_qubits=4, **kw)
    theta = a.init_params(5)
    text = a.to_qasm(theta)
    assert text.startswith("OPENQASM 3")
    counts = a.gate_counts()
    for gate, qasm_name in [("RY", "ry("), ("RZ", "rz("), ("RX", "rx("), ("CX", "cx "), ("CZ", "cz ")]:
        assert text.count(qasm_name) == counts.get(gate, 0)
    assert text.count("measure") == 4
    try:  # full round trip when the optional OpenQASM 3 importer is installed
        from qiskit import qasm3
        import qiskit_qasm3_import  # noqa: F401
    except ImportError:
        qc = qasm2.loads(qasm2.dumps(a.to_qiskit(theta)))  # same circuit through the QASM 2 parser
    else:
        qc = qasm3.loads(a.to_qasm(theta, measure=False))
    p = reverse_bit_order(torch.from_numpy(Statevector(qc).probabilities()), 4)
    assert torch.allclose(p, qiskit_probs(a, theta), atol=1e-12)


def test_qasm_of_symbolic_circuit_declares_inputs():
    a = qh.circuits.get("product", n_qubits=2)
    text = a.to_qasm()
    assert text.count("input float[64]") == 2
