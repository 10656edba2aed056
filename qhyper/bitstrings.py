r"""Bitstrings ↔ indices, in the package's one convention: bit 0 is the most significant.

:math:`\text{index}(b) = \sum_j b_j\,2^{n-1-j}` — PennyLane's ``qml.probs`` order and
``itertools.product`` order. Qiskit counts little-endian (qubit 0 least significant);
:func:`reverse_bit_order` converts a probability vector at that boundary, and
:func:`from_counts` turns Qiskit counts (or a ``BitArray``) into bit rows in this order.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from ._checks import DTYPE, InputTypeError, available_memory, check_count, check_real, gib, real_array

__all__ = ["index_to_bits", "bits_to_index", "all_bits", "reverse_bit_order", "from_counts", "unique_rows", "histogram",
           "top_mass", "shannon_entropy"]


_MAX_BITS = 62  # indices are int64, and 2^n must be one too


def _numbers(x, name: str) -> torch.Tensor:
    """``x`` as a tensor of real numbers (strings, objects and complex values refused)."""
    return torch.as_tensor(real_array(x, name))


def _width(n, name: str = "n") -> int:
    return check_count(n, name, minimum=0, maximum=_MAX_BITS, fix="the number of bits (indices are int64)")


def index_to_bits(index, n: int) -> torch.Tensor:
    """Integer index (or tensor of indices) in ``0 … 2^n − 1`` → float64 bits [..., n]."""
    n = _width(n)
    idx = _numbers(index, "index")
    if idx.is_floating_point() or idx.is_complex() or idx.dtype == torch.bool:
        raise InputTypeError(f"index must hold integers; got dtype {idx.dtype} (pass e.g. int(i) or t.long())")
    idx = idx.to(torch.int64)
    if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= 2**n):
        raise ValueError(f"index must lie in 0 … 2^{n} − 1 = {2**n - 1} for {n} bits; got values from "
                         f"{int(idx.min())} to {int(idx.max())}")
    if n <= _TABLE_BITS:  # a gather from the table of all 2^n rows: ~3× faster than shifting
        return _bit_table(n)[idx]
    return ((idx.unsqueeze(-1) >> torch.arange(n - 1, -1, -1)) & 1).to(DTYPE)


_TABLE_BITS = 16  # the largest table is 2^16 rows × 16 bits, 8 MiB


@lru_cache(maxsize=_TABLE_BITS + 1)
def _bit_table(n: int) -> torch.Tensor:
    """Every n-bit row in index order, float64 [2^n, n] (read-only by convention: only gathered from)."""
    return ((torch.arange(2**n).unsqueeze(-1) >> torch.arange(n - 1, -1, -1)) & 1).to(DTYPE)


def bits_to_index(bits) -> torch.Tensor:
    """Bits [..., n] in {0, 1} → int64 indices [...]."""
    b = _numbers(bits, "bits")
    if b.ndim == 0 or not torch.all((b == 0) | (b == 1)):
        raise ValueError(f"bits must be an array [..., n] of 0s and 1s; got {tuple(b.shape)} "
                         f"{b.dtype} values such as {b.reshape(-1)[:4].tolist()}")
    b = b.to(torch.int64)
    n = _width(b.shape[-1], "the number of bits (last axis of bits)")
    return (b << torch.arange(n - 1, -1, -1)).sum(-1)


def all_bits(n: int, start: int = 0, stop: int | None = None) -> torch.Tensor:
    """Bitstrings with indices ``start … stop−1`` as float64 [stop − start, n]."""
    n = _width(n)
    stop = 2**n if stop is None else check_count(stop, "stop", minimum=0, maximum=2**n)
    start = check_count(start, "start", minimum=0, maximum=stop, fix=f"0 ≤ start ≤ stop = {stop}")
    need = (stop - start) * max(n, 1) * 8 * 2  # the bits and their indices
    if need > 0.5 * available_memory():
        raise MemoryError(f"all_bits({n}) lists {stop - start} bitstrings, about {gib(need)} GiB: more than this "
                          "machine has; list a range with start=, stop=, or sample networks instead")
    return index_to_bits(torch.arange(start, stop), n)


def reverse_bit_order(vec: torch.Tensor, n: int) -> torch.Tensor:
    """Re-index a vector [..., 2^n] from little-endian (Qiskit) to big-endian, or back."""
    n = _width(n)
    vec = torch.as_tensor(np.asarray(vec) if not isinstance(vec, torch.Tensor) else vec)
    if vec.ndim == 0 or vec.shape[-1] != 2**n:
        raise ValueError(f"vec must have 2^n = {2**n} entries on its last axis (n = {n}); got shape {tuple(vec.shape)}")
    lead = vec.shape[:-1]
    return vec.reshape(*lead, *([2] * n)).permute(*range(len(lead)), *range(len(lead) + n - 1, len(lead) - 1, -1)).reshape(*lead, 2**n)

def from_counts(counts, num_bits: int | None = None, samples: bool = False):
    """Qiskit measurement counts in qhyper's bit order: ``(bits [U, n] float64, counts [U] int64)``,
    or with ``samples=True`` one row per shot [S, n] (in key order).

    ``counts``: a dict from Qiskit's ``get_counts()`` (keys like ``"0110"``, clbit 0 rightmost;
    spaces between registers are ignored) or ``get_int_counts()`` (clbit *j* = bit *j* of the
    integer), or a Qiskit ``BitArray`` (``result[0].data.meas``). Clbit *j* is read as wire *j*
    — as ``measure_all()`` and qhyper's exported circuits map them — so bit *j* of each row is
    qubit *j*: reading the string left to right instead reverses every network.
    ``num_bits``: the width (default: the longest key, or the ``BitArray``'s ``num_bits``).
    """
    if hasattr(counts, "get_int_counts") and hasattr(counts, "num_bits"):  # a BitArray
        num_bits = counts.num_bits if num_bits is None else num_bits
        counts = counts.get_int_counts()
    if not isinstance(counts, dict):
        raise InputTypeError(f"counts must be a dict of Qiskit counts or a Qiskit BitArray; got {type(counts).__name__}")
    keys, values = [], []
    for key, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"counts must map outcomes to non-negative integers; got {key!r}: {value!r}")
        if isinstance(key, str):
            text = key.replace(" ", "")
            if text.startswith("0x"):
                keys.append((int(text, 16), None))
            elif text and set(text) <= {"0", "1"}:
                keys.append((int(text, 2), len(text)))
            else:
                raise ValueError(f"counts keys must be bitstrings such as '0110' (or hex '0x6'); got {key!r}")
        elif isinstance(key, (int, np.integer)) and not isinstance(key, bool) and key >= 0:
            keys.append((int(key), None))
        else:
            raise ValueError(f"counts keys must be bitstrings or non-negative integers; got {key!r}")
        values.append(int(value))
    if num_bits is None:
        widths = [w if w is not None else max(k.bit_length(), 1) for k, w in keys]
        num_bits = max(widths, default=0)
    n = _width(num_bits, "num_bits")
    if any(k >= 2**n for k, _ in keys):
        raise ValueError(f"an outcome has more than num_bits = {n} bits; pass the circuit's width as num_bits")
    ints = torch.tensor([k for k, _ in keys], dtype=torch.int64)
    bits = ((ints.unsqueeze(-1) >> torch.arange(n)) & 1).to(DTYPE)  # column j: clbit j = wire j
    c = torch.tensor(values, dtype=torch.int64)
    if samples:
        return bits.repeat_interleave(c, dim=0)
    return bits, c


def unique_rows(bits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Distinct rows of 0/1 ``bits`` [S, n]: ``(rows [U, n], inverse [S], counts [U])``, rows in
    index order.

    Rows are packed into integer keys first, so the work runs on one integer column instead
    of *n* float columns (``torch.unique(dim=0)`` is slow): for n ≤ 53 by one float64
    matrix-vector product (exact below 2^53); then, when 2^n is at most a few times S, the
    distinct keys come from a ``bincount`` over all 2^n keys (no sort: 10× faster than
    ``torch.unique`` for a million shots of 9 bits), otherwise from ``torch.unique``. Beyond
    53 bits rows are packed into several 62-bit words."""
    n, size = bits.shape[-1], bits.shape[0]
    if n > 53:
        words = torch.stack([(bits[:, s : s + 62].to(torch.int64) << torch.arange(min(62, n - s) - 1, -1, -1)).sum(-1)
                             for s in range(0, n, 62)], -1)
        keys, inverse, counts = torch.unique(words, dim=0, return_inverse=True, return_counts=True)
        first = torch.empty(keys.shape[0], dtype=torch.int64).scatter_(0, inverse, torch.arange(size))
        return bits[first], inverse, counts
    keys = (bits.to(DTYPE) @ torch.pow(2.0, torch.arange(n - 1, -1, -1, dtype=DTYPE))).to(torch.int64)
    if n <= 30 and 2**n <= max(4 * size, 4096):
        full = torch.bincount(keys, minlength=2**n)
        present = full.nonzero().squeeze(-1)
        rank = torch.empty(2**n, dtype=torch.int64)
        rank[present] = torch.arange(present.numel())
        inverse, counts = rank[keys], full[present]
    else:
        present, inverse, counts = torch.unique(keys, return_inverse=True, return_counts=True)
    first = torch.empty(present.numel(), dtype=torch.int64).scatter_(0, inverse, torch.arange(size))
    return bits[first], inverse, counts


def histogram(bits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Samples of several circuits ``bits`` [B, m, n] as counts: ``(rows [U, n], counts
    int64 [B, U])``, the distinct networks over all circuits (in index order) and how many
    shots of each circuit gave each one — the form :meth:`Hypernetwork.sample_counts_angles`
    returns."""
    B, m, n = bits.shape
    rows, inverse, _ = unique_rows(bits.reshape(-1, n))
    U = rows.shape[0]
    keys = inverse.reshape(B, m) + U * torch.arange(B).unsqueeze(-1)
    return rows, torch.bincount(keys.reshape(-1), minlength=B * U).reshape(B, U)


def top_mass(probs: torch.Tensor, mass: float = 1 - 1e-6, limit: int = 4096) -> tuple[torch.Tensor, torch.Tensor]:
    """The most probable bitstrings of a probability vector [2^n] that together hold ``mass``
    (at most ``limit``, at least one; ``mass ≥ 1``: all of them up to ``limit``), as
    ``(bits [K, n], probabilities renormalised [K])``."""
    probs = torch.as_tensor(np.asarray(probs) if not isinstance(probs, torch.Tensor) else probs)
    K = probs.shape[0] if probs.ndim == 1 else 0
    if K < 2 or K & (K - 1) or probs.is_complex():
        raise ValueError(f"probs must be a real vector of 2^n probabilities; got {probs.dtype} of shape {tuple(probs.shape)}")
    if not torch.isfinite(probs).all() or not probs.sum() > 0:
        raise ValueError("probs must be finite with a positive sum (a probability vector); got NaN, inf or all zeros")
    mass = check_real(mass, "mass", 0, low_open=True, fix="the share of probability to keep; ≥ 1 keeps all")
    limit = check_count(limit, "limit", fix="the most networks to return")
    n = K.bit_length() - 1
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
    started at θ = 0.) A NaN entry gives a NaN entropy (it is not dropped like a zero)."""
    probs = probs if isinstance(probs, torch.Tensor) else torch.as_tensor(np.asarray(probs), dtype=DTYPE)
    positive = probs > 0
    safe = torch.where(positive, probs, torch.ones_like(probs))  # log(1) = 0: no NaN in either branch
    kept = ~(probs <= 0)  # the positive entries and NaN, so that a NaN shows
    return -torch.where(kept, probs * torch.log(safe), torch.zeros_like(probs)).sum() + 0.0  # + 0.0: no −0
