"""User circuits that together use every gate qhyper converts: Qiskit builders and
PennyLane templates (shared by the conversion tests and the engine tests)."""
import pennylane as qml
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import efficient_su2, n_local, real_amplitudes


def _hand_built():
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.rx(2 * a + 0.3, 1)          # affine expression
    qc.crx(a, 0, 2)                # controlled rotation, parameter shared with rx
    qc.rzz(b - a, 1, 2)            # two parameters in one angle
    qc.u(a, b, 0.2, 0)             # translated to rz/sx
    qc.cp(b / 2, 0, 1)
    qc.swap(1, 2)
    qc.sdg(2)
    qc.ry(a, 2)
    return qc


def _controlled():
    t = ParameterVector("t", 3)
    qc = QuantumCircuit(3)
    qc.ry(t[0], 0)
    qc.h(1)
    qc.cry(t[1], 0, 1)
    qc.crz(t[2], 1, 2)
    qc.crx(-t[0], 2, 0)
    qc.cy(0, 2)
    qc.rxx(t[1] * 0.5, 0, 2)
    return qc


QISKIT = {
    "real_amplitudes": lambda: real_amplitudes(4, reps=2),
    "efficient_su2": lambda: efficient_su2(3, reps=1),
    "n_local_rzz": lambda: n_local(4, ["ry", "rz"], "rzz", reps=2),
    "n_local_rxx": lambda: n_local(3, "ry", "rxx", reps=1),
    "n_local_cry": lambda: n_local(3, "ry", "cry", reps=1),
    "hand_built": _hand_built,
    "controlled": _controlled,
}

PENNYLANE = {
    "strongly_entangling": (lambda w: qml.StronglyEntanglingLayers(w, wires=range(4)), 4, (2, 4, 3)),
    "basic_entangler": (lambda w: qml.BasicEntanglerLayers(w, wires=range(3), rotation=qml.RY), 3, (2, 3)),
    "simplified_two_design": (lambda w: qml.SimplifiedTwoDesign(w[:3], w[3:].reshape(1, 2, 2), wires=range(3)),
                              3, (7,)),
    "random_layers_and_shared": (lambda w: [qml.RandomLayers(w[:2].reshape(1, 2), wires=range(3), seed=3),
                                            qml.IsingYY(0.5 * w[2] - w[0], wires=[0, 2]),
                                            qml.CRZ(w[2], wires=[2, 1]), qml.Hadamard(0), qml.SX(2),
                                            qml.CRY(w[1], wires=[0, 2]), qml.Hadamard(2)], 3, (3,)),
}
