r"""Entropy annealing as an objective wrapper: :math:`F_T(\theta) = \mathcal{L}(\theta) - T\,H(q_\theta)`.

The MLE optimum puts all mass on one network, a vertex of the probability simplex, and
*every* vertex is a critical point of :math:`\mathbb{E}_{q_\theta}[L]` (a probability that
is zero is at its minimum, so its gradient vanishes); with a shallow circuit many of them
are local minima. :class:`Annealed` minimises the free energy
:math:`F_t = \mathcal{L} - T_t\,H(q_\theta)` instead, with :math:`T_t` falling linearly from
:math:`T_0 = \text{start}\cdot\sigma(L)` (:math:`\sigma(L)` the standard deviation of the
loss table, so the setting is scale-free) to 0 over the first ``fraction`` of the budget,
then the plain objective: early on the optimum is a broad Gibbs-like distribution, and it
narrows onto the best networks as :math:`T` falls (deterministic annealing).

Step optimizers (Adam, …) get :math:`T_t` step by step (:meth:`Annealed.at_step`);
closure optimizers (L-BFGS) run ``stages`` warm-started stages at falling temperatures,
then a final stage at :math:`T = 0` (:meth:`Annealed.stages`). The history shows the wrapped
objective's own value; the temperature is recorded beside it (:meth:`Annealed.traces`).
It needs the exact probability vector, so it has no shot form.

``QHN(anneal="auto")`` wraps objectives that declare ``vertex_optimum`` (MLE) as
``Annealed(objective, start=0.125)`` in exact mode — the default, measured in
``benchmarks/qhn_depth.py``.

Example:
    >>> QHN(objective=qh.objectives.Annealed(qh.objectives.MLE(), start=0.25), anneal=None)
"""
from __future__ import annotations

import math
import numbers

import torch

from .._checks import InputTypeError, check_count
from ..bitstrings import shannon_entropy
from .base import Objective
from .source import LossSource

__all__ = ["Annealed", "Scheduled", "DEFAULT_START", "check_anneal", "with_annealing"]

DEFAULT_START = 0.125  # T0 / σ(L) of QHN(anneal="auto") (see benchmarks/qhn_depth.py)


def _fraction(value, name: str, low_open: bool) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not (0 < value <= 1 if low_open else value >= 0):
        bound = "in (0, 1]" if low_open else "≥ 0"
        raise ValueError(f"{name} must be a finite number {bound}; got {value!r}")
    return float(value)


class Scheduled(Objective):
    """The part :class:`Annealed` and :class:`~qhyper.objectives.Tempered` share: an
    objective wrapped with a training schedule keeps the wrapped objective's identity
    (``name``, ``value_name``, ``needs_data``), its natural value and summary, and is scored
    by its loss (:meth:`exact_loss`); only the minimised loss (``exact_objective``) and the
    schedule hooks differ. No shot form: both schedules read the exact probability vector."""

    has_shot_form = False
    vertex_optimum = False

    def __init__(self, objective: Objective, example: str, start: float, fraction: float, stages: int,
                 start_means: str):
        kind = type(self).__name__
        if isinstance(objective, type):
            raise InputTypeError(f"{kind} wraps an objective instance; got the class {objective.__name__}: "
                                 f"pass an instance, e.g. {kind}({objective.__name__}())")
        if not isinstance(objective, Objective):
            raise InputTypeError(f"{kind} wraps a qhyper objective (e.g. {kind}({example}())); got "
                                 f"{type(objective).__name__}")
        self.objective = objective
        self.start = _fraction(start, f"start ({start_means})", False)
        self.fraction = _fraction(fraction, "fraction", True)
        self.num_stages = check_count(stages, "stages")

    @property
    def name(self) -> str:
        return self.objective.name

    @property
    def value_name(self) -> str:
        return self.objective.value_name

    @property
    def needs_data(self) -> bool:
        return self.objective.needs_data

    def exact_loss(self, probs: torch.Tensor, source: LossSource) -> torch.Tensor:
        """The wrapped objective's loss: what a fit is scored by (the schedule's change is part
        of the minimised loss only, ``exact_objective``)."""
        return self.objective.exact_loss(probs, source)

    def value(self, loss: float) -> float:
        return self.objective.value(loss)

    def summary(self, bits, weights):
        return self.objective.summary(bits, weights)


class Annealed(Scheduled):
    """Minimise ``objective`` minus a falling entropy bonus (see the module docs).

    Args:
        objective: the objective to anneal; it must declare ``vertex_optimum`` (e.g. MLE):
            objectives with their own entropy or kernel terms (ELBO, MMD) need none.
        start: :math:`T_0` as a multiple of the loss table's standard deviation (≥ 0).
        fraction: share of the budget over which :math:`T` falls to 0, in (0, 1].
        stages: warm-started closure-optimizer (L-BFGS) runs at falling temperatures.
    """

    def __init__(self, objective: Objective, start: float = DEFAULT_START, fraction: float = 0.5,
                 stages: int = 8):
        super().__init__(objective, "MLE", start, fraction, stages,
                         "T0 as a fraction of the loss table's standard deviation")
        if not objective.vertex_optimum:
            raise ValueError(f"annealing applies to objectives whose optimum sits on a vertex of the probability "
                             f"simplex (MLE); {type(objective).__name__} has its own entropy or kernel term: "
                             f"train it without annealing")
        self.t0 = 0.0
        self.temperature = 0.0

    def check(self, source: LossSource) -> None:
        self.objective.check(source)
        if not source.has_data:
            raise ValueError("Annealed needs training data: the temperature is set from the loss table's spread")

    def exact_objective(self, probs, source):
        loss = self.objective.exact_loss(probs, source)
        value = self.objective.value(float(loss.detach()))
        if self.temperature:
            return loss - self.temperature * shannon_entropy(probs), value
        return loss, value

    def shot_form(self, source):
        raise ValueError("annealing needs the entropy of the exact probability vector, which shot mode never "
                         "reads: use an exact hypernetwork (shots=None), or train the plain objective from shots")

    # the schedule
    def prepare(self, source: LossSource) -> None:
        """:math:`T_0` from the loss table's spread; the schedule starts there."""
        self.t0 = self.start * _spread(source.loss_table())
        self.temperature = self.t0

    def stages(self, budget: int):
        """Up to ``stages`` falling temperatures over ``fraction`` of the budget, then the rest at T = 0."""
        anneal_evals = int(self.fraction * budget)
        k = min(self.num_stages, anneal_evals)
        if not self.t0 or k == 0:
            self.temperature = 0.0
            yield budget
            return
        per = anneal_evals // k
        for i in range(k):
            self.temperature = self.t0 * (1 - i / k)
            yield per
        self.temperature = 0.0
        yield budget - per * k

    def at_step(self, step: int, steps: int) -> None:
        self.temperature = self.t0 * max(0.0, 1.0 - step / (self.fraction * steps))

    def traces(self) -> dict[str, float]:
        return {"temperature": self.temperature} if self.t0 else {}

    def __repr__(self):
        return f"Annealed({self.objective!r}, start={self.start}, fraction={self.fraction}, stages={self.num_stages})"


def _spread(table) -> float:
    """Standard deviation of a loss table without overflow: losses of ~1e154 and more square
    to inf, so the table is scaled by its largest magnitude first."""
    scale = float(table.abs().max())
    if not math.isfinite(scale):
        raise ValueError("Annealed: the loss table holds NaN or ±inf losses, so no temperature can be set from "
                         "its spread; check the data and the model's logit scale (overflowing logits)")
    return 0.0 if scale == 0.0 else scale * float((table / scale).std())


def check_anneal(anneal, objective: Objective):
    """A trainer's ``anneal=`` option for ``objective``: ``"auto"``, ``None`` or a start
    ≥ 0 as a multiple of the loss table's standard deviation (MLE: the entropy temperature;
    ELBO: the KL weight as a multiple of the log-likelihood table's, see
    :class:`~qhyper.objectives.Tempered`)."""
    from .tempered import Tempered

    if not (anneal is None or anneal == "auto" or (isinstance(anneal, numbers.Real) and not isinstance(anneal, bool)
                                                   and math.isfinite(anneal) and anneal >= 0)):
        raise ValueError(f"anneal must be 'auto', None or a number ≥ 0 (a multiple of the loss table's "
                         f"standard deviation); got {anneal!r}")
    if anneal not in (None, "auto") and anneal and isinstance(objective, (Annealed, Tempered)):
        kind = type(objective).__name__
        raise ValueError(f"the objective is already {kind.lower()} ({objective!r}): set its schedule there "
                         f"({kind}(..., start=...)) and leave anneal='auto' or None")
    if anneal not in (None, "auto") and anneal and not (objective.vertex_optimum or objective.temperable):
        raise ValueError(f"anneal applies to objectives whose optimum sits on a vertex of the probability simplex "
                         f"(MLE, entropy annealing) or that have a KL weight to temper (ELBO); "
                         f"{type(objective).__name__} has neither (use anneal=None)")
    return anneal


def with_annealing(objective: Objective, anneal, exact: bool) -> Objective:
    """The objective a fit minimises, as the (checked) ``anneal`` option says: ``"auto"``
    wraps exact fits of vertex-optimum objectives (MLE) in :class:`Annealed` from
    :data:`DEFAULT_START` and of temperable ones (ELBO, unless it declares ``auto_temper``
    false) in :class:`~qhyper.objectives.Tempered` from its ``TEMPER_START``; a number is the start of
    either; shot mode cannot anneal (no exact entropy)."""
    from .tempered import TEMPER_START, Tempered

    if anneal == "auto":
        tempers = objective.temperable and getattr(objective, "auto_temper", True)
        start = (DEFAULT_START if objective.vertex_optimum else TEMPER_START if tempers else 0.0) if exact else 0.0
    else:
        start = float(anneal or 0.0)
        if start and not exact:
            raise ValueError("anneal needs the entropy of the exact probability vector, which shot mode never "
                             "reads: use an exact hypernetwork (shots=None) or anneal=None")
    if not start:
        return objective
    return Tempered(objective, start=start) if objective.temperable else Annealed(objective, start=start)
