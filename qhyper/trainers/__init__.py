"""Trainers: each has ``fit(...)`` returning a :class:`TrainResult` scored by the shared Evaluator.

Quantum: :class:`QHN`. Classical baselines: :class:`STE`, :class:`QUBO`, :class:`Exhaustive`,
and the local information-bottleneck trainer :class:`LocalIB`. Each loads on first use.
"""
from importlib import import_module

from ..results import TrainResult, network_metrics

_LAZY = {
    "QHN": "qhn",
    "STE": "ste",
    "QUBO": "qubo",
    "Exhaustive": "exhaustive",
    "LocalIB": "localib",
    "HSICBottleneck": "localib",
}

__all__ = ["TrainResult", "network_metrics", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qhyper.trainers' has no attribute {name!r}")
