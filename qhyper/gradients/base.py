"""What a shot-based gradient estimator returns, and the reference samples it shares."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..objectives.base import ShotForm

__all__ = ["Estimate", "draw_reference"]


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


def draw_reference(form: ShotForm, m: int, generator: torch.Generator) -> torch.Tensor | None:
    """Reference samples of *p* for the cross and constant terms (``None`` if the form has none)."""
    if not form.has_kernel_terms or form.reference is None or not (form.cross or form.ref_quad):
        return None
    return form.reference(m, generator)
