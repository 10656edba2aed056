r"""The gate set every qhyper backend runs natively, with what each gate needs to know.

A gate name (upper case, Qiskit's spelling) maps to a :class:`GateSpec`: how many wires,
whether it has an angle, whether it is diagonal in the computational basis (for
:attr:`~qhyper.circuits.Ansatz.inert_params`), whether its matrix is real (the torch engine
then keeps real amplitudes), its parameter-shift recipe, and its Qiskit and PennyLane names.

**Rotations.** ``RX RY RZ`` are :math:`e^{-ia P/2}`; ``RXX RYY RZZ`` are
:math:`e^{-ia P\otimes P/2}`; ``P`` is the phase gate :math:`\mathrm{diag}(1, e^{ia})`
(:math:`= e^{ia/2} R_Z(a)`), ``CP`` its controlled form; ``CRX CRY CRZ`` are controlled
rotations (control ``wires[0]``).

**Fixed gates.** ``H X Y Z S SDG T TDG SX SXDG`` (one wire) and ``CX CY CZ SWAP`` (two wires;
control first).

**Parameter-shift recipes.** Every probability is a trigonometric polynomial in each angle
*a* whose frequencies are the differences of the generator's eigenvalues:

* Pauli rotations (eigenvalues :math:`\pm\frac12`) and ``P``/``CP`` (eigenvalues 0, 1):
  one frequency, so :math:`\partial_a f = \frac12[f(a+\frac\pi2) - f(a-\frac\pi2)]`;
* controlled rotations (eigenvalues :math:`0, \pm\frac12`): frequencies ½ and 1, so the
  four-term rule
  :math:`\partial_a f = c_+[f(a+\frac\pi2) - f(a-\frac\pi2)] - c_-[f(a+\frac{3\pi}2) - f(a-\frac{3\pi}2)]`,
  :math:`c_\pm = (\sqrt2 \pm 1)/(4\sqrt2)` (Anselmetti et al. 2021; PennyLane's recipe).

Both are exact, and stay exact under noise that does not depend on the angle. A recipe is
a tuple of ``(coefficient, shift)`` pairs: :math:`\partial_a f = \sum c\,f(a + s)`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["GateSpec", "GATES", "TWO_TERM", "FOUR_TERM", "fixed_matrix", "names"]

_H = math.pi / 2
TWO_TERM = ((0.5, _H), (-0.5, -_H))
_CP_, _CM_ = (math.sqrt(2) + 1) / (4 * math.sqrt(2)), (math.sqrt(2) - 1) / (4 * math.sqrt(2))
FOUR_TERM = ((_CP_, _H), (-_CP_, -_H), (-_CM_, 3 * _H), (_CM_, -3 * _H))


@dataclass(frozen=True)
class GateSpec:
    """What qhyper knows about one gate name."""

    arity: int
    parametric: bool
    diagonal: bool
    real: bool
    qiskit: str
    pennylane: str
    recipe: tuple = ()


def _spec(arity, parametric, diagonal, real, qiskit, pennylane, recipe=()):
    return GateSpec(arity, parametric, diagonal, real, qiskit, pennylane, recipe)


GATES: dict[str, GateSpec] = {
    # one-wire rotations
    "RX": _spec(1, True, False, False, "rx", "RX", TWO_TERM),
    "RY": _spec(1, True, False, True, "ry", "RY", TWO_TERM),
    "RZ": _spec(1, True, True, False, "rz", "RZ", TWO_TERM),
    "P": _spec(1, True, True, False, "p", "PhaseShift", TWO_TERM),
    # two-wire rotations
    "RXX": _spec(2, True, False, False, "rxx", "IsingXX", TWO_TERM),
    "RYY": _spec(2, True, False, False, "ryy", "IsingYY", TWO_TERM),
    "RZZ": _spec(2, True, True, False, "rzz", "IsingZZ", TWO_TERM),
    "CRX": _spec(2, True, False, False, "crx", "CRX", FOUR_TERM),
    "CRY": _spec(2, True, False, False, "cry", "CRY", FOUR_TERM),
    "CRZ": _spec(2, True, True, False, "crz", "CRZ", FOUR_TERM),
    "CP": _spec(2, True, True, False, "cp", "ControlledPhaseShift", TWO_TERM),
    # fixed one-wire gates
    "H": _spec(1, False, False, True, "h", "Hadamard"),
    "X": _spec(1, False, False, True, "x", "PauliX"),
    "Y": _spec(1, False, False, False, "y", "PauliY"),
    "Z": _spec(1, False, True, True, "z", "PauliZ"),
    "S": _spec(1, False, True, False, "s", "S"),
    "SDG": _spec(1, False, True, False, "sdg", "Adjoint(S)"),
    "T": _spec(1, False, True, False, "t", "T"),
    "TDG": _spec(1, False, True, False, "tdg", "Adjoint(T)"),
    "SX": _spec(1, False, False, False, "sx", "SX"),
    "SXDG": _spec(1, False, False, False, "sxdg", "Adjoint(SX)"),
    # fixed two-wire gates
    "CX": _spec(2, False, False, True, "cx", "CNOT"),
    "CY": _spec(2, False, False, False, "cy", "CY"),
    "CZ": _spec(2, False, True, True, "cz", "CZ"),
    "SWAP": _spec(2, False, False, True, "swap", "SWAP"),
}


def names() -> tuple[str, ...]:
    """Every gate name of the native set."""
    return tuple(GATES)


_S2 = 1 / math.sqrt(2)
_ONE = {
    "H": [[_S2, _S2], [_S2, -_S2]],
    "X": [[0, 1], [1, 0]],
    "Y": [[0, -1j], [1j, 0]],
    "Z": [[1, 0], [0, -1]],
    "S": [[1, 0], [0, 1j]],
    "SDG": [[1, 0], [0, -1j]],
    "T": [[1, 0], [0, np.exp(1j * math.pi / 4)]],
    "TDG": [[1, 0], [0, np.exp(-1j * math.pi / 4)]],
    "SX": [[0.5 + 0.5j, 0.5 - 0.5j], [0.5 - 0.5j, 0.5 + 0.5j]],
    "SXDG": [[0.5 - 0.5j, 0.5 + 0.5j], [0.5 + 0.5j, 0.5 - 0.5j]],
}


def fixed_matrix(name: str) -> np.ndarray:
    """The unitary of a fixed gate (complex128; two-wire gates in the basis
    :math:`|w_0 w_1\rangle`, ``wires[0]`` the more significant bit)."""
    if name in _ONE:
        return np.asarray(_ONE[name], dtype=np.complex128)
    m = np.eye(4, dtype=np.complex128)
    if name == "CX":
        m[2:, 2:] = _ONE["X"]
    elif name == "CY":
        m[2:, 2:] = _ONE["Y"]
    elif name == "CZ":
        m[3, 3] = -1
    elif name == "SWAP":
        m = m[[0, 2, 1, 3]]
    else:
        raise ValueError(f"{name!r} is not a fixed gate of the native set")
    return m
