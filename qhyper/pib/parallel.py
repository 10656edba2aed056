r"""Units as Ray actors: local training, pipelined across processes or machines.

With ``LocalIB(parallel="ray")`` every unit (and the readout) lives in its own Ray actor
with its own optimiser. For each mini-batch the driver puts the inputs and labels in Ray's
object store once and chains the actors' ``step`` calls: unit *l*'s output (an object
reference) is unit *l*+1's input. The driver never waits inside an epoch, and each actor
runs its calls in order, so the units form a pipeline — unit 1 trains on batch *t*+1 while
unit 2 trains on batch *t* — and no unit waits for an error signal from a later one.
After each epoch the actors' states are copied back into the local network (for the
information plane and scoring).

Ray is an optional extra (``pip install qhyper[ray]``). By default a light local Ray is
started (``num_cpus=2``, no dashboard) and shut down after ``fit``; ``ray_address``
connects to an existing cluster instead (then Ray is left running).
"""
from __future__ import annotations

import time

import torch
from .._progress import tqdm

from .._threads import set_worker_threads
from .local import LocalObjective, UnitLearner, readout_loss
from .training import minibatches

__all__ = ["fit_ray", "UnitWorker"]


class UnitWorker:
    """One unit (or the readout) and its learner, inside a Ray actor."""

    def __init__(self, unit, lr: float, seed: int, spsa_c: float, spsa_samples: int,
                 objective: dict | None, logit_scale: float):
        set_worker_threads(1)  # this process exists only to run one unit
        self.learner = UnitLearner(unit, lr, seed, spsa_c, spsa_samples)
        self.objective, self.logit_scale = objective, logit_scale
        self.loss_sum, self.count = 0.0, 0

    def step(self, h: torch.Tensor, x0: torch.Tensor, y: torch.Tensor):
        if self.objective is None:  # the readout
            T, loss = self.learner.step(h, lambda z: readout_loss(z, y, self.logit_scale))
        else:
            T, loss = self.learner.step(h, LocalObjective(x0, y, **self.objective))
        self.loss_sum, self.count = self.loss_sum + loss * len(y), self.count + len(y)
        return T

    def ready(self) -> bool:
        return True

    def state(self):
        """The unit's state dict and its mean loss since the last call."""
        mean = self.loss_sum / max(self.count, 1)
        self.loss_sum, self.count = 0.0, 0
        return self.learner.unit.state_dict(), mean


def _start_ray(address):
    try:
        import ray
    except ImportError as err:  # pragma: no cover - ray is installed with the extra
        raise ImportError("parallel='ray' needs Ray: pip install 'qhyper[ray]'") from err
    if ray.is_initialized():
        return ray, False
    if address is not None:
        ray.init(address=address, log_to_driver=False)
        return ray, False
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    return ray, True


def fit_ray(trainer, net, X: torch.Tensor, y: torch.Tensor, gen: torch.Generator, record, seed: int,
            deadline=None) -> float:
    """Run ``trainer``'s epochs with one Ray actor per unit; ``record(losses)`` after each epoch.

    ``gen`` shuffles the mini-batches; unit *l*'s learner is seeded ``seed + l + 1``, the
    readout's ``seed`` (as in :meth:`~qhyper.trainers.LocalIB.learners`). ``deadline`` (a
    :class:`qhyper._budget.Deadline`) is checked before every epoch.

    Returns the seconds spent starting Ray (if it was not running) and the actors.
    """
    start = time.perf_counter()
    ray, started = _start_ray(trainer.ray_address)
    objective = {"beta": trainer.beta, "alpha": trainer.alpha, "estimator": trainer.estimator,
                 "width": trainer.width, "eps": trainer.eps}
    modules = [*net.units, net.readout]
    cpus = float(ray.available_resources().get("CPU", 1.0)) / len(modules)
    Actor = ray.remote(UnitWorker)
    actors = [
        Actor.options(num_cpus=cpus).remote(
            m, trainer.readout_lr if l == len(net.units) else trainer.lr, seed + (l + 1) % len(modules),
            trainer.spsa_c, trainer.spsa_samples, None if l == len(net.units) else objective, net.logit_scale)
        for l, m in enumerate(modules)
    ]
    try:
        ray.get([a.ready.remote() for a in actors])
        startup = time.perf_counter() - start
        for _ in tqdm(range(trainer.epochs), desc=f"{trainer.method} (ray)", disable=not trainer.progress):
            if deadline is not None:
                deadline.check()
            last = []
            for idx in minibatches(len(y), trainer.batch_size, gen):
                x0, yb = ray.put(X[idx]), ray.put(y[idx])
                h = x0
                for actor in actors:
                    h = actor.step.remote(h, x0, yb)
                last.append(h)
            ray.get(last)
            states = ray.get([a.state.remote() for a in actors])
            for m, (sd, _) in zip(modules, states):
                m.load_state_dict(sd)
            record([loss for _, loss in states])
        return startup
    finally:
        for actor in actors:
            ray.kill(actor)
        if started:
            ray.shutdown()
