r"""The ansatz catalogue, installed as ``qhyper.circuits``: one circuit family per module,
written once in a backend-neutral form.

``qh.circuits.names()`` lists the families; ``qh.circuits.get(name, n_qubits=..., layers=...)``
builds one. Families register themselves with :func:`register`.

Families: ``brick`` (the original Quantum HyperNetworks circuit: CX brick + RY + RZ per
layer, :math:`2Ln` parameters), ``hardware_efficient`` (RY layers with a CZ or CX ladder,
real amplitudes, :math:`(L+1)n`), ``product`` (one RY per qubit, the independent-Bernoulli
control, :math:`n`) and ``chow_liu`` (Liu & Wang's Born-machine circuit: Rz·Rx·Rz layers and
CNOTs on the Chow–Liu tree of ``data=``, :math:`(3L+1)n`). Each ansatz offers ``num_params``, ``shape()``, ``init_params(generator)``,
``apply(theta)`` (a ``qml`` quantum function), ``to_qiskit(theta=None)``, ``to_qasm(theta)``
(OpenQASM 3), and the gate-angle map and parameter-shift ``recipes`` of
:mod:`qhyper.circuits.base`.

**The user's own circuits.** :func:`from_qiskit` converts any parameterised Qiskit
``QuantumCircuit`` (``real_amplitudes``, ``efficient_su2``, ``n_local``, hand-built; shared
parameters and affine expressions allowed) and :func:`from_pennylane` a PennyLane quantum
function such as a template; both translate into the native gate set of
:mod:`qhyper.circuits.gates`, which every backend — the torch engine included — runs.
"""
from __future__ import annotations

import inspect
from typing import Callable

from .._checks import InputTypeError

__all__ = ["get", "names", "register", "has_depth", "from_qiskit", "from_qasm", "from_pennylane", "Ansatz", "Gate"]

_FAMILIES: dict[str, Callable] = {}


def register(name: str):
    """Class decorator: make an ansatz family available as ``get(name, ...)``. A name
    already taken by another family is refused (re-registering the same class, as a module
    reload does, is allowed)."""
    if not isinstance(name, str) or not name:
        raise InputTypeError(f"register needs the family's name, a non-empty string; got {type(name).__name__} {name!r}")

    def deco(factory):
        old = _FAMILIES.get(name)
        if old is not None and _qualname(old) != _qualname(factory):
            raise ValueError(f"ansatz family {name!r} is already registered (by {_qualname(old)}); register "
                             f"{_qualname(factory)} under another name")
        _FAMILIES[name] = factory
        return factory

    return deco


def _qualname(factory) -> str:
    return f"{getattr(factory, '__module__', '?')}.{getattr(factory, '__qualname__', repr(factory))}"


def names() -> list[str]:
    """Registered ansatz families."""
    return sorted(_FAMILIES)


def _family(name) -> Callable:
    """The factory of family ``name``; a clear error for a name of the wrong type or unknown."""
    if not isinstance(name, str):
        raise InputTypeError(f"the ansatz family must be given by name, one of {names()}; got "
                             f"{type(name).__name__} {name!r:.60}")
    if name not in _FAMILIES:
        known = ", ".join(names()) or "none registered yet"
        raise ValueError(f"unknown ansatz {name!r}; available: {known}")
    return _FAMILIES[name]


def has_depth(name: str) -> bool:
    """Whether family ``name`` has a depth to choose: its ``layers`` defaults to a number, not
    ``None`` (``product`` has none). Callers that pick a default depth pass it only then."""
    layers = inspect.signature(_family(name)).parameters.get("layers")
    return layers is not None and layers.default is not None


def get(name: str, **options):
    """Build the ansatz family ``name`` with ``options`` (e.g. ``n_qubits``, ``layers``)."""
    factory = _family(name)
    try:
        inspect.signature(factory).bind(**options)
    except TypeError as err:
        takes = [p for p in inspect.signature(factory).parameters if p != "self"]
        raise InputTypeError(f"ansatz {name!r} takes the options {takes}; got {sorted(options)} ({err})") from None
    return factory(**options)


# The families register themselves on import (light modules: no simulator is imported here).
from . import brick, chow_liu, hardware_efficient, product  # noqa: E402,F401
from .base import Ansatz, Gate  # noqa: E402,F401
from .convert_pennylane import from_pennylane  # noqa: E402,F401
from .convert_qiskit import from_qasm, from_qiskit  # noqa: E402,F401
