r"""Named methods on one inverse problem, each returning a :class:`~qhyper.trainers.TrainResult`.

``run_method(name, task, seed, **options)`` for ``name`` in :data:`METHODS`:

=================  ===========================================================================
``ista``           plain ISTA with ``layers`` iterations; α picked on the training set
``lista``          dense full-precision LISTA
``lista_masked``   full-precision LISTA on the physics support
``binary_dense``   dense binary, one global scale
``binary_per_row`` dense binary, one scale per output row (channel-wise)
``ternary``        dense TWN ternary, one scale per matrix
``pibinn``         physics support, binary, one global scale (:func:`~qhyper.pibinn.PIBiNN`)
``binary_pruned``  binary, one global scale, on the support of a magnitude-pruned dense LISTA
                   with as many entries per row as the physics support (a stored mask)
``qhn``            a small tied PIBiNN whose sign bits a quantum hypernetwork learns
=================  ===========================================================================

Every learned method shares ``form`` (default ``"cp"``), ``layers`` (default 8), ``tied``
and the training options of :func:`~qhyper.pibinn.train` (``steps``, ``lr``, …). ``task``
is an :class:`~qhyper.pibinn.InverseProblem` or a task name (then loaded with ``seed``;
for ``qhn``, ``"small"`` or ``"block_cs"`` load the small size :data:`SMALL`).
"""
from __future__ import annotations

import math
import time

import torch

from ..bitstrings import bits_to_index
from ..results import TrainResult
from .metrics import evaluator, nmse_db
from .model import ISTA, PIBiNN, UnrolledISTA
from .tasks import InverseProblem, load_task
from .train import scores, torch_threads, train

__all__ = ["METHODS", "SMALL", "run_method", "small_task", "sign_search"]

_LEARNED = {
    "lista": dict(mask="dense", weights="real"),
    "lista_masked": dict(mask="physics", weights="real"),
    "binary_dense": dict(mask="dense", weights="binary", scale="global"),
    "binary_per_row": dict(mask="dense", weights="binary", scale="per_row"),
    "ternary": dict(mask="dense", weights="ternary", scale="per_layer"),
    "pibinn": dict(mask="physics", weights="binary", scale="global"),
}
METHODS = ("ista", *_LEARNED, "binary_pruned", "qhn")

#: The small configuration: 16 free sign bits for a tied PIBiNN (exact 2^16 enumeration).
SMALL = dict(name="block_cs", n=8, m=4, blocks=2, k=1, n_train=200, n_test=1000)

_TRAIN_KEYS = ("steps", "batch_size", "lr", "warm_fraction", "qat_lr", "eval_every", "progress", "threads")
_REG_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)


def small_task(seed: int = 0, **overrides) -> InverseProblem:
    """The small block compressed-sensing problem of :data:`SMALL` (``overrides`` change sizes)."""
    cfg = {**SMALL, **overrides}
    return load_task(cfg.pop("name"), seed=seed, **cfg)


def run_method(name: str, task, seed: int = 0, **options) -> TrainResult:
    """Run method ``name`` on ``task``; ``metrics`` has ``train_nmse_db``, ``test_nmse_db``,
    ``gap_db`` and ``bits_per_weight`` (plus ``p_best`` etc. for ``qhn``)."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; choose from {METHODS}")
    if isinstance(task, str):
        small = name == "qhn" and task in ("small", SMALL["name"])
        task = small_task(seed) if small else load_task(task, seed=seed)
    if not isinstance(task, InverseProblem):
        raise TypeError(f"task must be an InverseProblem or a task name; got {type(task).__name__}")
    layers = options.pop("layers", 8 if name != "qhn" else 4)
    if name == "ista":
        return _ista(task, layers)
    if name == "qhn":
        return sign_search(task, seed=seed, layers=layers, **options)
    if name == "binary_pruned":
        return _pruned(task, seed, layers, **options)
    train_kw = {k: options.pop(k) for k in _TRAIN_KEYS if k in options}
    train_kw.setdefault("progress", False)
    model = UnrolledISTA(task, layers=layers, form=options.pop("form", "cp"),
                         tied=options.pop("tied", False), **_LEARNED[name], **options)
    torch.manual_seed(seed)
    return train(model, task, seed=seed, method=name, **train_kw)


def _pruned(task, seed, layers, form="cp", tied=False, **options) -> TrainResult:
    """Dense full-precision warm start, magnitude pruning row by row to the physics support's
    row counts, then binary quantisation-aware training on the pruned (stored) support."""
    train_kw = {k: options.pop(k) for k in _TRAIN_KEYS if k in options}
    train_kw.setdefault("progress", False)
    steps, warm_fraction = train_kw.pop("steps", 2000), train_kw.pop("warm_fraction", 0.5)
    torch.manual_seed(seed)
    dense = UnrolledISTA(task, layers=layers, mask="dense", form=form, tied=tied, **options)
    warm = train(dense, task, steps=round(steps * warm_fraction), seed=seed, method="binary_pruned", **train_kw)
    physics = UnrolledISTA(task, layers=layers, mask="physics", form=form, tied=tied)
    masks = [_prune_rows(V.detach(), M.sum(1)) for V, M in ((dense.V1, physics.M1), (dense.V2, physics.M2))]
    model = UnrolledISTA(task, layers=layers, mask=tuple(masks), weights="binary", form=form, tied=tied, **options)
    with torch.no_grad():
        for dst, src, M in ((model.V1, dense.V1, masks[0]), (model.V2, dense.V2, masks[1])):
            dst.copy_(src * M)
        model.theta.copy_(dense.theta)
    model.quantize_()
    res = train(model, task, steps=steps - round(steps * warm_fraction), seed=seed + 1, method="binary_pruned",
                **train_kw)
    res.wall_time += warm.wall_time
    return res


def _prune_rows(V: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """Boolean support keeping, in each row, the ``keep[row]`` entries of largest mean |V| over layers."""
    score = V.abs().mean(0) if V.shape[0] else torch.eye(V.shape[1], dtype=V.dtype)
    order = torch.argsort(score, dim=1, descending=True)
    ranks = torch.empty_like(order)
    ranks.scatter_(1, order, torch.arange(score.shape[1]).expand_as(order).contiguous())
    return ranks < keep.view(-1, 1)


def _ista(task, layers) -> TrainResult:
    """ISTA with the ℓ1 weight of :data:`_REG_GRID` that is best on the training set."""
    start = time.perf_counter()
    with torch_threads(1):
        best = min((ISTA(task, layers, reg=r) for r in _REG_GRID), key=lambda m: nmse_db(m, task, "train"))
        metrics = scores(best, task)
    metrics["reg"] = best.reg
    return TrainResult("ista", torch.zeros(0), metrics, {}, time.perf_counter() - start, 0, {"model": best})


def sign_search(task, seed: int = 0, layers: int = 4, objective: str = "mle", shots: int | None = None,
                qhn_steps: int = 200, qhn_lr: float | None = None, qhn_optimizer: str = "adam",
                circuit_layers: int = 2, lam: float | None = None,
                noise_std: float | None = None, max_exact_bits: int = 20, **train_options) -> TrainResult:
    r"""A quantum hypernetwork learns the sign bits of a small tied PIBiNN.

    1. A tied PIBiNN is trained by :func:`~qhyper.pibinn.train` (STE); its scale λ and
       thresholds θ are then fixed, so every bitstring *b* is one network.
    2. Networks are scored by the shared :class:`~qhyper.Evaluator` with the Gaussian
       likelihood (σ = ``noise_std``, default the task's noise level). Up to
       ``max_exact_bits`` sign bits all :math:`2^n` are enumerated: the loss table goes to
       the trainer as a cost table (in shot mode it reads only the entries of sampled
       networks) and ranks the networks found. Beyond that (shot mode only) the trainer
       gets the Evaluator itself and scores sampled networks.
    3. :class:`~qhyper.trainers.QHN` with ``objective`` ``"mle"`` (exact, expected mean NLL),
       ``"elbo"`` (exact) or ``"mmd"`` (MMD-surrogate ELBO from ``shots`` per step, uniform
       prior, λ = ``lam`` default the training-set size) trains a brick circuit
       (``qhn_optimizer`` ``"adam"`` or, exact modes, ``"lbfgs"``; ``qhn_steps``, ``qhn_lr``).

    ``metrics``: the QHN trainer's (``p_best``, ``map_loss``, …) plus NMSE of its MAP
    network (``test_nmse_db`` …), of the STE network (``ste_test_nmse_db``) and of the
    best network of the table (``best_test_nmse_db``), and the table rank (0 = best) of
    the STE and QHN networks (the last two only when enumerated). The model is left with
    the QHN network's bits.
    """
    import qhyper as qh  # the hypernetwork and trainers load lazily

    if objective not in ("mle", "elbo", "mmd"):
        raise ValueError(f"objective must be 'mle', 'elbo' or 'mmd'; got {objective!r}")
    if objective == "mmd" and shots is None:
        raise ValueError("objective='mmd' trains from shots: pass shots=<int>")
    train_options.setdefault("progress", False)
    train_options.setdefault("steps", 600)
    model = PIBiNN(task, layers=layers, tied=True, form=train_options.pop("form", "cp"))
    enumerate_all = model.num_bits <= max_exact_bits
    if not enumerate_all and shots is None:
        raise ValueError(f"this PIBiNN has {model.num_bits} sign bits; exact mode enumerates all 2^n networks "
                         f"and is limited to n <= {max_exact_bits}: use a smaller task (see SMALL) or shots=<int>")
    torch.manual_seed(seed)
    ste = train(model, task, seed=seed, method="ste", **train_options)
    ste_bits = model.bits()
    ev = evaluator(model, task, noise_std)
    N = task.Y_train.shape[0]
    with torch_threads(1):
        table = ev.loss_table() if enumerate_all else None
    obj = {"mle": lambda: qh.objectives.MLE(),
           "elbo": lambda: qh.objectives.ELBO(data_size=N),
           "mmd": lambda: qh.objectives.MMDSurrogateELBO(lam=lam or N, data_size=N)}[objective]()
    hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=model.num_bits, layers=circuit_layers),
                         shots=shots, seed=seed)
    trainer = qh.trainers.QHN(objective=obj, optimizer=qhn_optimizer, steps=qhn_steps, lr=qhn_lr, seed=seed,
                              progress=False)
    # with the table, shot mode reads only the losses of sampled networks; beyond it the
    # Evaluator scores the sampled networks
    result = trainer.fit(hn, table if enumerate_all else ev)
    qhn_bits = result.bits
    metrics = dict(result.metrics)
    model.set_bits(qhn_bits)
    metrics.update(scores(model, task))
    metrics.update({f"ste_{k}": v for k, v in ste.metrics.items()})
    metrics["train_nll"] = float(ev.nll(qhn_bits)[0])
    metrics["ste_train_nll"] = float(ev.nll(ste_bits)[0])
    if table is not None:
        order = torch.argsort(table)
        rank = torch.empty_like(order)
        rank[order] = torch.arange(len(order))
        metrics["qhn_rank"] = int(rank[bits_to_index(qhn_bits)])
        metrics["ste_rank"] = int(rank[bits_to_index(ste_bits)])
        model.set_bits(qh.bitstrings.index_to_bits(int(order[0]), model.num_bits))
        metrics.update({f"best_{k}": v for k, v in scores(model, task).items()})
        model.set_bits(qhn_bits)
    state = dict(result.state, model=model, ste_bits=ste_bits, table=table)
    return TrainResult(f"qhn-{objective}", qhn_bits, metrics, result.history, result.wall_time + ste.wall_time,
                       result.evaluations, state, result.interrupted or ste.interrupted)
