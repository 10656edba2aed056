r"""QHN — train a quantum hypernetwork with an objective and a gradient estimator.

The trainer composes four independent parts: a
:class:`~qhyper.Hypernetwork` (the circuit and its backend), an objective from
:mod:`qhyper.objectives`, a gradient estimator and a torch optimizer. Estimators are objects
from :mod:`qhyper.gradients` (the strings are shortcuts):

* :class:`~qhyper.gradients.Backprop` (``"backprop"``) — exact mode (``shots=None``):
  autograd through ``distribution().probs()``; works for every objective, with any optimizer;
* :class:`~qhyper.gradients.ParameterShift` (``"parameter-shift"``) — unbiased shot gradients
  (Liu & Wang 2018) from :math:`2P'+1` shifted circuits, :math:`P'` the parameters that are
  not inert, for objectives with a shot form (MLE, MMD-surrogate ELBO, MMD);
* :class:`~qhyper.gradients.SPSA` (``"spsa"``) — two perturbed circuits per step (Spall
  1992), the cheap option for many parameters;
* any user object with the shot-estimator call
  ``estimator(hypernet, form, theta, shots, seed, generator, step) -> Estimate``
  (:mod:`qhyper.gradients.base`); an object declaring ``exact = True`` is an exact
  estimator instead, like ``Backprop``.

``gradient="auto"`` picks backprop for exact hypernetworks and parameter-shift otherwise;
``optimizer="auto"`` picks L-BFGS for backprop (the original method's optimizer) and Adam for
shot estimates. Shot estimators get a fresh sampler seed and a seeded ``torch.Generator``
per step, drawn from the trainer's master generator; the built-in ones call
``hypernet.sample_at``, ``sample_angles`` or ``sample_counts_angles`` once per step and
never read probabilities.

**Optimizers.** ``"adam"`` and ``"lbfgs"`` (strong-Wolfe line search, the evaluation budget
as its iteration limit) are shortcuts; a ``torch.optim.Optimizer`` subclass is built as
``cls([theta], lr=lr)`` (``lr=None``: the class's own default), and a factory
``params -> torch.optim.Optimizer`` is called with ``[theta]`` (its learning rate is its
own). A fresh optimizer is built per restart and per L-BFGS annealing stage. Any
``torch.optim.LBFGS`` (exact gradients only) is driven by closure: ``step(closure)`` calls
until the stage's evaluation budget is spent (its ``max_eval`` capped to what is left) or
a call stops short of its ``max_iter`` (converged); every other optimizer takes one
``step()`` per gradient.

**Entropy annealing** (``anneal``, exact mode) is the objective wrapper
:class:`~qhyper.objectives.Annealed`: the free energy
:math:`F_t(\theta) = \mathcal{L}(\theta) - T_t\,H(q_\theta)` with :math:`T_t` falling from
``anneal`` × the loss table's standard deviation to 0 over the first half of the budget
(Adam: step by step; L-BFGS: 8 warm-started stages, then a final stage at :math:`T = 0`).
``"auto"`` wraps objectives that declare ``vertex_optimum`` (MLE) with ``anneal=0.125`` in
exact mode. The ELBO (``temperable``) is **tempered** instead,
:class:`~qhyper.objectives.Tempered`: its KL weight falls geometrically from ``anneal`` × the
log-likelihood table's standard deviation (``"auto"``: 4) to β over the first half of the
budget, the same schedule ending on the posterior rather than on a vertex. Nothing else is
annealed: shot mode never reads the probabilities the entropy needs, and MMD carries its
own kernel term. ``anneal=None`` trains the objective as given (pass
``objective=Annealed(MLE(), ...)`` or ``Tempered(ELBO(), ...)`` for another schedule).
``benchmarks/qhn_depth.py`` measures what annealing does for the rate at which MLE finds
the global minimum, ``benchmarks/elbo_vs_mle.py`` what tempering does for the ELBO's KL to
the posterior.

**Data flow of** :meth:`QHN.fit`: data → :class:`~qhyper.objectives.LossSource`; the
objective (annealed or not) turns probabilities (exact) or samples (shot form) into a loss,
the estimator that into a gradient (autograd, or a shot ``Estimate``); the optimizer steps
θ; at the end :mod:`qhyper.trainers.qhn_summary` scores the kept restart.

**Result.** ``history``: ``objective`` (the objective's natural value: expected loss for
MLE, ELBO, surrogate ELBO, MMD²; a shot estimate in shot mode), ``expected_loss`` and, in
exact mode, ``entropy`` per step (per function evaluation for L-BFGS), ``temperature``
when annealing (``kl_weight`` when tempering), plus ``restart_objective``. ``bits`` is the MAP network — argmax of :math:`q_\theta` in exact mode;
in shot mode the most frequent of ``final_shots`` fresh samples, ties (e.g. all samples
distinct) broken by the lowest training loss. ``metrics``: ``objective``, ``expected_loss``,
``p_best`` — one meaning everywhere: the probability of the best network, the argmin of the
loss table (exact: :math:`q_\theta` there; shots: the fraction of final samples equal to it,
with a cost table or an Evaluator of at most ``OPTIMUM_MAX_BITS`` bits, whose loss table is
then computed for this figure after training — outside ``wall_time`` and ``evaluations``;
beyond that the optimum is unknown and ``best_sample_share``, the fraction of final samples
equal to the best *sampled* network, is reported instead — a measure of concentration,
not of optimality), ``p_opt`` — the probability of the *set* of optimal networks, every
network within ``OPTIMUM_RTOL`` (relative 1e-9) of the minimum loss, ties included (a model
with symmetries has several optima; ``p_best`` counts one of them), measured as ``p_best`` is
and reported whenever it is,
``entropy`` (exact), the MAP network's ``train_/test_accuracy`` and ``_nll`` and the
posterior-predictive ``predictive_train_/test_accuracy`` and ``_nll`` (exact: the networks
holding 1 − 10⁻⁶ of the mass, at most 4096, weighted by :math:`q_\theta`; shots: the final
samples), all from the shared Evaluator; ``target_fraction`` for :class:`MMD`. ``state``:
final ``theta``, ``probs`` and ``distribution`` (exact) or ``samples`` (shots), and one record
per restart.

Example:
    >>> ev = qh.Evaluator.from_dataset(qh.BinaryMLP([16, 1]), qh.datasets.load("digits01_4x4"))
    >>> hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=17, layers=4))
    >>> res = qh.trainers.QHN(qh.objectives.MLE(), seed=0).fit(hn, ev)  # L-BFGS, 300 evaluations, annealed
    >>> res.metrics["p_best"]
"""
from __future__ import annotations

import math
import time

import torch
from .._progress import tqdm

from .._budget import BudgetExpired, Deadline, check_max_time, stop_flags
from .._checks import DTYPE, InputTypeError, check_bool, check_count, check_real, check_seed, numpy_generator
from ..bitstrings import shannon_entropy
from ..gradients import SPSA
from ..gradients.base import checked_grad, draw_reference, estimator_name, is_exact
from ..gradients.resolve import auto, resolve
from ..objectives import MLE
from ..objectives.annealed import check_anneal, with_annealing
from ..objectives.base import Objective
from ..objectives.source import LossSource
from ..results import TrainResult
from . import optimizers
from .qhn_summary import Scored, summarise, with_test

__all__ = ["QHN"]

_SEEDS = 2**63 - 1  # seeds drawn from the master generator lie in [0, 2^63 − 1)


class QHN:
    """Quantum-hypernetwork trainer.

    Args:
        objective: an :class:`~qhyper.objectives.Objective` (default :class:`MLE`).
        optimizer: ``"auto"`` (L-BFGS for exact gradients, as in the original method; Adam
            for shot estimates), ``"adam"``, ``"lbfgs"`` (strong-Wolfe line search; exact
            gradients only), a ``torch.optim.Optimizer`` subclass (e.g.
            ``torch.optim.RMSprop``, built as ``cls([theta], lr=lr)``) or a factory
            ``params -> torch.optim.Optimizer`` (e.g. ``lambda p: torch.optim.SGD(p, lr=0.1)``;
            then leave ``lr`` unset). Any L-BFGS needs exact gradients.
            ``state["optimizer"]`` records the shortcut or the optimizer's class name.
        steps: optimisation steps per restart (L-BFGS: objective evaluations).
        lr: learning rate (default 0.05 for Adam, 1 for L-BFGS, the class's own default for
            an optimizer class; not with a factory).
        restarts: random initialisations; the one with the best final objective is kept.
        warm_start: start the first restart from the hypernetwork's current θ (e.g. a
            previous fit, or ``Hypernetwork(init=...)``) instead of random angles; later
            restarts are random.
        gradient: an estimator object — :class:`~qhyper.gradients.Backprop`,
            :class:`~qhyper.gradients.ParameterShift`, :class:`~qhyper.gradients.SPSA` or a
            user object with the same call (see :mod:`qhyper.gradients.base`) — or one of the
            shortcuts ``"auto"``, ``"backprop"``, ``"parameter-shift"``, ``"spsa"``.
            ``state["gradient"]`` records its ``name`` (or class name).
        shots_per_step: samples per circuit for shot estimators (default: the
            hypernetwork's ``shots``).
        final_shots: samples drawn at the end (shot mode) to score the result.
        spsa: the :class:`~qhyper.gradients.SPSA` that ``gradient="spsa"`` uses (the same as
            passing ``gradient=SPSA(...)``).
        anneal: initial entropy temperature (MLE) as a multiple of the loss table's standard
            deviation, or initial KL weight (ELBO) as a multiple of the log-likelihood
            table's (see above); ``"auto"``, a number ≥ 0, or ``None``/0 for none.
        seed: master seed (an integer ≥ 0, a ``numpy.random.Generator`` or None): initial
            angles, sampler seeds, SPSA directions, prior samples.
        progress: show a tqdm progress bar.
        max_time: time budget in seconds for the whole fit (``None``: none). It is checked
            at every objective evaluation (exact) or step (shots) and before each restart;
            once it has passed, the current restart is scored as it stands and the result
            (the best restart so far) says ``budget_hit=True``.
    """

    def __init__(self, objective: Objective | None = None, optimizer="auto", steps: int = 300,
                 lr: float | None = None, restarts: int = 1, gradient="auto",
                 shots_per_step: int | None = None, final_shots: int = 4096, spsa: SPSA | None = None,
                 anneal: float | str | None = "auto", seed: int | None = 0, progress: bool = True,
                 warm_start: bool = False, max_time: float | None = None):
        self.objective = MLE() if objective is None else objective
        self.warm_start = check_bool(warm_start, "warm_start")
        if not isinstance(self.objective, Objective):
            raise InputTypeError(f"objective must be a qhyper.objectives objective (e.g. MLE()); got {type(objective).__name__}")
        optimizers.check_optimizer(optimizer, lr)
        self.estimator = resolve(gradient, spsa)  # None: "auto", resolved per fit
        if optimizers.is_lbfgs(optimizer) and self.estimator is not None and not is_exact(self.estimator):
            raise ValueError("L-BFGS needs exact gradients (gradient='backprop'); use optimizer='adam' with shots")
        self.optimizer, self.gradient = optimizer, gradient
        self.steps = check_count(steps, "steps")
        self.restarts = check_count(restarts, "restarts")
        self.shots_per_step = check_count(shots_per_step, "shots_per_step", allow_none=True)
        self.final_shots = check_count(final_shots, "final_shots", minimum=2)
        self.lr = check_real(lr, "lr", 0, low_open=True, allow_none=True, fix="None is the optimizer's default")
        self.anneal = check_anneal(anneal, self.objective)
        self.seed = check_seed(seed)
        self.progress = check_bool(progress, "progress")
        self.max_time = check_max_time(max_time)

    # ------------------------------------------------------------------ setup
    def _plan(self, hypernet, data):
        """Everything a fit needs, checked before any work: the loss source, the (annealed)
        objective, the estimator, the optimizer plan, the shots and the shot form."""
        if not all(hasattr(hypernet, a) for a in ("num_qubits", "theta", "sample_at", "ansatz")):
            raise InputTypeError(f"hypernet must be a qhyper.Hypernetwork (e.g. qh.Hypernetwork.for_model(model)); "
                                 f"got {type(hypernet).__name__} {hypernet!r:.60}")
        n = int(hypernet.num_qubits)
        source = LossSource(data, num_bits=n)
        if source.num_bits != n:
            what = "evaluator's model" if source.evaluator is not None else "cost table"
            raise ValueError(f"the {what} has {source.num_bits} bits but the hypernetwork has {n} qubits; they must match")
        self.objective.check(source)
        exact_mode = hypernet.shots is None
        estimator = self.estimator if self.estimator is not None else auto(exact_mode)
        exact, name = is_exact(estimator), estimator_name(estimator)
        if exact and not exact_mode:
            raise ValueError(f"gradient={name!r} (exact autograd) needs an exact hypernetwork (shots=None); "
                             "in shot mode use 'parameter-shift' or 'spsa'")
        if optimizers.is_lbfgs(self.optimizer) and not exact:
            raise ValueError("L-BFGS needs exact gradients: use an exact hypernetwork or optimizer='adam'")
        objective = with_annealing(self.objective, self.anneal, exact)
        shots, form = None, None
        if not exact and not objective.has_shot_form:
            raise ValueError(f"{type(objective).__name__} cannot be estimated from shots (it has no shot form); "
                             f"use an exact hypernetwork (shots=None) with gradient='backprop', or an objective "
                             f"with a shot form (MLE, MMDSurrogateELBO, MMD)")
        if not exact:
            shots = self.shots_per_step or hypernet.shots
            if shots is None:
                raise ValueError(f"gradient={name!r} samples the circuit: set shots_per_step (or the hypernetwork's shots)")
            form = objective.shot_form(source)
            if form.has_kernel_terms and shots < 2:
                where = "shots_per_step" if self.shots_per_step else "the hypernetwork's shots"
                raise ValueError(f"{where} = {shots}: {type(objective).__name__} estimates its kernel term from "
                                 "pairs of distinct samples (a U-statistic), which needs at least 2 shots per "
                                 "circuit; use shots ≥ 2 (tens to thousands in practice)")
        plan = optimizers.plan(self.optimizer, self.lr, exact, hypernet.theta, self.steps)
        return source, objective, estimator, plan, shots, form

    # ------------------------------------------------------------------ training
    def fit(self, hypernet, data=None, test=None) -> TrainResult:
        """Train ``hypernet`` on ``data`` (an Evaluator, a cost table [2^n], or ``None`` for
        data-free objectives such as MMD); ``test=(X, y)`` overrides the evaluator's test split."""
        deadline = Deadline(self.max_time)
        source, objective, estimator, plan, shots, form = self._plan(hypernet, data)
        evaluator = with_test(source, test)  # built now: a bad test split fails before training
        exact = is_exact(estimator)
        start = time.perf_counter()
        master = numpy_generator(self.seed)
        scored = Scored(form, source)
        if exact:
            objective.prepare(source)
        runs, interrupted, budget_hit = [], False, False
        bar = tqdm(total=self.restarts * self.steps, disable=not self.progress,
                   desc=f"QHN {objective.name}", leave=False)
        try:
            for r in range(self.restarts):
                if r:
                    deadline.check()
                theta0 = hypernet.ansatz.init_params(int(master.integers(_SEEDS)))
                if r == 0 and self.warm_start:
                    theta0 = hypernet.theta.detach().clone()
                with torch.no_grad():
                    hypernet.theta.copy_(torch.as_tensor(theta0, dtype=DTYPE))
                history = {"objective": [], "expected_loss": []} | ({"entropy": []} if exact else {})
                runs.append({"history": history})
                if exact:
                    self._run_exact(hypernet, source, objective, history, bar, plan, deadline)
                else:
                    self._run_shots(hypernet, scored, estimator, shots, master, history, bar, plan, deadline)
                runs[-1].update(self._score(hypernet, source, scored, master))
        except (KeyboardInterrupt, BudgetExpired) as stop:
            interrupted, budget_hit = stop_flags(stop)
            if runs and "objective" not in runs[-1]:
                runs[-1].update(self._score(hypernet, source, scored, master))
        finally:
            bar.close()
        if not runs:  # interrupted before the first restart began
            runs.append({"history": {}, **self._score(hypernet, source, scored, master)})
        return self._result(hypernet, source, runs, estimator_name(estimator), plan.name, shots, scored, evaluator,
                            interrupted, time.perf_counter() - start, budget_hit)

    def _run_exact(self, hypernet, source, objective, history, bar, plan, deadline):
        """Autograd through the exact probabilities; closure optimizers run the objective's stages."""
        table = source.loss_table() if source.has_data else None

        def closure():
            deadline.check()
            opt.zero_grad()
            probs = hypernet.distribution().probs()
            minimised, value = objective.exact_objective(probs, source)
            minimised.backward()
            q = probs.detach()
            history["objective"].append(value)
            history["expected_loss"].append(float(q @ table) if table is not None else math.nan)
            history["entropy"].append(float(shannon_entropy(q)))
            for key, v in objective.traces().items():
                history.setdefault(key, []).append(v)
            bar.update(1)
            return minimised

        if plan.lbfgs:
            for evals in objective.stages(self.steps):
                opt = plan.build(evals)
                optimizers.lbfgs_run(opt, closure, evals, lambda: len(history["objective"]))
        else:
            opt = plan.build(self.steps)
            for step in range(self.steps):
                objective.at_step(step, self.steps)
                closure()
                opt.step()

    def _run_shots(self, hypernet, scored, estimator, shots, master, history, bar, plan, deadline):
        """One shot estimate per step, with a fresh sampler seed and torch generator."""
        theta = hypernet.theta
        opt = plan.build(self.steps)
        for step in range(self.steps):
            deadline.check()
            seed = int(master.integers(_SEEDS))
            gen = torch.Generator().manual_seed(int(master.integers(_SEEDS)))
            est = estimator(hypernet, scored.form, theta.detach().clone(), shots, seed, gen, step)
            grad = checked_grad(est, estimator, theta)
            opt.zero_grad()
            theta.grad = grad
            opt.step()
            history["objective"].append(self.objective.value(est.loss))
            history["expected_loss"].append(scored.mean_loss(est.samples))
            bar.update(1)

    # ------------------------------------------------------------------ scoring
    def _score(self, hypernet, source, scored, master):
        """Final objective of the current θ (exact, or from ``final_shots`` fresh samples)."""
        theta = hypernet.theta.detach().clone()
        if hypernet.shots is None and scored.form is None:
            with torch.no_grad():
                probs = hypernet.distribution().probs().detach()
                loss = float(self.objective.exact_loss(probs, source))
            return {"theta": theta, "objective": self.objective.value(loss), "loss": loss, "probs": probs}
        samples = hypernet.sample_at(theta.unsqueeze(0), self.final_shots,
                                     seed=int(master.integers(_SEEDS)))[0].to(DTYPE)
        gen = torch.Generator().manual_seed(int(master.integers(_SEEDS)))
        loss = scored.form.estimate(samples, draw_reference(scored.form, self.final_shots, gen))
        return {"theta": theta, "objective": self.objective.value(loss), "loss": loss, "samples": samples}

    def _result(self, hypernet, source, runs, gradient, optimizer, shots, scored, ev, interrupted, wall,
                budget_hit):
        best = min(range(len(runs)), key=lambda i: runs[i]["loss"])
        run = runs[best]
        with torch.no_grad():
            hypernet.theta.copy_(run["theta"])
        map_bits, metrics = summarise(run, source, self.objective, ev)
        history = dict(run["history"])
        history["restart_objective"] = [r["objective"] for r in runs]
        state = {"theta": run["theta"], "objective": self.objective.value_name, "gradient": gradient,
                 "optimizer": optimizer, "shots_per_step": shots,
                 "restarts": [{k: v for k, v in r.items() if k != "history"} for r in runs]}
        if "probs" in run:
            state["probs"] = run["probs"]
            state["distribution"] = hypernet.distribution()
        else:
            state["samples"] = run["samples"]
        evaluations = scored.scored if scored.form is not None else (2**source.num_bits if source.has_data else 0)
        return TrainResult(method=f"qhn-{self.objective.name}", bits=map_bits, metrics=metrics,
                           history=history, wall_time=wall, evaluations=evaluations, state=state,
                           interrupted=interrupted, budget_hit=budget_hit)

