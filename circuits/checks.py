"""Input checks of the circuit layer: gate records, parameter arrays and circuit sizes, each
refused with a message naming the parameter and the fix, before a circuit is built."""
from __future__ import annotations

import math
import numbers

import numpy as np
import torch

from .._checks import InputTypeError, check_count
from .gates import GATES

__all__ = ["MAX_GATES", "check_gate_count", "as_real_tensor", "validate_gates"]

#: the most gates a circuit family builds — far beyond what any simulator runs (statevectors
#: stop near 30 qubits), and it keeps building an ansatz under a second
MAX_GATES = 100_000


def check_gate_count(family: str, gates: int, **sizes) -> None:
    """Refuse a family whose ``sizes`` (e.g. ``n_qubits``, ``layers``) give more than
    :data:`MAX_GATES` gates, before building them."""
    if gates > MAX_GATES:
        given = ", ".join(f"{k}={v}" for k, v in sizes.items())
        raise ValueError(f"{family} with {given} has {gates} gates; qhyper builds at most {MAX_GATES} "
                         f"(a statevector stops near 30 qubits): use fewer qubits or layers")


def as_real_tensor(values, name: str) -> torch.Tensor:
    """``values`` (a tensor, array or nested list of real numbers) as a float64 tensor; a
    torch tensor keeps its autograd graph. Complex numbers, booleans, strings and other
    objects are refused, naming ``name``."""
    if isinstance(values, torch.Tensor):
        kind = "c" if values.is_complex() else "b" if values.dtype == torch.bool else "f"
        arr = values
    else:
        try:
            arr = np.asarray(values)
        except (ValueError, TypeError) as err:
            raise InputTypeError(f"{name} must be a rectangular array of real numbers; got "
                                 f"{type(values).__name__} ({err})") from None
        kind = arr.dtype.kind
    if kind not in "iuf":
        what = {"c": "complex numbers", "b": "booleans"}.get(kind, f"{type(values).__name__} {values!r:.60}")
        fix = " — pass the real part explicitly (np.real) if that is what you mean" if kind == "c" else ""
        raise InputTypeError(f"{name} must hold real numbers (angles in radians); got {what}{fix}")
    if isinstance(arr, torch.Tensor):
        return arr if arr.dtype == torch.float64 else arr.to(torch.float64)
    return torch.from_numpy(arr.astype(np.float64))


def validate_gates(gates, n: int, P: int) -> None:
    """Every record of ``gates`` a native gate on distinct wires ``0 … n−1``; every rotation's
    angle an affine function (real, finite coefficients and offset) of parameters ``0 … P−1``,
    each parameter used at least once. Messages are built only for a bad record (this runs
    for every gate of every ansatz)."""
    from .base import Gate

    used = np.zeros(P, dtype=int)
    for i, g in enumerate(gates):
        if not isinstance(g, Gate):
            raise InputTypeError(f"gates must hold qhyper.circuits.Gate records; entry {i} is "
                                 f"{type(g).__name__} {g!r:.60}")
        spec = GATES.get(g.name) if isinstance(g.name, str) else None
        if spec is None:
            raise ValueError(f"unknown gate {g.name!r}; the native gates are {', '.join(GATES)}")
        if not isinstance(g.wires, (tuple, list)):
            raise InputTypeError(f"the wires of {g} must be a tuple of qubit indices (e.g. wires=(0,) or (0, 1)); "
                                 f"got {type(g.wires).__name__} {g.wires!r}")
        for w in g.wires:  # the message is built only for a bad wire: this loop runs for every gate
            if not (_is_int(w) and 0 <= w < n):
                check_count(w, f"every wire of {g}", minimum=0, maximum=n - 1)
        if len(g.wires) != spec.arity or len(set(g.wires)) != spec.arity:
            raise ValueError(f"{g.name} acts on {spec.arity} distinct wire(s); got {g}")
        if not spec.parametric:
            if g.param is not None or g.offset or g.coeff != 1.0:
                raise ValueError(f"{g.name} is a fixed gate and takes no parameter, coefficient or offset; got {g}")
            continue
        if isinstance(g.coeff, tuple) and (not isinstance(g.param, tuple) or len(g.param) != len(g.coeff)):
            raise ValueError(f"{g}: param and coeff must have the same length")
        for k, c in g.terms:
            if not (_is_int(k) and 0 <= k < P):
                check_count(k, f"every parameter index of rotation {g}", minimum=0, maximum=P - 1)
            if not _is_real(c):
                raise InputTypeError(f"rotation {g} has the coefficient {c!r}; coefficients must be real numbers")
            if not math.isfinite(c):
                raise ValueError(f"rotation {g} has a non-finite coefficient")
            used[k] += 1
        if not _is_real(g.offset):
            raise InputTypeError(f"rotation {g} has the offset {g.offset!r}; an offset must be a real number (radians)")
        if not math.isfinite(g.offset):
            raise ValueError(f"rotation {g} has a non-finite offset")
    if P and not np.all(used >= 1):
        bad = np.flatnonzero(used == 0)[:5].tolist()
        raise ValueError(f"parameters {bad} appear in no gate; every parameter must set at least one angle "
                         f"(or shrink the parameter shape)")


def _is_int(x) -> bool:
    return type(x) is int or (isinstance(x, np.integer) and not isinstance(x, np.bool_))


def _is_real(x) -> bool:
    return type(x) in (float, int) or (isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)))
