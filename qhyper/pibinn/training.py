r"""Two-stage training of unrolled networks on an inverse problem.

1. **Warm start** — the masked network with full-precision weights, Adam on the mean
   squared error :math:`\tfrac1{Bn}\sum_i\|\hat x_i - x_i\|^2` over mini-batches.
2. **Quantisation-aware training** (binary and ternary networks) — from the stage-1
   weights, :meth:`~qhyper.pibinn.UnrolledISTA.quantize_` sets a binary network's scales
   to the closed form :math:`\operatorname{mean}_M|V|`; then the latent weights, scales
   and thresholds are trained through the straight-through sign (or TWN's ternariser)
   with a cosine-annealed learning rate, and the latent weights are clipped to
   :math:`[-1, 1]` after every step.

Two options of stage 2 lean on the full-precision network (levers measured in
``benchmarks/pibinn_levers.py``):

* ``ramp_steps`` — progressive quantisation: the weights are
  :math:`a\,Q(V) + (1-a)\,M\odot V` with :math:`a` rising linearly from :math:`1/r` to 1
  over the first :math:`r` steps of stage 2, so the signs settle while the network still
  works; the rest of stage 2 (and the result) is exactly quantised.
* ``teacher`` and ``distill`` — distillation: stage 2 adds
  :math:`\beta\,\tfrac1{T-1}\sum_{t<T}\operatorname{mean}(x_t - x_t^{\text{teacher}})^2`, the
  intermediate iterates of a trained network of the same depth (e.g. the free-form masked
  full-precision one) as targets.

Real-weight networks use every step for stage 1. A network that is already quantised
skips stage 1. Ctrl-C stops training and returns what it has (``interrupted=True``), and so
does the time budget ``max_time`` (``budget_hit=True``), checked at every step.

The matrices are small (tens to hundreds of rows), so ``threads=1`` is often much faster: on
a busy 2-core machine two OpenMP threads made a 256×64 by 64×64 float64 matrix product about
200× slower than one thread. The default ``threads=None`` keeps the caller's setting;
comparisons pass 1.

The only random draws are the mini-batch indices, from a local generator of ``seed``: the
networks start from the deterministic ISTA initialisation, and the global torch RNG is
never used.
"""
from __future__ import annotations

import math
import time

import torch
from .._progress import tqdm

from .. import _threads
from .._budget import BudgetExpired, Deadline, stop_flags
from .._checks import check_bool, check_count, check_instance, check_real, InputTypeError, torch_generator
from ..results import TrainResult
from .accounting import bits_per_weight
from .metrics import nmse_db
from .model import ISTA, UnrolledISTA
from .problems import InverseProblem

__all__ = ["train"]


def train(model: UnrolledISTA, problem, steps: int = 2000, seed=0, batch_size: int = 256,
          lr: float = 1e-3, warm_fraction: float = 0.5, qat_lr: float = 1e-2,
          eval_every: int = 100, progress: bool = True, method: str | None = None,
          threads: int | None = None, max_time: float | None = None, ramp_steps: int = 0,
          teacher: UnrolledISTA | None = None, distill: float = 0.0) -> TrainResult:
    """Train ``model`` on ``problem`` (an :class:`~qhyper.pibinn.InverseProblem`).

    Args:
        steps: total optimiser steps over both stages.
        seed: an int ≥ 0, a numpy or torch ``Generator``, or ``None`` (fresh entropy): seeds
            the mini-batch draws (a torch generator is drawn from directly).
        lr: Adam learning rate of stage 1; ``qat_lr`` the initial one of stage 2 (larger, so
            that latent weights of size ~ the stage-1 weights can change sign).
        warm_fraction: share of ``steps`` spent in stage 1 by binary/ternary networks.
        eval_every: steps between train/test NMSE records in the history.
        method: name stored in the result (default from the model's settings).
        threads: torch threads while training (restored afterwards); ``None`` leaves them.
        max_time: time budget in seconds (``None``: none), checked at every step.
        ramp_steps: steps of progressive quantisation at the start of stage 2 (0: none); at
            most the stage-2 steps.
        teacher: a trained network of the same operator and depth whose iterates stage 2
            distils (with weight ``distill`` > 0).

    Returns:
        A :class:`~qhyper.trainers.TrainResult`: ``metrics`` holds ``train_nmse_db``,
        ``test_nmse_db``, ``gap_db`` (test − train) and ``bits_per_weight``; ``state["model"]``
        is the trained network; ``bits`` its sign bits for binary networks (else empty).
    """
    if not isinstance(model, UnrolledISTA):
        raise InputTypeError(f"train needs an UnrolledISTA (ISTA has nothing to learn); got {type(model).__name__}")
    check_instance(problem, "problem", InverseProblem, fix="load one with qh.pibinn.load_problem('deconv1d')")
    if model.in_features != problem.m or model.out_features != problem.n:
        raise ValueError(f"the model is built for an operator of shape {(model.in_features, model.out_features)} "
                         f"but the problem's is {(problem.m, problem.n)}; build the model from problem.operator")
    steps = check_count(steps, "steps", minimum=0)
    batch_size = check_count(batch_size, "batch_size")
    eval_every = check_count(eval_every, "eval_every")
    warm_fraction = check_real(warm_fraction, "warm_fraction", 0, 1)
    lr, qat_lr = check_real(lr, "lr", 0, low_open=True), check_real(qat_lr, "qat_lr", 0, low_open=True)
    threads = _threads.check_threads(threads)
    progress = check_bool(progress, "progress")
    if method is not None:
        check_instance(method, "method", str, fix="the name stored in the result, or None for the model's")
    deadline = Deadline(max_time)
    gen = torch_generator(seed)
    quantizing = model.weight_kind != "real"
    warm = 0 if bool(model.quantized) else (round(steps * warm_fraction) if quantizing else steps)
    levers = _check_levers(model, steps - warm, ramp_steps, teacher, distill)
    start = time.perf_counter()
    bar = tqdm(total=steps, disable=not progress, desc=method or "unrolled")
    with _threads.threads(threads):
        history, done, stop = _loop(model, problem, steps, warm, gen, batch_size, lr, qat_lr,
                                    eval_every, bar, deadline, *levers)
        return _result(model, problem, history, method, time.perf_counter() - start, done * batch_size,
                       *stop_flags(stop))


def _check_levers(model, stage2, ramp_steps, teacher, distill):
    """Validate the stage-2 levers before any work; returns ``(ramp_steps, teacher, distill)``."""
    ramp_steps = check_count(ramp_steps, "ramp_steps", minimum=0,
                             fix="the steps of progressive quantisation at the start of stage 2")
    if ramp_steps > stage2:
        why = ("a real-weight network has no stage 2" if model.weight_kind == "real"
               else f"stage 2 has only {stage2} steps (steps × (1 − warm_fraction))")
        raise ValueError(f"ramp_steps={ramp_steps} is more than the quantisation stage: {why}; "
                         f"pass ramp_steps ≤ {stage2}")
    distill = check_real(distill, "distill", 0, fix="the weight of the iterate-matching loss (0: none)")
    if teacher is None:
        if distill > 0:
            raise ValueError(f"distill={distill} needs a teacher: pass teacher=<a trained UnrolledISTA of the "
                             "same operator and depth>, or distill=0")
        return ramp_steps, None, 0.0
    if not isinstance(teacher, UnrolledISTA):
        raise InputTypeError(f"teacher must be a trained UnrolledISTA (e.g. the masked full-precision network); "
                             f"got {type(teacher).__name__}")
    if teacher.layers != model.layers or teacher.A.shape != model.A.shape or not torch.equal(teacher.A, model.A):
        raise ValueError(f"teacher must unroll the same operator over as many layers: it has {teacher.layers} "
                         f"layers on A {tuple(teacher.A.shape)}, the model {model.layers} on A {tuple(model.A.shape)}")
    if distill == 0:
        raise ValueError("a teacher was given with distill=0: pass distill > 0 (e.g. 1.0) or no teacher")
    return ramp_steps, teacher, distill


def _loss(model, Y, X, teacher, distill):
    """Mean squared error of the output, plus the distillation term of the iterates."""
    if teacher is None:
        return ((model(Y) - X) ** 2).mean()
    xs = model.iterates(Y)
    with torch.no_grad():
        ts = teacher.iterates(Y)
    match = sum(((a - b) ** 2).mean() for a, b in zip(xs[:-1], ts[:-1])) / max(len(xs) - 1, 1)
    return ((xs[-1] - X) ** 2).mean() + distill * match


def _loop(model, problem, steps, warm, gen, batch_size, lr, qat_lr, eval_every, bar, deadline,
          ramp_steps=0, teacher=None, distill=0.0):
    """The two stages; returns the history, the steps done and what stopped them early (or None)."""
    history = {"loss": [], "eval_step": [], "train_nmse_db": [], "test_nmse_db": []}
    Y, X = problem.Y_train, problem.X_train
    stop, done = None, 0
    try:
        for stage, count in ((1, warm), (2, steps - warm)):
            if count == 0:
                continue
            if stage == 2 and not bool(model.quantized):
                model.quantize_()
            opt = torch.optim.Adam(model.parameters(), lr=lr if stage == 1 else qat_lr)
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, count) if stage == 2 else None
            for k in range(count):
                deadline.check()
                if stage == 2 and ramp_steps:
                    model.mix.fill_(min(1.0, (k + 1) / ramp_steps))
                idx = torch.randint(Y.shape[0], (batch_size,), generator=gen)
                loss = _loss(model, Y[idx], X[idx], *((teacher, distill) if stage == 2 else (None, 0.0)))
                opt.zero_grad()
                loss.backward()
                opt.step()
                if sched is not None:
                    sched.step()
                if bool(model.quantized):
                    model.clip_()
                done += 1
                history["loss"].append(loss.item())
                if done % eval_every == 0 or done == steps:
                    _record(history, model, problem, done)
                bar.update()
    except (KeyboardInterrupt, BudgetExpired) as err:
        stop = err
    finally:
        model.mix.fill_(1.0)  # the result is exactly quantised, even when stopped mid-ramp
        bar.close()
    return history, done, stop


def _record(history, model, problem, step):
    history["eval_step"].append(step)
    history["train_nmse_db"].append(nmse_db(model, problem, "train"))
    history["test_nmse_db"].append(nmse_db(model, problem, "test"))


def _result(model, problem, history, method, wall, evaluations, interrupted, budget_hit) -> TrainResult:
    metrics = scores(model, problem)
    bits = model.bits() if model.weight_kind == "binary" else torch.zeros(0)
    name = method or f"{model.mask_kind}-{model.weight_kind}"
    return TrainResult(name, bits, metrics, history, wall, evaluations, {"model": model}, interrupted, budget_hit)


def scores(model, problem) -> dict[str, float]:
    """``train_nmse_db``, ``test_nmse_db``, ``gap_db`` and ``bits_per_weight`` of a network."""
    tr, te = nmse_db(model, problem, "train"), nmse_db(model, problem, "test")
    return {"train_nmse_db": tr, "test_nmse_db": te, "gap_db": te - tr,
            "bits_per_weight": bits_per_weight(model) if not isinstance(model, ISTA) else math.nan}
