r"""``qh.circuits.from_pennylane(qfunc, n_qubits, shape)`` — an
:class:`~qhyper.circuits.Ansatz` from a PennyLane quantum function.

``qfunc(theta)`` queues gates for a parameter array ``theta`` of ``shape``, e.g.
``lambda w: qml.StronglyEntanglingLayers(w, wires=range(4))`` with shape ``(2, 4, 3)``; the
ansatz's flat parameter *k* is ``theta.reshape(-1)[k]`` (row-major), and
``ansatz.shape()`` is ``shape``. Wires must be the integers ``0 … n_qubits − 1`` (wire *j*
is bit *j*).

The function is traced with PennyLane's own tape and decomposed with
``qml.transforms.decompose`` into qhyper's native gates (:mod:`qhyper.circuits.gates`;
``Rot``/``U3`` become RZ·RY·RZ, global phases are dropped). Each gate angle's dependence on
θ is read exactly by autograd (a Jacobian row and an offset), and the conversion is then
checked at a second random θ: the gate sequence must not depend on θ and every angle must
be the same affine function of it — otherwise a clear error names the gate. Measurements
inside ``qfunc`` are refused (qhyper measures every qubit itself).
"""
from __future__ import annotations

import math

import numpy as np
import torch

from .._checks import InputTypeError, check_count, torch_generator
from .base import Ansatz, Gate
from .checks import MAX_GATES
from .gates import GATES

__all__ = ["from_pennylane", "PennyLaneAnsatz"]

_FROM_PENNYLANE = {spec.pennylane: name for name, spec in GATES.items()}
_DROPPED = {"GlobalPhase", "Identity", "Barrier", "Snapshot"}


class PennyLaneAnsatz(Ansatz):
    """An ansatz converted from a PennyLane quantum function (``source``)."""

    name = "pennylane"

    def __init__(self, n_qubits, gates, shape, source):
        self.source = source
        super().__init__(n_qubits, gates, shape)


def from_pennylane(qfunc, n_qubits: int, shape, seed=0) -> PennyLaneAnsatz:
    """Convert ``qfunc(theta)`` (``theta`` of ``shape``) on wires ``0 … n_qubits − 1``.

    ``seed`` (an int ≥ 0, a numpy or torch ``Generator``, or None) fixes the two random
    parameter points the conversion is traced and checked at.
    """
    n = check_count(n_qubits, "n_qubits", 1)
    if not callable(qfunc):
        raise InputTypeError(f"from_pennylane takes a quantum function qfunc(theta); got {type(qfunc).__name__}")
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    if isinstance(shape, str):
        raise InputTypeError(f"shape must be a tuple of positive integers (the shape of theta); got {shape!r}")
    try:
        shape = tuple(check_count(s, "every entry of shape", 1) for s in shape)
    except TypeError:
        raise InputTypeError(f"shape must be a tuple of positive integers (the shape of theta); got {shape!r}") from None
    if not shape:
        raise ValueError("shape must have at least one entry (the shape of theta, e.g. (4,) or (2, 4, 3)); got ()")
    if math.prod(shape) > MAX_GATES:  # every parameter must set an angle, and a circuit has at most MAX_GATES
        raise ValueError(f"shape={shape} gives {math.prod(shape)} parameters; qhyper circuits have at most "
                         f"{MAX_GATES} gates, each parameter setting at least one angle")
    gen = torch_generator(seed)
    points = [torch.rand(shape, generator=gen, dtype=torch.float64) * 2 * math.pi for _ in range(2)]
    leaf = points[0].clone().requires_grad_(True)
    ops0, values0 = _trace(qfunc, leaf, n)
    P = int(np.prod(shape))
    if values0:
        stacked = torch.stack(values0)
        (jac,) = torch.autograd.grad(stacked, leaf, grad_outputs=torch.eye(len(values0), dtype=torch.float64),
                                     is_grads_batched=True, allow_unused=True, materialize_grads=True)
        jac = jac.reshape(len(values0), P).detach()
        offsets = stacked.detach() - jac @ points[0].reshape(-1).detach()
    ops1, values1 = _trace(qfunc, points[1], n)
    if [(name, w) for name, w, _ in ops0] != [(name, w) for name, w, _ in ops1]:
        raise ValueError("from_pennylane: qfunc queues different gates for different parameter values; an "
                         "ansatz must have one gate sequence for every theta")
    if values0:
        predicted = jac @ points[1].reshape(-1) + offsets
        bad = torch.nonzero((torch.stack(values1) - predicted).abs() > 1e-9).flatten()
        if bad.numel():
            name, wires, k = next(op for op in ops0 if op[2] == int(bad[0]))
            raise ValueError(f"from_pennylane: the angle of gate {name} on wires {list(wires)} is not an affine "
                             "function of theta (qhyper needs angles a·θ + b)")
    gates = []
    for name, wires, k in ops0:
        if k is None:
            gates.append(Gate(name, wires))
            continue
        row = jac[k].numpy()
        nz = np.flatnonzero(np.abs(row) > 1e-12)
        offset = float(offsets[k])
        if nz.size == 0:
            gates.append(Gate(name, wires, None, offset=offset))
        elif nz.size == 1:
            gates.append(Gate(name, wires, int(nz[0]), float(row[nz[0]]), offset))
        else:
            gates.append(Gate(name, wires, tuple(int(i) for i in nz), tuple(float(row[i]) for i in nz), offset))
    return PennyLaneAnsatz(n, gates, shape, qfunc)


def _trace(qfunc, theta, n):
    """(ops as (native name, wires, angle index or None), angle values) of ``qfunc(theta)``."""
    import pennylane as qml

    try:
        tape = qml.tape.make_qscript(qfunc)(theta)
    except Exception as err:  # the user's function: say which theta it was given
        raise ValueError(f"from_pennylane: qfunc(theta) raised {type(err).__name__}: {err} — it was called with theta "
                         f"of shape={tuple(theta.shape)}; pass the shape qfunc expects (e.g. "
                         "qml.StronglyEntanglingLayers.shape(n_layers, n_wires))") from err
    if tape.measurements:
        raise ValueError("from_pennylane: qfunc returns or queues measurements; pass a function that only queues "
                         "gates (qhyper measures every qubit itself)")
    gate_set = set(_FROM_PENNYLANE) | _DROPPED
    (native,), _ = qml.transforms.decompose(tape, gate_set=gate_set)
    ops, values = [], []
    for op in native.operations:
        if op.name in _DROPPED:
            continue
        name = _FROM_PENNYLANE.get(op.name)
        if name is None:
            raise ValueError(f"from_pennylane: {op.name} on wires {op.wires.tolist()} could not be decomposed into "
                             f"qhyper's native gates")
        wires = tuple(op.wires.tolist())
        for w in wires:
            check_count(w, f"from_pennylane: every wire of {op.name}", minimum=0, maximum=n - 1,
                        fix=f"{op.name} acts on wires {list(wires)}; use the integer wires 0 … {n - 1} (wire j is bit j)")
        if GATES[name].parametric:
            value = op.data[0]
            value = value if isinstance(value, torch.Tensor) else torch.as_tensor(float(value), dtype=torch.float64)
            ops.append((name, wires, len(values)))
            values.append(value.to(torch.float64).reshape(()))
        else:
            ops.append((name, wires, None))
    return ops, values
