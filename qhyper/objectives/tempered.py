r"""Tempering of the ELBO as an objective wrapper: a KL weight :math:`\beta_t` that falls to β.

The ELBO with a reverse KL is mode-seeking: from a random circuit, L-BFGS settles on the
first mode it reaches, and on the 18-qubit Gaussian-mixture task that was often a poor one
(KL(q̄ ‖ posterior) 5.6 nats at N = 50 and 17 at N = 200, mean of 3 seeds). :class:`Tempered`
minimises the loss of the *tempered* ELBO instead,

.. math::
    \mathcal{L}_t(\theta) = \beta_t\,\mathrm{KL}(q_\theta\,\|\,p) - \mathbb{E}_{q_\theta}[\log p(D|w)],
    \qquad \beta_t \ge \beta,

whose optimum is the tempered posterior :math:`\pi_{\beta_t} \propto p\,p(D|w)^{1/\beta_t}`:
broad while :math:`\beta_t` is large, the posterior itself once :math:`\beta_t = \beta`. The
weight falls geometrically from :math:`\beta_0 = \text{start}\cdot\sigma(\log p(D|w))` (the
standard deviation of the log-likelihood table, so the setting is scale-free; never below β)
to β over the first ``fraction`` of the budget, then the plain ELBO. Per data point this is
the deterministic annealing of :class:`~qhyper.objectives.Annealed` with the temperature
falling from ``start`` × σ(loss) to 1/N instead of 0, so that it ends on the posterior,
not on a vertex.

Step optimizers (Adam, …) get :math:`\beta_t` step by step (:meth:`Tempered.at_step`);
closure optimizers (L-BFGS) run ``stages`` warm-started stages, then a final stage at β
(:meth:`Tempered.stages`). The history shows the ELBO itself; :math:`\beta_t` is recorded
beside it. Like the ELBO it needs the exact probability vector: no shot form.

``QHN(anneal="auto")`` wraps objectives that declare ``temperable`` (ELBO) as
``Tempered(objective, start=4.0)`` in exact mode — the default, measured in
``benchmarks/elbo_vs_mle.py`` — unless the ELBO is unsymmetrised (``symmetrise=False``; see
:attr:`ELBO.auto_temper <qhyper.objectives.ELBO.auto_temper>`).

Example:
    >>> QHN(objective=qh.objectives.Tempered(qh.objectives.ELBO(), start=1.0), anneal=None)
"""
from __future__ import annotations

from .annealed import Scheduled, _spread
from .base import Objective
from .source import LossSource

__all__ = ["Tempered", "TEMPER_START"]

#: β0 / σ(log p(D|w)) of ``QHN(anneal="auto")`` for the ELBO. Over 3 seeds on the 18-qubit
#: Gaussian-mixture task (brick depth 4, L-BFGS 300, symmetrised), KL(q̄ ‖ posterior) at
#: N = 1000 was 0.03 nats at start = 4 against 1.20 at start = 1 (one seed stuck at 3.5);
#: at N = 50 and 200 the two starts gave fits within 0.02 nats of each other (mean of 3 seeds).
TEMPER_START = 4.0


class Tempered(Scheduled):
    """Minimise the ELBO with a KL weight falling from β0 to its own β (see the module docs).

    Args:
        objective: an objective that declares ``temperable`` (ELBO, with its ``beta`` and
            :meth:`~qhyper.objectives.ELBO.terms`).
        start: β0 as a multiple of the standard deviation of the log-likelihood table (≥ 0;
            0 or a β0 below β trains the plain objective).
        fraction: share of the budget over which the weight falls to β, in (0, 1].
        stages: warm-started closure-optimizer (L-BFGS) runs at falling weights.
    """

    def __init__(self, objective: Objective, start: float = TEMPER_START, fraction: float = 0.5,
                 stages: int = 8):
        super().__init__(objective, "ELBO", start, fraction, stages,
                         "β0 as a multiple of the log-likelihood table's standard deviation")
        if not objective.temperable:
            raise ValueError(f"tempering raises the KL weight of an ELBO; {type(objective).__name__} has none "
                             f"(for MLE use Annealed, or QHN(anneal='auto'))")
        self.beta0 = self.weight = float(objective.beta)

    def check(self, source: LossSource) -> None:
        self.objective.check(source)

    def exact_objective(self, probs, source):
        kl, expected_ll = self.objective.terms(probs, source)
        value = self.objective.value(float((self.objective.beta * kl - expected_ll).detach()))
        return self.weight * kl - expected_ll, value

    def shot_form(self, source):
        raise ValueError("tempering needs the KL of the exact probability vector, which shot mode never reads: "
                         "use an exact hypernetwork (shots=None), or the MMD surrogate ELBO from shots")

    # the schedule
    def prepare(self, source: LossSource) -> None:
        """β0 from the log-likelihood table's spread; the schedule starts there."""
        beta = float(self.objective.beta)
        table = source.log_likelihood_table(getattr(self.objective, "data_size", None))
        self.beta0 = max(beta, self.start * _spread(table))
        self.weight = self.beta0

    def _at(self, t: float) -> float:
        """The weight at the share ``t`` ∈ [0, 1] of the falling part: geometric from β0 to β."""
        beta = float(self.objective.beta)
        return self.beta0 * (beta / self.beta0) ** min(1.0, max(0.0, t))

    def stages(self, budget: int):
        """Up to ``stages`` falling weights over ``fraction`` of the budget, then the rest at β."""
        falling = int(self.fraction * budget)
        k = min(self.num_stages, falling)
        if self.beta0 <= self.objective.beta or k == 0:
            self.weight = float(self.objective.beta)
            yield budget
            return
        per = falling // k
        for i in range(k):
            self.weight = self._at(i / k)
            yield per
        self.weight = float(self.objective.beta)
        yield budget - per * k

    def at_step(self, step: int, steps: int) -> None:
        self.weight = self._at(step / (self.fraction * steps))

    def traces(self) -> dict[str, float]:
        return {"kl_weight": self.weight} if self.beta0 > self.objective.beta else {}

    def __repr__(self):
        return (f"Tempered({self.objective!r}, start={self.start}, fraction={self.fraction}, "
                f"stages={self.num_stages})")
