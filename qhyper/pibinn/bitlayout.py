r"""The sign bits of a binary unrolled network: layout, read, write and decode.

A mixin of :class:`~qhyper.pibinn.UnrolledISTA`. Bit *j* is the sign of one free weight,
:math:`w = 2b - 1` (bit 1 ↔ +1). Flat order: layer by layer (a tied network has one
layer's worth); within a layer the support entries of :math:`W_1^{(t)}` in row-major
order, then those of the stored :math:`W_2^{(t)}` (or, with ``residual=True``, of
:math:`W_2^{(t)} - I`). The first layer has no :math:`W_2` (:math:`x_0 = 0`). Scales and
thresholds are fixed full-precision numbers of the model, not bits.
"""
from __future__ import annotations

import torch

from .._checks import DTYPE, as_bits

__all__ = ["SignBits"]


class SignBits:
    """Bit layout of the latent matrices ``V1 [L1, n, m]`` and ``V2 [L2, n, n]`` on their supports."""

    def _require_binary(self):
        if self.weight_kind != "binary":
            raise ValueError(f"bits are defined for binary networks; this one has weights={self.weight_kind!r}")

    @property
    def num_bits(self) -> int:
        """Free sign bits: the support sizes of every stored W1 and W2."""
        self._require_binary()
        return self.V1.shape[0] * len(self._idx1) + self.V2.shape[0] * len(self._idx2)

    def _layout(self):
        """(matrix 1|2, stored index) per flat block, in bit order."""
        L1, L2 = self.V1.shape[0], self.V2.shape[0]
        order = []
        for t in range(L1):
            order.append((1, t))
            if L2 and (self.tied or t >= 1):
                order.append((2, 0 if self.tied else t - 1))
        return order

    def _block(self, which: int):
        return (self.V1, self._idx1) if which == 1 else (self.V2, self._idx2)

    def bits(self) -> torch.Tensor:
        """The network's current sign bits [num_bits] (bit 1 ↔ latent weight ≥ 0)."""
        self._require_binary()
        parts = []
        for which, t in self._layout():
            V, idx = self._block(which)
            parts.append((V.detach()[t].flatten()[idx] >= 0).to(DTYPE))
        return torch.cat(parts) if parts else torch.zeros(0, dtype=DTYPE)

    @torch.no_grad()
    def set_bits(self, bits):
        """Give the latent weights the signs of ``bits`` [num_bits], keeping their magnitudes."""
        b = as_bits(bits, self.num_bits)[0]
        pos = 0
        for which, t in self._layout():
            V, idx = self._block(which)
            flat = V[t].view(-1)
            mag = flat[idx].abs().clamp_min(1e-3)
            flat[idx] = mag * (2 * b[pos : pos + len(idx)] - 1)
            pos += len(idx)
        return self

    def decode(self, bits) -> tuple[torch.Tensor, torch.Tensor]:
        """Weights of ``S`` networks: ``(W1 [S, L1, n, m], W2 [S, L2, n, n])`` = scale · M ⊙ (2·bits − 1)
        (plus the fixed identity on W2 with ``residual=True``)."""
        b = as_bits(bits, self.num_bits)
        S, (n, m) = b.shape[0], (self.out_features, self.in_features)
        W1 = torch.zeros(S, self.V1.shape[0], n * m, dtype=DTYPE)
        W2 = torch.zeros(S, self.V2.shape[0], n * n, dtype=DTYPE)
        pos = 0
        for which, t in self._layout():
            W, idx = (W1, self._idx1) if which == 1 else (W2, self._idx2)
            W[:, t, idx] = 2 * b[:, pos : pos + len(idx)] - 1
            pos += len(idx)
        lam1, lam2 = (s.detach() for s in self._scales())
        W2 = lam2 * W2.view(S, -1, n, n)
        if self.residual:
            W2 = W2 + torch.eye(n, dtype=DTYPE)
        return lam1 * W1.view(S, -1, n, m), W2
