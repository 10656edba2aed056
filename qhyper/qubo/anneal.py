"""Simulated annealing in short segments, so that a Ctrl-C or a time budget acts within a second.

A compiled annealer does not return to Python until all its reads are done: 20 reads of
200,000 sweeps on a BNN QUBO run for minutes without a chance to stop. :func:`anneal`
therefore cuts a long anneal (over :data:`ONE_CALL_WORK` units of reads × sweeps ×
(variables + interactions)) into segments of about :data:`SEGMENT_WORK` units: the
geometric β schedule is computed once and each segment anneals the same reads through the
next slice of it, starting from the states the previous segment ended in. The Markov chain
is the same as one long call's (only its random numbers differ), and between segments the
deadline is checked and a Ctrl-C is taken. A shorter anneal is one plain sampler call.

Segmenting needs a sampler that takes ``beta_schedule_type="custom"``, ``beta_schedule``,
``initial_states``, ``num_reads`` and ``seed`` (dwave-samplers'
``SimulatedAnnealingSampler``); any other sampler is called once, and a stop during that
call takes effect when it returns.
"""
from __future__ import annotations

import math

import numpy as np

from .._budget import BudgetExpired

__all__ = ["EXPIRED", "ONE_CALL_WORK", "SEGMENT_WORK", "anneal", "num_segments", "segmentable"]

#: Work is counted in reads × sweeps × (variables + interactions): a sweep visits every
#: variable, and a flip updates the fields of its neighbours. Measured with dwave-samplers'
#: annealer on the BNN QUBOs of digits01_4x4 (779 variables, 9,706 interactions) and
#: bars_stripes_sign (1,421 / 10,007): 3-6 ns per unit (hot β costs more than cold), so:
#: an anneal of at most ONE_CALL_WORK units (~0.3-0.9 s) stays one sampler call — the
#: default budgets of both tasks (10 reads × 1000 sweeps) do, so their results are those
#: of one plain call — and a longer one runs in segments of SEGMENT_WORK (~0.15-0.3 s).
ONE_CALL_WORK = 150_000_000
SEGMENT_WORK = 50_000_000
_NEEDS = ("beta_schedule_type", "beta_schedule", "initial_states", "num_reads", "seed")


def segmentable(sampler) -> bool:
    """Whether ``sampler`` can continue an anneal from given states on a custom schedule."""
    return all(k in sampler.parameters for k in _NEEDS)


def num_segments(num_reads: int, num_sweeps: int, size: int) -> int:
    """Segments of an anneal of ``size`` = variables + interactions: one up to
    :data:`ONE_CALL_WORK`, else enough that each does at most :data:`SEGMENT_WORK`."""
    work = num_reads * num_sweeps * size
    if work <= ONE_CALL_WORK:
        return 1
    return max(1, min(num_sweeps, math.ceil(work / SEGMENT_WORK)))


def anneal(sampler, bqm, options: dict, deadline=None):
    """Sample ``bqm`` with ``sampler`` under ``options`` (the keyword arguments it accepts);
    returns ``(sampleset, stop)``: ``stop`` is the ``KeyboardInterrupt`` or
    :class:`~qhyper._budget.BudgetExpired` that cut the anneal short (``None`` if it ran to
    the end), and then ``sampleset`` holds the states the reads had reached (their starting
    states if no segment finished)."""
    reads, sweeps = options.get("num_reads", 1), options.get("num_sweeps", 1000)
    size = bqm.num_variables + bqm.num_interactions
    parts = num_segments(reads, sweeps, size) if segmentable(sampler) and "beta_range" in options else 1
    if parts == 1:
        try:
            if deadline is not None:
                deadline.check()
            return sampler.sample(bqm, **options), None
        except (KeyboardInterrupt, BudgetExpired) as stop:
            return _starting_states(bqm, options, np.random.default_rng(options.get("seed"))), stop
    rng = np.random.default_rng(options["seed"])
    schedule = np.geomspace(*options["beta_range"], num=sweeps)
    current = _starting_states(bqm, options, rng)
    base = {k: v for k, v in options.items() if k not in ("num_sweeps", "beta_range", "initial_states", "seed")}
    try:
        for chunk in np.array_split(schedule, parts):
            if deadline is not None:
                deadline.check()
            current = sampler.sample(bqm, **base, beta_schedule_type="custom", beta_schedule=chunk,
                                     seed=int(rng.integers(2**31 - 1)), initial_states=current)
    except (KeyboardInterrupt, BudgetExpired) as stop:
        return current, stop
    return current, None


def _starting_states(bqm, options: dict, rng: np.random.Generator):
    """The given ``initial_states`` or uniformly random ones, as a dimod SampleSet of ``bqm``."""
    import dimod

    if "initial_states" in options:
        states, labels = options["initial_states"]
    else:
        labels = list(bqm.variables)
        states = rng.integers(0, 2, (options.get("num_reads", 1), len(labels)), dtype=np.int8)
        if bqm.vartype is dimod.SPIN:
            states = 2 * states - 1
    return dimod.SampleSet.from_samples_bqm((np.asarray(states), labels), bqm)


class _Expired:
    """A deadline that has already passed: :func:`anneal` returns the starting states at once."""

    @staticmethod
    def check():
        raise BudgetExpired("stopped before any read")


#: pass as ``deadline`` to get the reads' starting states without annealing
EXPIRED = _Expired()
