r"""The ``qhn`` method of an inverse problem: a quantum hypernetwork learns a PIBiNN's sign bits."""
from __future__ import annotations

import torch

from ... import circuits
from ..._checks import check_choice, check_count, check_real
from ..._threads import threads
from . import SMALL_TENSOR_THREADS
from ...bitstrings import bits_to_index, index_to_bits
from ...pibinn.metrics import evaluator
from ...pibinn.model import FORMS, PIBiNN
from ...pibinn.training import scores, train
from ...results import TrainResult

__all__ = ["sign_search", "check_options", "BeyondEnumeration"]


class BeyondEnumeration(ValueError):
    """Exact mode asked for more sign bits than it enumerates (a comparison reports the
    method as unavailable on such a problem: its default configuration cannot run there)."""

_OBJECTIVES = ("mle", "elbo", "mmd")


#: unrolled layers of the small tied PIBiNN whose sign bits the hypernetwork searches
SMALL_LAYERS = 4

def check_options(objective: str = "mle", shots: int | None = None, qhn_steps: int = 200, qhn_lr: float | None = None,
                  qhn_optimizer: str = "adam", circuit_layers: int = 2, lam: float | None = None,
                  noise_std: float | None = None, max_exact_bits: int = 20, form: str = "cp") -> None:
    """The options of :func:`sign_search` beyond the training ones, checked before anything is
    trained (its QHN trainer is built once, untrained)."""
    from ...objectives import MLE
    from ...trainers.qhn import QHN

    check_choice(form, "form", FORMS)
    if check_choice(objective, "objective", _OBJECTIVES) == "mmd" and shots is None:
        raise ValueError("sign_search(objective='mmd', shots=None): the MMD surrogate trains from shots; "
                         "pass shots=<int>")
    check_count(shots, "shots", allow_none=True, fix="shots per step, or None for exact mode")
    check_count(circuit_layers, "circuit_layers")
    check_count(max_exact_bits, "max_exact_bits")
    check_real(lam, "lam", 0, allow_none=True, fix="the MMD weight; None for the training-set size")
    check_real(noise_std, "noise_std", 0, low_open=True, allow_none=True)
    steps = check_count(qhn_steps, "qhn_steps", fix="optimiser steps of the hypernetwork")
    lr = check_real(qhn_lr, "qhn_lr", 0, low_open=True, allow_none=True, fix="None for the default")
    QHN(objective=MLE(), optimizer=qhn_optimizer, steps=steps, lr=lr, progress=False)


def sign_search(problem, seed=0, layers: int = SMALL_LAYERS, objective: str = "mle", shots: int | None = None,
                qhn_steps: int = 200, qhn_lr: float | None = None, qhn_optimizer: str = "adam",
                circuit_layers: int = 2, lam: float | None = None,
                noise_std: float | None = None, max_exact_bits: int = 20, **train_options) -> TrainResult:
    r"""A quantum hypernetwork learns the sign bits of a small tied PIBiNN.

    1. A tied PIBiNN is trained by :func:`~qhyper.pibinn.train` (STE); its scale λ and
       thresholds θ are then fixed, so every bitstring *b* is one network.
    2. Networks are scored by the shared :class:`~qhyper.Evaluator` with the Gaussian
       likelihood (σ = ``noise_std``, default the problem's noise level). Up to
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
    check_options(objective, shots, qhn_steps, qhn_lr, qhn_optimizer, circuit_layers, lam, noise_std, max_exact_bits,
                  train_options.get("form", "cp"))
    train_options.setdefault("progress", False)
    train_options.setdefault("steps", 600)
    model = PIBiNN(problem, layers=layers, tied=True, form=train_options.pop("form", "cp"))
    enumerate_all = model.num_bits <= max_exact_bits
    if not enumerate_all and shots is None:
        raise BeyondEnumeration(f"max_exact_bits={max_exact_bits}: this PIBiNN has {model.num_bits} sign bits and exact "
                         f"mode enumerates all 2^n networks, limited to n <= {max_exact_bits}; use a smaller problem "
                         "(qhyper.comparison.methods.pibinn.SMALL), raise max_exact_bits or pass shots=<int>")
    # the hypernetwork and its trainer load on first use
    from ...hypernet import Hypernetwork
    from ...objectives import ELBO, MLE, MMDSurrogateELBO
    from ...trainers.qhn import QHN

    ste = train(model, problem, seed=seed, method="ste", **train_options)
    ste_bits = model.bits()
    ev = evaluator(model, problem, noise_std)
    N = problem.Y_train.shape[0]
    with threads(SMALL_TENSOR_THREADS):
        table = ev.loss_table() if enumerate_all else None
    obj = {"mle": lambda: MLE(),
           "elbo": lambda: ELBO(data_size=N),
           "mmd": lambda: MMDSurrogateELBO(lam=lam or N, data_size=N)}[objective]()
    hn = Hypernetwork(circuits.get("brick", n_qubits=model.num_bits, layers=circuit_layers), shots=shots, seed=seed)
    trainer = QHN(objective=obj, optimizer=qhn_optimizer, steps=qhn_steps, lr=qhn_lr, seed=seed, progress=False)
    # with the table, shot mode reads only the losses of sampled networks; beyond it the
    # Evaluator scores the sampled networks
    result = trainer.fit(hn, table if enumerate_all else ev)
    qhn_bits = result.bits
    metrics = dict(result.metrics)
    model.set_bits(qhn_bits)
    metrics.update(scores(model, problem))
    metrics.update({f"ste_{k}": v for k, v in ste.metrics.items()})
    metrics["train_nll"] = float(ev.nll(qhn_bits)[0])
    metrics["ste_train_nll"] = float(ev.nll(ste_bits)[0])
    if table is not None:
        order = torch.argsort(table)
        rank = torch.empty_like(order)
        rank[order] = torch.arange(len(order))
        metrics["qhn_rank"] = int(rank[bits_to_index(qhn_bits)])
        metrics["ste_rank"] = int(rank[bits_to_index(ste_bits)])
        model.set_bits(index_to_bits(int(order[0]), model.num_bits))
        metrics.update({f"best_{k}": v for k, v in scores(model, problem).items()})
        model.set_bits(qhn_bits)
    state = dict(result.state, model=model, ste_bits=ste_bits, table=table)
    return TrainResult(f"qhn-{objective}", qhn_bits, metrics, result.history, result.wall_time + ste.wall_time,
                       result.evaluations, state, result.interrupted or ste.interrupted)
