r"""Weight quantisers for masked weight matrices, with scales shared over *groups*.

A group is where one full-precision scale is shared: ``"global"`` (the whole network),
``"per_layer"`` (one weight matrix of one layer) or ``"per_row"`` (one output row of one
matrix — channel-wise quantisation). Every function takes the latent matrices of the
network as a list of ``(V [L, rows, cols], M [rows, cols])`` pairs, ``M`` the boolean
support, and returns one tensor per pair that broadcasts against ``V``.

* **binary** — :math:`W = \lambda\, M \odot \operatorname{sign}(V)` with the
  straight-through sign (gradient :math:`\mathbf 1_{|V|\le 1}`). The closed-form scale
  for a fixed sign pattern is :math:`\lambda^\star = \operatorname{mean}_{M}|V|`
  (XNOR-Net); it initialises the learned :math:`\lambda`.
* **ternary** (TWN, Li & Liu 2016) — :math:`W = \alpha\, M \odot t`,
  :math:`t = \operatorname{sign}(V)\,\mathbf 1_{|V| > \Delta}`, with the closed forms
  :math:`\Delta = 0.7\,\operatorname{mean}_M|V|` and
  :math:`\alpha = \operatorname{mean}_{|V|>\Delta}|V|`, recomputed every forward pass;
  the gradient passes straight through (clipped to :math:`|V|\le 1`).
"""
from __future__ import annotations

import torch

from ..quantizers import ste_sign

__all__ = ["SCALES", "group_mean", "group_shape", "binary", "ternary", "ternary_codes", "ternary_scale_count"]

SCALES = ("global", "per_layer", "per_row")


def group_shape(scale: str, L: int, rows: int) -> tuple[int, ...]:
    """Shape of the learned scale of one ``[L, rows, cols]`` matrix stack (``()`` for global)."""
    return {"global": (), "per_layer": (L, 1, 1), "per_row": (L, rows, 1)}[scale]


def group_mean(pairs, scale: str) -> list[torch.Tensor]:
    """Mean of ``V`` over the support within each group, broadcastable against each ``V``."""
    if scale == "global":
        total = sum((V * M).sum() for V, M in pairs)
        count = sum(M.sum() * V.shape[0] for V, M in pairs)
        return [total / count for _ in pairs]
    out = []
    for V, M in pairs:
        if scale == "per_layer":
            out.append((V * M).sum((1, 2), keepdim=True) / M.sum())
        else:
            out.append((V * M).sum(2, keepdim=True) / M.sum(1, keepdim=True))
    return out


def binary(pairs, scales) -> list[torch.Tensor]:
    r""":math:`\lambda\,M\odot\operatorname{sign}_{\text{STE}}(V)` for every pair."""
    return [lam * M * ste_sign(V) for (V, M), lam in zip(pairs, scales)]


class _Clipped(torch.autograd.Function):
    """Forward the quantised value; backward the clipped identity 1_{|v|≤1}."""

    @staticmethod
    def forward(ctx, v, q):
        ctx.save_for_backward(v)
        return q

    @staticmethod
    def backward(ctx, grad):
        (v,) = ctx.saved_tensors
        return grad * (v.abs() <= 1).to(grad.dtype), None


def ternary_codes(pairs, scale: str) -> list[torch.Tensor]:
    """The ternary symbols ``t`` in {−1, 0, +1} (0 off the support), TWN threshold per group."""
    absmean = group_mean([(V.abs(), M) for V, M in pairs], scale)
    return [torch.where(V.abs() > 0.7 * d, torch.sign(V), 0.0) * M for (V, M), d in zip(pairs, absmean)]


def ternary(pairs, scale: str) -> list[torch.Tensor]:
    r"""TWN ternary weights :math:`\alpha\,t` with closed-form :math:`\Delta, \alpha` per group."""
    V_ = [(V.detach(), M) for V, M in pairs]
    codes = ternary_codes(V_, scale)
    alpha = _ternary_scales(V_, codes, scale)
    return [_Clipped.apply(V, a * t) for (V, _), a, t in zip(pairs, alpha, codes)]


def _ternary_scales(pairs, codes, scale):
    """α = mean |V| over the entries kept (t ≠ 0) in each group (1 where a group keeps none)."""
    kept = [(V.abs() * t.abs(), t.abs()) for (V, _), t in zip(pairs, codes)]
    if scale == "global":
        num = sum(k.sum() for k, _ in kept)
        den = sum(c.sum() for _, c in kept)
        a = num / den.clamp_min(1)
        return [a for _ in pairs]
    dims = (1, 2) if scale == "per_layer" else (2,)
    return [k.sum(dims, keepdim=True) / c.sum(dims, keepdim=True).clamp_min(1) for k, c in kept]


def ternary_scale_count(pairs, scale: str) -> int:
    """Number of full-precision α's the ternary network stores."""
    if scale == "global":
        return 1
    return sum(V.shape[0] * (1 if scale == "per_layer" else V.shape[1]) for V, _ in pairs)
