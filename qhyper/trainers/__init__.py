"""Trainers: each has ``fit(...)`` returning a :class:`TrainResult` scored by the shared Evaluator."""
from .result import TrainResult, network_metrics

__all__ = ["TrainResult", "network_metrics"]
