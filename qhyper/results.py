"""What every trainer returns, and the one way its networks are scored.

This module sits low in the package (it needs only an Evaluator's public methods), so
models, side systems and trainers alike can build a :class:`TrainResult`."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch

from ._checks import InputTypeError

__all__ = ["TrainResult", "network_metrics"]


@dataclass
class TrainResult:
    """The outcome of ``trainer.fit(...)``.

    Attributes:
        method: the trainer's name (``"mle"``, ``"elbo"``, ``"ste"``, …).
        bits: the network the method settles on, [n] in {0, 1} (MAP bitstring, final sign
            of the latent weights, best read, …).
        metrics: scores from the shared :class:`~qhyper.Evaluator` — ``train_accuracy``,
            ``train_nll``, and ``test_*`` when a test split is known — plus method-specific
            figures (e.g. ``p_best``, the probability the method puts on the best network).
        history: per-step traces (objective, expected loss, entropy, …), lists of floats.
        wall_time: seconds spent in ``fit``.
        evaluations: networks scored on the training data during training.
        state: what is needed to continue or inspect (θ, distribution, latent weights, …).
        interrupted: training was stopped early by a Ctrl-C; everything above is what it had.
        budget_hit: training was stopped by its time budget (``max_time=``); everything
            above is what it had by then.
    """

    method: str
    bits: torch.Tensor
    metrics: dict[str, float]
    history: dict[str, list[float]] = field(default_factory=dict)
    wall_time: float = math.nan
    evaluations: int = 0
    state: dict[str, Any] = field(default_factory=dict)
    interrupted: bool = False
    budget_hit: bool = False

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.metrics.items() if isinstance(v, float))
        flag = ", interrupted" if self.interrupted else ", time budget hit" if self.budget_hit else ""
        return f"TrainResult({self.method}: {shown}; {self.wall_time:.2f} s{flag})"


def network_metrics(evaluator, bits, prefix: str = "") -> dict[str, float]:
    """Train (and, if the evaluator knows one, test) accuracy and mean NLL of one network ``bits`` [n]."""
    if not all(hasattr(evaluator, a) for a in ("accuracy", "nll", "has_test", "test")):
        raise InputTypeError(f"evaluator must be a qhyper.Evaluator; got {type(evaluator).__name__} {evaluator!r:.60}")
    out = {
        f"{prefix}train_accuracy": float(evaluator.accuracy(bits)[0]),
        f"{prefix}train_nll": float(evaluator.nll(bits)[0]),
    }
    if evaluator.has_test:
        test = evaluator.test()
        out[f"{prefix}test_accuracy"] = float(test.accuracy(bits)[0])
        out[f"{prefix}test_nll"] = float(test.nll(bits)[0])
    return out
