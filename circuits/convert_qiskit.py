r"""``qh.circuits.from_qiskit(qc)`` — an :class:`~qhyper.circuits.Ansatz` from a parameterised
Qiskit ``QuantumCircuit``.

Any circuit works: circuit-library functions (``real_amplitudes``, ``efficient_su2``,
``n_local`` with ``rzz``/``rxx`` entanglers, …) or hand-built ones. Gates outside qhyper's
native set (:mod:`qhyper.circuits.gates`) are translated into it by Qiskit's transpiler
(``optimization_level=0``: no gate is merged or dropped, the qubits keep their numbers).

**Parameters.** The ansatz's parameter *k* is ``qc.parameters[k]`` — Qiskit's order: sorted
by name, the elements of a ``ParameterVector`` by index (``ansatz.qiskit_parameters`` lists
them). A parameter may appear in several gates and in any affine expression
``a·θ + b`` (or a sum of such terms over several parameters); the angle map and the
parameter-shift chain rule follow (:mod:`qhyper.circuits.base`).

**Refused** with an error naming the instruction: measurements (qhyper measures every qubit
itself — pass the circuit without them, e.g. ``qc.remove_final_measurements(inplace=False)``),
resets, classical control and control flow, expressions that are not affine in the
parameters (``θ²``, ``sin θ``, ``θ·φ``), and gates the transpiler cannot translate.
The circuit's global phase is dropped (it changes no probability). Barriers are skipped.
"""
from __future__ import annotations

from .._checks import InputTypeError
from .base import Ansatz, Gate
from .gates import GATES

__all__ = ["from_qiskit", "from_qasm", "QiskitAnsatz"]

_FROM_QISKIT = {spec.qiskit: name for name, spec in GATES.items()}
_REFUSED = {"measure": "a measurement", "reset": "a reset", "initialize": "a state initialisation"}
_CONTROL_FLOW = {"if_else", "while_loop", "for_loop", "switch_case", "box"}


class QiskitAnsatz(Ansatz):
    """An ansatz converted from a Qiskit circuit; ``source`` is the circuit and
    ``qiskit_parameters`` its parameters in the ansatz's order."""

    name = "qiskit"

    def __init__(self, n_qubits, gates, source, parameters):
        self.source = source
        self.qiskit_parameters = tuple(parameters)
        super().__init__(n_qubits, gates, (len(self.qiskit_parameters),))


def from_qasm(text: str) -> QiskitAnsatz:
    """An ansatz from an OpenQASM 3 program (e.g. :meth:`Ansatz.to_qasm`'s export): read by
    Qiskit's importer (``pip install 'qhyper[qasm]'``, which adds ``qiskit-qasm3-import``),
    final measurements removed, then :func:`from_qiskit`. ``input`` angles become parameters;
    a bound export gives a circuit with fixed angles and no parameters."""
    if not isinstance(text, str):
        raise InputTypeError(f"from_qasm takes the OpenQASM 3 program as a string; got {type(text).__name__}")
    from qiskit import qasm3

    try:
        qc = qasm3.loads(text)
    except qasm3.QASM3ImporterError as err:
        if "qiskit_qasm3_import" in str(err) or "qiskit-qasm3-import" in str(err):
            raise ImportError("from_qasm needs Qiskit's OpenQASM 3 importer: pip install 'qhyper[qasm]' "
                              "(or pip install qiskit-qasm3-import)") from err
        raise ValueError(f"from_qasm: the program is not valid OpenQASM 3 for Qiskit's importer: {err}") from None
    return from_qiskit(qc.remove_final_measurements(inplace=False))


def from_qiskit(qc) -> QiskitAnsatz:
    """Convert ``qc`` (a parameterised ``QuantumCircuit``) into a qhyper ansatz."""
    from qiskit import QuantumCircuit, transpile
    from qiskit.transpiler.exceptions import TranspilerError

    if not isinstance(qc, QuantumCircuit):
        raise InputTypeError(f"from_qiskit takes a qiskit QuantumCircuit; got {type(qc).__name__}")
    if qc.num_qubits == 0:
        raise ValueError("from_qiskit: the circuit has no qubits")
    plain = qc.copy_empty_like()
    for i, inst in enumerate(qc.data):
        op = inst.operation
        where = f"instruction {i} ({op.name!r} on qubits {[qc.find_bit(q).index for q in inst.qubits]})"
        if op.name in _REFUSED:
            raise ValueError(f"from_qiskit: {where} is {_REFUSED[op.name]}; a hypernetwork circuit must be unitary "
                             "and unmeasured — qhyper measures every qubit itself. Pass the circuit without it "
                             "(e.g. qc.remove_final_measurements(inplace=False)).")
        if op.name in _CONTROL_FLOW or getattr(op, "condition", None) is not None or inst.clbits:
            raise ValueError(f"from_qiskit: {where} uses classical bits or control flow, which a hypernetwork "
                             "circuit cannot contain; remove it")
        if op.name == "barrier":
            continue
        plain.append(inst)
    basis = [spec.qiskit for spec in GATES.values()]
    try:
        native = transpile(plain, basis_gates=basis, optimization_level=0)
    except TranspilerError as err:
        raise ValueError(f"from_qiskit: the circuit has gates Qiskit cannot translate into qhyper's native set "
                         f"({', '.join(basis)}): {err}") from None
    parameters = list(qc.parameters)
    index = {p: k for k, p in enumerate(parameters)}
    gates = []
    for i, inst in enumerate(native.data):
        op = inst.operation
        wires = tuple(native.find_bit(q).index for q in inst.qubits)
        name = _FROM_QISKIT.get(op.name)
        if name is None:
            raise ValueError(f"from_qiskit: the translated circuit has a {op.name!r} gate on qubits {list(wires)}, "
                             "outside qhyper's native set")
        if not GATES[name].parametric:
            gates.append(Gate(name, wires))
            continue
        gates.append(_rotation(name, wires, op.params[0], index, f"instruction {i} ({op.name} on qubits {list(wires)})"))
    return QiskitAnsatz(qc.num_qubits, gates, qc, parameters)


def _rotation(name, wires, value, index, where) -> Gate:
    """A rotation Gate whose angle is ``value`` — a number or an affine ParameterExpression."""
    from qiskit.circuit import ParameterExpression

    if not isinstance(value, ParameterExpression) or not value.parameters:
        return Gate(name, wires, None, offset=float(value))
    params, coeffs = [], []
    for p in sorted(value.parameters, key=lambda p: index[p]):
        c = value.gradient(p)
        if isinstance(c, ParameterExpression):
            if c.parameters:
                raise ValueError(f"from_qiskit: the angle {value} of {where} is not affine in the parameters "
                                 f"(its derivative in {p} is {c}); qhyper needs angles a·θ + b")
            c = float(c)
        if complex(c).imag:
            raise ValueError(f"from_qiskit: the angle {value} of {where} has a complex coefficient")
        params.append(index[p])
        coeffs.append(float(complex(c).real))
    offset = value.bind({p: 0.0 for p in value.parameters})
    offset = float(complex(offset).real)
    if len(params) == 1:
        return Gate(name, wires, params[0], coeffs[0], offset)
    return Gate(name, wires, tuple(params), tuple(coeffs), offset)
