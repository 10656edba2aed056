"""The ``gradient=`` setting of a trainer: a shortcut string or an estimator object."""
from __future__ import annotations

from .._checks import check_bool, InputTypeError
from .backprop import Backprop
from .base import is_exact
from .parameter_shift import ParameterShift
from .spsa import SPSA

__all__ = ["GRADIENTS", "resolve", "auto"]

GRADIENTS = ("auto", "backprop", "parameter-shift", "spsa")


def resolve(gradient, spsa: SPSA | None = None):
    """The estimator object of a ``gradient`` setting (``None`` for ``"auto"``, decided per
    hypernetwork by :func:`auto`); ``spsa`` configures the ``"spsa"`` shortcut."""
    if spsa is not None and not isinstance(spsa, SPSA):
        raise InputTypeError(f"spsa must be a qhyper.gradients.SPSA; got {type(spsa).__name__}")
    if isinstance(gradient, str):
        if gradient not in GRADIENTS:
            raise ValueError(f"unknown gradient {gradient!r}; choose from {GRADIENTS} or pass an estimator "
                             f"object (qh.gradients.Backprop(), ParameterShift(), SPSA(...))")
        if spsa is not None and gradient != "spsa":
            raise ValueError(f"spsa= configures gradient='spsa' only, but gradient={gradient!r}: pass "
                             f"gradient='spsa' with it, or leave spsa unset")
        return {"auto": None, "backprop": Backprop(), "parameter-shift": ParameterShift(),
                "spsa": spsa or SPSA()}[gradient]
    if isinstance(gradient, type):
        raise InputTypeError(f"gradient must be an estimator object; got the class {gradient.__name__}: "
                        f"pass an instance, e.g. gradient={gradient.__name__}()")
    if not (is_exact(gradient) or callable(gradient)):
        raise InputTypeError(f"gradient must be one of {GRADIENTS} or an estimator object: qh.gradients.Backprop(), "
                        f"ParameterShift(), SPSA(...), or any object called as estimator(hypernet, form, theta, "
                        f"shots, seed, generator, step) -> Estimate; got {type(gradient).__name__} {gradient!r}")
    if spsa is not None:
        raise ValueError(f"spsa= configures gradient='spsa', but gradient is the object {gradient!r}: "
                         f"pass the estimator alone (e.g. gradient=SPSA(c=0.1))")
    return gradient


def auto(exact_mode: bool):
    """``gradient="auto"``: backprop for exact hypernetworks, parameter-shift for shots."""
    exact_mode = check_bool(exact_mode, "exact_mode")
    return Backprop() if exact_mode else ParameterShift()
