r"""Bitstrings ↔ indices, in the package's one convention: bit 0 is the most significant.

:math:`\text{index}(b) = \sum_j b_j\,2^{n-1-j}` — PennyLane's ``qml.probs`` order and
``itertools.product`` order. Qiskit counts little-endian (qubit 0 least significant);
:func:`reverse_bit_order` converts a probability vector at that boundary.
"""
from __future__ import annotations

import torch

from ._checks import DTYPE

__all__ = ["index_to_bits", "bits_to_index", "all_bits", "reverse_bit_order", "unique_rows", "top_mass", "shannon_entropy"]


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

def unique_rows(bits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Distinct rows of 0/1 ``bits`` [S, n]: ``(rows [U, n], inverse [S], counts [U])``.

    Rows are packed into 62-bit integer words first, so the sort runs on one or a few
    integer columns instead of *n* float columns (``torch.unique(dim=0)`` is slow)."""
    n = bits.shape[-1]
    words = [
        (bits[:, s : s + 62].to(torch.int64) << torch.arange(min(62, n - s) - 1, -1, -1)).sum(-1)
        for s in range(0, n, 62)
    ]
    if len(words) == 1:
        keys, inverse, counts = torch.unique(words[0], return_inverse=True, return_counts=True)
        first = torch.empty_like(keys).scatter_(0, inverse, torch.arange(bits.shape[0]))
    else:
        keys, inverse, counts = torch.unique(torch.stack(words, -1), dim=0, return_inverse=True,
                                             return_counts=True)
        first = torch.empty(keys.shape[0], dtype=torch.int64).scatter_(0, inverse, torch.arange(bits.shape[0]))
    return bits[first], inverse, counts


def top_mass(probs: torch.Tensor, mass: float = 1 - 1e-6, limit: int = 4096) -> tuple[torch.Tensor, torch.Tensor]:
    """The most probable bitstrings of a probability vector [2^n] that together hold ``mass``
    (at most ``limit``, at least one; ``mass ≥ 1``: all of them up to ``limit``), as
    ``(bits [K, n], probabilities renormalised [K])``."""
    n = probs.shape[-1].bit_length() - 1
    order = torch.argsort(probs, descending=True)
    if mass >= 1:
        k = len(order)
    else:
        k = int(torch.searchsorted(torch.cumsum(probs[order], 0), torch.tensor(mass, dtype=probs.dtype))) + 1
    idx = order[: max(1, min(k, limit, len(order)))]
    return index_to_bits(idx, n), probs[idx] / probs[idx].sum()


def shannon_entropy(probs: torch.Tensor) -> torch.Tensor:
    r"""Shannon entropy in nats of a probability vector, :math:`-\sum_b q(b)\log q(b)` with
    :math:`0\log 0 = 0`.

    Differentiable everywhere: a term with :math:`q(b) = 0` contributes no gradient. That is the
    limit of the chain rule whenever :math:`q` is a smooth function of parameters (a circuit's
    :math:`|\langle b|\psi(\theta)\rangle|^2`): at a zero of a non-negative function its
    derivative vanishes too, and :math:`(\log q + 1)\,\partial q` → 0 there. (Autograd of
    ``xlogy`` would give −inf · 0 = NaN in every parameter instead, e.g. for a product ansatz
    started at θ = 0.)"""
    positive = probs > 0
    safe = torch.where(positive, probs, torch.ones_like(probs))  # log(1) = 0: no NaN in either branch
    return -torch.where(positive, probs * torch.log(safe), torch.zeros_like(probs)).sum() + 0.0  # + 0.0: no −0
