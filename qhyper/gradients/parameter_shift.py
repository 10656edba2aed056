r"""Parameter-shift gradients of shot objectives (Liu & Wang 2018, Eq. 2 and App. A).

The estimator works on the gate angles :math:`a = A\theta + b` of the ansatz
(:meth:`~qhyper.circuits.Ansatz.angles`): each live angle is shifted on its own with its
gate's recipe :math:`\partial_a q(b) = \sum_j c_j\,q_{a + s_j}(b)` (two terms, ±π/2 with
±½, for Pauli rotations and phase gates; four for controlled rotations, see
:mod:`qhyper.circuits.gates`), and the chain rule
:math:`\partial_{\theta_k} = \sum_g A_{gk}\,\partial_{a_g}` gives the gradient of a
parameter shared by several gates. For a built-in family every parameter is one angle with
the two-term rule (:math:`r = 1/(2\sin s) = \tfrac12` below). For the terms of a
:class:`~qhyper.objectives.ShotForm`:

.. math::
    \partial_k \mathbb{E}_{q}[f] &= r\,\big(\mathbb{E}_{q^+_k}[f] - \mathbb{E}_{q^-_k}[f]\big),\\
    \partial_k \mathbb{E}_{q,q}[k] &= 2r\,\big(\mathbb{E}_{q^+_k, q}[k] - \mathbb{E}_{q^-_k, q}[k]\big),\\
    \partial_k \mathbb{E}_{q,p}[k] &= r\,\big(\mathbb{E}_{q^+_k, p}[k] - \mathbb{E}_{q^-_k, p}[k]\big),

(the kernel is symmetric, so shifting either argument of the quadratic term gives the same
expectation). Samples of the shifted circuits :math:`q^\pm_k` are independent of the
samples at θ, so plain means over all pairs are **unbiased**. All circuits of a step (θ
and every shift) are sampled in one ``hypernet.sample_counts_angles`` call, as counts.
Angles the ansatz declares inert (:attr:`~qhyper.circuits.Ansatz.inert_angles`, e.g. the final RZ layer of
``brick``) have an exactly zero gradient and are not shifted.
"""
from __future__ import annotations


import torch

from .._checks import DTYPE
from ..objectives.base import ShotForm
from ..bitstrings import unique_rows
from .base import Estimate, check_call, draw_reference

__all__ = ["ParameterShift"]


class ParameterShift:
    """Unbiased shot gradient: ``1 + Σ_g terms(g)`` circuits per step over the live angles
    (``2P' + 1`` for a built-in family, ``P'`` its parameters that are not inert), ``shots``
    samples each (at least 2 for an objective with kernel terms)."""

    name = "parameter-shift"

    def __call__(self, hypernet, form: ShotForm, theta: torch.Tensor, shots: int, seed: int,
                 generator: torch.Generator, step: int = 0) -> Estimate:
        theta, shots, step = check_call("parameter shift", hypernet, form, theta, shots, generator, step)
        ansatz = hypernet.ansatz
        base = ansatz.angles(theta.unsqueeze(0)).detach()  # [1, G]
        rows, coeffs, owner = [], [], []  # one shifted circuit per (live angle, recipe term)
        for slot in ansatz.live_angles:
            for c, s in ansatz.recipes[slot]:
                shifted = base[0].clone()
                shifted[slot] += s
                rows.append(shifted)
                coeffs.append(c)
                owner.append(slot)
        P = len(rows)
        angles = torch.cat([base, torch.stack(rows)]) if rows else base
        # counts, not one row per shot: every distinct network of the step is scored, and paired
        # with the kernel, once; a circuit's mean over its shots is its counts row · values / m
        ux, C = hypernet.sample_counts_angles(angles, shots, seed=seed)
        C = C.to(DTYPE)
        m, n = shots, ux.shape[-1]
        c = torch.tensor(coeffs, dtype=DTYPE)
        fv = torch.as_tensor(form.f(ux), dtype=DTYPE) if form.f is not None else torch.zeros(ux.shape[0], dtype=DTYPE)
        means = C @ fv / m
        terms = c * means[1:]  # per shifted circuit: c · E_{q_shifted}[f]
        loss = (float(means[0]) if form.f is not None else 0.0) + form.constant
        reference = draw_reference(form, shots, generator)
        if form.has_kernel_terms:
            k = form.kernel
            at = torch.nonzero(C[0]).squeeze(-1)
            # S[b] = Σ_ij k(x_bi, x_0j): every circuit's samples against the samples at θ
            S = C @ k.row_sums(ux, ux[at], C[0, at])
            terms = terms + 2.0 * form.quad * c * S[1:] / m**2
            loss += form.quad * float(S[0] - m * k.table(n)[0]) / (m * (m - 1))
            if reference is not None:
                uref, _, cref = unique_rows(reference)
                R = C @ k.row_sums(ux, uref, cref) / (m * reference.shape[0])
                terms = terms + form.cross * c * R[1:]
                loss += form.cross * float(R[0])
                ref_term = k.mean(reference, reference) if form.reference_is_fixed else k.mean_offdiagonal(reference)
                loss += form.ref_quad * float(ref_term)
        grad_angles = torch.zeros(ansatz.num_angles, dtype=DTYPE)
        if P:
            grad_angles.index_add_(0, torch.tensor(owner), terms)
        grad = ansatz.angle_jacobian_t(grad_angles)
        at_theta = ux.repeat_interleave(C[0].to(torch.int64), dim=0)  # the m samples at θ (grouped)
        return Estimate(loss, grad, at_theta, circuits=P + 1, shots=(P + 1) * shots)
