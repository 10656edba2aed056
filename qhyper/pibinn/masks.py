r"""Weight supports of an unrolled ISTA network.

ISTA for :math:`\min_x \tfrac12\|y - Ax\|^2 + \alpha\|x\|_1` iterates
:math:`x \leftarrow \operatorname{soft}\big(\tfrac1L A^\top y + (I - \tfrac1L A^\top A)x,\ \alpha/L\big)`,
so the two weight matrices of its unrolled network inherit the zeros of the physics:

* :math:`W_1 \in \mathbb{R}^{n\times m}` lives on :math:`\operatorname{supp}(A^\top)`;
* :math:`W_2 \in \mathbb{R}^{n\times n}` lives on :math:`\operatorname{supp}(|A|^\top|A|) \cup \operatorname{diag}`.

The support of :math:`A^\top A` is taken *structurally* — from :math:`|A|^\top|A|`, so no
entry vanishes by numerical cancellation — since it must follow from the physics (which
sensors see which unknowns), not from one draw of the operator's values. Masks are fixed
boolean matrices: a *physics* mask is a function of the known operator and costs no
storage; a *custom* mask (e.g. from magnitude pruning) must be stored and is charged for
in :func:`~qhyper.pibinn.storage_report`.
"""
from __future__ import annotations

import torch

from .._checks import check_real
from .problems import _as_operator, _numeric

__all__ = ["physics_masks", "dense_masks", "check_masks"]


def physics_masks(A: torch.Tensor, tol: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """``(M1 [n, m], M2 [n, n])``: ``supp(Aᵀ)`` and ``supp(|A|ᵀ|A|) ∪ diag``, entries ``|a| > tol`` count."""
    A = _as_operator(A)
    tol = check_real(tol, "tol", 0, fix="entries of A with |a| > tol are in the support")
    S = (A.abs() > tol).to(torch.float64)
    M1 = S.T.bool()
    M2 = (S.T @ S > 0) | torch.eye(A.shape[1], dtype=torch.bool)
    return check_masks(M1, M2, A.shape)


def dense_masks(A: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """All-true masks of the shapes of Aᵀ and AᵀA (an ordinary dense LISTA)."""
    m, n = _as_operator(A).shape
    return torch.ones(n, m, dtype=torch.bool), torch.ones(n, n, dtype=torch.bool)


def check_masks(M1, M2, shape: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate masks for an operator of ``shape`` (m, n): right shapes and no empty rows."""
    m, n = shape
    out = []
    for name, M, want in (("M1", M1, (n, m)), ("M2", M2, (n, n))):
        M = _numeric(M, f"mask {name}")
        if tuple(M.shape) != want:
            raise ValueError(f"mask {name} must have shape {want} for an operator of shape {(m, n)}; "
                             f"got {tuple(M.shape)}")
        if not torch.all((M == 0) | (M == 1)):
            raise ValueError(f"mask {name} must be boolean (or 0/1)")
        M = M.bool()
        empty = torch.nonzero(~M.any(1)).flatten().tolist()
        if empty:
            why = (" — column(s) of A that are entirely zero: those unknowns are not observed; "
                   "drop them from the signal or fix the operator") if name == "M1" else ""
            raise ValueError(f"mask {name} leaves row(s) {empty[:8]} empty, so those outputs could "
                             f"never be reconstructed{why}")
        out.append(M)
    return out[0], out[1]
