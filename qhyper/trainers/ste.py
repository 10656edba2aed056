r"""Straight-through estimator (STE) training of the binary network: the classical default.

Every weight bit has a latent real :math:`v_j \in [-1, 1]`; the network uses
:math:`w_j = \operatorname{sign}(v_j)` (:math:`\operatorname{sign}(0) = +1`) in the forward
pass and the straight-through gradient :math:`\partial w_j/\partial v_j = \mathbf 1_{|v_j|\le 1}`
(BinaryConnect, larq ``ste_sign``) in the backward pass. The loss is the Evaluator's own
likelihood, the mean NLL :math:`-\frac1B\sum_{i\in\text{batch}}\log p(y_i|x_i,w)` with its
logit scale; Adam steps on mini-batches, then :math:`v \leftarrow \operatorname{clip}(v,-1,1)`.

The network is exactly the :class:`~qhyper.BinaryMLP` every other trainer uses: no batch
normalisation, no real thresholds or scales. Two details make it trainable end to end:

* **Hidden sign activations** get a straight-through gradient too, on the pre-activation
  scaled by its fan-in: forward :math:`\operatorname{sign}(h)`, backward
  :math:`\partial/\partial h = \mathbf 1_{|h|\le c}/c` with :math:`c = \sqrt{\text{fan-in}}`
  (``ste_sign(h / c)``) — the hard-tanh surrogate of BinaryNet at the natural scale of a
  sum of ±1 terms. Other activations are differentiated as they are.
* **Activation choice bits** (if the model has them) are not relaxed: every choice is
  trained as its own set of runs and the best run wins, so each result is a genuine
  network of the model.

Restarts (and choices) run in parallel as a batch of latent vectors. After every epoch
the sign networks are scored on the whole training set by the shared Evaluator; the
result is the network with the lowest training NLL seen over all runs and epochs.
``evaluations`` counts whole-training-set passes of one network: per run and epoch, one
for the mini-batches and one for the scoring.

**Threads.** ``threads=None`` (the default) leaves torch's thread count as the user set
it; ``threads=n`` runs the fit with ``n`` intra-op threads and restores the count after.
The per-step tensors are tiny, so on a shared or busy CPU ``threads=1`` is often fastest
(measured: a [4, 64, 16] batched product took ~14 ms with 2 busy threads, ~2 µs with one).
"""
from __future__ import annotations

import math
import time

import torch
from .._progress import tqdm

from .. import likelihood
from .._budget import BudgetExpired, Deadline, check_max_time, stop_flags
from .._checks import DTYPE, check_bool, check_count, check_real, check_seed, InputTypeError, torch_generator
from .._threads import check_threads, threads
from ..bitstrings import index_to_bits
from ..bnn import ACTIVATIONS
from ..protocol import require
from ..quantizers import sign_to_bits, ste_sign
from ..results import TrainResult, network_metrics

__all__ = ["STE"]


class STE:
    """Latent-weight training with the straight-through sign.

    Args:
        epochs: passes over the training data.
        lr: Adam learning rate on the latent weights.
        batch_size: mini-batch size (``None``: full batch).
        restarts: independent initialisations (per activation choice), trained together.
        patience: stop when the best training NLL has not improved for this many epochs
            (``None``: run all epochs).
        init_scale: latent weights start uniform in ``[-init_scale, init_scale]``.
        seed: an int ≥ 0, a ``numpy.random.Generator``, a ``torch.Generator`` or ``None``
            (fresh entropy). An int gives the same run every ``fit``; a generator is drawn
            from (a torch generator used directly), so successive fits differ.
        threads: torch intra-op threads during ``fit`` (restored after); ``None`` leaves
            the caller's setting. ``1`` is often fastest on a shared CPU for these tiny tensors.
        progress: show a progress bar.
        max_time: time budget in seconds (``None``: none): the fit stops at the first
            mini-batch after it and returns the best network so far (``budget_hit=True``).
    """

    name = "ste"

    def __init__(self, epochs: int = 100, lr: float = 0.01, batch_size: int | None = 64,
                 restarts: int = 8, patience: int | None = None, init_scale: float = 1.0,
                 seed=0, threads: int | None = None, progress: bool = False, max_time: float | None = None):
        self.epochs = check_count(epochs, "epochs")
        self.restarts = check_count(restarts, "restarts")
        self.lr = check_real(lr, "lr", 0, low_open=True)
        self.batch_size = check_count(batch_size, "batch_size", allow_none=True, fix="None trains on the full batch")
        self.patience = check_count(patience, "patience", allow_none=True, fix="None runs all epochs")
        self.init_scale = check_real(init_scale, "init_scale", 0, 1, low_open=True)
        self.seed = check_seed(seed, allow_torch=True)
        self.threads = check_threads(threads)
        self.progress = check_bool(progress, "progress")
        self.max_time = check_max_time(max_time)

    # ------------------------------------------------------------------ forward
    @staticmethod
    def logits(model, bits: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        """Differentiable logits [S, N, d_out] of networks ``bits`` [S, n] (entries 0/1, may
        carry gradients); hidden sign activations use the scaled straight-through sign."""
        return model.propagate(model.decode(bits), X,
                               lambda h, choice, fan_in: _activate(model, h, choice, fan_in))

    # ------------------------------------------------------------------ training
    def fit(self, evaluator) -> TrainResult:
        """Train on ``evaluator``'s data and likelihood; return the best sign network."""
        _require_evaluator(evaluator, "STE")
        require(evaluator.model, ("decode", "propagate", "activations", "num_weight_bits"), "STE",
                "the straight-through sign differentiates through decoded weights",
                fix="train this model with QHN or Exhaustive, or build it as a qh.BinaryMLP")
        with threads(self.threads):
            return self._fit(evaluator)

    def _fit(self, evaluator) -> TrainResult:
        deadline = Deadline(self.max_time)
        model, X, y = evaluator.model, evaluator.X, evaluator.y
        gen = torch_generator(self.seed)
        n_w, n_c = model.num_weight_bits, getattr(model, "num_choice_bits", 0)
        choices = index_to_bits(torch.arange(2**n_c), n_c).repeat_interleave(self.restarts, 0)
        S, N = choices.shape[0], X.shape[0]
        B = N if self.batch_size is None else min(self.batch_size, N)
        v = ((2 * torch.rand(S, n_w, generator=gen, dtype=DTYPE) - 1) * self.init_scale).requires_grad_()
        opt = torch.optim.Adam([v], lr=self.lr)

        history = {"batch_loss": [], "train_nll": []}
        best_nll, best_bits, stale, evaluations = math.inf, None, 0, 0
        start, interrupted, budget_hit = time.perf_counter(), False, False
        bar = tqdm(range(self.epochs), desc="STE", disable=not self.progress, leave=False)
        try:
            for _ in bar:
                order = torch.randperm(N, generator=gen)
                losses = []
                for s in range(0, N, B):
                    deadline.check()
                    idx = order[s : s + B]
                    w = ste_sign(v)
                    bits = torch.cat([(w + 1) / 2, choices], 1)
                    logp = likelihood.log_prob(self.logits(model, bits, X[idx]), y[idx], evaluator.logit_scale)
                    loss = -logp.mean(-1).sum()  # runs are independent: sum of their mean NLLs
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    with torch.no_grad():
                        v.clamp_(-1.0, 1.0)
                    losses.append(float(loss.detach()) / S)
                history["batch_loss"].append(sum(losses) / len(losses))
                evaluations += S  # one epoch of mini-batches = one pass over the data per run
                nets = torch.cat([sign_to_bits(v.detach()), choices], 1)
                nll = evaluator.nll(nets)
                evaluations += S
                i = int(torch.argmin(nll))
                history["train_nll"].append(float(nll[i]))
                if float(nll[i]) < best_nll - 1e-12:
                    best_nll, best_bits, stale = float(nll[i]), nets[i].clone(), 0
                else:
                    stale += 1
                bar.set_postfix(train_nll=f"{best_nll:.4f}")
                if self.patience is not None and stale >= self.patience:
                    break
        except (KeyboardInterrupt, BudgetExpired) as stop:
            interrupted, budget_hit = stop_flags(stop)
        finally:
            bar.close()
        if interrupted or budget_hit:  # the latents of the epoch cut short are scored too
            nets = torch.cat([sign_to_bits(v.detach()), choices], 1)
            nll = evaluator.nll(nets)
            evaluations += S
            i = int(torch.argmin(nll))
            if best_bits is None or float(nll[i]) < best_nll - 1e-12:
                best_bits = nets[i].clone()
        wall = time.perf_counter() - start
        return TrainResult(
            method=self.name, bits=best_bits, metrics=network_metrics(evaluator, best_bits),
            history=history, wall_time=wall, evaluations=evaluations,
            state={"latent": v.detach().clone(), "choices": choices}, interrupted=interrupted,
            budget_hit=budget_hit,
        )


def _require_evaluator(evaluator, name: str) -> None:
    if not all(hasattr(evaluator, a) for a in ("model", "X", "y")):
        raise InputTypeError(f"{name} trains on data: pass a qhyper.Evaluator (not a cost table); "
                        f"got {type(evaluator).__name__}")


def _activate(model, h: torch.Tensor, choice: torch.Tensor, fan_in: int) -> torch.Tensor:
    """Hidden activation of each run's chosen kind; ``sign`` with the scaled STE."""
    def act(name, x):
        if name == "sign":
            c = math.sqrt(fan_in)
            return ste_sign(x / c)
        return ACTIVATIONS[name](x)

    if len(model.activations) == 1:
        return act(model.activations[0], h)
    parts = [act(name, h) for name in model.activations]
    sel = torch.stack([(choice == k) for k in range(len(parts))]).to(h.dtype)  # [K, S]
    return sum(p * sel[k].view(-1, 1, 1) for k, p in enumerate(parts))
