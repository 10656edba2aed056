r"""What an objective sees of the training problem: an Evaluator, a cost table, or nothing.

* An :class:`~qhyper.Evaluator` scores any sampled network (``log_likelihood``, ``nll``)
  and, for small *n*, all of them (``loss_table``).
* A **cost table** ``L`` [2^n] (the original Quantum HyperNetworks input) gives the loss of
  every network directly. For the Bayesian objectives it stands for a mean negative
  log-likelihood over ``data_size`` points: :math:`\log p(D|w) = -N\,L(w)` with the
  explicit :math:`N` = ``data_size`` of the objective (there is no default: the balance
  between the likelihood and the KL/MMD term depends on it).
* ``None`` — objectives that need no data (:class:`~qhyper.objectives.MMD`).
"""
from __future__ import annotations

import torch

from .._checks import DTYPE, as_bits, check_count, real_array
from ..bitstrings import bits_to_index

__all__ = ["LossSource"]


class LossSource:
    """Uniform access to losses and log-likelihoods of networks.

    Args:
        data: an Evaluator, a cost table (array-like of length 2^n, finite), or ``None``.
        num_bits: the bitstring length when ``data`` is ``None``.
    """

    def __init__(self, data, num_bits: int | None = None):
        self.evaluator = None
        self.table = None
        self._loss_table = None
        if data is None:
            if num_bits is None:
                raise ValueError("a LossSource without data needs num_bits")
            self.num_bits = int(num_bits)
        elif hasattr(data, "log_likelihood") and hasattr(data, "num_bits"):
            self.evaluator = data
            self.num_bits = int(data.num_bits)
        else:
            self.table = _as_cost_table(data)
            self.num_bits = self.table.shape[0].bit_length() - 1

    @property
    def has_data(self) -> bool:
        return self.evaluator is not None or self.table is not None

    @property
    def num_data(self) -> int | None:
        return self.evaluator.num_data if self.evaluator is not None else None

    def _need_data(self):
        if not self.has_data:
            raise ValueError("this objective needs training data: pass an Evaluator or a cost table to fit()")

    def loss(self, bits) -> torch.Tensor:
        """Mean loss of each network [S] (the Evaluator's mean NLL, or the cost-table entry)."""
        self._need_data()
        if self.evaluator is not None:
            return self.evaluator.nll(bits)
        return self.table[bits_to_index(as_bits(bits, self.num_bits))]

    def log_likelihood(self, bits, data_size: int | None = None) -> torch.Tensor:
        """log p(D|w) of each network [S]; a cost table gives ``−data_size · L(w)``."""
        self._need_data()
        if self.evaluator is not None:
            return self.evaluator.log_likelihood(bits)
        return -self.require_data_size(data_size) * self.loss(bits)

    def loss_table(self) -> torch.Tensor:
        """Mean loss of all 2^n networks [2^n] (bit 0 most significant)."""
        self._need_data()
        if self._loss_table is None:
            self._loss_table = self.table if self.table is not None else self.evaluator.loss_table()
        return self._loss_table

    def log_likelihood_table(self, data_size: int | None = None) -> torch.Tensor:
        """log p(D|w) of all 2^n networks [2^n]."""
        self._need_data()
        if self.evaluator is not None:
            return self.evaluator.log_likelihood_table()
        return -self.require_data_size(data_size) * self.table

    def require_data_size(self, data_size) -> float:
        """``data_size`` as a float; a cost table carries none, so it must be given."""
        if data_size is None:
            raise ValueError(
                "a cost table carries no data size: give the objective data_size=N so that "
                "log p(D|w) = −N·L(w) (N = number of training points the mean loss averages over)"
            )
        return float(data_size)

    def __repr__(self):
        kind = "evaluator" if self.evaluator is not None else "cost table" if self.table is not None else "no data"
        return f"LossSource(num_bits={self.num_bits}, {kind})"


def check_data_size(data_size) -> int | None:
    """``None`` or a positive integer."""
    if data_size is None:
        return None
    return check_count(data_size, "data_size", fix="the number of training points the mean loss averages over")


#: largest |loss| a cost table may hold: objectives square and sum losses (annealing
#: temperature, variances, L-BFGS curvature), which overflows float64 beyond ~1e154
MAX_ABS_COST = 1e150


def _as_cost_table(data) -> torch.Tensor:
    arr = real_array(data.detach() if isinstance(data, torch.Tensor) else data,
                     "fit()'s data (an Evaluator, or a cost table of 2^n real losses)",
                     fix="pass real losses (e.g. table.real if the imaginary part is rounding noise)")
    t = torch.as_tensor(arr, dtype=DTYPE)
    if t.ndim != 1 or t.shape[0] < 2 or t.shape[0] & (t.shape[0] - 1):
        raise ValueError(
            f"a cost table must be 1-D with length 2^n (one loss per bitstring, bit 0 most "
            f"significant); got shape {tuple(t.shape)}"
        )
    if not torch.isfinite(t).all():
        bad = int((~torch.isfinite(t)).sum())
        raise ValueError(f"the cost table has {bad} NaN/inf entries; every network needs a finite loss")
    big = float(t.abs().max())
    if big > MAX_ABS_COST:
        raise ValueError(f"the cost table holds losses up to {big:.3g} in magnitude: beyond {MAX_ABS_COST:g} the "
                         "objectives' squares and sums overflow float64. Rescale it (e.g. divide by its largest "
                         "magnitude); the ranking of networks does not change")
    return t
