r"""The backend-neutral form of an ansatz: an ordered list of gate records.

A circuit family (``brick``, ``hardware_efficient``, ``product``) only lists its gates;
this module compiles the list to PennyLane (:meth:`Ansatz.apply`), Qiskit
(:meth:`Ansatz.to_qiskit`, :meth:`Ansatz.to_qasm`) and to qhyper's own torch statevector
engine (which reads :attr:`Ansatz.gates`).

**Gates.** ``Gate(name, wires, param)`` with ``name`` one of

* ``"RX"``, ``"RY"``, ``"RZ"`` — :math:`R_P(\theta) = e^{-i\theta P/2}`, angle
  ``theta[param]``;
* ``"CX"`` (control ``wires[0]``, target ``wires[1]``) and ``"CZ"`` — fixed, ``param=None``.

**Parameter-shift rule.** Every parameter index appears in exactly one rotation gate
(checked when the ansatz is built). For a gate :math:`e^{-i\theta P/2}` with
:math:`P^2 = 1`, every probability is a trigonometric polynomial of degree one in
:math:`\theta`, so

.. math::
    \frac{\partial q_\theta(b)}{\partial \theta_k}
    = \tfrac12\big[q_{\theta + \frac{\pi}{2} e_k}(b) - q_{\theta - \frac{\pi}{2} e_k}(b)\big]

holds exactly. :attr:`Ansatz.shift_rule` states this as ``("two-term", pi/2)``.

**Wires and bits.** Wire *j* is bit *j* of the measured bitstring (bit 0 is the most
significant in probability vectors, see :mod:`qhyper.bitstrings`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

__all__ = ["Gate", "Ansatz", "ROTATIONS", "ENTANGLERS", "as_generator"]

ROTATIONS = ("RX", "RY", "RZ")
ENTANGLERS = ("CX", "CZ")


@dataclass(frozen=True)
class Gate:
    """One gate record: ``name`` (RX/RY/RZ/CX/CZ), ``wires`` and the parameter index (rotations)."""

    name: str
    wires: tuple[int, ...]
    param: int | None = None


def as_generator(generator) -> torch.Generator:
    """An int seed, ``numpy.random.Generator``, ``torch.Generator`` or None → torch.Generator."""
    if isinstance(generator, torch.Generator):
        return generator
    if isinstance(generator, np.random.Generator):
        seed = int(generator.integers(2**63 - 1))
    elif generator is None:
        seed = int(np.random.default_rng().integers(2**63 - 1))
    elif isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        seed = int(generator)
    else:
        raise TypeError(
            f"generator must be an int seed, numpy.random.Generator, torch.Generator or None; "
            f"got {type(generator).__name__}"
        )
    return torch.Generator().manual_seed(seed)


def _check_count(value, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{what} must be an integer ≥ {minimum}; got {value!r}")
    return int(value)


class Ansatz:
    """A parameterised circuit on ``n_qubits`` wires, given as a list of :class:`Gate`.

    Subclasses (the registered families) set ``name``, build ``gates`` and describe the
    parameter layout through :meth:`shape`. Parameters are a flat float64 vector of length
    :attr:`num_params`; ``theta.reshape(ansatz.shape())`` gives the family's structured view.
    """

    name = "ansatz"
    #: two-term parameter-shift rule with shift π/2 is exact for every parameter
    shift_rule = ("two-term", math.pi / 2)

    def __init__(self, n_qubits: int, gates: Sequence[Gate], shape: tuple[int, ...]):
        self.n_qubits = _check_count(n_qubits, "n_qubits", 1)
        self.gates = tuple(gates)
        self._shape = tuple(int(s) for s in shape)
        self.num_params = int(np.prod(self._shape)) if self._shape else 0
        self._validate()

    # ----------------------------------------------------------------- structure
    def shape(self) -> tuple[int, ...]:
        """Structured shape of the parameters (product = :attr:`num_params`)."""
        return self._shape

    @property
    def real(self) -> bool:
        """True when the state stays real: only RY rotations and CX/CZ entanglers."""
        return all(g.name in ("RY", "CX", "CZ") for g in self.gates)

    @property
    def inert_params(self) -> tuple[int, ...]:
        r"""Parameters that cannot change any computational-basis probability.

        An RZ gate is diagonal, so it commutes with every gate off its wire and with every
        diagonal gate (RZ, CZ) on it. When all later gates on its wire are diagonal it can be
        moved to the end of the circuit, where it is only a phase on each basis state: its
        angle has zero gradient for every Born-machine objective. (``brick``: the last RZ
        layer.) Gradient estimators skip these parameters.
        """
        inert, touched = [], set()  # touched: wires with a non-diagonal gate after this point
        for g in reversed(self.gates):
            if g.name == "RZ" and g.wires[0] not in touched:
                inert.append(g.param)
            elif g.name not in ("RZ", "CZ"):
                touched.update(g.wires)
        return tuple(sorted(inert))

    def gate_counts(self) -> dict[str, int]:
        """Number of gates of each name, e.g. ``{"CX": 5, "RY": 12, "RZ": 12}``."""
        counts: dict[str, int] = {}
        for g in self.gates:
            counts[g.name] = counts.get(g.name, 0) + 1
        return counts

    def _validate(self) -> None:
        seen = np.zeros(self.num_params, dtype=int)
        for g in self.gates:
            if any(not 0 <= w < self.n_qubits for w in g.wires):
                raise ValueError(f"{g} acts outside wires 0 … {self.n_qubits - 1}")
            if g.name in ROTATIONS:
                if len(g.wires) != 1 or g.param is None or not 0 <= g.param < self.num_params:
                    raise ValueError(f"rotation {g} needs one wire and a parameter index < {self.num_params}")
                seen[g.param] += 1
            elif g.name in ENTANGLERS:
                if len(g.wires) != 2 or g.wires[0] == g.wires[1] or g.param is not None:
                    raise ValueError(f"{g.name} needs two distinct wires and no parameter; got {g}")
            else:
                raise ValueError(f"unknown gate {g.name!r}; use one of {ROTATIONS + ENTANGLERS}")
        if self.num_params and not np.all(seen == 1):
            bad = np.flatnonzero(seen != 1)[:5].tolist()
            raise ValueError(
                f"every parameter must sit in exactly one rotation gate (parameter-shift rule); "
                f"parameters {bad} appear {seen[bad].tolist()} times"
            )

    # ----------------------------------------------------------------- parameters
    def init_params(self, generator=None) -> torch.Tensor:
        r"""Default initial angles, float64 [num_params]: :math:`\theta_k \sim U[0, 2\pi)`
        independently (the original Quantum HyperNetworks initialisation; families may override).

        ``generator``: int seed, ``numpy.random.Generator``, ``torch.Generator`` or None.
        """
        g = as_generator(generator)
        return torch.rand(self.num_params, generator=g, dtype=torch.float64) * (2 * math.pi)

    def check_theta(self, theta, batched: bool = False) -> torch.Tensor:
        """``theta`` as float64 [num_params] (or [B, num_params] if ``batched``), finite."""
        t = torch.as_tensor(theta, dtype=torch.float64)
        want = f"[B, {self.num_params}]" if batched else f"[{self.num_params}]"
        if t.shape[-1:] != (self.num_params,) or t.ndim != (2 if batched else 1):
            raise ValueError(f"{self.name} ansatz takes parameters of shape {want}; got {tuple(t.shape)}")
        if not torch.isfinite(t).all():
            raise ValueError("circuit parameters contain NaN or inf; check the learning rate / objective")
        return t

    # ----------------------------------------------------------------- PennyLane
    def apply(self, theta) -> None:
        """PennyLane quantum function: queue the gates inside a QNode.

        ``theta[..., k]`` is parameter *k*; leading dimensions broadcast (one circuit per row).
        """
        import pennylane as qml

        ops = {"RX": qml.RX, "RY": qml.RY, "RZ": qml.RZ, "CX": qml.CNOT, "CZ": qml.CZ}
        for g in self.gates:
            if g.param is None:
                ops[g.name](wires=list(g.wires))
            else:
                ops[g.name](theta[..., g.param], wires=g.wires[0])

    # ----------------------------------------------------------------- Qiskit
    def to_qiskit(self, theta=None, measure: bool = False):
        """Qiskit ``QuantumCircuit``; symbolic ``ParameterVector("theta", P)`` if ``theta`` is None.

        Qiskit numbers qubit *j* = wire *j*; its counts and statevector indices are
        little-endian (qubit 0 least significant) — qhyper converts at the backend boundary.
        ``measure=True`` appends ``measure_all()`` (classical register ``meas``).
        """
        from qiskit import QuantumCircuit
        from qiskit.circuit import ParameterVector

        if theta is None:
            values = ParameterVector("theta", self.num_params)
        else:
            values = [float(v) for v in self.check_theta(theta)]
        qc = QuantumCircuit(self.n_qubits, name=self.name)
        for g in self.gates:
            if g.name == "CX":
                qc.cx(*g.wires)
            elif g.name == "CZ":
                qc.cz(*g.wires)
            else:
                getattr(qc, g.name.lower())(values[g.param], g.wires[0])
        if measure:
            qc.measure_all()
        return qc

    def to_qasm(self, theta=None, measure: bool = True) -> str:
        """OpenQASM 3 text of the circuit (bound to ``theta`` if given) via ``qiskit.qasm3.dumps``."""
        from qiskit import qasm3

        return qasm3.dumps(self.to_qiskit(theta, measure=measure))

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in sorted(self.gate_counts().items()))
        return f"{type(self).__name__}(n_qubits={self.n_qubits}, num_params={self.num_params}, gates: {counts})"
