r"""A binary layer as a PIB unit: ±1 weights and bias, sign activation, straight-through inside.

Forward (identical to one layer of :class:`~qhyper.BinaryMLP` with ``activation="sign"``):

.. math:: T = \operatorname{sign}(W x + b), \qquad W = \operatorname{sign}(V),\ b = \operatorname{sign}(v_b),

with latent reals :math:`V, v_b \in [-1, 1]`. Gradients use
:func:`qhyper.quantizers.ste_sign` twice *inside the unit* — on the weights and on the
pre-activation, which is divided by :math:`\sqrt{d_\text{in}+1}` first so that the
straight-through window :math:`|h| \le 1` covers typical sums (the sign is unchanged). With
``activation="identity"`` the unit returns the plain sums :math:`W x + b` (a binary readout).

Faults: ``"stuck_at"`` fixes a weight at a random ±1 (bit stuck at 0 or 1);
``"stuck_at_0"`` / ``"stuck_at_1"`` fix it at −1 / +1. Stuck weights ignore updates.
"""
from __future__ import annotations

import math

import torch

from .._checks import DTYPE, check_bool, check_choice, torch_generator
from ..quantizers import sign_to_bits, ste_sign
from .base import Unit, check_fault_rate

__all__ = ["BinaryUnit"]


class BinaryUnit(Unit):
    """±1 weights (and bias), ``sign`` (default) or ``identity`` output; seeded init of the latent weights.

    ``seed``: an int ≥ 0, a numpy or torch ``Generator``, or ``None`` (fresh entropy)."""

    update = "autograd"
    fault_kinds = ("stuck_at", "stuck_at_0", "stuck_at_1")

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 activation: str = "sign", seed=0):
        super().__init__(in_features, out_features)
        self.activation = check_choice(activation, "activation", ("sign", "identity"))
        self.bias = check_bool(bias, "bias")
        g = torch_generator(seed)
        cols = in_features + int(self.bias)
        self.latent = torch.nn.Parameter(torch.rand(out_features, cols, generator=g, dtype=DTYPE) * 2 - 1)
        self.register_buffer("fault_mask", torch.zeros(out_features, cols, dtype=torch.bool))
        self.register_buffer("stuck_value", torch.ones(out_features, cols, dtype=DTYPE))

    def signed_weights(self) -> torch.Tensor:
        """The ±1 matrix [out, in (+1 bias column)] the unit computes with, faults included."""
        w = ste_sign(self.latent)
        return torch.where(self.fault_mask, self.stuck_value, w)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.signed_weights()
        h = x @ w[:, : self.in_features].T
        if self.bias:
            h = h + w[:, -1]
        if self.activation == "identity":
            return h
        return ste_sign(h / math.sqrt(w.shape[1]))

    def after_step(self) -> None:
        with torch.no_grad():
            self.latent.clamp_(-1.0, 1.0)

    def bits(self) -> torch.Tensor:
        """The unit's weights as bits in :class:`~qhyper.BinaryMLP`'s layout: W row-major, then bias."""
        w = self.signed_weights().detach()
        flat = w[:, : self.in_features].reshape(-1)
        if self.bias:
            flat = torch.cat([flat, w[:, -1]])
        return sign_to_bits(flat)

    def inject_faults(self, rate: float, kind: str = "stuck_at", seed=None) -> int:
        rate = check_fault_rate(rate, kind, self.fault_kinds)
        g = torch_generator(seed)
        new = torch.rand(self.fault_mask.shape, generator=g, dtype=DTYPE) < rate
        if kind == "stuck_at":
            value = torch.where(torch.rand(new.shape, generator=g, dtype=DTYPE) < 0.5, -1.0, 1.0).to(DTYPE)
        else:
            value = torch.full(new.shape, 1.0 if kind == "stuck_at_1" else -1.0, dtype=DTYPE)
        fresh = new & ~self.fault_mask
        self.stuck_value[fresh] = value[fresh]
        self.fault_mask |= new
        return self.num_faults
