"""The classical baselines on a task's BinaryMLP: ``ste``, ``qubo`` and the ``exact`` oracle."""
from __future__ import annotations

from ..._progress import inner
from ..options import check_keys, keywords
from ..registry import MethodUnavailable
from . import SMALL_TENSOR_THREADS

__all__ = ["ste", "qubo", "exact"]


def ste(task, seed, options):
    """:class:`~qhyper.trainers.STE` (latent real weights, straight-through sign), run with
    :data:`~qhyper.comparison.methods.SMALL_TENSOR_THREADS` torch threads (restored afterwards) unless the options say otherwise."""
    from ...trainers import STE

    return STE(seed=seed, **{"threads": SMALL_TENSOR_THREADS, "progress": inner(), **options}).fit(task.evaluator())


def qubo(task, seed, options):
    """:class:`~qhyper.trainers.QUBO`; unavailable without dimod and dwave-samplers, or for a
    model the QUBO cannot encode."""
    from ...qubo import check_encodable
    from ...trainers import QUBO

    try:
        import dimod  # noqa: F401
        import dwave.samplers  # noqa: F401
    except ImportError as err:
        raise MethodUnavailable(f"needs dimod and dwave-samplers (pip install dimod dwave-samplers): {err}") from err
    try:
        check_encodable(task.model())
    except ValueError as err:
        raise MethodUnavailable(str(err)) from err
    return QUBO(seed=seed, **{"progress": inner(), **options}).fit(task.evaluator())


def exact(task, seed, options):
    """:class:`~qhyper.trainers.Exhaustive`; unavailable beyond its ``max_bits``."""
    from ...trainers import Exhaustive

    trainer = Exhaustive(**options)
    if task.num_bits > trainer.max_bits:
        raise MethodUnavailable(f"{task.num_bits} bits: 2^{task.num_bits} networks is beyond max_bits={trainer.max_bits}")
    return trainer.fit(task.evaluator())


def _ste_preflight(options):
    from ...trainers import STE

    check_keys("ste", options, keywords(STE, drop=("seed",)))
    STE(**options)


def _qubo_preflight(options):
    from ...trainers import QUBO

    check_keys("qubo", options, keywords(QUBO, drop=("seed",)))
    QUBO(**options)


def _exact_preflight(options):
    from ...trainers import Exhaustive

    check_keys("exact", options, keywords(Exhaustive))
    Exhaustive(**options)


ste.preflight, qubo.preflight, exact.preflight = _ste_preflight, _qubo_preflight, _exact_preflight
ste.budgeted = qubo.budgeted = True  # their trainers take max_time (compare(max_time=...) passes it)
