r"""Storage of an unrolled network in bits, per dense weight position.

.. math:: \text{bpw} = \frac{\text{weight bits} + 32\,(\#\text{scales} + \#\text{thresholds})
          + \text{mask bits}}{\sum_{\text{stored matrices}} \text{rows}\times\text{cols}}

* **Weight bits**: binary — 1 per support entry; ternary — :math:`\log_2 3` per entry
  (entropy-packed; ``ternary_bits="packed"`` charges 2); real — 32 per support entry.
* **Scalars** are float32: the learned scales (binary), the TWN scales α (ternary) and the
  thresholds (:math:`T`, one shared, or :math:`T n` per row). A dense ternary network's zeros are in its symbols, so it
  pays no mask.
* **Mask bits**: a *physics* mask is a function of the known operator and costs nothing;
  a dense network has no mask; a *custom* support (unstructured pruning) must be stored:
  ``mask_cost="entropy"`` charges the lower bound :math:`N\,H_2(\rho)` per matrix
  (:math:`\rho` its density), ``"csr"`` charges compressed-sparse-row indices,
  :math:`\text{nnz}\lceil\log_2 \text{cols}\rceil + (\text{rows}+1)\lceil\log_2(\text{nnz}+1)\rceil`.
  A tied network stores one mask for all layers; an untied one also one (the support is shared).
* **Dense positions**: :math:`L_1\,nm + L_2\,n^2` — every stored matrix counted once
  (a tied network counts one layer's matrices).

ISTA stores only its ℓ1 weight α: 32 bits, and no weight positions of its own.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .._checks import check_choice, InputTypeError
from . import quantize as Q
from .model import ISTA, UnrolledISTA

__all__ = ["StorageReport", "storage_report", "bits_per_weight"]


@dataclass(frozen=True)
class StorageReport:
    """Bit budget of one network (see the module docstring for the rules)."""

    weight_bits: float
    scalar_count: int
    mask_bits: float
    dense_positions: int

    @property
    def scalar_bits(self) -> int:
        return 32 * self.scalar_count

    @property
    def total_bits(self) -> float:
        return self.weight_bits + self.scalar_bits + self.mask_bits

    @property
    def bits_per_weight(self) -> float:
        return self.total_bits / self.dense_positions if self.dense_positions else math.nan

    def __str__(self) -> str:
        return (f"weights {self.weight_bits:.0f} b + scalars {self.scalar_count}×32 b + mask "
                f"{self.mask_bits:.0f} b = {self.total_bits:.0f} b over {self.dense_positions} "
                f"positions → {self.bits_per_weight:.4f} bits/weight")


def _h2(p: float) -> float:
    return 0.0 if p <= 0 or p >= 1 else -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def _mask_bits(M, how: str) -> float:
    rows, cols = M.shape
    nnz = int(M.sum())
    if how == "entropy":
        return rows * cols * _h2(nnz / (rows * cols))
    return nnz * math.ceil(math.log2(max(cols, 2))) + (rows + 1) * math.ceil(math.log2(nnz + 1))


def storage_report(model, mask_cost: str = "entropy", ternary_bits: str = "entropy") -> StorageReport:
    """The :class:`StorageReport` of an :class:`UnrolledISTA` (or :class:`ISTA`)."""
    check_choice(mask_cost, "mask_cost", ("entropy", "csr"))
    check_choice(ternary_bits, "ternary_bits", ("entropy", "packed"))  # log2 3 or 2 bits per symbol
    if isinstance(model, ISTA):
        return StorageReport(0.0, 1, 0.0, 0)
    if not isinstance(model, UnrolledISTA):
        raise InputTypeError(f"storage_report needs an UnrolledISTA or ISTA; got {type(model).__name__}")
    L1, L2 = model.V1.shape[0], model.V2.shape[0]
    nnz = L1 * int(model.M1.sum()) + L2 * int(model.M2.sum())
    n, m = model.out_features, model.in_features
    dense = L1 * n * m + L2 * n * n
    per_entry = {"real": 32.0, "binary": 1.0,
                 "ternary": math.log2(3) if ternary_bits == "entropy" else 2.0}[model.weight_kind]
    scalars = model.theta.numel()  # thresholds: per layer, shared or per row
    pairs = [(model.V1, model.M1), (model.V2, model.M2)]
    if model.weight_kind == "binary":
        scalars += sum(s.numel() for s in {id(s): s for s in model._scales()}.values())
    elif model.weight_kind == "ternary":
        scalars += Q.ternary_scale_count([p for p in pairs if p[0].shape[0]], model.scale_kind)
    mask = 0.0
    if model.mask_kind == "custom":
        mask = _mask_bits(model.M1, mask_cost) + (_mask_bits(model.M2, mask_cost) if L2 else 0.0)
    return StorageReport(per_entry * nnz, scalars, mask, dense)


def bits_per_weight(model, **options) -> float:
    """Stored bits per dense weight position (options as :func:`storage_report`)."""
    return storage_report(model, **options).bits_per_weight
