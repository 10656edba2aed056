"""What a QHN result reports about its distribution: the MAP network, ``p_best``, the
expected loss, and the posterior-predictive scores, all from public methods of the loss
source, the Evaluator and :mod:`qhyper.bitstrings`."""
from __future__ import annotations

import math
from dataclasses import replace

import torch

from .._checks import DTYPE, InputTypeError
from ..bitstrings import bits_to_index, index_to_bits, shannon_entropy, top_mass, unique_rows
from ..objectives.base import unique_apply
from ..results import network_metrics

__all__ = ["Scored", "summarise", "with_test", "optimal", "OPTIMUM_RTOL"]

#: the networks an exact summary keeps: those holding 1 − 10⁻⁶ of the mass, at most this many
SUPPORT_MASS, SUPPORT_LIMIT = 1 - 1e-6, 4096
#: a shot-mode summary finds the best network from the Evaluator's loss table up to this many
#: bits (2^20 networks: a few seconds), so that ``p_best`` means the same as in exact mode
OPTIMUM_MAX_BITS = 20
#: ``p_opt`` counts every network whose loss is within this relative tolerance of the minimum
#: (|L − L_min| ≤ OPTIMUM_RTOL · max(1, |L_min|)): exact ties — e.g. networks that differ by a
#: symmetry of the model — differ only by rounding (~1e-15), far inside it
OPTIMUM_RTOL = 1e-9


def optimal(table: torch.Tensor) -> torch.Tensor:
    """Which networks of a loss table [2^n] are optimal (within :data:`OPTIMUM_RTOL`): bool [2^n]."""
    low = table.min()
    return table <= low + OPTIMUM_RTOL * torch.clamp(low.abs(), min=1.0)


class Scored:
    """The shot form with its per-network term counted: ``scored`` is how many networks were
    scored on the training data (the result's ``evaluations``). Wraps ``form.f``; the
    objective's own form is left as it is."""

    def __init__(self, form, source):
        self.source, self.scored = source, 0
        self.form = form
        if form is not None and form.f is not None:
            inner = form.f

            def counted(bits):
                self.scored += bits.shape[0]
                return inner(bits)

            self.form = replace(form, f=counted)

    def mean_loss(self, samples) -> float:
        """Mean loss of sampled networks (NaN without training data); distinct ones are counted."""
        if not self.source.has_data:
            return math.nan
        self.scored += int(unique_rows(samples)[0].shape[0])
        return float(unique_apply(self.source.loss, samples).mean())


def summarise(run: dict, source, objective, evaluator) -> tuple[torch.Tensor, dict[str, float]]:
    """``(MAP bits, metrics)`` of the kept restart ``run`` (its ``probs`` or ``samples``)."""
    metrics = {"objective": run["objective"]}
    if "probs" in run:
        bits, weights = _exact(run["probs"], source, metrics)
    else:
        bits, weights = _shots(run["samples"], source, metrics)
    map_bits = bits[_mode(weights, source, bits)]
    if evaluator is not None:
        metrics.update(network_metrics(evaluator, map_bits))
        if not getattr(evaluator, "regression", False):  # class probabilities: classifiers only
            metrics.update(evaluator.predictive_metrics(bits, weights))
    elif source.table is not None:
        metrics["map_loss"] = float(source.table[bits_to_index(map_bits)])
    metrics.update(objective.summary(bits, weights))
    return map_bits, metrics


def _exact(probs, source, metrics):
    metrics["entropy"] = float(shannon_entropy(probs))
    if source.has_data:
        table = source.loss_table()
        best = int(torch.argmin(table))
        metrics["expected_loss"] = float(probs @ table)
        metrics["min_loss"] = float(table[best])
        metrics["p_best"] = float(probs[best])
        metrics["p_opt"] = float(probs[optimal(table)].sum())
    return top_mass(probs, SUPPORT_MASS, SUPPORT_LIMIT)


def _shots(samples, source, metrics):
    uniq, _, counts = unique_rows(samples)
    weights = counts.to(DTYPE) / samples.shape[0]
    if source.has_data:
        losses = source.loss(uniq)
        metrics["expected_loss"] = float(weights @ losses)
        if source.table is not None or source.num_bits <= OPTIMUM_MAX_BITS:
            table = source.loss_table()  # a cost table, or the Evaluator's (scored for this figure only)
            target = index_to_bits(int(torch.argmin(table)), source.num_bits)
            metrics["min_loss"] = float(table.min())
            metrics["p_best"] = float((samples == target).all(-1).to(DTYPE).mean())
            metrics["p_opt"] = float(optimal(table)[bits_to_index(samples)].to(DTYPE).mean())
        else:  # the optimum is unknown: a different figure, under its own name
            target = uniq[torch.argmin(losses)]
            metrics["best_sample_share"] = float((samples == target).all(-1).to(DTYPE).mean())
    metrics["distinct_samples"] = float(uniq.shape[0])
    return uniq, weights


def _mode(weights, source, bits) -> int:
    """Index of the most probable network; ties (e.g. all samples distinct) go to the lowest training loss."""
    top = torch.nonzero(weights == weights.max()).squeeze(-1)
    if top.numel() == 1 or not source.has_data:
        return int(top[0])
    return int(top[torch.argmin(source.loss(bits[top]))])


def with_test(source, test):
    """The Evaluator that scores the result: the source's, or one on ``test=(X, y)`` instead
    of its own test split (checked here, before any training)."""
    ev = source.evaluator
    if test is None:
        return ev
    if ev is None:
        raise ValueError("test=(X, y) needs training data given as an Evaluator (a cost table has no model "
                         "to score a test split with); pass fit(hypernet, evaluator, test=(X, y))")
    if not (isinstance(test, (tuple, list)) and len(test) == 2):
        raise InputTypeError(f"test must be a pair (X_test, y_test); got {type(test).__name__} {test!r:.60}")
    from ..evaluate import Evaluator

    return Evaluator(ev.model, ev.X, ev.y, logit_scale=ev.logit_scale, test=test)
