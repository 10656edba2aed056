"""The gradient-estimator protocol, what a shot estimator returns, and the reference samples
estimators share.

A **shot estimator** is any object called as

    estimator(hypernet, form, theta, shots, seed, generator, step) -> Estimate

(``hypernet`` the :class:`~qhyper.Hypernetwork`, ``form`` the objective's
:class:`~qhyper.objectives.ShotForm`, ``theta`` a detached copy of the parameters θ [P], ``shots``
samples per circuit, ``seed`` a fresh sampler seed for this step, ``generator`` a seeded
``torch.Generator`` for any other randomness, ``step`` the step index). It must read the
circuit only through samples (``hypernet.sample_at`` / ``sample_angles`` /
``sample_counts_angles``). An optional ``name`` attribute is recorded in the trainer's
``state["gradient"]`` (default: the class name).
:class:`~qhyper.gradients.ParameterShift` and :class:`~qhyper.gradients.SPSA` are shot
estimators; a user's class with the same call works the same way.

An **exact estimator** declares ``exact = True`` instead: the trainer differentiates the
exact objective itself by autograd through ``distribution().probs()`` and never calls it
(:class:`~qhyper.gradients.Backprop`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import torch

from .._checks import InputTypeError, check_count, check_instance
from ..objectives.base import ShotForm

__all__ = ["Estimate", "ShotEstimator", "draw_reference", "is_exact", "estimator_name", "checked_grad",
           "check_call"]


@dataclass
class Estimate:
    """One step's estimate.

    Attributes:
        loss: estimate of the loss at θ (unbiased for parameter-shift; the mean of the two
            perturbed estimates for SPSA, biased by O(c²)).
        grad: gradient estimate [P].
        samples: circuit samples the loss estimate used [m, n] (at θ, or at θ ± cΔ for SPSA).
        circuits: circuits sampled this step; shots: total shots.
    """

    loss: float
    grad: torch.Tensor
    samples: torch.Tensor
    circuits: int
    shots: int


@runtime_checkable
class ShotEstimator(Protocol):
    """The protocol of a shot-based gradient estimator (see the module docstring)."""

    def __call__(self, hypernet, form: ShotForm, theta: torch.Tensor, shots: int, seed: int,
                 generator: torch.Generator, step: int = 0) -> Estimate: ...


def draw_reference(form: ShotForm, m: int, generator: torch.Generator) -> torch.Tensor | None:
    """Reference samples of *p* for the cross and constant terms (``None`` if the form has none)."""
    if not form.has_kernel_terms or form.reference is None or not (form.cross or form.ref_quad):
        return None
    return form.reference(m, generator)


def is_exact(estimator) -> bool:
    """Whether an estimator asks for exact autograd (``Backprop``) instead of being called."""
    return bool(getattr(estimator, "exact", False))


def estimator_name(estimator) -> str:
    """An estimator's recorded name: its ``name`` attribute, else a function's ``__name__``,
    else its class name."""
    return getattr(estimator, "name", None) or getattr(estimator, "__name__", None) or type(estimator).__name__


def checked_grad(est, estimator, theta: torch.Tensor) -> torch.Tensor:
    """The gradient of a shot estimator's ``Estimate``, checked against θ."""
    grad = getattr(est, "grad", None)
    if not isinstance(grad, torch.Tensor) or grad.numel() != theta.numel():
        got = f"a grad of shape {tuple(grad.shape)}" if isinstance(grad, torch.Tensor) else f"{type(est).__name__}"
        raise ValueError(f"gradient estimator {estimator_name(estimator)!r} returned {got}; a shot estimator returns a "
                         f"qhyper.gradients.Estimate whose grad has one entry per angle ({theta.numel()})")
    return grad.detach().to(theta.dtype).reshape(theta.shape)


def check_call(name: str, hypernet, form, theta, shots, generator, step) -> tuple[torch.Tensor, int, int]:
    """The arguments of a shot estimator's call, checked before any circuit is sampled:
    ``(theta [P] float64, shots, step)``. A form with kernel terms needs ``shots ≥ 2`` (its
    quadratic term is a U-statistic over pairs of distinct samples)."""
    if not all(hasattr(hypernet, a) for a in ("ansatz", "sample_at", "sample_angles", "sample_counts_angles")):
        raise InputTypeError(f"hypernet must be a qhyper.Hypernetwork (the estimator samples its circuit); got "
                             f"{type(hypernet).__name__} {hypernet!r:.60}")
    if not isinstance(form, ShotForm):
        hint = (f"pass objective.shot_form(source), not the objective {type(form).__name__} itself"
                if hasattr(form, "shot_form") else "build it with objective.shot_form(source)")
        raise InputTypeError(f"form must be a qhyper.objectives.ShotForm; got {type(form).__name__} — {hint}")
    theta = hypernet.ansatz.check_theta(theta.detach() if isinstance(theta, torch.Tensor) else theta)
    shots = check_count(shots, "shots", minimum=2 if form.has_kernel_terms else 1,
                        fix=f"{name} needs at least 2 shots per circuit for an objective with kernel (MMD) "
                            "terms, whose quadratic term pairs distinct samples" if form.has_kernel_terms else "")
    check_instance(generator, "generator", torch.Generator,
                   fix="a seeded torch.Generator for the estimator's own randomness, "
                       "e.g. torch.Generator().manual_seed(0)")
    step = check_count(step, "step", minimum=0, fix="the training step index, 0, 1, 2, …")
    return theta, shots, step
