r"""The exact answer by enumeration: every one of the :math:`2^n` networks is scored.

* **MAP network** — :math:`b^\star = \arg\min_b L(b)`, the minimum of the Evaluator's loss
  table (mean NLL; under the uniform prior this is also the posterior mode).
* **Exact posterior** — :math:`\pi(b) \propto p(b)\,p(D|b)^{1/\beta}` from
  :class:`~qhyper.ExactPosterior`; its posterior-predictive accuracy on the test split
  :math:`\hat y(x) = \arg\max_c \sum_b \pi(b)\,p(c|x,b)` is what a perfect Bayesian
  hypernetwork would reach.

This is the oracle of every comparison: no trainer can beat its training NLL, and a
hypernetwork's distribution can be compared to its posterior exactly.
"""
from __future__ import annotations

import time

import torch

from .._checks import InputTypeError, check_count, check_real
from ..bitstrings import index_to_bits
from ..objectives.base import check_prior
from ..posterior import ExactPosterior
from ..results import TrainResult, network_metrics
from .qhn_summary import optimal

__all__ = ["Exhaustive"]


class Exhaustive:
    """Enumerate all networks of the evaluator's model.

    Args:
        prior: ``"uniform"`` or Bernoulli probabilities p(b_j = 1), one per bit.
        beta: tempering of the posterior (1 = Bayesian posterior).
        max_bits: refuse models with more bits than this (2^n networks are scored).
        top_mass: the posterior predictive sums over the most probable networks that hold
            this much mass (see :meth:`ExactPosterior.top`).

    Example:
        >>> ev = qh.Evaluator.from_dataset(qh.BinaryMLP([16, 1]), qh.datasets.load("digits01_4x4"))
        >>> qh.trainers.Exhaustive().fit(ev).metrics["test_accuracy"]
    """

    name = "exact"

    def __init__(self, prior="uniform", beta: float = 1.0, max_bits: int = 30,
                 top_mass: float = 1 - 1e-6):
        self.prior = check_prior(prior)
        self.beta = check_real(beta, "beta", 0, low_open=True)
        self.max_bits = check_count(max_bits, "max_bits")
        self.top_mass = check_real(top_mass, "top_mass", 0, 1, low_open=True)

    def fit(self, evaluator) -> TrainResult:
        """Score all 2^n networks; return the MAP network and the exact-posterior figures."""
        if not all(hasattr(evaluator, a) for a in ("loss_table", "num_bits", "log_likelihood_table")):
            raise InputTypeError(f"evaluator must be a qhyper.Evaluator (qh.Evaluator(model, X, y)); got "
                                 f"{type(evaluator).__name__} {evaluator!r:.60}")
        n = evaluator.num_bits
        if n > self.max_bits:
            raise ValueError(
                f"the model has {n} bits: exhaustive enumeration scores 2^{n} networks, beyond "
                f"max_bits={self.max_bits}. Use a smaller model, or raise max_bits if memory allows.")
        start = time.perf_counter()
        loss = evaluator.loss_table()
        best = int(torch.argmin(loss))
        bits = index_to_bits(best, n)
        post = ExactPosterior(evaluator, prior=self.prior, beta=self.beta)
        metrics = network_metrics(evaluator, bits)
        metrics["p_best"] = float(post.probs[best])
        metrics["p_opt"] = float(post.probs[optimal(loss)].sum())
        metrics["posterior_entropy"] = post.entropy
        metrics["log_evidence"] = post.log_evidence
        top_bits, top_w = post.top(mass=self.top_mass)
        metrics["posterior_train_accuracy"] = evaluator.predictive_accuracy(top_bits, top_w)
        if evaluator.has_test:
            test = evaluator.test()
            metrics["posterior_test_accuracy"] = test.predictive_accuracy(top_bits, top_w)
        wall = time.perf_counter() - start
        return TrainResult(
            method=self.name, bits=bits, metrics=metrics, wall_time=wall, evaluations=2**n,
            state={"posterior": post, "map_index": best, "min_loss": float(loss[best])},
        )
