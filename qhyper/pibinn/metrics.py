r"""Reconstruction quality: normalised mean squared error in dB,

.. math:: \mathrm{NMSE} = 10\log_{10}\frac{\sum_i \|\hat x_i - x_i\|^2}{\sum_i \|x_i\|^2},

and the shared :class:`~qhyper.Evaluator` of a binary network on a problem (Gaussian likelihood).
"""
from __future__ import annotations

import math

import torch

from .._checks import check_instance, check_real
from ..evaluate import Evaluator
from .problems import InverseProblem

__all__ = ["nmse_db", "nmse_db_of", "evaluator"]


def nmse_db_of(X_hat: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """NMSE in dB of reconstructions ``X_hat`` [..., N, n] against ``X`` [N, n] (over the last two axes)."""
    err = ((X_hat - X) ** 2).sum((-1, -2))
    return 10 * torch.log10(err / (X**2).sum())


@torch.no_grad()
def nmse_db(model, problem, split: str = "test") -> float:
    """Test (or train) NMSE in dB of ``model`` on an :class:`~qhyper.pibinn.InverseProblem`."""
    check_instance(model, "model", torch.nn.Module, fix="an UnrolledISTA, PIBiNN or ISTA network")
    _check_problem(problem)
    Y, X = problem.split(split)
    value = float(nmse_db_of(model(Y), X))
    return value if math.isfinite(value) else math.inf


def evaluator(model, problem, noise_std: float | None = None) -> Evaluator:
    r"""An :class:`~qhyper.Evaluator` of a binary ``model`` on ``problem``'s training split (knowing
    its test split): inputs the measurements, targets the signals, Gaussian likelihood with
    σ = ``noise_std`` (default the problem's measurement noise level)."""
    _check_problem(problem)
    noise_std = check_real(noise_std, "noise_std", 0, low_open=True, allow_none=True,
                           fix="the likelihood's σ; None uses the problem's measurement noise")
    sigma = problem.noise_std if noise_std is None else noise_std
    return Evaluator(model, problem.Y_train, problem.X_train, noise_std=sigma, test=(problem.Y_test, problem.X_test))


def _check_problem(problem) -> None:
    check_instance(problem, "problem", InverseProblem, fix="load one with qh.pibinn.load_problem('deconv1d')")
