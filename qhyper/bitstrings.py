r"""Bitstrings ↔ indices, in the package's one convention: bit 0 is the most significant.

:math:`\text{index}(b) = \sum_j b_j\,2^{n-1-j}` — PennyLane's ``qml.probs`` order and
``itertools.product`` order. Qiskit counts little-endian (qubit 0 least significant);
:func:`reverse_bit_order` converts a probability vector at that boundary.
"""
from __future__ import annotations

import torch

from ._checks import DTYPE

__all__ = ["index_to_bits", "bits_to_index", "all_bits", "reverse_bit_order"]


def index_to_bits(index, n: int) -> torch.Tensor:
    """Integer index (or tensor of indices) → float64 bits [..., n]."""
    idx = torch.as_tensor(index, dtype=torch.int64)
    return ((idx.unsqueeze(-1) >> torch.arange(n - 1, -1, -1)) & 1).to(DTYPE)


def bits_to_index(bits) -> torch.Tensor:
    """Bits [..., n] in {0, 1} → int64 indices [...]."""
    b = torch.as_tensor(bits).to(torch.int64)
    n = b.shape[-1]
    return (b << torch.arange(n - 1, -1, -1)).sum(-1)


def all_bits(n: int, start: int = 0, stop: int | None = None) -> torch.Tensor:
    """Bitstrings with indices ``start … stop−1`` as float64 [stop − start, n]."""
    return index_to_bits(torch.arange(start, 2**n if stop is None else stop), n)


def reverse_bit_order(vec: torch.Tensor, n: int) -> torch.Tensor:
    """Re-index a vector [..., 2^n] from little-endian (Qiskit) to big-endian, or back."""
    lead = vec.shape[:-1]
    return vec.reshape(*lead, *([2] * n)).permute(*range(len(lead)), *range(len(lead) + n - 1, len(lead) - 1, -1)).reshape(*lead, 2**n)
