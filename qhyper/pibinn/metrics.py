r"""Reconstruction quality: normalised mean squared error in dB,

.. math:: \mathrm{NMSE} = 10\log_{10}\frac{\sum_i \|\hat x_i - x_i\|^2}{\sum_i \|x_i\|^2}.
"""
from __future__ import annotations

import math

import torch

__all__ = ["nmse_db", "nmse_db_of"]


def nmse_db_of(X_hat: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """NMSE in dB of reconstructions ``X_hat`` [..., N, n] against ``X`` [N, n] (over the last two axes)."""
    err = ((X_hat - X) ** 2).sum((-1, -2))
    return 10 * torch.log10(err / (X**2).sum())


@torch.no_grad()
def nmse_db(model, task, split: str = "test") -> float:
    """Test (or train) NMSE in dB of ``model`` on an :class:`~qhyper.pibinn.InverseProblem`."""
    Y, X = task.split(split)
    value = float(nmse_db_of(model(Y), X))
    return value if math.isfinite(value) else math.inf
