r"""Noise for hypernetworks: ``Hypernetwork(..., noise=...)``.

``noise=`` takes

* :func:`depolarizing` — qhyper's own spec, the original Quantum HyperNetworks noise
  protocol, usable on the Qiskit and PennyLane backends alike;
* a ``qiskit_aer.noise.NoiseModel`` (Qiskit backend; circuits are transpiled to the model's
  basis gates so that every error it lists applies);
* a ``pennylane.NoiseModel`` (PennyLane backend; applied with ``qml.add_noise``).

Exact mode then simulates the density matrix (Aer ``method="density_matrix"`` or PennyLane
``default.mixed``); shot mode samples the noisy circuit.

**The depolarizing convention.** After every one-qubit gate, a one-qubit depolarizing
channel with error probability :math:`p_1 = 0.001\,s`; after every two-qubit gate a
two-qubit one with :math:`p_2 = 0.00375\,s` (*s* the ``scale``). As in the original code
(PastaQ's ``"depolarizing"``), *p* is the probability that a non-identity Pauli acts, each of
the :math:`4^k - 1` of them equally likely:
:math:`\rho \mapsto (1-p)\rho + \frac{p}{4^k-1}\sum_{P\neq I} P\rho P`. This is PennyLane's
``DepolarizingChannel(p)`` for one qubit, and Aer's ``depolarizing_error(λ, k)`` with
:math:`\lambda = p\,4^k/(4^k-1)`. The channels follow the gates of the circuit as qhyper
runs it (the ansatz's native gates, :mod:`qhyper.circuits.gates`), on both backends.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ._checks import InputTypeError, check_real

__all__ = ["Depolarizing", "depolarizing", "kind"]


@dataclass(frozen=True)
class Depolarizing:
    """Depolarizing noise after every gate; see :func:`depolarizing`."""

    one_qubit: float
    two_qubit: float

    def __post_init__(self):
        for label in ("one_qubit", "two_qubit"):
            check_real(getattr(self, label), f"Depolarizing: {label}", 0, 1,
                       fix="an error probability; build the spec with qh.noise.depolarizing(scale)")

    def aer_noise_model(self, gate_names):
        """A ``qiskit_aer.noise.NoiseModel`` with this noise on the Qiskit gates ``gate_names``."""
        from qiskit_aer.noise import NoiseModel, depolarizing_error

        from .circuits.gates import GATES

        if isinstance(gate_names, str):
            raise InputTypeError(f"gate_names must be a list of gate names, not one string; got {gate_names!r}")
        gate_names = list(gate_names)
        if not all(isinstance(g, str) for g in gate_names):
            raise InputTypeError(f"gate_names must be a list of gate names; got {gate_names!r:.60}")
        unknown = sorted(set(gate_names) - set(GATES))
        if unknown:
            raise ValueError(f"unknown gate names {unknown}; qhyper's gates are {sorted(GATES)}")
        model = NoiseModel()
        by_arity: dict[int, list[str]] = {1: [], 2: []}
        for name in sorted(set(gate_names)):
            by_arity[GATES[name].arity].append(GATES[name].qiskit)
        for k, p in ((1, self.one_qubit), (2, self.two_qubit)):
            if p > 0 and by_arity[k]:
                model.add_all_qubit_quantum_error(depolarizing_error(p * 4**k / (4**k - 1), k), by_arity[k])
        return model

    def pennylane_channel(self, wires) -> None:
        """Queue the channel that follows a gate on ``wires`` (inside a QNode)."""
        import pennylane as qml

        if len(wires) not in (1, 2):
            raise ValueError(f"wires: qhyper's gates act on 1 or 2 qubits; got {len(wires)} wires {list(wires)}")
        p = self.one_qubit if len(wires) == 1 else self.two_qubit
        if p == 0:
            return
        if len(wires) == 1:
            qml.DepolarizingChannel(p, wires=wires[0])
        else:
            qml.QubitChannel(_two_qubit_kraus(p), wires=list(wires))

    def __repr__(self):
        return f"depolarizing(one_qubit={self.one_qubit:g}, two_qubit={self.two_qubit:g})"


def depolarizing(scale: float = 1.0, one_qubit: float = 0.001, two_qubit: float = 0.00375) -> Depolarizing:
    """The original Quantum HyperNetworks noise: depolarizing probability ``one_qubit·scale``
    after every one-qubit gate and ``two_qubit·scale`` after every two-qubit gate."""
    for label, value in (("scale", scale), ("one_qubit", one_qubit), ("two_qubit", two_qubit)):
        check_real(value, label, 0, fix="depolarizing(scale, one_qubit, two_qubit) takes probabilities and a scale ≥ 0")
    p1, p2 = float(one_qubit) * float(scale), float(two_qubit) * float(scale)
    if p1 > 1 or p2 > 1:
        raise ValueError(f"depolarizing: error probabilities must be ≤ 1; scale={scale!r} gives "
                         f"{p1:g} (one qubit) and {p2:g} (two qubits); use a smaller scale")
    return Depolarizing(p1, p2)


def kind(noise) -> str | None:
    """``"qhyper"``, ``"aer"``, ``"pennylane"`` or None (no noise); anything else raises."""
    if noise is None:
        return None
    if isinstance(noise, Depolarizing):
        return "qhyper"
    module = type(noise).__module__
    if module.startswith("qiskit_aer") and type(noise).__name__ == "NoiseModel":
        return "aer"
    if module.startswith("pennylane") and type(noise).__name__ == "NoiseModel":
        return "pennylane"
    raise InputTypeError(f"noise must be qh.noise.depolarizing(...), a qiskit_aer NoiseModel or a pennylane "
                    f"NoiseModel; got {type(noise).__name__}")


def _two_qubit_kraus(p: float) -> list[np.ndarray]:
    paulis = [np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0])]
    ops = [np.kron(a, b).astype(np.complex128) for a, b in itertools.product(paulis, paulis)]
    weights = [1 - p] + [p / 15] * 15
    return [math.sqrt(w) * op for w, op in zip(weights, ops)]
