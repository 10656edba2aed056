r"""Per-point log-likelihoods of classifier logits.

Binary (one logit *z*): :math:`\log p(y|x,w) = \log\sigma\big((2y-1)\,s\,z\big)`.
Multiclass: :math:`\log p(y|x,w) = \log\operatorname{softmax}(s\,z)_y`.
The logit scale *s* is the likelihood's inverse temperature: a ±1 network's logits are
integers-ish sums, so *s* sets how confident a network is allowed to be.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def log_prob(logits: torch.Tensor, y: torch.Tensor, scale: float) -> torch.Tensor:
    """``logits`` [S, N, out], ``y`` [N] → log p(y_i | x_i, w_s) as [S, N]."""
    if logits.shape[-1] == 1:
        t = (2.0 * y.to(logits.dtype) - 1.0) * scale
        return -F.softplus(-t * logits[..., 0])
    lp = F.log_softmax(scale * logits, dim=-1)
    return lp.gather(-1, y.view(1, -1, 1).expand(lp.shape[0], -1, 1)).squeeze(-1)


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
