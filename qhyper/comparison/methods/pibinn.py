r"""Named methods on one inverse problem, each returning a :class:`~qhyper.trainers.TrainResult`.

``run_method(name, problem, seed, **options)`` for ``name`` in :data:`METHODS`:

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
                   (:func:`~qhyper.comparison.methods.sign_search.sign_search`)
=================  ===========================================================================

Every learned method shares ``form`` (default ``"cp"``), ``layers`` (default 8), ``tied``
and the training options of :func:`~qhyper.pibinn.train` (``steps``, ``lr``, …). ``problem``
is an :class:`~qhyper.pibinn.InverseProblem` or a problem name (then loaded with ``seed``;
for ``qhn``, ``"small"`` or ``"block_cs"`` load the small size :data:`SMALL`).
"""
from __future__ import annotations

import time

import torch

from ..._progress import inner
from ..._budget import check_max_time
from ..._checks import DTYPE, check_bool, check_count, check_real, InputTypeError, seed_int
from ..._threads import check_threads
from ..._threads import threads
from ..options import check_keys, keywords
from . import SMALL_TENSOR_THREADS
from ...pibinn.metrics import nmse_db
from ...pibinn.model import ISTA, UnrolledISTA
from ...pibinn.problems import InverseProblem, load_problem
from ...pibinn.training import scores, train
from ...results import TrainResult
from ..registry import MethodUnavailable
from .sign_search import SMALL_LAYERS, BeyondEnumeration, sign_search
from .sign_search import check_options as check_sign_search

__all__ = ["DESCRIPTIONS", "METHODS", "SMALL", "run_method", "small_problem", "inverse"]

#: Every method by name, with its one-line description (the order of :data:`METHODS`).
DESCRIPTIONS = {
    "ista": "ISTA, unlearned reference", "lista": "LISTA, dense full-precision weights",
    "lista_masked": "LISTA on the physics supports, full precision",
    "binary_dense": "one-bit dense LISTA, global scale", "binary_per_row": "one-bit dense LISTA, per-row scales",
    "ternary": "ternary (TWN) LISTA", "pibinn": "PIBiNN: one bit on the physics supports, one global scale",
    "binary_pruned": "one bit on a learned (pruned) support that pays for its mask",
    "qhn": "quantum hypernetwork on the 16 free bits of a small tied PIBiNN",
}
METHODS = tuple(DESCRIPTIONS)

_LEARNED = {
    "lista": dict(mask="dense", weights="real"),
    "lista_masked": dict(mask="physics", weights="real"),
    "binary_dense": dict(mask="dense", weights="binary", scale="global"),
    "binary_per_row": dict(mask="dense", weights="binary", scale="per_row"),
    "ternary": dict(mask="dense", weights="ternary", scale="per_layer"),
    "pibinn": dict(mask="physics", weights="binary", scale="global"),
}

#: The small configuration: 16 free sign bits for a tied PIBiNN (exact 2^16 enumeration).
SMALL = dict(name="block_cs", n=8, m=4, blocks=2, k=1, n_train=200, n_test=1000)

_TRAIN_KEYS = ("steps", "batch_size", "lr", "warm_fraction", "qat_lr", "eval_every", "progress", "threads", "max_time")
_REG_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)


def small_problem(seed: int = 0, **overrides) -> InverseProblem:
    """The small block compressed-sensing problem of :data:`SMALL` (``overrides`` change sizes)."""
    cfg = {**SMALL, **overrides}
    return load_problem(cfg.pop("name"), seed=seed, **cfg)


def run_method(name: str, problem, seed=0, **options) -> TrainResult:
    """Run method ``name`` on ``problem``; ``metrics`` has ``train_nmse_db``, ``test_nmse_db``,
    ``gap_db`` and ``bits_per_weight`` (plus ``p_best`` etc. for ``qhn``). ``seed``: an
    integer ≥ 0, a ``numpy.random.Generator`` (one integer is drawn from it) or None."""
    if name not in METHODS:
        raise ValueError(f"run_method(name): unknown method {name!r}; choose from {METHODS}")
    seed = seed_int(seed)  # the methods derive further seeds arithmetically (seed + 1)
    if isinstance(problem, str):
        small = name == "qhn" and problem in ("small", SMALL["name"])
        problem = small_problem(seed) if small else load_problem(problem, seed=seed)
    if not isinstance(problem, InverseProblem):
        raise InputTypeError(f"run_method(problem): problem must be an InverseProblem or a problem name "
                        f"(see qh.pibinn.names()); got {type(problem).__name__}")
    layers = options.pop("layers", 8 if name != "qhn" else SMALL_LAYERS)
    if name == "ista":
        return _ista(problem, layers)
    if name == "qhn":
        return sign_search(problem, seed=seed, layers=layers, **options)
    if name == "binary_pruned":
        return _pruned(problem, seed, layers, **options)
    train_kw = _train_options(options)
    model = UnrolledISTA(problem, layers=layers, form=options.pop("form", "cp"),
                         tied=options.pop("tied", False), **_LEARNED[name], **options)
    return train(model, problem, seed=seed, method=name, **train_kw)


def inverse(name: str):
    """A comparison runner for method ``name`` on the task's inverse problem (loaded with the seed)."""
    if name not in METHODS:
        raise ValueError(f"inverse(name): unknown method {name!r}; choose from {METHODS}")

    def run(task, seed, options):
        try:
            return run_method(name, task.dataset, seed, **options)
        except BeyondEnumeration as err:  # e.g. qhn on deconv1d's 314 sign bits, without shots
            raise MethodUnavailable(str(err)) from err

    run.preflight = lambda options: preflight(name, options)
    run.budgeted = name not in ("ista", "qhn")  # ista learns nothing; qhn's budget would bound its STE stage only
    return run


def preflight(name: str, options: dict) -> None:
    """Check method ``name``'s options before any run: the keys, ``layers``, the training
    options (as :func:`~qhyper.pibinn.train` checks them), the model's options (the model
    built once, tied, on a 2×2 operator: no problem is loaded) and, for ``qhn``, those of
    :func:`sign_search` (its QHN trainer built once)."""
    check_keys(name, options, accepted_options(name))
    opts = dict(options)
    layers = check_count(opts.pop("layers", 8), "layers", fix="the number of unrolled (ISTA) iterations")
    if name == "ista":
        return
    train_kw = {k: opts.pop(k) for k in _TRAIN_KEYS if k in opts}
    check_count(train_kw.get("steps", 0), "steps", minimum=0)
    check_count(train_kw.get("batch_size", 1), "batch_size")
    check_count(train_kw.get("eval_every", 1), "eval_every")
    check_real(train_kw.get("warm_fraction", 0.5), "warm_fraction", 0, 1)
    check_real(train_kw.get("lr", 1e-3), "lr", 0, low_open=True)
    check_real(train_kw.get("qat_lr", 1e-2), "qat_lr", 0, low_open=True)
    check_bool(train_kw.get("progress", False), "progress")
    check_threads(train_kw.get("threads"))
    check_max_time(train_kw.get("max_time"))
    if name == "qhn":
        check_sign_search(**opts)
        return
    check_bool(opts.pop("tied", False), "tied")
    fixed = _LEARNED.get(name, {"mask": "dense"})
    UnrolledISTA(torch.eye(2, dtype=DTYPE), layers=layers, tied=True, form=opts.pop("form", "cp"), **fixed, **opts)


def accepted_options(name: str) -> tuple[str, ...]:
    """The option keys method ``name`` takes (values are checked by the models and
    :func:`~qhyper.pibinn.train` when the run starts)."""
    if name == "ista":
        return ("layers",)
    if name == "qhn":
        return (*keywords(sign_search, drop=("problem", "seed", "train_options")),
                *(k for k in _TRAIN_KEYS if k != "max_time"), "form")
    fixed = ("operator", *_LEARNED.get(name, {"mask": None, "weights": None}))
    return ("layers", *_TRAIN_KEYS, *keywords(UnrolledISTA, drop=fixed))


def _train_options(options: dict) -> dict:
    """Take the :func:`~qhyper.pibinn.train` options out of ``options`` (``progress`` off by default)."""
    train_kw = {k: options.pop(k) for k in _TRAIN_KEYS if k in options}
    train_kw.setdefault("progress", inner())
    train_kw.setdefault("threads", SMALL_TENSOR_THREADS)
    return train_kw


def _pruned(problem, seed, layers, form="cp", tied=False, **options) -> TrainResult:
    """Dense full-precision warm start, magnitude pruning row by row to the physics support's
    row counts, then binary quantisation-aware training on the pruned (stored) support."""
    train_kw = _train_options(options)
    steps, warm_fraction = train_kw.pop("steps", 2000), train_kw.pop("warm_fraction", 0.5)
    dense = UnrolledISTA(problem, layers=layers, mask="dense", form=form, tied=tied, **options)
    warm = train(dense, problem, steps=round(steps * warm_fraction), seed=seed, method="binary_pruned", **train_kw)
    physics = UnrolledISTA(problem, layers=layers, mask="physics", form=form, tied=tied)
    masks = [_prune_rows(V.detach(), M.sum(1)) for V, M in ((dense.V1, physics.M1), (dense.V2, physics.M2))]
    model = UnrolledISTA(problem, layers=layers, mask=tuple(masks), weights="binary", form=form, tied=tied, **options)
    with torch.no_grad():
        for dst, src, M in ((model.V1, dense.V1, masks[0]), (model.V2, dense.V2, masks[1])):
            dst.copy_(src * M)
        model.theta.copy_(dense.theta)
    model.quantize_()
    res = train(model, problem, steps=steps - round(steps * warm_fraction), seed=seed + 1, method="binary_pruned",
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


def _ista(problem, layers) -> TrainResult:
    """ISTA with the ℓ1 weight of :data:`_REG_GRID` that is best on the training set."""
    start = time.perf_counter()
    with threads(SMALL_TENSOR_THREADS):
        best = min((ISTA(problem, layers, reg=r) for r in _REG_GRID), key=lambda m: nmse_db(m, problem, "train"))
        metrics = scores(best, problem)
    metrics["reg"] = best.reg
    return TrainResult("ista", torch.zeros(0), metrics, {}, time.perf_counter() - start, 0, {"model": best})
