r"""SPSA — simultaneous-perturbation gradients: two circuits per direction, whatever *P*.

At step *t* with :math:`c_t = c/(t+1)^{\gamma}` and Rademacher directions
:math:`\Delta^{(d)} \in \{\pm1\}^P` drawn from the trainer's seeded generator,

.. math::
    \hat g = \frac1D \sum_{d=1}^{D}
      \frac{\hat{\mathcal L}(\theta + c_t\Delta^{(d)}) - \hat{\mathcal L}(\theta - c_t\Delta^{(d)})}{2c_t}\,
      \Delta^{(d)},

where :math:`\hat{\mathcal L}` is the unbiased shot estimate of the loss
(:meth:`ShotForm.estimate`). :math:`\mathbb{E}\,\hat g = \nabla\mathcal L + O(c_t^2)`
(Spall 1992). All :math:`2D` perturbed circuits go into one ``hypernet.sample_at`` call;
the cost per step does not grow with the number of parameters, which is what makes 60+
qubit hypernetworks trainable from shots.
"""
from __future__ import annotations

import math

import torch

from .._checks import DTYPE, check_count, check_real
from ..objectives.base import ShotForm
from .base import Estimate, check_call, draw_reference

__all__ = ["SPSA"]


class SPSA:
    """Simultaneous-perturbation gradient estimate.

    Args:
        c: perturbation size at step 0 (radians, in (0, π)).
        directions: perturbation directions averaged per step (an integer ≥ 1).
        gamma: decay exponent of :math:`c_t`, in [0, 1] (Spall's 0.101).
    """

    name = "spsa"

    def __init__(self, c: float = 0.2, directions: int = 1, gamma: float = 0.101):
        self.c = check_real(c, "c", 0.0, math.pi, low_open=True, high_open=True,
                            fix="the SPSA perturbation in radians, e.g. 0.1–0.2 (at π, θ + cΔ and θ − cΔ are the "
                                "same rotation and every estimate is 0)")
        self.directions = check_count(directions, "directions", fix="SPSA directions averaged per step")
        self.gamma = check_real(gamma, "gamma", 0.0, 1.0,
                                fix="the decay exponent of c_t = c/(t+1)^gamma: Spall's 0.101, or 1/6")

    def __call__(self, hypernet, form: ShotForm, theta: torch.Tensor, shots: int, seed: int,
                 generator: torch.Generator, step: int = 0) -> Estimate:
        theta, shots, step = check_call("SPSA", hypernet, form, theta, shots, generator, step)
        D, P = self.directions, theta.numel()
        ct = self.c / (step + 1) ** self.gamma
        delta = torch.randint(0, 2, (D, P), generator=generator).to(DTYPE) * 2.0 - 1.0
        thetas = torch.cat([theta + ct * delta, theta - ct * delta])
        X = hypernet.sample_at(thetas, shots, seed=seed).to(DTYPE)
        reference = draw_reference(form, shots, generator)
        fv = form.f_values(X)
        losses = torch.tensor([form.estimate(X[i], reference, fv[i]) for i in range(2 * D)], dtype=DTYPE)
        diff = (losses[:D] - losses[D:]) / (2.0 * ct)
        grad = (diff.unsqueeze(-1) * delta).mean(0)
        return Estimate(float(losses.mean()), grad, X.reshape(-1, X.shape[-1]),
                        circuits=2 * D, shots=2 * D * shots)

    def __repr__(self):
        return f"SPSA(c={self.c}, directions={self.directions}, gamma={self.gamma})"
