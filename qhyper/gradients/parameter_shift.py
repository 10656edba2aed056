r"""Parameter-shift gradients of shot objectives (Liu & Wang 2018, Eq. 2 and App. A).

For a gate :math:`e^{-i\theta_k P/2}` with :math:`P^2 = 1` and shift *s* (π/2),
:math:`\partial_k q_\theta(b) = r\,[q_{\theta+s e_k}(b) - q_{\theta-s e_k}(b)]`,
:math:`r = 1/(2\sin s) = \tfrac12`. For the terms of a
:class:`~qhyper.objectives.ShotForm`:

.. math::
    \partial_k \mathbb{E}_{q}[f] &= r\,\big(\mathbb{E}_{q^+_k}[f] - \mathbb{E}_{q^-_k}[f]\big),\\
    \partial_k \mathbb{E}_{q,q}[k] &= 2r\,\big(\mathbb{E}_{q^+_k, q}[k] - \mathbb{E}_{q^-_k, q}[k]\big),\\
    \partial_k \mathbb{E}_{q,p}[k] &= r\,\big(\mathbb{E}_{q^+_k, p}[k] - \mathbb{E}_{q^-_k, p}[k]\big),

(the kernel is symmetric, so shifting either argument of the quadratic term gives the same
expectation). Samples of the shifted circuits :math:`q^\pm_k` are independent of the
samples at θ, so plain means over all pairs are **unbiased**. All :math:`2P+1` circuits of
a step (θ and every ±shift) are sampled in one ``hypernet.sample_at`` call.
"""
from __future__ import annotations

import math

import torch

from .._checks import DTYPE
from ..objectives.base import ShotForm
from .base import Estimate, draw_reference

__all__ = ["ParameterShift"]


class ParameterShift:
    """Unbiased shot gradient: ``2P + 1`` circuits per step, ``shots`` samples each."""

    name = "parameter-shift"

    def __call__(self, hypernet, form: ShotForm, theta: torch.Tensor, shots: int, seed: int,
                 generator: torch.Generator, step: int = 0) -> Estimate:
        kind, shift = hypernet.ansatz.shift_rule
        if kind != "two-term":
            raise ValueError(f"parameter-shift supports the two-term rule; the ansatz declares {kind!r}")
        r = 1.0 / (2.0 * math.sin(shift))
        P = theta.numel()
        eye = torch.eye(P, dtype=DTYPE) * shift
        thetas = torch.cat([theta.unsqueeze(0), theta + eye, theta - eye])
        X = hypernet.sample_at(thetas, shots, seed=seed).to(DTYPE)
        base, plus, minus = X[0], X[1 : P + 1], X[P + 1 :]
        fv = form.f_values(X)
        grad = r * (fv[1 : P + 1].mean(-1) - fv[P + 1 :].mean(-1))
        reference = draw_reference(form, shots, generator)
        if form.has_kernel_terms:
            k = form.kernel
            if form.quad:
                grad = grad + 2.0 * r * form.quad * (k.mean(plus, base) - k.mean(minus, base))
            if form.cross:
                grad = grad + r * form.cross * (k.mean(plus, reference) - k.mean(minus, reference))
        loss = form.estimate(base, reference, fv[0])
        return Estimate(loss, grad, base, circuits=2 * P + 1, shots=(2 * P + 1) * shots)
