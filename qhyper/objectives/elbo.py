r"""The exact evidence lower bound, for hypernetworks whose probabilities are known.

.. math::
    \mathrm{ELBO}_\beta(\theta) = \mathbb{E}_{q_\theta}[\log p(D|w)]
        - \beta\,\mathrm{KL}(q_\theta\,\|\,p),
    \qquad \mathrm{KL}(q\|p) = \sum_b q(b)\,\big(\log q(b) - \log p(b)\big).

For the uniform prior :math:`\mathrm{KL} = n\log 2 - H(q)`. With
:class:`~qhyper.ExactPosterior` (same prior and β),
:math:`\log Z_\beta - \mathrm{ELBO}_\beta(q) = \beta\,\mathrm{KL}(q\,\|\,\pi_\beta) \ge 0`,
:math:`\pi_\beta \propto p\,p(D|w)^{1/\beta}`; at β = 1, :math:`\log Z = \log p(D)`.

The KL needs :math:`\log q_\theta`, so this objective has no shot form: on hardware use
:class:`~qhyper.objectives.MMDSurrogateELBO`.
"""
from __future__ import annotations

from .._checks import check_real

import torch

from ..posterior import log_prior_table
from .base import Objective, check_prior, prior_probs
from .source import LossSource, check_data_size

__all__ = ["ELBO"]

_TINY = 1e-300  # q log q with a finite gradient where q underflows to 0


class ELBO(Objective):
    r"""Maximise :math:`\mathbb{E}_q[\log p(D|w)] - \beta\,\mathrm{KL}(q\|p)` (the loss is −ELBO).

    Args:
        beta: weight of the KL term (> 0); 1 is Bayesian inference.
        prior: ``"uniform"`` or Bernoulli probabilities p(b_j = 1) [n].
        data_size: with a cost table *L*, the number of points *N* in
            :math:`\log p(D|w) = -N\,L(w)`; ignored with an Evaluator.
    """

    name = "elbo"
    value_name = "elbo"

    def __init__(self, beta: float = 1.0, prior="uniform", data_size: int | None = None):
        self.beta = check_real(beta, "beta", 0, low_open=True, fix="the weight of the KL term; 1 is Bayesian inference")
        self.prior = check_prior(prior)
        self.data_size = check_data_size(data_size)
        self._log_prior = None

    def check(self, source: LossSource) -> None:
        super().check(source)
        prior_probs(self.prior, source.num_bits)
        if source.evaluator is None:
            source.require_data_size(self.data_size)

    def log_prior(self, n: int) -> torch.Tensor:
        if self._log_prior is None or self._log_prior.shape[0] != 2**n:
            self._log_prior = log_prior_table(n, self.prior)
        return self._log_prior

    def kl(self, probs: torch.Tensor, n: int) -> torch.Tensor:
        r""":math:`\mathrm{KL}(q\|p)` of a probability vector (differentiable)."""
        return (probs * (probs.clamp_min(_TINY).log() - self.log_prior(n))).sum()

    def exact_loss(self, probs: torch.Tensor, source: LossSource) -> torch.Tensor:
        expected_ll = probs @ source.log_likelihood_table(self.data_size)
        return self.beta * self.kl(probs, source.num_bits) - expected_ll

    def value(self, loss: float) -> float:
        return -loss
