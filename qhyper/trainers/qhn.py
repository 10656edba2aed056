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
``hypernet.sample_at`` or ``sample_angles`` once per step and never read probabilities.

**Optimizers.** ``"adam"`` and ``"lbfgs"`` (strong-Wolfe line search, the evaluation budget
as its iteration limit) are shortcuts; a ``torch.optim.Optimizer`` subclass is built as
``cls([theta], lr=lr)`` (``lr=None``: the class's own default), and a factory
``params -> torch.optim.Optimizer`` is called with ``[theta]`` (its learning rate is its
own). A fresh optimizer is built per restart and per L-BFGS annealing stage. Any
``torch.optim.LBFGS`` (exact gradients only) is driven by closure: ``step(closure)`` calls
until the stage's evaluation budget is spent (its ``max_eval`` capped to what is left) or
a call stops short of its ``max_iter`` (converged); every other optimizer takes one
``step()`` per gradient.

**Entropy annealing** (``anneal``, exact mode). The MLE optimum puts all mass on one network,
a vertex of the probability simplex, and *every* vertex is a critical point of
:math:`\mathbb{E}_{q_\theta}[L]` (a probability that is zero is at its minimum, so its gradient
vanishes); with a shallow circuit many of them are local minima. Annealing minimises the
free energy :math:`F_t(\theta) = \mathcal{L}(\theta) - T_t\,H(q_\theta)` with :math:`T_t`
falling linearly from :math:`T_0 = \text{anneal}\cdot\sigma(L)` (:math:`\sigma(L)` the
standard deviation of the loss table, so the setting is scale-free) to 0 over the first half
of the steps, then trains the plain objective: early on the optimum is a broad Gibbs-like
distribution, and it narrows onto the best networks as :math:`T` falls (deterministic
annealing). Adam applies :math:`T_t` step by step; L-BFGS runs 8 warm-started stages at
falling temperatures, then a final stage at :math:`T = 0`. ``"auto"`` means 0.125 for MLE in
exact mode and no annealing otherwise: shot mode never reads the probabilities the entropy
needs, and ELBO and MMD carry their own entropy or kernel terms. ``benchmarks/qhn_depth.py``
measures what it does for the rate at which MLE finds the global minimum.

**Result.** ``history``: ``objective`` (the objective's natural value: expected loss for
MLE, ELBO, surrogate ELBO, MMD²; a shot estimate in shot mode), ``expected_loss`` and, in
exact mode, ``entropy`` per step (per function evaluation for L-BFGS), ``temperature``
when annealing, plus ``restart_objective``. ``bits`` is the MAP network — argmax of :math:`q_\theta` in exact mode;
in shot mode the most frequent of ``final_shots`` fresh samples, ties (e.g. all samples
distinct) broken by the lowest training loss. ``metrics``: ``objective``, ``expected_loss``,
``p_best`` (exact: :math:`q_\theta` at the argmin of the loss table; shots: fraction of final
samples equal to the cost table's optimum, or with an Evaluator to the best sampled network),
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
import numbers
import time

import numpy as np
import torch
from tqdm.auto import tqdm

from .._checks import DTYPE
from ..bitstrings import bits_to_index, index_to_bits
from ..objectives import MLE
from ..objectives.base import Objective, unique_apply
from ..bitstrings import unique_rows
from ..objectives.task import Task
from ..gradients import SPSA, Backprop, ParameterShift
from ..gradients.base import draw_reference
from ..results import TrainResult, network_metrics

__all__ = ["QHN"]

OPTIMIZERS = ("auto", "adam", "lbfgs")
DEFAULT_LR = {"adam": 0.05, "lbfgs": 1.0}
AUTO_ANNEAL = 0.125  # T0 / σ(L) for MLE in exact mode (see benchmarks/qhn_depth.py)
ANNEAL_FRACTION = 0.5  # share of the steps over which the temperature falls to 0
LBFGS_STAGES = 8  # warm-started L-BFGS runs at falling temperatures
_SEEDS = 2**63 - 1  # seeds drawn from the master generator lie in [0, 2^63 − 1)
GRADIENTS = ("auto", "backprop", "parameter-shift", "spsa")


def _count(value, what, minimum=1, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{what} must be an integer ≥ {minimum}; got {value!r}")
    return int(value)


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
        anneal: initial entropy temperature as a fraction of the loss table's standard
            deviation (see above); ``"auto"``, a number ≥ 0, or ``None``/0 for none.
        seed: master seed: initial angles, sampler seeds, SPSA directions, prior samples.
        progress: show a tqdm progress bar.
    """

    def __init__(self, objective: Objective | None = None, optimizer="auto", steps: int = 300,
                 lr: float | None = None, restarts: int = 1, gradient="auto",
                 shots_per_step: int | None = None, final_shots: int = 4096, spsa: SPSA | None = None,
                 anneal: float | str | None = "auto", seed: int | None = 0, progress: bool = True,
                 warm_start: bool = False):
        self.objective = MLE() if objective is None else objective
        if not isinstance(warm_start, bool):
            raise TypeError(f"warm_start must be True or False; got {warm_start!r}")
        self.warm_start = warm_start
        if not isinstance(self.objective, Objective):
            raise TypeError(f"objective must be a qhyper.objectives objective (e.g. MLE()); got {type(objective).__name__}")
        _check_optimizer(optimizer, lr)
        if spsa is not None and not isinstance(spsa, SPSA):
            raise TypeError(f"spsa must be a qhyper.gradients.SPSA; got {type(spsa).__name__}")
        self.spsa = spsa or SPSA()
        self.estimator = self._estimator(gradient, spsa)  # None: "auto", resolved per fit
        if _is_lbfgs(optimizer) and self.estimator is not None and not _exact(self.estimator):
            raise ValueError("L-BFGS needs exact gradients (gradient='backprop'); use optimizer='adam' with shots")
        self.optimizer, self.gradient = optimizer, gradient
        self.steps = _count(steps, "steps")
        self.restarts = _count(restarts, "restarts")
        self.shots_per_step = _count(shots_per_step, "shots_per_step", allow_none=True)
        self.final_shots = _count(final_shots, "final_shots", minimum=2)
        if lr is not None and not (isinstance(lr, numbers.Real) and not isinstance(lr, bool)
                                   and math.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a finite number > 0 (or None for the optimizer's default); got {lr!r}")
        self.lr = None if lr is None else float(lr)
        if not (anneal is None or anneal == "auto" or (isinstance(anneal, numbers.Real) and not isinstance(anneal, bool)
                                                       and math.isfinite(anneal) and anneal >= 0)):
            raise ValueError(f"anneal must be 'auto', None or a number ≥ 0 (a fraction of the loss table's "
                             f"standard deviation); got {anneal!r}")
        self.anneal = anneal
        self.seed = seed
        self.progress = bool(progress)

    # ------------------------------------------------------------------ setup
    def _plan(self, hypernet, data):
        n = int(hypernet.num_qubits)
        task = Task(data, num_bits=n)
        if task.n != n:
            what = "evaluator's model" if task.evaluator is not None else "cost table"
            raise ValueError(f"the {what} has {task.n} bits but the hypernetwork has {n} qubits; they must match")
        self.objective.check(task)
        exact_mode = hypernet.shots is None
        estimator = self.estimator
        if estimator is None:  # "auto"
            estimator = Backprop() if exact_mode else ParameterShift()
        exact, name = _exact(estimator), _name(estimator)
        if exact and not exact_mode:
            raise ValueError(f"gradient={name!r} (exact autograd) needs an exact hypernetwork (shots=None); "
                             "in shot mode use 'parameter-shift' or 'spsa'")
        if _is_lbfgs(self.optimizer) and not exact:
            raise ValueError("L-BFGS needs exact gradients: use an exact hypernetwork or optimizer='adam'")
        shots = None
        form = None
        if not exact:
            shots = self.shots_per_step or hypernet.shots
            if shots is None:
                raise ValueError(f"gradient={name!r} samples the circuit: set shots_per_step (or the hypernetwork's shots)")
            form = self.objective.shot_form(task)
        optimizer = self._optimizer(exact, hypernet.theta)
        return task, estimator, optimizer, shots, form, self._initial_temperature(task, exact)

    def _estimator(self, gradient, spsa):
        """The estimator object of a ``gradient`` setting (``None`` for ``"auto"``)."""
        if isinstance(gradient, str):
            if gradient not in GRADIENTS:
                raise ValueError(f"unknown gradient {gradient!r}; choose from {GRADIENTS} or pass an estimator "
                                 f"object (qh.gradients.Backprop(), ParameterShift(), SPSA(...))")
            return {"auto": None, "backprop": Backprop(), "parameter-shift": ParameterShift(),
                    "spsa": self.spsa}[gradient]
        if isinstance(gradient, type):
            raise TypeError(f"gradient must be an estimator object; got the class {gradient.__name__}: "
                            f"pass an instance, e.g. gradient={gradient.__name__}()")
        if not (_exact(gradient) or callable(gradient)):
            raise TypeError(f"gradient must be one of {GRADIENTS} or an estimator object: qh.gradients.Backprop(), "
                            f"ParameterShift(), SPSA(...), or any object called as estimator(hypernet, form, theta, "
                            f"shots, seed, generator, step) -> Estimate; got {type(gradient).__name__} {gradient!r}")
        if spsa is not None:
            raise ValueError(f"spsa= configures gradient='spsa', but gradient is the object {gradient!r}: "
                             f"pass the estimator alone (e.g. gradient=SPSA(c=0.1))")
        return gradient

    def _optimizer(self, exact: bool, theta) -> _Optimizer:
        """How to build this run's optimizer over ``[theta]``, checked by building one."""
        choice = self.optimizer
        if choice == "auto":
            choice = "lbfgs" if exact else "adam"
        if choice == "lbfgs":
            lr = DEFAULT_LR["lbfgs"] if self.lr is None else self.lr
            return _Optimizer("lbfgs", True, lambda budget: torch.optim.LBFGS(
                [theta], lr=lr, max_iter=budget, max_eval=budget, tolerance_grad=1e-7,
                tolerance_change=1e-12, line_search_fn="strong_wolfe"))
        if choice == "adam":
            lr = DEFAULT_LR["adam"] if self.lr is None else self.lr
            return _Optimizer("adam", False, lambda budget: torch.optim.Adam([theta], lr=lr))
        if isinstance(choice, type):
            kwargs = {} if self.lr is None else {"lr": self.lr}

            def build(budget):
                try:
                    return choice([theta], **kwargs)
                except TypeError as err:
                    raise TypeError(f"optimizer={choice.__name__} could not be built as {choice.__name__}([theta]"
                                    f"{', lr=lr' if kwargs else ''}): {err}; pass a factory instead, e.g. "
                                    f"optimizer=lambda params: {choice.__name__}(params, ...)") from err
        else:
            def build(budget):
                opt = choice([theta])
                if not isinstance(opt, torch.optim.Optimizer):
                    raise TypeError(f"the optimizer factory must return a torch.optim.Optimizer; it returned "
                                    f"{type(opt).__name__}: e.g. optimizer=lambda params: torch.optim.SGD(params, lr=0.1)")
                if not any(p is theta for group in opt.param_groups for p in group["params"]):
                    raise ValueError("the optimizer factory's optimizer does not hold the parameters it was given: "
                                     "build it over its argument, e.g. lambda params: torch.optim.SGD(params, lr=0.1)")
                return opt

        probe = build(self.steps)  # a bad class or factory fails here, before any work
        lbfgs = isinstance(probe, torch.optim.LBFGS)
        if lbfgs and not exact:
            raise ValueError(f"optimizer builds {type(probe).__name__}, and L-BFGS needs exact gradients: "
                             f"use an exact hypernetwork (shots=None) or a step optimizer such as torch.optim.Adam")
        return _Optimizer(type(probe).__name__, lbfgs, build)

    def _initial_temperature(self, task, exact) -> float:
        """:math:`T_0` in loss units (0: no annealing), validated against the objective and mode."""
        if self.anneal == "auto":
            return AUTO_ANNEAL * _spread(task) if exact and isinstance(self.objective, MLE) else 0.0
        if not self.anneal:
            return 0.0
        if not isinstance(self.objective, MLE):
            raise ValueError(f"anneal applies to MLE, whose optimum sits on a vertex of the probability simplex; "
                             f"{type(self.objective).__name__} has its own entropy or kernel term (use anneal=None)")
        if not exact:
            raise ValueError("anneal needs the entropy of the exact probability vector, which shot mode never reads: "
                             "use an exact hypernetwork (shots=None) or anneal=None")
        return float(self.anneal) * _spread(task)

    # ------------------------------------------------------------------ training
    def fit(self, hypernet, data=None, test=None) -> TrainResult:
        """Train ``hypernet`` on ``data`` (an Evaluator, a cost table [2^n], or ``None`` for
        data-free objectives such as MMD); ``test=(X, y)`` overrides the evaluator's test split."""
        task, estimator, optimizer, shots, form, t0 = self._plan(hypernet, data)
        exact = _exact(estimator)
        start = time.perf_counter()
        master = np.random.default_rng(self.seed)
        counter = _Counter(form, task)
        runs, interrupted = [], False
        bar = tqdm(total=self.restarts * self.steps, disable=not self.progress,
                   desc=f"QHN {self.objective.name}", leave=False)
        try:
            for r in range(self.restarts):
                theta0 = hypernet.ansatz.init_params(int(master.integers(_SEEDS)))
                if r == 0 and self.warm_start:
                    theta0 = hypernet.theta.detach().clone()
                with torch.no_grad():
                    hypernet.theta.copy_(torch.as_tensor(theta0, dtype=DTYPE))
                history = {"objective": [], "expected_loss": []} | ({"entropy": []} if exact else {})
                if t0:
                    history["temperature"] = []
                runs.append({"history": history})
                if exact:
                    self._run_exact(hypernet, task, history, bar, t0, optimizer)
                else:
                    self._run_shots(hypernet, counter, estimator, shots, master, history, bar, optimizer)
                runs[-1].update(self._score(hypernet, task, counter, master))
        except KeyboardInterrupt:
            interrupted = True
            if runs and "objective" not in runs[-1]:
                runs[-1].update(self._score(hypernet, task, counter, master))
        finally:
            bar.close()
        if not runs:  # interrupted before the first restart began
            runs.append({"history": {}, **self._score(hypernet, task, counter, master)})
        return self._result(hypernet, task, runs, _name(estimator), optimizer.name, shots, counter, test,
                            interrupted, time.perf_counter() - start)

    def _run_exact(self, hypernet, task, history, bar, t0, optimizer):
        table = task.loss_table() if task.has_data else None
        temperature = 0.0

        def closure():
            opt.zero_grad()
            probs = hypernet.distribution().probs()
            loss = self.objective.exact_loss(probs, task)
            minimised = loss + temperature * torch.special.xlogy(probs, probs).sum() if temperature else loss
            minimised.backward()
            q = probs.detach()
            history["objective"].append(self.objective.value(float(loss.detach())))
            history["expected_loss"].append(float(q @ table) if table is not None else math.nan)
            history["entropy"].append(_entropy(q))
            if t0:
                history["temperature"].append(temperature)
            bar.update(1)
            return minimised

        if optimizer.lbfgs:
            for temperature, evals in _lbfgs_stages(t0, self.steps):
                opt = optimizer.build(evals)
                _lbfgs_run(opt, closure, evals, lambda: len(history["objective"]))
        else:
            opt = optimizer.build(self.steps)
            for step in range(self.steps):
                temperature = t0 * max(0.0, 1.0 - step / (ANNEAL_FRACTION * self.steps))
                closure()
                opt.step()

    def _run_shots(self, hypernet, counter, estimator, shots, master, history, bar, optimizer):
        theta = hypernet.theta
        opt = optimizer.build(self.steps)
        for step in range(self.steps):
            seed = int(master.integers(_SEEDS))
            gen = torch.Generator().manual_seed(int(master.integers(_SEEDS)))
            est = estimator(hypernet, counter.form, theta.detach().clone(), shots, seed, gen, step)
            grad = _checked_grad(est, estimator, theta)
            opt.zero_grad()
            theta.grad = grad
            opt.step()
            history["objective"].append(self.objective.value(est.loss))
            history["expected_loss"].append(counter.mean_loss(est.samples))
            bar.update(1)

    # ------------------------------------------------------------------ scoring
    def _score(self, hypernet, task, counter, master):
        """Final objective of the current θ (exact, or from ``final_shots`` fresh samples)."""
        theta = hypernet.theta.detach().clone()
        if hypernet.shots is None and counter.form is None:
            with torch.no_grad():
                probs = hypernet.distribution().probs().detach()
                loss = float(self.objective.exact_loss(probs, task))
            return {"theta": theta, "objective": self.objective.value(loss), "loss": loss, "probs": probs}
        samples = hypernet.sample_at(theta.unsqueeze(0), self.final_shots,
                                     seed=int(master.integers(_SEEDS)))[0].to(DTYPE)
        gen = torch.Generator().manual_seed(int(master.integers(_SEEDS)))
        loss = counter.form.estimate(samples, draw_reference(counter.form, self.final_shots, gen))
        return {"theta": theta, "objective": self.objective.value(loss), "loss": loss, "samples": samples}

    def _result(self, hypernet, task, runs, gradient, optimizer, shots, counter, test, interrupted, wall):
        best = min(range(len(runs)), key=lambda i: runs[i]["loss"])
        run = runs[best]
        with torch.no_grad():
            hypernet.theta.copy_(run["theta"])
        metrics = {"objective": run["objective"]}
        ev = task.evaluator
        if ev is not None and test is not None:
            from ..evaluate import Evaluator

            ev = Evaluator(ev.model, ev.X, ev.y, logit_scale=ev.logit_scale, test=test)
        if "probs" in run:
            bits, weights = self._exact_summary(run["probs"], task, metrics)
        else:
            bits, weights = self._shot_summary(run["samples"], task, metrics)
        map_bits = bits[_mode(weights, task, bits)]
        if ev is not None:
            metrics.update(network_metrics(ev, map_bits))
            if not getattr(ev, "regression", False):  # class probabilities: classifiers only
                metrics.update(_predictive(ev, bits, weights))
        elif task.table is not None:
            metrics["map_loss"] = float(task.table[bits_to_index(map_bits)])
        if hasattr(self.objective, "in_target"):
            metrics["target_fraction"] = float(weights[self.objective.in_target(bits)].sum())
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
        evaluations = counter.scored if counter.form is not None else (2**task.n if task.has_data else 0)
        return TrainResult(method=f"qhn-{self.objective.name}", bits=map_bits, metrics=metrics,
                           history=history, wall_time=wall, evaluations=evaluations, state=state,
                           interrupted=interrupted)

    def _exact_summary(self, probs, task, metrics):
        metrics["entropy"] = _entropy(probs)
        if task.has_data:
            table = task.loss_table()
            best = int(torch.argmin(table))
            metrics["expected_loss"] = float(probs @ table)
            metrics["min_loss"] = float(table[best])
            metrics["p_best"] = float(probs[best])
        order = torch.argsort(probs, descending=True)
        k = int(torch.searchsorted(torch.cumsum(probs[order], 0), torch.tensor(1 - 1e-6, dtype=DTYPE))) + 1
        idx = order[: max(1, min(k, 4096))]
        return index_to_bits(idx, task.n), probs[idx] / probs[idx].sum()

    def _shot_summary(self, samples, task, metrics):
        uniq, _, counts = unique_rows(samples)
        weights = counts.to(DTYPE) / samples.shape[0]
        if task.has_data:
            losses = task.loss(uniq)
            metrics["expected_loss"] = float(weights @ losses)
            if task.table is not None:
                target = index_to_bits(int(torch.argmin(task.table)), task.n)
                metrics["min_loss"] = float(task.table.min())
            else:
                target = uniq[torch.argmin(losses)]
            metrics["p_best"] = float((samples == target).all(-1).to(DTYPE).mean())
        metrics["distinct_samples"] = float(uniq.shape[0])
        return uniq, weights


class _Optimizer:
    """A run's optimizer: its recorded ``name``, whether it is an L-BFGS driven by closure, and
    ``build(budget)``, a fresh optimizer over θ (``budget``: the evaluations it may use)."""

    def __init__(self, name: str, lbfgs: bool, build):
        self.name, self.lbfgs, self.build = name, lbfgs, build


def _check_optimizer(optimizer, lr) -> None:
    """Refuse an ``optimizer`` setting that is no shortcut, optimizer class or factory."""
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose from {OPTIMIZERS}, or pass a torch optimizer "
                             f"class (torch.optim.SGD) or a factory (lambda params: torch.optim.SGD(params, lr=0.1))")
    elif isinstance(optimizer, type):
        if not issubclass(optimizer, torch.optim.Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer subclass, a factory params -> optimizer "
                            f"or one of {OPTIMIZERS}; got the class {optimizer.__name__}")
    elif isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer got a built {type(optimizer).__name__}; the trainer builds a fresh optimizer over "
                        f"the hypernetwork's angles per restart: pass the class (torch.optim.{type(optimizer).__name__}) "
                        f"or a factory (lambda params: torch.optim.{type(optimizer).__name__}(params, ...))")
    elif callable(optimizer):
        if lr is not None:
            raise ValueError(f"lr={lr!r} was given with an optimizer factory, whose learning rate is its own: set it "
                             f"in the factory (lambda params: torch.optim.SGD(params, lr={lr!r})) and leave lr unset")
    else:
        raise TypeError(f"optimizer must be one of {OPTIMIZERS}, a torch.optim.Optimizer subclass or a factory "
                        f"params -> torch.optim.Optimizer; got {type(optimizer).__name__} {optimizer!r}")


def _is_lbfgs(optimizer) -> bool:
    """Whether an ``optimizer`` setting is known, before building it, to be an L-BFGS."""
    return optimizer == "lbfgs" or (isinstance(optimizer, type) and issubclass(optimizer, torch.optim.LBFGS))


def _exact(estimator) -> bool:
    """Whether an estimator asks for exact autograd (``Backprop``) instead of being called."""
    return bool(getattr(estimator, "exact", False))


def _name(estimator) -> str:
    """An estimator's recorded name: its ``name`` attribute, else a function's ``__name__``,
    else its class name."""
    return getattr(estimator, "name", None) or getattr(estimator, "__name__", None) or type(estimator).__name__


def _checked_grad(est, estimator, theta) -> torch.Tensor:
    """The gradient of a shot estimator's ``Estimate``, checked against θ."""
    grad = getattr(est, "grad", None)
    if not isinstance(grad, torch.Tensor) or grad.numel() != theta.numel():
        got = f"a grad of shape {tuple(grad.shape)}" if isinstance(grad, torch.Tensor) else f"{type(est).__name__}"
        raise ValueError(f"gradient estimator {_name(estimator)!r} returned {got}; a shot estimator returns a "
                         f"qhyper.gradients.Estimate whose grad has one entry per angle ({theta.numel()})")
    return grad.detach().to(theta.dtype).reshape(theta.shape)


def _lbfgs_run(opt, closure, budget: int, evaluations) -> None:
    """``opt.step(closure)`` until ``budget`` objective evaluations (``evaluations()`` counts
    them) are spent, or a call stops short of its ``max_iter`` (it converged)."""
    group = opt.param_groups[0]
    max_iter, max_eval = group["max_iter"], group["max_eval"]
    used = 0
    while used < budget:
        group["max_eval"] = min(max_eval, budget - used)
        before = evaluations()
        opt.step(closure)
        calls = evaluations() - before
        used += calls
        if calls < max_iter:
            break


class _Counter:
    """Scores sampled networks and counts them (the ``evaluations`` of the result)."""

    def __init__(self, form, task):
        self.form, self.task = form, task
        self.scored = 0
        if form is not None and form.f is not None:
            inner = form.f

            def counted(bits):
                self.scored += bits.shape[0]
                return inner(bits)

            form.f = counted

    def mean_loss(self, samples) -> float:
        """Mean loss of sampled networks (NaN without training data)."""
        if not self.task.has_data:
            return math.nan
        self.scored += int(unique_rows(samples)[0].shape[0])
        return float(unique_apply(self.task.loss, samples).mean())


def _mode(weights, task, bits) -> int:
    """Index of the most probable network; ties (e.g. all samples distinct) go to the lowest training loss."""
    top = torch.nonzero(weights == weights.max()).squeeze(-1)
    if top.numel() == 1 or not task.has_data:
        return int(top[0])
    return int(top[torch.argmin(task.loss(bits[top]))])


def _spread(task) -> float:
    """Standard deviation of the loss table: the unit of the annealing temperature."""
    return float(task.loss_table().std())


def _lbfgs_stages(t0: float, steps: int) -> list[tuple[float, int]]:
    """(temperature, evaluation budget) per L-BFGS stage: up to ``LBFGS_STAGES`` falling
    temperatures over ``ANNEAL_FRACTION`` of the budget, then the rest at T = 0."""
    anneal_evals = int(ANNEAL_FRACTION * steps)
    k = min(LBFGS_STAGES, anneal_evals)
    if not t0 or k == 0:
        return [(0.0, steps)]
    per = anneal_evals // k
    return [(t0 * (1 - i / k), per) for i in range(k)] + [(0.0, steps - per * k)]


def _entropy(q: torch.Tensor) -> float:
    return float(-torch.special.xlogy(q, q).sum())


def _predictive(ev, bits, weights) -> dict[str, float]:
    """Accuracy and mean NLL of the posterior-predictive average on train (and test) data."""
    out = {}
    splits = [("predictive_train", ev)]
    if ev.has_test:
        splits.append(("predictive_test", ev.test()))
    for name, e in splits:
        p = e.predictive(bits, weights)
        out[f"{name}_accuracy"] = float((p.argmax(-1) == e.y).to(DTYPE).mean())
        out[f"{name}_nll"] = float(-p.gather(-1, e.y.view(-1, 1)).clamp_min(1e-300).log().mean())
    return out
