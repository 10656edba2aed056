r"""The straight-through sign (BinaryConnect / larq ``ste_sign``).

Forward :math:`w = \operatorname{sign}(v)` with :math:`\operatorname{sign}(0) = +1`;
backward :math:`\partial w / \partial v = \mathbf{1}_{|v| \le 1}`.
"""
from __future__ import annotations

import torch

__all__ = ["ste_sign", "sign_to_bits"]


class _SteSign(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v):
        ctx.save_for_backward(v)
        return torch.where(v >= 0, 1.0, -1.0).to(v.dtype)

    @staticmethod
    def backward(ctx, grad):
        (v,) = ctx.saved_tensors
        return grad * (v.abs() <= 1).to(grad.dtype)


def ste_sign(v: torch.Tensor) -> torch.Tensor:
    """sign(v) in the forward pass, the clipped identity in the backward pass."""
    return _SteSign.apply(v)


def sign_to_bits(w: torch.Tensor) -> torch.Tensor:
    """±1 weights (or latent reals, by their sign) → bits in {0, 1} (bit 1 ↔ +1)."""
    return (w >= 0).to(torch.float64)
