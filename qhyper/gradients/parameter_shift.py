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
a step (θ and every ±shift) are sampled in one ``hypernet.sample_at`` call. Parameters the
ansatz declares inert (:attr:`~qhyper.circuits.Ansatz.inert_params`, e.g. the final RZ layer
of ``brick``) have an exactly zero gradient and are not shifted.
"""
from __future__ import annotations

import math

import torch

from .._checks import DTYPE
from ..objectives.base import ShotForm
from ..objectives.kernels import unique_rows
from .base import Estimate, draw_reference

__all__ = ["ParameterShift"]


class ParameterShift:
    """Unbiased shot gradient: ``2P' + 1`` circuits per step (``P'`` parameters that are not
    inert), ``shots`` samples each."""

    name = "parameter-shift"

    def __call__(self, hypernet, form: ShotForm, theta: torch.Tensor, shots: int, seed: int,
                 generator: torch.Generator, step: int = 0) -> Estimate:
        kind, shift = hypernet.ansatz.shift_rule
        if kind != "two-term":
            raise ValueError(f"parameter-shift supports the two-term rule; the ansatz declares {kind!r}")
        r = 1.0 / (2.0 * math.sin(shift))
        live = torch.ones(theta.numel(), dtype=torch.bool)
        live[list(hypernet.ansatz.inert_params)] = False
        shifts = (torch.eye(theta.numel(), dtype=DTYPE) * shift)[live]
        P = shifts.shape[0]
        thetas = torch.cat([theta.unsqueeze(0), theta + shifts, theta - shifts])
        X = hypernet.sample_at(thetas, shots, seed=seed).to(DTYPE)
        B, m, n = X.shape
        # every distinct network of the step is scored, and paired with the kernel, once
        ux, inv, _ = unique_rows(X.reshape(-1, n))
        inv = inv.reshape(B, m)
        fv = (torch.as_tensor(form.f(ux), dtype=DTYPE) if form.f is not None else torch.zeros(ux.shape[0], dtype=DTYPE))[inv]
        grad = r * (fv[1 : P + 1].mean(-1) - fv[P + 1 :].mean(-1))
        loss = float(fv[0].mean()) if form.f is not None else 0.0
        reference = draw_reference(form, shots, generator)
        if form.has_kernel_terms:
            k = form.kernel
            base_counts = torch.bincount(inv[0], minlength=ux.shape[0])
            at = torch.nonzero(base_counts).squeeze(-1)
            # S[b] = Σ_ij k(x_bi, x_0j): every circuit's samples against the samples at θ
            S = k.row_sums(ux, ux[at], base_counts[at])[inv].sum(-1)
            grad = grad + 2.0 * r * form.quad * (S[1 : P + 1] - S[P + 1 :]) / m**2
            loss += form.quad * float(S[0] - m * k.table(n)[0]) / (m * (m - 1))
            if reference is not None:
                uref, _, cref = unique_rows(reference)
                R = k.row_sums(ux, uref, cref)[inv].sum(-1) / (m * reference.shape[0])
                grad = grad + r * form.cross * (R[1 : P + 1] - R[P + 1 :])
                loss += form.cross * float(R[0])
                ref_term = k.mean(reference, reference) if form.reference_is_fixed else k.mean_offdiagonal(reference)
                loss += form.ref_quad * float(ref_term)
        full = torch.zeros(theta.numel(), dtype=DTYPE)
        full[live] = grad
        return Estimate(loss, full, X[0], circuits=2 * P + 1, shots=(2 * P + 1) * shots)
