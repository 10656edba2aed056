r"""Local information-bottleneck training of deep binary and physical networks (after Wang et al.).

Every unit *l* of a :class:`~qhyper.pib.PIBNetwork` is trained **alone**, from its own
measured output :math:`T_l` on a mini-batch, on

.. math:: L_l = I(X; T_l) - \beta\, I(T_l; Y),

the information bottleneck of its representation (Wang et al., "Training deep physical
neural networks with local physical information bottleneck", arXiv 2602.09569 — only
the abstract is public, so this is a reconstruction: estimator, kernel, width rule, β and
update rules are all options). Each unit's input is the previous unit's output, detached:
no error travels back through the units, so a unit can be a black box (trained by SPSA),
faulty hardware can be retrained in place, and units can train at the same time on
different machines (``parallel="ray"``). A readout on the last unit's detached output is
trained by cross-entropy at the same time (the "format" layer of the HSIC bottleneck).

:class:`LocalIB` estimates both terms with the matrix-based Rényi α-mutual information
(bits); :class:`HSICBottleneck` with the normalised-CCA HSIC of Ma, Lewis & Kleijn (2019).
``qh.compare(["localib", "hsic", "e2e"], task="moons")`` trains a fresh network per seed with
each of them (:mod:`qhyper.comparison.methods.localib`).

Example:
    >>> data = qh.datasets.load("digits10_8x8")
    >>> net = qh.pib.network("binary", [64, 64, 64, 64], data.n_classes)
    >>> result = qh.trainers.LocalIB(beta=4.0, epochs=10, seed=0).fit(net, data)
    >>> result.metrics["test_accuracy"]
"""
from __future__ import annotations

import time

import torch
from .._progress import tqdm

from .._budget import BudgetExpired, Deadline, check_max_time, stop_flags
from .._checks import InputTypeError, check_bool, check_count, check_instance, check_real, check_seed, seed_int, torch_generator
from .._threads import check_threads, threads
from ..information import check_alpha
from ..pib.local import LocalObjective, UnitLearner, check_width, readout_loss
from ..pib.scoring import score
from ..pib.training import check_dataset, check_hyper, check_network, minibatches, training_tensors
from ..results import TrainResult

__all__ = ["LocalIB", "HSICBottleneck"]


class LocalIB:
    r"""Train each unit on its local IB loss; readout by cross-entropy.

    Args:
        beta: weight β ≥ 0 of :math:`I(T_l;Y)` against :math:`I(X;T_l)`.
        alpha: Rényi order α > 0, α ≠ 1. Default 1.01 (near Shannon): on ``digits10_8x8``
            it trained binary units to 90 % test accuracy against 84 % for α = 1.5 and 77 %
            for α = 2 (which is faster: no eigendecomposition).
        batch_size: samples per Gram matrix (≥ 2; 64–256 is typical).
        epochs: passes over the training data.
        lr: step size of each unit's optimiser (Adam for binary units and SPSA units; the
            pulse probability of the largest-gradient device for crossbars).
        seed: an int ≥ 0, a ``numpy.random.Generator`` or ``None`` (fresh entropy): seeds
            shuffling and every learner (an int gives the same run every ``fit``; a
            generator is drawn from once per ``fit``).
        parallel: ``None`` (units in turn, in this process) or ``"ray"`` (one Ray actor per
            unit, pipelined: unit *l* trains on batch *t* while unit :math:`l+1` trains on :math:`t-1`).
        readout_lr: the readout's Adam step (default ``lr``).
        readout_epochs: extra epochs training only the readout after the units (default 5).
        width: kernel width rule for X and T (see :mod:`qhyper.information`); default
            half the median distance (the full median gave 64 % on digits, a quarter 76 %).
        spsa_c, spsa_samples: perturbation size and directions per step of black-box units.
        eval_size: training points on which the information plane is measured every epoch.
        eps: the HSIC estimator's regulariser ε in :math:`(\tilde K + \varepsilon N I)^{-1}`.
        ray_address: a Ray cluster address; default starts a light local Ray
            (``num_cpus=2``, no dashboard) and shuts it down after ``fit``.
        threads: torch threads during ``fit`` (restored after; default ``None`` leaves torch
            alone). Batch Gram matrices are small: one thread was ~10× faster than two on a
            busy 2-core machine.
        progress: show a tqdm bar over epochs.
        max_time: time budget in seconds (``None``: none), checked at every mini-batch (every
            epoch with ``parallel="ray"``) and readout epoch; once it has passed, the
            network is scored as it stands (``budget_hit=True``).
    """

    method = "localib"
    estimator = "renyi"

    def __init__(self, beta: float = 4.0, alpha: float = 1.01, batch_size: int = 128, epochs: int = 30,
                 lr: float = 0.05, seed=0, parallel: str | None = None, readout_lr: float | None = None,
                 readout_epochs: int = 5, width="0.5*median", spsa_c: float = 0.2, spsa_samples: int = 4,
                 eval_size: int = 512, eps: float = 1e-5, ray_address: str | None = None,
                 threads: int | None = None, progress: bool = True, max_time: float | None = None):
        self.beta = check_real(beta, "beta", 0, fix="the weight of I(T;Y)")
        self.alpha = check_alpha(alpha)
        check_hyper(batch_size, epochs, lr)
        if parallel not in (None, "ray"):
            error = ValueError if isinstance(parallel, str) else InputTypeError
            raise error(f"parallel must be None (units in turn, in this process) or 'ray'; got {parallel!r}")
        self.batch_size, self.epochs, self.lr = batch_size, epochs, float(lr)
        self.seed, self.parallel = check_seed(seed), parallel
        self.readout_lr = float(check_real(readout_lr, "readout_lr", 0, low_open=True, allow_none=True,
                                           fix="None uses lr") or lr)
        self.readout_epochs = check_count(readout_epochs, "readout_epochs", minimum=0)
        self.eval_size = check_count(eval_size, "eval_size", minimum=2)
        self.width = check_width(width)
        self.spsa_c = check_real(spsa_c, "spsa_c", 0, low_open=True)
        self.spsa_samples = check_count(spsa_samples, "spsa_samples")
        self.eps = check_real(eps, "eps", 0, low_open=True)
        if ray_address is not None:
            check_instance(ray_address, "ray_address", str, fix="a Ray cluster address such as 'auto' or "
                           "'ray://host:10001', or None to start a local Ray")
        self.ray_address, self.threads = ray_address, check_threads(threads)
        self.progress = check_bool(progress, "progress")
        self.max_time = check_max_time(max_time)

    # ------------------------------------------------------------------ pieces
    def objective(self, x0: torch.Tensor, y: torch.Tensor) -> LocalObjective:
        """The local loss of one batch (Gram matrices of X and Y cached)."""
        return LocalObjective(x0, y, self.beta, self.alpha, self.estimator, self.width, self.eps)

    def learners(self, net, seed: int) -> tuple[list[UnitLearner], UnitLearner]:
        """A learner per unit (unit *l* seeded ``seed + l + 1``) and the readout's (``seed``)."""
        units = [UnitLearner(u, self.lr, seed + 1 + l, self.spsa_c, self.spsa_samples)
                 for l, u in enumerate(net.units)]
        return units, UnitLearner(net.readout, self.readout_lr, seed)

    def _step(self, learners, head, x0, y, logit_scale) -> list[float]:
        objective, h, losses = self.objective(x0, y), x0, []
        for lrn in learners:
            h, loss = lrn.step(h, objective)
            losses.append(loss)
        _, loss = head.step(h, lambda z: readout_loss(z, y, logit_scale))
        return losses + [loss]

    # ------------------------------------------------------------------ fit
    def fit(self, net, dataset) -> TrainResult:
        """Train ``net`` (a :class:`~qhyper.pib.PIBNetwork`) on ``dataset``'s training split.

        Returns a :class:`TrainResult`: ``bits`` are the network's bits in
        :class:`~qhyper.BinaryMLP` layout for binary networks (then scored by the shared
        Evaluator) and an empty tensor otherwise; ``metrics`` train/test accuracy and NLL;
        ``history`` per epoch ``"I(X;T{l})"``, ``"I(T{l};Y)"``, ``"loss{l}"`` (mean local loss),
        ``"readout_loss"``, ``"train_accuracy"``; ``state`` the network, the information
        plane (``state["information_plane"]``, see :func:`qhyper.pib.plot_information_plane`)
        and, with ``parallel="ray"``, ``state["ray_startup"]``: the seconds of ``wall_time``
        spent starting Ray and the actors.
        """
        check_network(net)
        check_dataset(dataset)
        with threads(self.threads):
            return self._fit(net, dataset, seed_int(self.seed))

    def _fit(self, net, dataset, seed: int) -> TrainResult:
        X, y = training_tensors(net, dataset)
        gen = torch_generator(seed)
        ev_idx = torch.randperm(len(y), generator=gen)[: self.eval_size]
        plane_objective = self.objective(X[ev_idx], y[ev_idx])
        L = len(net.units)
        history = {k: [] for l in range(L) for k in (f"I(X;T{l + 1})", f"I(T{l + 1};Y)", f"loss{l + 1}")}
        history.update(readout_loss=[], train_accuracy=[])
        start, interrupted, budget_hit, ray_startup = time.perf_counter(), False, False, 0.0
        deadline = Deadline(self.max_time)

        def record(losses):
            for l, T in enumerate(net.features(X[ev_idx])):
                ixt, ity = plane_objective.terms(T)
                history[f"I(X;T{l + 1})"].append(float(ixt))
                history[f"I(T{l + 1};Y)"].append(float(ity))
                history[f"loss{l + 1}"].append(losses[l])
            history["readout_loss"].append(losses[-1])
            history["train_accuracy"].append(float((torch.as_tensor(net.predict(X)) == y).double().mean()))

        try:
            if self.parallel == "ray":
                from ..pib.parallel import fit_ray

                ray_startup = fit_ray(self, net, X, y, gen, record, seed, deadline)
            else:
                learners, head = self.learners(net, seed)
                for _ in tqdm(range(self.epochs), desc=self.method, disable=not self.progress):
                    sums, count = [0.0] * (L + 1), 0
                    for idx in minibatches(len(y), self.batch_size, gen):
                        deadline.check()
                        losses = self._step(learners, head, X[idx], y[idx], net.logit_scale)
                        sums = [s + v * len(idx) for s, v in zip(sums, losses)]
                        count += len(idx)
                    record([s / max(count, 1) for s in sums])
            self._fit_readout(net, X, y, gen, seed, deadline)
        except (KeyboardInterrupt, BudgetExpired) as stop:
            interrupted, budget_hit = stop_flags(stop)
        plane = {"I_XT": [history[f"I(X;T{l + 1})"] for l in range(L)],
                 "I_TY": [history[f"I(T{l + 1};Y)"] for l in range(L)], "estimator": self.estimator}
        return TrainResult(self.method, net.bits(), score(net, dataset), history, time.perf_counter() - start,
                           state={"network": net, "information_plane": plane, "parallel": self.parallel,
                                  "ray_startup": ray_startup},
                           interrupted=interrupted, budget_hit=budget_hit)

    def _fit_readout(self, net, X, y, gen, seed: int, deadline) -> None:
        """Extra readout-only epochs on the frozen units' outputs."""
        if not self.readout_epochs:
            return
        head = UnitLearner(net.readout, self.readout_lr, seed)
        T = net.features(X)[-1]
        for _ in range(self.readout_epochs):
            deadline.check()
            for idx in minibatches(len(y), self.batch_size, gen):
                head.step(T[idx], lambda z, i=idx: readout_loss(z, y[i], net.logit_scale))


class HSICBottleneck(LocalIB):
    r""":class:`LocalIB` with the normalised-CCA HSIC estimator (Ma, Lewis & Kleijn 2019):
    :math:`L_l = \operatorname{HSIC}(X, T_l) - \beta\,\operatorname{HSIC}(T_l, Y)`.
    ``alpha`` is unused (kept for a uniform signature); the default β is 50 as in their code."""

    method = "hsic_bottleneck"
    estimator = "hsic"

    def __init__(self, beta: float = 50.0, **options):
        super().__init__(beta=beta, **options)
