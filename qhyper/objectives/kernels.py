r"""Kernels on bitstrings that depend only on the Hamming distance.

Every kernel here has the form :math:`k(x, y) = g(h(x, y))` with
:math:`h(x,y) = \sum_j |x_j - y_j|` the Hamming distance (equal to :math:`\|x-y\|^2` for
bits). Three families:

* :class:`GaussianMixtureKernel` — :math:`g(h) = \frac1c\sum_{i=1}^c e^{-h/(2\sigma_i)}`,
  the kernel of Liu & Wang (2018). Each term is a product over bits of
  :math:`\begin{psmallmatrix}1 & a\\ a & 1\end{psmallmatrix}`, :math:`a = e^{-1/(2\sigma)} < 1`,
  so the kernel is strictly positive definite (characteristic) on :math:`\{0,1\}^n`.
* :class:`IMQKernel` — inverse multiquadric :math:`g(h) = (1 + h/c)^{-\gamma}`; completely
  monotone in *h*, and *h* is conditionally negative definite, so it is strictly positive
  definite (Schoenberg) with heavier tails than the Gaussian.
* :class:`PolynomialKernel` — :math:`g(h) = \big((\langle s, s'\rangle/n + c)/(1 + c)\big)^d`
  on spins :math:`s = 2x - 1` (:math:`\langle s,s'\rangle = n - 2h`). It compares moments
  up to order *d* only: **not** characteristic (MMD can vanish between different
  distributions); useful as a cheap low-order matching term.

**Default bandwidths** (``GaussianMixtureKernel()``): :math:`\sigma_i = n/2, n/4, n/8, n/16`
(smallest clipped at 1/4). The widest term still varies across the typical distance
:math:`n/2` of unrelated bitstrings (:math:`e^{-1/2}` there), the narrowest resolves single
bit flips; for :math:`n = 9` this gives 4.5, 2.25, 1.13, 0.56, close to Liu & Wang's
0.5, 1, 2, 4 for 3×3 bars-and-stripes.

Every kernel evaluates Gram matrices and pair means vectorised (one matrix product for
all Hamming distances, then a lookup in the table :math:`g(0), \dots, g(n)`), and exact
quadratic forms :math:`a^\top K b` over all :math:`2^n` bitstrings in
:math:`O(n 2^n)`: *K* depends on :math:`x \oplus y` only, so the Walsh–Hadamard transform
*H* diagonalises it, :math:`a^\top K b = 2^{-n} (Ha)^\top \mathrm{diag}(H g) (Hb)`.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod

import torch

from .._checks import DTYPE, check_count, check_real
from ..bitstrings import unique_rows

__all__ = ["HammingKernel", "GaussianMixtureKernel", "IMQKernel", "PolynomialKernel",
           "hamming_distance", "default_bandwidths", "walsh_hadamard", "unique_rows", "LIU_WANG_BANDWIDTHS"]

_CHUNK = 2**22  # distance-matrix entries per block (32 MiB of float64)

#: the σ_i of Liu & Wang's Born-machine experiments (:meth:`GaussianMixtureKernel.liu_wang`)
LIU_WANG_BANDWIDTHS = (0.5, 1.0, 2.0, 4.0)


def hamming_distance(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Hamming distances between rows of ``x`` [A, n] and ``y`` [B, n] (0/1 floats): [A, B]."""
    return x.sum(-1, keepdim=True) + y.sum(-1).unsqueeze(0) - 2.0 * (x @ y.T)


def default_bandwidths(n: int) -> tuple[float, ...]:
    """The rule of :class:`GaussianMixtureKernel`: σ = n/2, n/4, n/8, n/16, each ≥ 1/4."""
    return tuple(max(n / 2**k, 0.25) for k in range(1, 5))


def walsh_hadamard(v: torch.Tensor) -> torch.Tensor:
    r"""Unnormalised Walsh–Hadamard transform of ``v`` [..., 2^n] (differentiable):
    :math:`(Hv)_s = \sum_z (-1)^{s\cdot z} v_z`. Applying it twice multiplies by :math:`2^n`."""
    size = v.shape[-1]
    n = size.bit_length() - 1
    if size != 2**n:
        raise ValueError(f"the Walsh–Hadamard transform needs a length 2^n; got {size}")
    lead = v.shape[:-1]
    out = v
    for j in range(n):
        pairs = out.reshape(*lead, 2 ** j, 2, size // 2 ** (j + 1))
        a, b = pairs.unbind(-2)
        out = torch.stack((a + b, a - b), dim=-2).reshape(*lead, size)
    return out



def _popcount(n: int) -> torch.Tensor:
    z = torch.arange(2**n)
    count = torch.zeros(2**n, dtype=torch.int64)
    for j in range(n):
        count += (z >> j) & 1
    return count


class HammingKernel(ABC):
    """A kernel :math:`k(x, y) = g(h(x, y))` of the Hamming distance; subclasses define ``g``."""

    @abstractmethod
    def of_distance(self, h: torch.Tensor, n: int) -> torch.Tensor:
        """``g(h)`` elementwise, for bitstrings of length ``n``."""

    def table(self, n: int) -> torch.Tensor:
        """``g(0), …, g(n)`` as float64 [n + 1]."""
        return self.of_distance(torch.arange(n + 1, dtype=DTYPE), n).to(DTYPE)

    def uniform_mean(self, n: int) -> float:
        r""":math:`\mathbb{E}_{y\sim U}[k(x, y)] = 2^{-n}\sum_h \binom{n}{h} g(h)` under the
        uniform distribution on :math:`\{0,1\}^n` — the same for every *x* (the distances from
        any *x* to uniform bitstrings are Binomial(n, 1/2)), and equal to
        :math:`\mathbb{E}_{y,y'\sim U}[k(y, y')]`."""
        h = torch.arange(n + 1, dtype=DTYPE)
        log_binom = torch.lgamma(torch.tensor(n + 1.0, dtype=DTYPE)) - torch.lgamma(h + 1) - torch.lgamma(n - h + 1)
        return float((torch.exp(log_binom - n * math.log(2.0)) * self.table(n)).sum())

    def __call__(self, x, y) -> torch.Tensor:
        """Gram matrix [A, B] between bitstrings ``x`` [A, n] and ``y`` [B, n]."""
        x, y = torch.as_tensor(x, dtype=DTYPE), torch.as_tensor(y, dtype=DTYPE)
        return self.table(x.shape[-1])[hamming_distance(x, y).round().long()]

    def row_sums(self, x: torch.Tensor, y: torch.Tensor, y_counts: torch.Tensor | None = None) -> torch.Tensor:
        r""":math:`v_u = \sum_j c_j\, k(x_u, y_j)` for every row of ``x`` [U, n]: [U] (``c`` = ``y_counts``, default 1).

        Computed in blocks of rows so memory stays bounded however many rows there are."""
        g = self.table(x.shape[-1])
        c = torch.ones(y.shape[0], dtype=DTYPE) if y_counts is None else y_counts.to(DTYPE)
        rows = max(1, _CHUNK // max(1, y.shape[0]))
        if not x.shape[0]:
            return x.new_zeros(0)
        return torch.cat([g[hamming_distance(x[s : s + rows], y).round().long()] @ c
                          for s in range(0, x.shape[0], rows)])

    def pair_sum(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        r""":math:`\sum_{i,j} k(x_i, y_j)` for every leading index: ``x`` [..., A, n], ``y`` [B, n] → [...].

        Distinct rows are paired once, weighted by their counts (trained hypernetworks repeat
        networks often).
        """
        ux, inv_x, _ = unique_rows(x.reshape(-1, x.shape[-1]))
        uy, _, count_y = unique_rows(y)
        return self.row_sums(ux, uy, count_y)[inv_x].reshape(x.shape[:-1]).sum(-1)

    def mean(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        r"""V-statistic :math:`\frac{1}{AB}\sum_{i,j} k(x_i, y_j)` (x and y independent samples): [...]."""
        return self.pair_sum(x, y) / (x.shape[-2] * y.shape[0])

    def mean_offdiagonal(self, x: torch.Tensor) -> torch.Tensor:
        r"""U-statistic :math:`\frac{1}{m(m-1)}\sum_{i\ne j} k(x_i, x_j)` of one sample ``x`` [m, n]."""
        m = x.shape[0]
        if m < 2:
            raise ValueError("a U-statistic needs at least 2 samples")
        total = self.pair_sum(x, x) - m * self.table(x.shape[-1])[0]
        return total / (m * (m - 1))

    def quadratic(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        r"""Exact :math:`a^\top K b = \sum_{x,y} a_x\, k(x,y)\, b_y` for vectors over all
        :math:`2^n` bitstrings (Walsh–Hadamard diagonalisation, :math:`O(n 2^n)`, differentiable)."""
        size = a.shape[-1]
        n = size.bit_length() - 1
        spectrum = walsh_hadamard(self.table(n)[_popcount(n)])
        return (walsh_hadamard(a) * spectrum * walsh_hadamard(b)).sum(-1) / size


def _positive(values, what: str) -> tuple[float, ...]:
    """One positive finite number, or a non-empty list of them (a string is neither)."""
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        values = [values]
    vals = tuple(check_real(v, what, 0, low_open=True) for v in values)
    if not vals:
        raise ValueError(f"{what} must list at least one value")
    return vals


class GaussianMixtureKernel(HammingKernel):
    r""":math:`k(x,y) = \frac1c\sum_i \exp(-h(x,y)/(2\sigma_i))` (Liu & Wang 2018, Eq. 1 on bits).

    Args:
        bandwidths: the :math:`\sigma_i` (> 0); ``None`` picks :func:`default_bandwidths` of
            the bitstring length at first use.
    """

    def __init__(self, bandwidths=None):
        self.bandwidths = None if bandwidths is None else _positive(bandwidths, "bandwidths")

    @classmethod
    def liu_wang(cls) -> "GaussianMixtureKernel":
        """Liu & Wang's (2018) bandwidths for 3×3 bars-and-stripes, σ ∈ {0.5, 1, 2, 4}."""
        return cls(LIU_WANG_BANDWIDTHS)

    def sigmas(self, n: int) -> tuple[float, ...]:
        return default_bandwidths(n) if self.bandwidths is None else self.bandwidths

    def of_distance(self, h, n):
        s = torch.tensor(self.sigmas(n), dtype=DTYPE)
        return torch.exp(-h.unsqueeze(-1) / (2.0 * s)).mean(-1)

    def __repr__(self):
        bw = "default rule" if self.bandwidths is None else list(self.bandwidths)
        return f"GaussianMixtureKernel(bandwidths={bw})"


class IMQKernel(HammingKernel):
    r"""Inverse multiquadric :math:`k(x,y) = (1 + h(x,y)/c)^{-\gamma}`; ``scale`` c > 0, ``power`` γ > 0."""

    def __init__(self, scale: float = 1.0, power: float = 0.5):
        (self.scale,) = _positive(scale, "scale")
        (self.power,) = _positive(power, "power")

    def of_distance(self, h, n):
        return (1.0 + h / self.scale) ** (-self.power)

    def __repr__(self):
        return f"IMQKernel(scale={self.scale}, power={self.power})"


class PolynomialKernel(HammingKernel):
    r"""Normalised polynomial kernel on spins, :math:`((n - 2h)/n + c)^d / (1 + c)^d`.

    Matches moments up to order ``degree`` only (not characteristic)."""

    def __init__(self, degree: int = 2, offset: float = 1.0):
        degree = check_count(degree, "degree")
        (self.offset,) = _positive(offset, "offset")
        self.degree = degree

    def of_distance(self, h, n):
        return (((n - 2.0 * h) / n + self.offset) / (1.0 + self.offset)) ** self.degree

    def __repr__(self):
        return f"PolynomialKernel(degree={self.degree}, offset={self.offset})"
