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

    def save(self, path) -> None:
        """Write the result to ``path`` as plain data (``torch.load(path, weights_only=True)``
        reads it): everything above, with the entries of ``state`` that are tensors, numbers,
        strings or lists/dicts of them; objects in ``state`` (a distribution, a posterior) are
        left out and their keys listed under ``state["not_saved"]`` when loaded."""
        import os

        kept, dropped = {}, []
        for key, value in self.state.items():
            (kept.__setitem__(key, value) if _plain(value) else dropped.append(key))
        data = {"format": RESULT_FORMAT, "method": self.method, "bits": self.bits, "metrics": dict(self.metrics),
                "history": {k: list(v) for k, v in self.history.items()}, "wall_time": self.wall_time,
                "evaluations": self.evaluations, "state": kept, "not_saved": dropped,
                "interrupted": self.interrupted, "budget_hit": self.budget_hit}
        tmp = f"{os.fspath(path)}.tmp"
        torch.save(data, tmp)
        os.replace(tmp, os.fspath(path))

    @classmethod
    def load(cls, path) -> "TrainResult":
        """A result written by :meth:`save`."""
        try:
            data = torch.load(path, weights_only=True)
        except OSError:
            raise
        except Exception as err:
            raise ValueError(f"{path!s} is not a file written by TrainResult.save ({type(err).__name__}: {err})") from None
        if not isinstance(data, dict) or data.get("format") != RESULT_FORMAT:
            raise ValueError(f"{path!s} is not a file written by TrainResult.save (format {RESULT_FORMAT})")
        state = dict(data["state"])
        if data["not_saved"]:
            state["not_saved"] = list(data["not_saved"])
        return cls(data["method"], data["bits"], data["metrics"], data["history"], data["wall_time"],
                   data["evaluations"], state, data["interrupted"], data["budget_hit"])

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.metrics.items() if isinstance(v, float))
        flag = ", interrupted" if self.interrupted else ", time budget hit" if self.budget_hit else ""
        return f"TrainResult({self.method}: {shown}; {self.wall_time:.2f} s{flag})"


RESULT_FORMAT = "qhyper.TrainResult/1"


def _plain(value) -> bool:
    """Whether ``value`` is data ``torch.load(weights_only=True)`` reads back: tensors, numbers,
    strings, None, and lists, tuples and string-keyed dicts of them."""
    if isinstance(value, (torch.Tensor, str, int, float, bool, type(None))):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


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
