"""Exact gradients by autograd: the marker estimator for exact-mode hypernetworks."""
from __future__ import annotations

__all__ = ["Backprop"]


class Backprop:
    """Exact gradients: autograd through ``hypernet.distribution().probs()`` (exact
    hypernetworks, ``shots=None``). ``gradient=Backprop()`` means ``gradient="backprop"``.

    A marker, not a shot estimator: it declares ``exact = True`` and the trainer
    differentiates the exact objective itself (with Adam, L-BFGS or any torch optimizer);
    works for every objective.
    """

    name = "backprop"
    exact = True

    def __repr__(self):
        return "Backprop()"
