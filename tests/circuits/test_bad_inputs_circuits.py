"""Bad inputs to the ansatz catalogue, gate records and converters: refused at once, with the
parameter named. On the old code each case below was accepted silently (a product
ansatz with ``layers=True``, a coefficient ``"2"``, a complex θ, ``measure="no"``, a second
family registered as ``"brick"`` over the first), failed with a raw library message
(unhashable list, ``IndexError`` from the user's qfunc, ``'int' object has no len()``), or took
many seconds to build a circuit no simulator can run."""
import time

import numpy as np
import pennylane as qml
import pytest
import torch

import qhyper as qh
from qhyper import circuits
from qhyper.circuits import Ansatz, Gate
from bad_inputs import refused

A = qh.circuits.get("brick", n_qubits=3, layers=1)


def ry(w):
    qml.RY(w[0], wires=0)
    qml.CNOT(wires=[0, 1])


def past_the_end(w):
    qml.RY(w[5], wires=0)


@pytest.mark.parametrize("build, error, name", [
    # the catalogue
    (lambda: qh.circuits.get(["brick"], n_qubits=3), TypeError, "ansatz family"),
    (lambda: qh.circuits.get(None, n_qubits=3), TypeError, "ansatz family"),
    (lambda: qh.circuits.get("brick", n_qubits=3, depth=2), TypeError, r"takes the options \['n_qubits', 'layers'\]"),
    (lambda: qh.circuits.get("brick", n_qubits=50_000), ValueError, "n_qubits=50000"),
    (lambda: qh.circuits.get("brick", n_qubits=4, layers=20_000), ValueError, "layers=20000"),
    (lambda: qh.circuits.get("hardware_efficient", n_qubits=3, entangler=None), TypeError, "entangler"),
    (lambda: qh.circuits.get("product", n_qubits=3, layers=True), TypeError, "layers"),
    (lambda: qh.circuits.get("product", n_qubits=3, layers=1.0), TypeError, "layers"),
    (lambda: qh.circuits.has_depth(3), TypeError, "ansatz family"),
    (lambda: qh.circuits.has_depth(["brick"]), TypeError, "ansatz family"),
    (lambda: qh.circuits.register(3), TypeError, "name"),
    # gate records and the Ansatz constructor
    (lambda: Ansatz(2, ["RY"], (0,)), TypeError, "gates"),
    (lambda: Ansatz(2, None, (0,)), TypeError, "gates"),
    (lambda: Ansatz(2, [Gate("RY", (0,), 0)], 1), TypeError, "shape"),
    (lambda: Ansatz(2, [Gate("RY", 0, 0)], (1,)), TypeError, "wires"),
    (lambda: Ansatz(2, [Gate("RY", (0,), 0, "2")], (1,)), TypeError, "coefficient"),
    (lambda: Ansatz(2, [Gate("RY", (0,), 0, True)], (1,)), TypeError, "coefficient"),
    (lambda: Ansatz(2, [Gate("RY", (0,), 0, 1j)], (1,)), TypeError, "coefficient"),
    (lambda: Ansatz(2, [Gate("RY", (0,), 0, 1.0, "x")], (1,)), TypeError, "offset"),
    (lambda: Ansatz(2, [Gate("RY", (0,), 0, 1.0, True)], (1,)), TypeError, "offset"),
    (lambda: Ansatz(2, [Gate("CX", (0, 1), None, 2.0)], (0,)), ValueError, "coefficient"),
    (lambda: Ansatz(2, [Gate("RY", (0,), 0, (1.0, 2.0))], (1,)), ValueError, "param and coeff"),
    # parameters of an ansatz
    (lambda: A.check_theta("abc"), TypeError, "theta"),
    (lambda: A.check_theta(np.zeros(6) + 1j), TypeError, "theta.*complex"),
    (lambda: A.check_theta(np.zeros(6, dtype=bool)), TypeError, "theta.*booleans"),
    (lambda: A.check_theta(np.zeros((2, 6)), batched="yes"), TypeError, "batched"),
    (lambda: A.to_qiskit(measure="no"), TypeError, "measure"),
    (lambda: A.to_qasm(measure=0), TypeError, "measure"),
    (lambda: A.angles(torch.zeros(5)), ValueError, "theta"),
    # from_pennylane
    (lambda: qh.circuits.from_pennylane(ry, 2, ()), ValueError, "shape"),
    (lambda: qh.circuits.from_pennylane(ry, 2, (10**6, 10**6)), ValueError, "shape"),
    (lambda: qh.circuits.from_pennylane(lambda w: qml.StronglyEntanglingLayers(w, wires=range(3)), 3, (1, 3)),
     ValueError, "shape"),
    (lambda: qh.circuits.from_pennylane(past_the_end, 2, (2,)), ValueError, "shape"),
])
def test_refused_at_once_naming_the_parameter(build, error, name):
    refused(build, error, name)


def test_a_taken_family_name_is_refused_and_the_family_kept():
    saved = dict(circuits._FAMILIES)
    try:
        class Impostor(Ansatz):
            pass

        start = time.perf_counter()
        with pytest.raises(ValueError, match="'brick' is already registered"):
            qh.circuits.register("brick")(Impostor)
        assert time.perf_counter() - start < 1.0
        assert qh.circuits.get("brick", n_qubits=2, layers=1).name == "brick"
    finally:
        circuits._FAMILIES.clear()
        circuits._FAMILIES.update(saved)


def test_the_good_spellings_still_build():
    assert qh.circuits.get("product", n_qubits=3, layers=0).num_params == 3
    assert qh.circuits.get("product", n_qubits=np.int64(3), layers=None).num_params == 3
    assert qh.circuits.get("hardware_efficient", n_qubits=3, layers=1, entangler="cx").num_params == 6
    assert qh.circuits.has_depth("brick") and not qh.circuits.has_depth("product")
    assert qh.circuits.register("brick")(type(A)) is type(A)  # the same class again (a reload): allowed
    assert A.check_theta([0.0] * 6).dtype == torch.float64  # a list, and integers
    assert A.check_theta(np.zeros(6, dtype=int)).shape == (6,)
    assert A.angles(np.zeros(6)).shape == (6,)
    assert "measure" in A.to_qasm(measure=True) and "measure" not in A.to_qasm(measure=False)
    g = Ansatz(2, [Gate("RY", [0], np.int64(0), np.float64(0.5), 0.25), Gate("CX", (0, 1))], [1])
    assert g.num_params == 1 and g.num_angles == 1
    assert qh.circuits.from_pennylane(ry, 2, np.array([1])).num_params == 1
    assert qh.circuits.from_pennylane(lambda w: qml.StronglyEntanglingLayers(w, wires=range(3)), 3,
                                      (1, 3, 3)).num_params == 9
