"""Hypernetworks: parameterised circuits whose measured bitstrings are BNN weights.

``Hypernetwork(ansatz, backend="torch" | "pennylane" | "qiskit", shots=None | int, seed=...)``
— see :mod:`qhyper.hypernet.hypernetwork`. Backends live one per module
(``torch_backend``, ``pennylane_backend``, ``qiskit_backend``); the torch backend's two
engines are :mod:`qhyper.hypernet.engine` (statevector) and :mod:`qhyper.hypernet.split`
(a Schmidt sum across one cut).
"""
from .distribution import BornDistribution, ShotModeError
from .hypernetwork import BACKENDS, Hypernetwork
from .mitigation import ReadoutMitigator

__all__ = ["Hypernetwork", "BornDistribution", "ShotModeError", "BACKENDS", "ReadoutMitigator"]
