r"""Train the binary network by solving its training problem as a QUBO with a dimod sampler.

The encoding (:mod:`qhyper.qubo.bnn`: activation, slack, product and error bits;
ground-state energy = minimum number of training errors) is exact for the inputs rounded
to its grid (``input_resolution``; data off the grid is rounded, and the result's metric
``input_rounding_error`` says by how much — its ground state is then optimal for the
rounded data, not necessarily for the data, and the comparison table says so). It is solved with any
``dimod.Sampler`` (``sampler=``; default dwave-samplers' ``SimulatedAnnealingSampler``) and
every read is polished by dwave-samplers' ``SteepestDescentSolver`` (``polish=``).

**Samplers.** The trainer passes a sampler only the keyword arguments it declares in
``sampler.parameters``: ``num_reads``, ``num_sweeps``, ``seed``, ``beta_range`` and
``initial_states`` each go where accepted (``TabuSampler`` takes no sweeps or β range,
``dimod.ExactSolver`` takes none of them). A sampler that takes no ``num_reads`` and returns
more reads (``ExactSolver`` returns all :math:`2^V` states) is cut to its ``num_reads``
lowest-energy reads. ``ExactSolver`` is refused above ``EXACT_MAX_VARIABLES`` variables,
before any solving. The sampler's class name is recorded in ``state["sampler"]``.

The penalty landscape is rugged, so energies are not trusted: **the weights of every read
are decoded and re-scored on the whole training set by the shared Evaluator**, and the read
with the highest training accuracy wins (ties: lowest training NLL) — accuracy because the
QUBO's objective is the 0-1 error.

**Refinement.** Annealing from random states rarely reaches feasible low-error states, but
the weights of a good read can be *completed* exactly (every activation, product, slack and
error bit set to the value its constraint requires). ``refine_rounds`` times, the best
network so far is completed and re-annealed from there (``beta_range`` from
``refine_beta``, in units of 1/errors, to the sampler's cold end, if it takes a β range),
and reads are scored again. Re-annealing needs a sampler that accepts ``initial_states``:
for one that does not (e.g. ``ExactSolver``), refinement is skipped; ``state["refine_rounds"]``
records the rounds actually run per problem.

Regularisers after Villumsen & Sugita (arXiv 2601.00449). The forms below follow the
paper's abstract; they are this package's construction, not a transcription of the paper:

* **margin** μ: rewards large pre-activation magnitudes (see :mod:`qhyper.qubo.bnn`).
* **dropout-inspired scheme**: ``dropout_rounds`` reduced sub-networks (each hidden unit
  dropped with probability ``dropout_rate``) are trained on the first mini-batch (each keeps
  the read whose weights make the fewest training errors through its sub-network — every
  read decoded and re-scored, as for the full problem; ties: lowest energy); each weight's mean spin :math:`\bar m_i` over the sub-networks
  that contain it becomes the linear field :math:`-\gamma \sum_i \bar m_i w_i` on the full
  problem, which is then solved.

**Mini-batches.** With more than ``batch_size`` training points, shuffled mini-batches are
solved in turn (at most ``max_batches``); from the second on, a field
:math:`-\lambda \sum_i w^\star_i w_i` anchors the solution to the best network so far
(``anchor`` = λ), and the best network over all batches (scored on all the data) is kept.
"""
from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
from .._progress import tqdm

from .._budget import BudgetExpired, Deadline, check_max_time, stop_flags
from .._checks import check_bool, check_count, check_instance, check_real, check_seed, InputTypeError, numpy_generator
from ..qubo.anneal import EXPIRED, anneal
from ..qubo.reads import Reads, best_read
from ..qubo.bnn import BNNQubo, check_encodable, input_grid
from ..results import TrainResult, network_metrics
from .ste import _require_evaluator

__all__ = ["QUBO"]

EXACT_MAX_VARIABLES = 24  # dimod.ExactSolver enumerates 2^V states: refused above this


class QUBO:
    """QUBO trainer for sign-activation binary classifiers, solved by any dimod sampler.

    Args:
        num_reads: reads per problem (samplers without ``num_reads`` are cut to this many
            lowest-energy reads).
        num_sweeps: sweeps per run (annealers that accept it).
        seed: an int ≥ 0, a ``numpy.random.Generator`` or ``None`` (fresh entropy): sampler
            seeds and mini-batch order derive from it (an int gives the same run every
            ``fit``; a generator is drawn from, so successive fits differ).
        margin: μ ≥ 0, margin reward per sample in units of errors.
        dropout_rounds: number of sub-networks for the dropout-inspired scheme (0 = off).
        dropout_rate: probability of dropping a hidden unit in a sub-network.
        dropout_strength: γ, the field per weight from the sub-networks' mean spins.
        batch_size: training points per QUBO (larger sets are mini-batched).
        max_batches: at most this many mini-batch problems are solved.
        anchor: λ, field towards the best network so far on later mini-batches.
        input_resolution: input grid *r* (inputs become round(r·x)/r in the QUBO);
            ``None`` picks 1, 2, 4 or 8 (see :func:`qhyper.qubo.bnn.input_grid`).
        penalty: constraint weight factor (> 1).
        polish: steepest-descent polish of every read.
        refine_rounds: re-anneals from the completed best network per problem (0 = off;
            skipped for samplers that take no ``initial_states``).
        refine_beta: starting inverse temperature of those re-anneals.
        max_beta: cap on the automatic cold end of samplers that take ``beta_range``
            (energies are in units of training errors; the fractional margin and field terms
            would otherwise push it to ~1e15, which freezes the anneal into a greedy descent).
        progress: progress bar over the problems solved.
        max_time: time budget in seconds (``None``: none), checked between anneal segments
            and solves; past it, the reads so far are scored and the best returned
            (``budget_hit=True``).
        sampler: a ``dimod.Sampler`` instance (default: dwave-samplers'
            ``SimulatedAnnealingSampler()``); e.g. ``dwave.samplers.TabuSampler()``,
            ``SteepestDescentSolver()`` or, for at most ``EXACT_MAX_VARIABLES`` variables,
            ``dimod.ExactSolver()``. Only the keyword arguments it accepts are passed.
    """

    name = "qubo"

    def __init__(self, num_reads: int = 10, num_sweeps: int = 1000, seed=0,
                 margin: float = 0.0, dropout_rounds: int = 0, dropout_rate: float = 0.5,
                 dropout_strength: float = 0.5, batch_size: int = 128, max_batches: int = 4,
                 anchor: float = 0.5, input_resolution: int | None = None, penalty: float = 1.25,
                 polish: bool = True, refine_rounds: int = 3, refine_beta: float = 0.1,
                 max_beta: float = 50.0, progress: bool = False, sampler=None, max_time: float | None = None):
        self.num_reads, self.num_sweeps = check_count(num_reads, "num_reads"), check_count(num_sweeps, "num_sweeps")
        self.seed = check_seed(seed)
        self.margin = check_real(margin, "margin", 0)
        self.dropout_rounds = check_count(dropout_rounds, "dropout_rounds", minimum=0, fix="0 switches the scheme off")
        self.dropout_rate = check_real(dropout_rate, "dropout_rate", 0, 1, high_open=True)
        self.dropout_strength = check_real(dropout_strength, "dropout_strength", 0)
        self.batch_size, self.max_batches = check_count(batch_size, "batch_size"), check_count(max_batches, "max_batches")
        self.anchor = check_real(anchor, "anchor", 0)
        self.input_resolution = check_count(input_resolution, "input_resolution", allow_none=True,
                                            fix="None picks 1, 2, 4 or 8")
        self.penalty = check_real(penalty, "penalty", 1, low_open=True)
        self.polish = check_bool(polish, "polish")
        self.refine_rounds = check_count(refine_rounds, "refine_rounds", minimum=0, fix="0 switches refinement off")
        self.refine_beta = check_real(refine_beta, "refine_beta", 0, low_open=True)
        self.max_beta = check_real(max_beta, "max_beta", 0, low_open=True)
        self.progress = check_bool(progress, "progress")
        self.sampler = _check_sampler(sampler)
        self.max_time = check_max_time(max_time)

    # ------------------------------------------------------------------ solving
    def accepts(self, name: str) -> bool:
        """Whether the sampler takes the keyword argument ``name`` (its ``parameters``)."""
        return name in self.sampler.parameters

    def check_size(self, num_variables: int) -> None:
        """Refuse problems too large for an exhaustive sampler (``dimod.ExactSolver``)."""
        if _is_exhaustive(self.sampler) and num_variables > EXACT_MAX_VARIABLES:
            raise ValueError(
                f"sampler=dimod.ExactSolver() enumerates all 2^V states, and this QUBO has V = {num_variables} "
                f"variables (2^{num_variables} states; the limit is {EXACT_MAX_VARIABLES}): use a heuristic "
                f"sampler, e.g. dwave.samplers.SimulatedAnnealingSampler() (the default) or TabuSampler(), "
                f"or fewer training points per problem (batch_size=)")

    def solve(self, bqm, seed: int, initial=None, beta_range=None) -> tuple[np.ndarray, np.ndarray, float, float | None]:
        """Sample (and polish) ``bqm``, from the sampler's own starting states or from
        ``initial`` [reads, V] (only for samplers that accept ``initial_states``): states
        [reads, V] in label order, energies [reads], seconds, and the schedule's cold β
        (``None`` for samplers that take no ``beta_range``)."""
        import dimod

        check_instance(bqm, "bqm", dimod.BinaryQuadraticModel, "e.g. BNNQubo(model, X, y).bqm")
        seed = check_count(seed, "seed", minimum=0, maximum=2**32 - 1, fix="the samplers take 32-bit seeds")
        reads, stop = self._solve(bqm, seed, initial, beta_range)
        if stop is not None:
            raise stop
        return reads

    def _solve(self, bqm, seed: int, initial=None, beta_range=None, deadline=None):
        """:meth:`solve` that can be cut short: ``(reads, stop)``, ``stop`` the Ctrl-C or
        budget that ended a long anneal early (see :mod:`qhyper.qubo.anneal`), whose reads
        are then the (polished) states it had reached."""
        from dwave.samplers import SteepestDescentSolver

        self.check_size(bqm.num_variables)
        if initial is not None and not self.accepts("initial_states"):
            raise ValueError(f"initial states given, but the sampler {type(self.sampler).__name__} accepts no "
                             f"initial_states: solve from its own starting states (initial=None)")
        start = time.perf_counter()
        options = {"num_reads": self.num_reads, "num_sweeps": self.num_sweeps, "seed": seed}
        cold = None
        if self.accepts("beta_range"):
            if beta_range is None:
                from dwave.samplers.sa.sampler import default_beta_range

                hot, cold = default_beta_range(bqm)
                beta_range = (hot, min(cold, self.max_beta))
            options["beta_range"] = beta_range
            cold = float(beta_range[1])
        if initial is not None:
            options["initial_states"] = (initial.astype(np.int8), list(range(bqm.num_variables)))
        ss, stop = anneal(self.sampler, bqm, {k: v for k, v in options.items() if self.accepts(k)}, deadline)
        if not self.accepts("num_reads") and len(ss) > self.num_reads:
            ss = ss.truncate(self.num_reads)  # e.g. ExactSolver: every state, lowest energy first
        if self.polish:
            ss = SteepestDescentSolver().sample(bqm, initial_states=ss)
        elapsed = time.perf_counter() - start
        cols = [ss.variables.index(v) for v in range(bqm.num_variables)]
        return (ss.record.sample[:, cols].astype(np.int64), np.asarray(ss.record.energy, float), elapsed, cold), stop

    def encode(self, model, X, y, keep=None, resolution: int = 1) -> BNNQubo:
        """The QUBO of training ``model`` on ``(X, y)`` with this trainer's margin and penalty."""
        return BNNQubo(model, X, y, resolution=resolution, margin=self.margin,
                       penalty=self.penalty, keep=keep)

    def dropout_field(self, model, X, y, resolution: int, rng: np.random.Generator,
                      deadline=None) -> tuple[np.ndarray, dict]:
        r"""The field :math:`\gamma\,\bar m` from ``dropout_rounds`` reduced sub-networks
        (a Ctrl-C or the budget ``deadline`` propagates: the field is not usable half-done)."""
        hidden = model.layer_sizes[1:-1]
        total = np.zeros(model.num_bits)
        present = np.zeros(model.num_bits)
        solve_time = 0.0
        for _ in range(self.dropout_rounds):
            keep = []
            for h in hidden:
                k = rng.random(h) >= self.dropout_rate
                if not k.any():
                    k[rng.integers(h)] = True
                keep.append(k)
            enc = self.encode(model, X, y, keep, resolution)
            (states, energies, t, _), stop = self._solve(enc.bqm, int(rng.integers(2**31 - 1)), deadline=deadline)
            if stop is not None:
                raise stop
            solve_time += t
            weights = enc.weights_of(states)
            w = 2.0 * weights[np.lexsort((energies, enc.errors(weights)))[0]] - 1.0
            mask = _present(model, keep)
            total += mask * w
            present += mask
        mean = np.divide(total, present, out=np.zeros_like(total), where=present > 0)
        return self.dropout_strength * mean, {"dropout_mean_spin": mean, "dropout_solve_time": solve_time}

    # ------------------------------------------------------------------ training
    def fit(self, evaluator) -> TrainResult:
        """Train on ``evaluator``'s training data; every read is scored by ``evaluator``.

        A Ctrl-C or the time budget stops it within about a second (long anneals run in
        segments, :mod:`qhyper.qubo.anneal`): every read obtained so far is scored, and
        the best of them is returned (``interrupted`` / ``budget_hit``). Stopped before any
        read existed, it returns the best polished random start of the first problem."""
        deadline = Deadline(self.max_time)
        _require_evaluator(evaluator, "QUBO")
        model = evaluator.model
        check_encodable(model)
        if self.dropout_rounds and model.num_hidden_layers == 0:
            raise ValueError("the dropout-inspired scheme drops hidden units: this model has none "
                             "(set dropout_rounds=0)")
        X, y = evaluator.X.numpy(), evaluator.y.numpy()
        r, rounding = input_grid(X, self.input_resolution)
        rng = numpy_generator(self.seed)
        N = len(y)
        order = rng.permutation(N) if N > self.batch_size else np.arange(N)
        batches = [order[s : s + self.batch_size] for s in range(0, N, self.batch_size)][: self.max_batches]

        if _is_exhaustive(self.sampler):  # refuse a too-large problem before any solving
            self.check_size(self.encode(model, X[batches[0]], y[batches[0]], resolution=r).num_variables)
        refine_rounds = self.refine_rounds if self.accepts("initial_states") else 0

        start = time.perf_counter()
        state = {"input_resolution": r, "input_rounding_error": rounding, "batches": [],
                 "sampler": type(self.sampler).__name__, "refine_rounds": refine_rounds}
        field, solved, stop = np.zeros(model.num_bits), [], None
        bar = tqdm(batches, desc="QUBO", disable=not self.progress, leave=False)
        try:
            if self.dropout_rounds:
                field, info = self.dropout_field(model, X[batches[0]], y[batches[0]], r, rng, deadline)
                state.update(info)
            for i, idx in enumerate(bar):
                deadline.check()
                t0 = time.perf_counter()
                enc = self.encode(model, X[idx], y[idx], resolution=r)
                h = field if i == 0 or not self.anchor else field + self.anchor * (2.0 * best_read(solved)[0].numpy() - 1.0)
                bqm = enc.with_field(h if h.any() else None)
                reads = Reads(idx, enc, time.perf_counter() - t0, evaluator)
                solved.append(reads)
                out, stop = self._solve(bqm, int(rng.integers(2**31 - 1)), deadline=deadline)
                reads.add(*out[:3])
                cold = out[3]
                for _ in range(refine_rounds):
                    if stop is not None:
                        break
                    deadline.check()
                    start_states = enc.complete(np.tile(reads.best()[0].numpy().astype(np.int64), (self.num_reads, 1)))
                    schedule = None if cold is None else (min(self.refine_beta, cold), cold)
                    out, stop = self._solve(bqm, int(rng.integers(2**31 - 1)), start_states, schedule, deadline)
                    reads.add(*out[:3])
                if stop is not None:
                    raise stop
                bar.set_postfix(train_accuracy=f"{-best_read(solved)[1][0]:.3f}")
        except (KeyboardInterrupt, BudgetExpired) as err:
            stop = err
        finally:
            bar.close()
        if not any(reads.count for reads in solved):  # stopped before any read: polished random starts
            idx = batches[0]
            enc = self.encode(model, X[idx], y[idx], resolution=r)
            solved = [Reads(idx, enc, 0.0, evaluator)]
            solved[0].add(*self._solve(enc.bqm, int(rng.integers(2**31 - 1)), deadline=EXPIRED)[0][:3])
        solved = [reads for reads in solved if reads.count]
        state["dropout_field"] = field.copy()
        state["batches"] = [reads.record(X, y, r, model) for reads in solved]
        best = best_read(solved)[0]
        metrics = network_metrics(evaluator, best)
        first = state["batches"][0]
        metrics.update({
            "qubo_variables": float(first["num_variables"]),
            "qubo_interactions": float(first["num_interactions"]),
            "qubo_best_energy": float(min(b["energies"].min() for b in state["batches"])),
            "input_rounding_error": rounding,
        })
        state["solve_time"] = sum(reads.time for reads in solved)  # timings stay out of the metrics
        interrupted, budget_hit = stop_flags(stop)
        return TrainResult(method=self.name, bits=best, metrics=metrics,
                           wall_time=time.perf_counter() - start, evaluations=sum(reads.count for reads in solved),
                           state=state, interrupted=interrupted, budget_hit=budget_hit)


def _check_sampler(sampler):
    """The default sampler for ``None``; a ``dimod.Sampler`` instance passes; anything else is refused."""
    if sampler is None:
        from dwave.samplers import SimulatedAnnealingSampler

        return SimulatedAnnealingSampler()
    if isinstance(sampler, type):
        raise InputTypeError(f"sampler must be a dimod.Sampler instance; got the class {sampler.__name__}: "
                        f"pass an instance, e.g. sampler={sampler.__name__}()")
    if not (callable(getattr(sampler, "sample", None)) and isinstance(getattr(sampler, "parameters", None), Mapping)):
        raise InputTypeError(f"sampler must be a dimod.Sampler (an object with .sample(bqm, **kwargs) and a .parameters "
                        f"dict of the keyword arguments it accepts); got {type(sampler).__name__}: pass e.g. "
                        f"dwave.samplers.TabuSampler(), SimulatedAnnealingSampler() or dimod.ExactSolver()")
    return sampler


def _is_exhaustive(sampler) -> bool:
    """Whether ``sampler`` enumerates every state (``dimod.ExactSolver``)."""
    import dimod

    return isinstance(sampler, dimod.ExactSolver)


def _present(model, keep) -> np.ndarray:
    """1 for the weight bits that exist in the sub-network with hidden masks ``keep``."""
    mask = np.zeros(model.num_bits)
    sizes = model.layer_sizes
    masks = [np.ones(sizes[0], bool), *keep, np.ones(sizes[-1], bool)]
    for l in range(1, len(sizes)):
        W = model.block(f"W{l}")
        mask[W.start : W.stop] = np.outer(masks[l], masks[l - 1]).ravel()
        if model.bias:
            bb = model.block(f"b{l}")
            mask[bb.start : bb.stop] = masks[l]
    return mask
