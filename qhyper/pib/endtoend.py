r"""The end-to-end reference: backprop (straight-through signs) through the whole network.

Every differentiable unit is trained on the readout's cross-entropy, the error travelling
back through all units — what local training avoids. Binary units use Adam on their latent
weights through :func:`~qhyper.quantizers.ste_sign`; crossbars turn the backpropagated
weight gradients into Manhattan pulses. Black-box (SPSA) units cannot be trained this way.
"""
from __future__ import annotations

import time

from .._progress import tqdm

from .. import _threads
from .._budget import BudgetExpired, Deadline, stop_flags
from .._checks import check_bool, check_real, seed_int, torch_generator
from ..results import TrainResult
from .local import UnitLearner, readout_loss
from .scoring import score
from .training import check_dataset, check_hyper, check_network, minibatches, training_tensors

__all__ = ["train_end_to_end"]


def train_end_to_end(net, dataset, epochs: int = 30, lr: float = 0.05, batch_size: int = 128,
                     seed=0, readout_lr: float | None = None, threads: int | None = None,
                     progress: bool = True, max_time: float | None = None) -> TrainResult:
    """Train ``net`` (a :class:`~qhyper.pib.PIBNetwork`) end to end; returns a TrainResult.

    ``bits`` are the network's bits for binary networks (empty otherwise); ``history``
    holds the mean training cross-entropy per epoch; ``state["network"]`` is ``net``.
    ``seed`` (an int ≥ 0, a numpy or torch ``Generator``, or ``None``) seeds shuffling and
    every learner. ``threads`` sets torch's thread count during training (restored after;
    default ``None`` leaves it): batch-sized products are small, and one thread was ~10×
    faster than two on a busy 2-core machine. ``max_time`` (seconds; ``None``: none) is a
    time budget checked at every mini-batch: past it, the network is scored as it stands
    (``budget_hit=True``).
    """
    check_network(net)
    check_dataset(dataset)
    check_hyper(batch_size, epochs, lr)
    check_real(readout_lr, "readout_lr", 0, low_open=True, allow_none=True, fix="None uses lr")
    progress = check_bool(progress, "progress")
    deadline = Deadline(max_time)
    with _threads.threads(_threads.check_threads(threads)):
        return _train(net, dataset, epochs, lr, batch_size, seed_int(seed), readout_lr, progress, deadline)


def _train(net, dataset, epochs, lr, batch_size, seed, readout_lr, progress, deadline) -> TrainResult:
    blackbox = [type(u).__name__ for u in net.units if u.update == "spsa"]
    if blackbox:
        raise ValueError(f"end-to-end backprop needs differentiable units; {blackbox} are black boxes "
                         "(train them with qh.trainers.LocalIB)")
    X, y = training_tensors(net, dataset)
    start = time.perf_counter()
    learners = [UnitLearner(u, lr, seed + i) for i, u in enumerate(net.units)]
    head = UnitLearner(net.readout, readout_lr or lr, seed + len(learners))
    gen = torch_generator(seed)
    history: dict[str, list[float]] = {"loss": []}
    interrupted = budget_hit = False
    try:
        for _ in tqdm(range(epochs), desc="end-to-end", disable=not progress):
            total, count = 0.0, 0
            for idx in minibatches(len(y), batch_size, gen):
                deadline.check()
                for lrn in [*learners, head]:
                    lrn.zero_grad()
                loss = readout_loss(net(X[idx]), y[idx], net.logit_scale)
                loss.backward()
                for lrn in [*learners, head]:
                    lrn.apply_gradients()
                total, count = total + float(loss.detach()) * len(idx), count + len(idx)
            history["loss"].append(total / max(count, 1))
    except (KeyboardInterrupt, BudgetExpired) as stop:
        interrupted, budget_hit = stop_flags(stop)
    return TrainResult("end_to_end", net.bits(), score(net, dataset), history, time.perf_counter() - start,
                       state={"network": net}, interrupted=interrupted, budget_hit=budget_hit)
