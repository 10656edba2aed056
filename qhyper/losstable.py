r"""Log-likelihood of every one of the :math:`2^n` networks of a model, fast.

Two engines:

* **Grouped** (networks with at most one hidden layer). The logits are a sum of small
  tables, one per hidden unit (see :meth:`BinaryMLP.logit_groups`), so with the relative
  logits :math:`r = \sum_g r_g` of the wrong classes,
  :math:`-\log p(y|x) = \log(1 + \sum_c e^{r_c})`. Groups are merged into two halves
  *A* and *B* by outer sums, and a compiled kernel evaluates, for every pair (*a*, *b*),

  .. math:: \sum_n \log\Big(1 + \sum_c e^{A_{a,n,c}}\,e^{B_{b,n,c}}\Big)
            = \sum_{\text{blocks}} \log \prod_{n \in \text{block}} \big(1 + \dots\big),

  i.e. one multiply-add per (network, point) and one logarithm per block of points. Block
  sizes are chosen so that no product can overflow; if the logits are too large for that,
  a slower stable kernel is used. The exponentials are those of the small group tables,
  multiplied out. For one logit the kernel runs over B's networks in SIMD lanes, and when
  the model names the bits whose flip negates its logit (``sign_flip_bits``), only half
  of the networks are computed: :math:`\log p(D|\bar w) = \log p(D|w) + \sum_n r_n(w)`
  gives the rest (entries where that sum would cancel badly are recomputed directly).
  2^18 networks × 10,000 points take about 0.3 s on 2 cores (``benchmarks/loss_table.py``).
* **Enumerated** (anything else): all bitstrings in memory-bounded chunks through the
  model's batched forward pass.

Results are in the index convention of the package: bit 0 is the most significant.
"""
from __future__ import annotations

import math

import numba
import numpy as np
import torch

from . import likelihood
from ._checks import DTYPE, check_table_fits
from ._threads import threads
from .bitstrings import all_bits, index_to_bits

__all__ = ["log_likelihood_table"]

_MAX_EXP = 700.0  # exp(700) < float64 max ≈ exp(709.78)


def log_likelihood_table(model, X, y, scale: float, budget_bytes: int = 2**27) -> torch.Tensor:
    """``log p(D | w_b)`` (sum over the data) for every bitstring ``b``: a float64 tensor [2^n]."""
    n = model.num_bits
    check_table_fits(n)
    groups = getattr(model, "logit_groups", None)  # an optional hint (qhyper.protocol)
    if groups is not None and groups(X[:1]) is not None:
        table = _grouped(model, X, y, scale, budget_bytes)
    else:
        table = _enumerated(model, X, y, scale, budget_bytes)
    likelihood.check_finite(table, X, scale)  # overflowing logits: say so rather than hand back NaN
    return table


def forward_width(model) -> int:
    """The widest layer of a model's forward pass, to size memory-bounded chunks: its
    ``layer_sizes`` hint, else the output width."""
    sizes = getattr(model, "layer_sizes", None)
    if sizes:
        return max(sizes)
    return int(getattr(model, "out_features", None) or (1 if model.n_classes == 2 else model.n_classes))


# ---------------------------------------------------------------- enumerated engine
def _enumerated(model, X, y, scale, budget_bytes):
    n, N = model.num_bits, X.shape[0]
    width = forward_width(model)
    S = max(1, budget_bytes // (8 * N * width * 3))
    out = torch.empty(2**n, dtype=DTYPE)
    for start in range(0, 2**n, S):
        stop = min(start + S, 2**n)
        logits = model.forward(all_bits(n, start, stop), X)
        out[start:stop] = likelihood.log_prob(logits, y, scale).sum(-1)
    return out


# ---------------------------------------------------------------- grouped engine
def _grouped(model, X, y, scale, budget_bytes):
    n, N = model.num_bits, X.shape[0]
    n_choices = 2**model.num_choice_bits
    flip = getattr(model, "sign_flip_bits", lambda: None)()  # an optional hint (qhyper.protocol)
    pivot = flip[0] if flip else None
    parts = None
    results, sums = [], []
    for c in range(n_choices):
        groups = [(idx, likelihood.relative_logits(T, y, scale).contiguous())
                  for idx, T in model.logit_groups(X, choice=c)]
        if pivot is not None and groups[0][1].shape[-1] == 1:
            groups = [_fix_bit(g, pivot) for g in groups]
        else:
            pivot = None
        if parts is None:
            parts = _split(groups, N, budget_bytes)
        outer, A, B = ([groups[i][1] for i in p] for p in parts)
        rows = []
        for o in range(2 ** sum(len(groups[i][0]) for i in parts[0])):
            shift = _row([groups[i] for i in parts[0]], o)
            rows.append(-_pair_kernel(A, B, shift))
        results.append(torch.stack(rows))
        if pivot is not None:  # Σ_n r_n(w) of every computed network, in the same layout
            sums.append(_outer_sum([groups[i][1].sum(1) for p in parts for i in p]))
    computed = [j for j in range(n) if j != pivot]
    order = computed[model.num_weight_bits - (pivot is not None):]  # choice bits lead the computed axes
    for part in parts:
        for i in part:
            order += groups[i][0]
    perm = [order.index(j) for j in computed]

    def natural(stacked):
        return stacked.reshape([2] * len(computed)).permute(perm).reshape(-1)

    table = natural(torch.stack(results))
    if pivot is None:
        return table.contiguous()
    return _unfold(table, natural(torch.stack(sums)), n, pivot, flip, model, X, y, scale)


def _fix_bit(group, bit):
    """A group with ``bit`` set to 1 (its rows with that bit on; the bit leaves its index list)."""
    idx, T = group
    if bit not in idx:
        return group
    k = len(idx) - 1 - idx.index(bit)
    rows = [r for r in range(T.shape[0]) if (r >> k) & 1]
    return [j for j in idx if j != bit], T[rows].contiguous()


#: entries whose flipped value would lose more than this factor to cancellation are recomputed
_CANCELLATION = 1e6


def _unfold(half, sums, n, pivot, flip, model, X, y, scale):
    r"""The whole table from the networks with the ``pivot`` bit on: negating every logit
    (flipping the ``flip`` bits) turns :math:`\log p(D|w) = -\sum_n \log(1 + e^{r_n})` into
    :math:`-\sum_n \log(1 + e^{-r_n}) = \log p(D|w) + \sum_n r_n`, with ``sums`` = Σ_n r_n."""
    k = torch.arange(2 ** (n - 1), dtype=torch.int64)
    low = n - 1 - pivot  # bits after the pivot
    index = ((k >> low) << (low + 1)) | (1 << low) | (k & ((1 << low) - 1))
    mask = sum(1 << (n - 1 - j) for j in flip)
    flipped = half + sums
    loss = ((half.abs() + sums.abs()) > _CANCELLATION * flipped.abs()) & torch.isfinite(flipped)
    if loss.any():  # a near-perfect flipped network: its small log-likelihood, directly
        bits = index_to_bits(index[loss] ^ mask, n)
        flipped[loss] = likelihood.log_prob(model.forward(bits, X), y, scale).sum(-1)
    table = torch.empty(2**n, dtype=DTYPE)
    table[index] = half
    table[index ^ mask] = flipped
    return table


def _split(groups, N, budget_bytes):
    """Assign groups to (outer, A, B): B and A each stay within the memory budget and
    together cover as many bits as they can; what is left is looped over in Python."""
    width = groups[0][1].shape[-1]
    per_row = 8 * N * width
    total_bits = sum(len(g[0]) for g in groups)
    parts, i = [[], [], []], 0
    for p, target in ((2, math.ceil(total_bits / 2)), (1, total_bits)):
        bits = 0
        while i < len(groups):
            k = len(groups[i][0])
            if parts[p] and (bits + k > target or 2 ** (bits + k) * per_row > budget_bytes):
                break
            parts[p].append(i)
            bits += k
            i += 1
    parts[0] = list(range(i, len(groups)))
    if not parts[1]:  # a single group: give A one trivial row
        parts[1], parts[2] = parts[2], []
    return parts


def _outer_sum(tables: list[torch.Tensor]) -> torch.Tensor:
    """[K1, N, C], [K2, N, C], … → [K1·K2·…, N, C], row index big-endian over the factors."""
    if not tables:
        return None
    acc = tables[0]
    for T in tables[1:]:
        acc = (acc[:, None] + T[None, :]).reshape(-1, *T.shape[1:])
    return acc


def _row(groups, o: int):
    """The summed table row of the outer groups for outer index ``o`` (big-endian)."""
    total = 0.0
    shift = sum(len(g[0]) for g in groups)
    for idx, T in groups:
        shift -= len(idx)
        total = total + T[(o >> shift) & (2 ** len(idx) - 1)]
    return total


def _pair_kernel(A: list[torch.Tensor], B: list[torch.Tensor], shift) -> torch.Tensor:
    r"""``out[a, b] = Σ_n log(1 + Σ_c exp(A[a,n,c] + B[b,n,c] + shift[n,c]))`` as a float64
    tensor [K_A, K_B], where ``A`` and ``B`` are the outer sums of the group tables given
    (``B`` may be empty: one row of zeros).

    The exponentials are taken of the small group tables and multiplied out (the exponential
    of an outer sum is the outer product of the exponentials): each factor is shifted by its
    table's per-point maximum, so every partial product is ≤ 1, and the total shift —
    at most the largest logit, kept below overflow — goes into one last factor."""
    if not B:
        B = [torch.zeros(1, *A[0].shape[1:], dtype=A[0].dtype)]
    A_np, B_np = [t.numpy() for t in A], [t.numpy() for t in B]
    m_a = sum(t.max(axis=0) for t in A_np)  # per (point, class): the largest row of A
    m_b = sum(t.max(axis=0) for t in B_np) + np.asarray(shift)
    zmax = float((m_a + m_b).max())
    if not math.isfinite(zmax):  # the logits overflow: NaN at once, which the caller refuses clearly
        return torch.full((math.prod(t.shape[0] for t in A_np), math.prod(t.shape[0] for t in B_np)), math.nan,
                          dtype=DTYPE)
    if zmax > _MAX_EXP - 10:
        with threads():  # numba's OpenMP threading layer can reset torch's thread count
            return torch.from_numpy(_stable_kernel(_outer_sum(A).numpy(), (_outer_sum(B) + shift).numpy()))
    block = int(max(1, min(64, _MAX_EXP // (max(zmax, 0.0) + math.log(A_np[0].shape[2] + 1)))))
    EA = _outer_exp(A_np)
    EB = _outer_exp(B_np) * np.exp(m_a + m_b)
    with threads():
        if A_np[0].shape[2] == 1:  # binary classifiers: the networks of B side by side, in SIMD lanes
            return torch.from_numpy(_binary_kernel(np.ascontiguousarray(EA[:, :, 0]),
                                                   np.ascontiguousarray(EB[:, :, 0].T), block, _CHUNK))
        return torch.from_numpy(_product_kernel(EA, EB, block))


def _outer_exp(tables: list[np.ndarray]) -> np.ndarray:
    """``exp(outer sum − its per-point maximum)`` [K1·K2·…, N, C] as a product of the tables'
    own shifted exponentials (row index big-endian over the factors, as :func:`_outer_sum`)."""
    acc = None
    for T in tables:
        E = np.exp(T - T.max(axis=0))
        acc = E if acc is None else (acc[:, None] * E[None, :]).reshape(-1, *E.shape[1:])
    return acc


#: rows of A per parallel job of the binary kernel: a block of B's points (≤ 64 × K_B values)
#: stays in cache while this many rows use it (measured: 8 → 5.0×, 32 → 6.6×, 64 → 5.8×
#: faster than the per-pair kernel on 512 × 256 pairs × 10,000 points, 2 cores)
_CHUNK = 32


@numba.njit(parallel=True, fastmath=True, cache=True)
def _binary_kernel(EA, EBt, block, chunk):  # pragma: no cover - compiled
    """:func:`_product_kernel` for one class: ``EA`` [K_A, N], ``EBt`` [N, K_B] (transposed,
    so that the inner loop runs over B's networks — independent products, vectorised)."""
    KA, N = EA.shape
    KB = EBt.shape[1]
    out = np.zeros((KA, KB))
    for job in numba.prange((KA + chunk - 1) // chunk):
        p = np.empty(KB)
        start = 0
        while start < N:
            stop = min(start + block, N)
            for a in range(job * chunk, min(job * chunk + chunk, KA)):
                p[:] = 1.0
                for i in range(start, stop):
                    e = EA[a, i]
                    for j in range(KB):
                        p[j] *= 1.0 + e * EBt[i, j]
                for j in range(KB):
                    out[a, j] += np.log(p[j])
            start = stop
    return out


@numba.njit(parallel=True, fastmath=True, cache=True)
def _product_kernel(EA, EB, block):  # pragma: no cover - compiled
    KA, N, C = EA.shape
    KB = EB.shape[0]
    out = np.empty((KA, KB))
    for a in numba.prange(KA):
        ea = EA[a]
        for b in range(KB):
            eb = EB[b]
            acc = 0.0
            start = 0
            while start < N:
                stop = min(start + block, N)
                p = 1.0
                for i in range(start, stop):
                    s = 1.0
                    for c in range(C):
                        s += ea[i, c] * eb[i, c]
                    p *= s
                acc += np.log(p)
                start = stop
            out[a, b] = acc
    return out


@numba.njit(parallel=True, cache=True)
def _stable_kernel(A, B):  # pragma: no cover - compiled
    KA, N, C = A.shape
    KB = B.shape[0]
    out = np.empty((KA, KB))
    for a in numba.prange(KA):
        for b in range(KB):
            acc = 0.0
            for i in range(N):
                mx = 0.0
                for c in range(C):
                    mx = max(mx, A[a, i, c] + B[b, i, c])
                s = np.exp(-mx)
                for c in range(C):
                    s += np.exp(A[a, i, c] + B[b, i, c] - mx)
                acc += mx + np.log(s)
            out[a, b] = acc
    return out
