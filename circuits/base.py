r"""The backend-neutral form of an ansatz: an ordered list of gate records.

A circuit family (``brick``, ``hardware_efficient``, ``product``) only lists its gates, and
so do the converters from the user's own stack (:func:`qhyper.circuits.from_qiskit`,
:func:`qhyper.circuits.from_pennylane`). This module compiles the list to PennyLane
(:meth:`Ansatz.apply`), Qiskit (:meth:`Ansatz.to_qiskit`, :meth:`Ansatz.to_qasm`) and to
qhyper's own torch statevector engine (which reads :attr:`Ansatz.gates`).

**Gates.** ``Gate(name, wires, param, coeff, offset)``, ``name`` from the native set of
:mod:`qhyper.circuits.gates` (rotations RX RY RZ P RXX RYY RZZ CRX CRY CRZ CP; fixed H X Y
Z S SDG T TDG SX SXDG CX CY CZ SWAP).

**Parameters and angles.** The ansatz has ``num_params`` trainable parameters θ; every
rotation gate has its own *angle* :math:`a_g = \sum_k A_{gk}\theta_k + b_g` (an affine map,
:meth:`Ansatz.angles`). A parameter may sit in many gates and with any coefficient. The
backends run the circuit on the angles; autograd carries gradients back to θ through the
map, and the parameter-shift estimator shifts one angle at a time with that gate's recipe
(:mod:`qhyper.circuits.gates`) and applies the chain rule
:math:`\partial_k f = \sum_g A_{gk}\,\partial_{a_g} f`. For the built-in families the map
is the identity: every parameter is one angle.

**Wires and bits.** Wire *j* is bit *j* of the measured bitstring (bit 0 is the most
significant in probability vectors, see :mod:`qhyper.bitstrings`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from .._checks import InputTypeError, check_bool, check_count, torch_generator
from .checks import as_real_tensor, validate_gates
from .gates import GATES

__all__ = ["Gate", "Ansatz"]


@dataclass(frozen=True)
class Gate:
    """One gate record.

    ``name`` is a native gate (:data:`qhyper.circuits.gates.GATES`), ``wires`` its qubits
    (control first). A rotation's angle is the affine expression
    ``coeff · theta[param] + offset``; ``param`` may be a tuple of indices with a tuple of
    ``coeff`` (an angle depending on several parameters), or ``None`` for a fixed angle
    (``offset``). Fixed gates (H, CX, …) take neither.
    """

    name: str
    wires: tuple[int, ...]
    param: int | tuple[int, ...] | None = None
    coeff: float | tuple[float, ...] = 1.0
    offset: float = 0.0

    @property
    def terms(self) -> tuple[tuple[int, float], ...]:
        """The angle's ``(parameter index, coefficient)`` pairs (empty for a fixed angle)."""
        if self.param is None:
            return ()
        if isinstance(self.param, tuple):
            coeffs = self.coeff if isinstance(self.coeff, tuple) else (self.coeff,) * len(self.param)
            return tuple(zip(self.param, coeffs))
        return ((self.param, self.coeff),)


class Ansatz:
    """A parameterised circuit on ``n_qubits`` wires, given as a list of :class:`Gate`.

    Subclasses (the registered families) set ``name``, build ``gates`` and describe the
    parameter layout through :meth:`shape`. Parameters are a flat float64 vector of length
    :attr:`num_params`; ``theta.reshape(ansatz.shape())`` gives the family's structured view.
    """

    name = "ansatz"

    def __init__(self, n_qubits: int, gates: Sequence[Gate], shape: tuple[int, ...]):
        self.num_qubits = check_count(n_qubits, "n_qubits", 1)
        if isinstance(gates, (str, Gate)) or not hasattr(gates, "__iter__"):
            raise InputTypeError(f"gates must be a list of qhyper.circuits.Gate records; got {type(gates).__name__} "
                                 f"{gates!r:.60}")
        self.gates = tuple(gates)
        if isinstance(shape, str) or not hasattr(shape, "__iter__"):
            raise InputTypeError(f"shape must be a tuple of integers ≥ 0 (the parameters' structured shape, e.g. "
                                 f"({shape!r},) for a flat vector); got {type(shape).__name__} {shape!r}")
        self._shape = tuple(check_count(s, "every entry of shape", minimum=0) for s in shape)
        self.num_params = int(np.prod(self._shape)) if self._shape else 0
        self._validate()
        self._build_angle_map()

    # ----------------------------------------------------------------- structure
    def shape(self) -> tuple[int, ...]:
        """Structured shape of the parameters (product = :attr:`num_params`)."""
        return self._shape

    @property
    def real(self) -> bool:
        """True when every gate matrix is real (RY, H, X, Z, CX, CZ, SWAP): real amplitudes."""
        return all(GATES[g.name].real for g in self.gates)

    @property
    def num_angles(self) -> int:
        """Number of rotation gates (each has its own angle, see :meth:`angles`)."""
        return len(self.recipes)

    def gate_counts(self) -> dict[str, int]:
        """Number of gates of each name, e.g. ``{"CX": 5, "RY": 12, "RZ": 12}``."""
        counts: dict[str, int] = {}
        for g in self.gates:
            counts[g.name] = counts.get(g.name, 0) + 1
        return counts

    def _validate(self) -> None:
        validate_gates(self.gates, self.num_qubits, self.num_params)

    def _build_angle_map(self) -> None:
        slots, terms, offsets, recipes = [], [], [], []
        for g in self.gates:
            spec = GATES[g.name]
            if not spec.parametric:
                slots.append(None)
                continue
            slots.append(len(terms))
            terms.append(tuple((int(k), float(c)) for k, c in g.terms))
            offsets.append(float(g.offset))
            recipes.append(spec.recipe)
        self.slots = tuple(slots)
        #: per angle, the parameter-shift recipe ((coefficient, shift), ...)
        self.recipes = tuple(recipes)
        self._terms = tuple(terms)
        self._offsets = np.asarray(offsets, dtype=np.float64)
        self._offsets_t = torch.from_numpy(self._offsets.copy())
        # fast paths: each angle is one parameter with coefficient 1 (a gather), or the identity
        single = bool(terms) and all(len(t) == 1 and t[0][1] == 1.0 for t in terms) and not np.any(self._offsets)
        self._index = torch.tensor([t[0][0] for t in terms], dtype=torch.int64) if single else None
        self._identity = single and len(terms) == self.num_params and bool(
            torch.equal(self._index, torch.arange(len(terms))))
        self._dense = None

    @property
    def angle_matrix(self) -> torch.Tensor:
        r"""The dense map :math:`A` [num_angles, num_params] of :meth:`angles` (float64)."""
        if self._dense is None:
            A = torch.zeros(len(self._terms), self.num_params, dtype=torch.float64)
            for g, t in enumerate(self._terms):
                for k, c in t:
                    A[g, k] += c
            self._dense = A
        return self._dense

    @property
    def angle_offset(self) -> torch.Tensor:
        r"""The offsets :math:`b` [num_angles] of :meth:`angles` (float64)."""
        return torch.from_numpy(self._offsets.copy())

    def angles(self, theta):
        r"""Gate angles :math:`a = A\theta + b`, shape ``[..., num_angles]``, for ``theta[..., P]``
        (torch tensors stay differentiable; NumPy-like arrays work too)."""
        if not hasattr(theta, "shape"):
            theta = np.asarray(theta, dtype=np.float64)
        if tuple(theta.shape[-1:]) != (self.num_params,):
            raise ValueError(f"theta must have shape [..., {self.num_params}] (one entry per parameter of the "
                             f"{self.name} ansatz); got {tuple(theta.shape)}")
        if self._identity:
            return theta
        if isinstance(theta, torch.Tensor):
            if self._index is not None:
                return theta[..., self._index.to(theta.device)]
            A = self.angle_matrix.to(theta.dtype if theta.is_floating_point() else torch.float64)
            return theta @ A.T + self._offsets_t.to(A.dtype)
        if self._index is not None:
            return theta[..., self._index.numpy()]
        return theta @ self.angle_matrix.numpy().T + self._offsets

    def angle_jacobian_t(self, grad_angles: torch.Tensor) -> torch.Tensor:
        r"""Chain rule to the parameters: :math:`\partial_\theta f = A^\top \partial_a f` for
        ``grad_angles [..., num_angles]``."""
        if self._identity:
            return grad_angles
        return grad_angles @ self.angle_matrix.to(grad_angles.dtype)

    @property
    def inert_angles(self) -> tuple[int, ...]:
        r"""Angles that cannot change any computational-basis probability.

        A diagonal gate (RZ, P, RZZ, CRZ, CP, …) commutes with every gate off its wires and
        with every diagonal gate on them. When all later gates on its wires are diagonal it
        can be moved to the end of the circuit, where it is only a phase on each basis state:
        its angle has zero gradient for every Born-machine objective. (``brick``: the last RZ
        layer.)
        """
        inert, touched = [], set()  # touched: wires with a non-diagonal gate after this point
        for g, slot in zip(reversed(self.gates), reversed(self.slots)):
            spec = GATES[g.name]
            if spec.diagonal:
                if slot is not None and not touched.intersection(g.wires):
                    inert.append(slot)
            else:
                touched.update(g.wires)
        return tuple(sorted(inert))

    @property
    def inert_params(self) -> tuple[int, ...]:
        """Parameters all of whose angles are inert (:attr:`inert_angles`); gradient
        estimators skip them."""
        live = np.zeros(self.num_params, dtype=bool)
        inert = set(self.inert_angles)
        for slot, t in enumerate(self._terms):
            if slot not in inert:
                live[[k for k, c in t if c != 0]] = True
        return tuple(int(k) for k in np.flatnonzero(~live))

    @property
    def live_angles(self) -> tuple[int, ...]:
        """Angles that depend on some parameter and are not inert: the ones a parameter-shift
        estimator shifts."""
        inert = set(self.inert_angles)
        return tuple(s for s in range(self.num_angles) if s not in inert and any(c != 0 for _, c in self._terms[s]))

    # ----------------------------------------------------------------- parameters
    def init_params(self, generator=None) -> torch.Tensor:
        r"""Default initial angles, float64 [num_params]: :math:`\theta_k \sim U[0, 2\pi)`
        independently (the original Quantum HyperNetworks initialisation; families may override).

        ``generator``: an int seed ≥ 0, a ``numpy.random.Generator`` (one draw), a
        ``torch.Generator`` (drawn from directly) or None (fresh entropy).
        """
        g = torch_generator(generator, "generator")
        return torch.rand(self.num_params, generator=g, dtype=torch.float64) * (2 * math.pi)

    def check_theta(self, theta, batched: bool = False, name: str = "theta") -> torch.Tensor:
        """``theta`` as float64 [num_params] (or [B, num_params] if ``batched``), finite and real
        (``name`` is the parameter the messages name, e.g. ``"init"``)."""
        batched = check_bool(batched, "batched")
        t = as_real_tensor(theta, name)
        want = f"[B, {self.num_params}]" if batched else f"[{self.num_params}]"
        if t.shape[-1:] != (self.num_params,) or t.ndim != (2 if batched else 1):
            raise ValueError(f"{name}: the {self.name} ansatz takes parameters of shape {want}; got {tuple(t.shape)}")
        if not torch.isfinite(t).all():
            raise ValueError(f"{name}: circuit parameters contain NaN or inf; check the learning rate / objective")
        return t

    # ----------------------------------------------------------------- PennyLane
    def apply(self, theta) -> None:
        """PennyLane quantum function: queue the gates inside a QNode.

        ``theta[..., k]`` is parameter *k*; leading dimensions broadcast (one circuit per row).
        """
        self.apply_angles(self.angles(theta))

    def apply_angles(self, angles, after_gate=None) -> None:
        """Queue the gates with gate angles ``angles[..., num_angles]`` (see :meth:`angles`).

        ``after_gate(gate)``, if given, is called after each gate is queued (e.g. to insert a
        noise channel).
        """
        import pennylane as qml

        for g, slot in zip(self.gates, self.slots):
            op = _pennylane_op(qml, GATES[g.name].pennylane)
            if slot is None:
                op(wires=list(g.wires))
            else:
                op(angles[..., slot], wires=list(g.wires))
            if after_gate is not None:
                after_gate(g)

    # ----------------------------------------------------------------- Qiskit
    def to_qiskit(self, theta=None, measure: bool = False):
        """Qiskit ``QuantumCircuit``; symbolic ``ParameterVector("theta", P)`` if ``theta`` is None
        (each angle the affine expression of its gate), else bound to ``theta``.

        Qiskit numbers qubit *j* = wire *j*; its counts and statevector indices are
        little-endian (qubit 0 least significant) — qhyper converts at the backend boundary.
        ``measure=True`` appends ``measure_all()`` (classical register ``meas``).
        """
        from qiskit.circuit import ParameterVector

        measure = check_bool(measure, "measure")
        if theta is None:
            p = ParameterVector("theta", self.num_params)
            values = [_expression(g, p) for g in self.gates if GATES[g.name].parametric]
        else:
            values = [float(v) for v in self.angles(self.check_theta(theta))]
        return self._qiskit(values, measure)

    def qiskit_angles(self, measure: bool = False):
        """``(circuit, ParameterVector)``: the circuit with one Qiskit parameter per gate angle
        (``ParameterVector("angle", num_angles)``), as the Qiskit backend binds it."""
        from qiskit.circuit import ParameterVector

        a = ParameterVector("angle", self.num_angles)
        return self._qiskit(list(a), measure), a

    def _qiskit(self, values, measure: bool):
        from qiskit import QuantumCircuit

        qc = QuantumCircuit(self.num_qubits, name=self.name)
        values = iter(values)
        for g in self.gates:
            method = getattr(qc, GATES[g.name].qiskit)
            if GATES[g.name].parametric:
                method(next(values), *g.wires)
            else:
                method(*g.wires)
        if measure:
            qc.measure_all()
        return qc

    def to_qasm(self, theta=None, measure: bool = True) -> str:
        """OpenQASM 3 text of the circuit (bound to ``theta`` if given) via ``qiskit.qasm3.dumps``."""
        from qiskit import qasm3

        measure = check_bool(measure, "measure")
        return qasm3.dumps(self.to_qiskit(theta, measure=measure))

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in sorted(self.gate_counts().items()))
        return f"{type(self).__name__}(n_qubits={self.num_qubits}, num_params={self.num_params}, gates: {counts})"


def _expression(gate: Gate, p):
    """The Qiskit expression of a rotation's angle: ``Σ c·θ_k + offset`` (a float if fixed)."""
    expr = None
    for k, c in gate.terms:
        term = p[k] if float(c) == 1.0 else float(c) * p[k]
        expr = term if expr is None else expr + term
    if expr is None:
        return float(gate.offset)
    return expr + float(gate.offset) if gate.offset else expr


def _pennylane_op(qml, name: str):
    if name.startswith("Adjoint("):
        base = getattr(qml, name[len("Adjoint("):-1])
        return lambda wires: qml.adjoint(base)(wires=wires)
    return getattr(qml, name)
