"""OpenQASM 3 export → from_qasm → the same probabilities; the importer's errors."""
import numpy as np
import pytest
import torch

import qhyper as qh
from gate_zoo import _hand_built


def _cases():
    patterns = qh.data.bars_and_stripes_patterns(2, 2)
    yield qh.circuits.get("brick", n_qubits=4, layers=3)
    yield qh.circuits.get("hardware_efficient", n_qubits=4, layers=2, entangler="cx")
    yield qh.circuits.get("chow_liu", n_qubits=4, layers=2, data=patterns)
    yield qh.circuits.from_qiskit(_hand_built())


@pytest.mark.parametrize("ansatz", list(_cases()), ids=lambda a: a.name)
def test_export_and_import_give_the_same_probabilities(ansatz):
    theta = ansatz.init_params(4)
    back = qh.circuits.from_qasm(ansatz.to_qasm(theta))
    assert back.num_qubits == ansatz.num_qubits and back.num_params == 0  # a bound export: fixed angles
    q = qh.Hypernetwork(ansatz, init=theta).distribution().probs().detach()
    q_back = qh.Hypernetwork(back, init=torch.zeros(0)).distribution().probs().detach()
    assert torch.allclose(q, q_back, atol=1e-12, rtol=0)


def test_input_angles_become_parameters():
    text = ("OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[2] q;\n"
            "ry(a) q[0];\ncx q[0], q[1];\nry(2 * a) q[1];\n")
    a = qh.circuits.from_qasm(text)
    assert a.num_params == 1
    q = qh.Hypernetwork(a, init=torch.tensor([0.7])).distribution().probs().detach()
    assert q.sum().item() == pytest.approx(1.0) and not np.allclose(q.numpy(), 0.25)


def test_bad_programs():
    with pytest.raises(ValueError, match="not valid OpenQASM 3"):
        qh.circuits.from_qasm("OPENQASM 3.0; qubit[2] q; nosuchgate q[0];")
    with pytest.raises(TypeError, match="as a string"):
        qh.circuits.from_qasm(b"OPENQASM 3.0;")


def test_a_missing_importer_is_named(monkeypatch):
    from qiskit import qasm3

    def missing(text):
        raise qasm3.QASM3ImporterError("the 'qiskit_qasm3_import' library is required")

    monkeypatch.setattr(qasm3, "loads", missing)
    with pytest.raises(ImportError, match=r"pip install 'qhyper\[qasm\]'"):
        qh.circuits.from_qasm("OPENQASM 3.0;")
