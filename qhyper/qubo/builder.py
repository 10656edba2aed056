r"""Vectorised assembly of a binary quadratic model from penalty terms.

Everything here works on *blocks* of many terms at once: ``idx`` [M, K] variable indices,
``coef`` [M, K] integer coefficients (0 pads a short row), ``const`` [M]. The model is
kept as a linear vector, COO lists of couplings and an offset, and handed to
:meth:`dimod.BinaryQuadraticModel.from_numpy_vectors` once (duplicate couplings add up).

For binary :math:`x`, :math:`x^2 = x`, so a squared linear form expands as

.. math:: \Big(\sum_k c_k x_k + c_0\Big)^2 = \sum_k (c_k^2 + 2c_0c_k)\,x_k
          + 2\sum_{k<l} c_k c_l\, x_k x_l + c_0^2 .
"""
from __future__ import annotations

import numpy as np

__all__ = ["BQMBuilder", "slack_coefficients"]


def slack_coefficients(R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Bounded binary expansions of the ranges :math:`[0, R_m]`.

    Row *m* uses :math:`k_m = \lfloor\log_2 R_m\rfloor + 1` bits with coefficients
    :math:`1, 2, \dots, 2^{k_m-2}, R_m - (2^{k_m-1} - 1)`: every integer in :math:`[0, R_m]`
    is representable and nothing larger is. Returns ``coef`` [M, max k] (0-padded) and
    ``counts`` [M].
    """
    R = np.asarray(R, dtype=np.int64)
    if (R < 0).any():
        raise ValueError("slack ranges must be non-negative")
    counts = np.array([int(r).bit_length() for r in R.ravel()], dtype=np.int64)
    width = int(counts.max()) if counts.size else 0
    col = np.arange(width)[None, :]
    coef = np.where(col < counts[:, None] - 1, 2**col, 0)
    last = R - (2 ** np.maximum(counts - 1, 0) - 1)
    rows = np.nonzero(counts > 0)[0]
    coef[rows, counts[rows] - 1] = last[rows]
    return coef.astype(np.int64), counts


class BQMBuilder:
    """Accumulates linear biases, couplings and an offset over integer-labelled variables."""

    def __init__(self):
        self.num_variables = 0
        self._linear: list[tuple[np.ndarray, np.ndarray]] = []
        self._quad: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.offset = 0.0

    def new(self, *shape: int) -> np.ndarray:
        """Allocate ``prod(shape)`` fresh variables; their labels as an int array of ``shape``."""
        count = int(np.prod(shape)) if shape else 1
        labels = np.arange(self.num_variables, self.num_variables + count).reshape(shape)
        self.num_variables += count
        return labels

    def new_ragged(self, counts: np.ndarray) -> np.ndarray:
        """Allocate ``counts[m]`` variables for row *m*: labels [M, max count], −1 pads."""
        counts = np.asarray(counts, dtype=np.int64)
        width = int(counts.max()) if counts.size else 0
        labels = np.full((len(counts), width), -1, dtype=np.int64)
        mask = np.arange(width)[None, :] < counts[:, None]
        labels[mask] = self.new(int(counts.sum()))
        return labels

    def add_linear(self, idx, coef) -> None:
        idx = np.asarray(idx)
        coef = np.broadcast_to(np.asarray(coef, dtype=float), idx.shape).ravel()
        idx = idx.ravel()
        keep = coef != 0
        self._linear.append((idx[keep], coef[keep]))

    def add_quadratic(self, i, j, coef) -> None:
        i, j = np.asarray(i), np.asarray(j)
        coef = np.broadcast_to(np.asarray(coef, dtype=float), i.shape).ravel()
        i, j = i.ravel(), j.ravel()
        keep = coef != 0
        self._quad.append((i[keep], j[keep], coef[keep]))

    def add_squared(self, idx: np.ndarray, coef: np.ndarray, const: np.ndarray, weight: float) -> None:
        r"""Add :math:`\text{weight}\cdot(\sum_k \text{coef}_{mk}\,x_{\text{idx}_{mk}} + \text{const}_m)^2` for every row *m*."""
        idx = np.asarray(idx, dtype=np.int64)
        coef = np.asarray(coef, dtype=float)
        const = np.asarray(const, dtype=float)
        self.add_linear(idx, weight * (coef**2 + 2 * const[:, None] * coef))
        p, q = np.triu_indices(idx.shape[1], k=1)
        self.add_quadratic(idx[:, p], idx[:, q], 2 * weight * coef[:, p] * coef[:, q])
        self.offset += weight * float((const**2).sum())

    def bqm(self):
        """The assembled :class:`dimod.BinaryQuadraticModel` (BINARY, labels 0 … V−1)."""
        import dimod

        linear = np.zeros(self.num_variables)
        for idx, c in self._linear:
            np.add.at(linear, idx, c)
        if self._quad:
            i, j, c = (np.concatenate(parts) for parts in zip(*self._quad))
        else:
            i = j = np.zeros(0, dtype=np.int64)
            c = np.zeros(0)
        if (i == j).any():
            raise AssertionError("a coupling joins a variable to itself")
        return dimod.BinaryQuadraticModel.from_numpy_vectors(linear, (i, j, c), self.offset, "BINARY")
