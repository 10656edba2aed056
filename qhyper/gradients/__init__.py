"""Gradient estimators for shot-mode hypernetworks: :class:`ParameterShift` (unbiased,
2P + 1 circuits per step) and :class:`SPSA` (2 circuits per direction). Exact-mode
hypernetworks use autograd through ``distribution().probs()`` instead."""
from .base import Estimate
from .parameter_shift import ParameterShift
from .spsa import SPSA

__all__ = ["Estimate", "ParameterShift", "SPSA"]
