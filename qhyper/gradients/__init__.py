"""Gradient estimators. Shot-mode hypernetworks: :class:`ParameterShift` (unbiased,
2P + 1 circuits per step), :class:`SPSA` (2 circuits per direction), or any object with the
:class:`ShotEstimator` call. Exact-mode hypernetworks: :class:`Backprop`, autograd through
``distribution().probs()``. See :mod:`qhyper.gradients.base` for the protocol."""
from .backprop import Backprop
from .base import Estimate, ShotEstimator
from .parameter_shift import ParameterShift
from .spsa import SPSA

__all__ = ["Backprop", "Estimate", "ParameterShift", "SPSA", "ShotEstimator"]
