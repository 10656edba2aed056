r"""Per-point log-likelihoods of classifier logits.

Binary (one logit *z*): :math:`\log p(y|x,w) = \log\sigma\big((2y-1)\,s\,z\big)`.
Multiclass: :math:`\log p(y|x,w) = \log\operatorname{softmax}(s\,z)_y`.
The logit scale *s* is the likelihood's inverse temperature: a ±1 network's logits are
integers-ish sums, so *s* sets how confident a network is allowed to be.
Regression (real-valued targets *y* [N, d], outputs *f*): Gaussian,
:math:`\log p(y|x,w) = -s^2\|y - f\|^2/2 - (d/2)\log(2\pi/s^2)`, i.e. *s* = 1/σ.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def check_finite(logp: torch.Tensor, X: torch.Tensor, scale: float) -> None:
    """Refuse log-likelihoods that came out NaN or ±inf: with finite inputs that means the
    networks' logits overflowed float64, and every score built on them would be NaN."""
    if not torch.isfinite(logp).all():
        bad = int((~torch.isfinite(logp)).sum())
        raise ValueError(
            f"the log-likelihood is NaN or infinite for {bad} of {logp.numel()} entries: the networks' outputs "
            f"overflow float64 (the inputs reach |X| = {float(X.abs().max()):.3g}, logit_scale = {scale:g}). "
            "Rescale the inputs (e.g. standardise X) or lower logit_scale."
        )


def log_prob(logits: torch.Tensor, y: torch.Tensor, scale: float) -> torch.Tensor:
    """``logits`` [S, N, out], ``y`` [N] → log p(y_i | x_i, w_s) as [S, N]."""
    if y.is_floating_point():
        return gaussian_log_prob(logits, y, scale)
    if logits.shape[-1] == 1:
        t = (2.0 * y.to(logits.dtype) - 1.0) * scale
        return -F.softplus(-t * logits[..., 0])
    lp = F.log_softmax(scale * logits, dim=-1)
    return lp.gather(-1, y.view(1, -1, 1).expand(lp.shape[0], -1, 1)).squeeze(-1)


def mean_nll(logits: torch.Tensor, y: torch.Tensor, scale: float) -> torch.Tensor:
    """Mean negative log-likelihood of one network's logits [N, 1 or C] (one logit ↔ binary task)."""
    return -log_prob(logits.unsqueeze(0), y, scale).mean()


def gaussian_log_prob(pred: torch.Tensor, y: torch.Tensor, inv_std: float) -> torch.Tensor:
    r"""Regression outputs ``pred`` [S, N, d], targets ``y`` [N, d] → :math:`\log\mathcal N(y; f, \sigma^2 I)` [S, N], σ = 1/``inv_std``."""
    d = y.shape[-1]
    return -0.5 * inv_std**2 * ((pred - y) ** 2).sum(-1) - 0.5 * d * math.log(2 * math.pi / inv_std**2)


def class_probs(logits: torch.Tensor, scale: float) -> torch.Tensor:
    """``logits`` [S, N, out] → class probabilities [S, N, n_classes] (binary gives 2 columns)."""
    if logits.shape[-1] == 1:
        p1 = torch.sigmoid(scale * logits[..., 0])
        return torch.stack([1.0 - p1, p1], dim=-1)
    return torch.softmax(scale * logits, dim=-1)


def relative_logits(logits: torch.Tensor, y: torch.Tensor, scale: float) -> torch.Tensor:
    r"""Logits of the wrong classes relative to the label's, ``[K, N, out]`` → ``[K, N, C-1]``.

    With :math:`r_c = s(z_c - z_y)` for :math:`c \ne y`,
    :math:`-\log p(y|x) = \log(1 + \sum_c e^{r_c})`; *r* is additive in the logits, which is
    what the loss-table engine needs. Binary: :math:`r = -(2y-1)\,s\,z`.
    """
    if logits.shape[-1] == 1:
        t = (2.0 * y.to(logits.dtype) - 1.0) * scale
        return (-t.view(1, -1) * logits[..., 0]).unsqueeze(-1)
    K, N, C = logits.shape
    own = logits.gather(-1, y.view(1, -1, 1).expand(K, -1, 1))
    rel = scale * (logits - own)
    others = torch.arange(C).view(1, C).expand(N, C)
    others = others[others != y.view(-1, 1)].view(N, C - 1)
    return rel.gather(-1, others.unsqueeze(0).expand(K, -1, -1))
