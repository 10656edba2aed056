r"""The exact posterior over all :math:`2^n` networks, by enumeration: the oracle.

With prior :math:`p(b)` and tempering :math:`\beta` (the weight of the KL term in
:class:`~qhyper.objectives.ELBO`), the distribution that maximises
:math:`\mathrm{ELBO}_\beta(q) = \mathbb{E}_q[\log p(D|b)] - \beta\,\mathrm{KL}(q\|p)` is

.. math:: \pi_\beta(b) \propto p(b)\, p(D|b)^{1/\beta}, \qquad
          \log Z_\beta = \beta \log \sum_b p(b)\, p(D|b)^{1/\beta} = \max_q \mathrm{ELBO}_\beta(q),

and :math:`\log Z_\beta - \mathrm{ELBO}_\beta(q) = \beta\,\mathrm{KL}(q \| \pi_\beta) \ge 0`.
At :math:`\beta = 1` these are the Bayesian posterior and the log evidence :math:`\log p(D)`.
"""
from __future__ import annotations

import math

import torch

from ._checks import DTYPE, InputTypeError, check_count, check_real
from .bitstrings import index_to_bits, top_mass
from ._checks import real_array

__all__ = ["ExactPosterior", "log_prior_table"]


def log_prior_table(n: int, prior="uniform") -> torch.Tensor:
    """log p(b) for all 2^n bitstrings: ``"uniform"`` or Bernoulli probabilities p(b_j = 1) [n]."""
    n = check_count(n, "n", fix="the number of bits")
    if isinstance(prior, str):
        if prior != "uniform":
            raise ValueError(f"prior must be 'uniform' or a vector of {n} Bernoulli probabilities; got {prior!r}")
        return torch.full((2**n,), -n * math.log(2.0), dtype=DTYPE)
    p = torch.as_tensor(real_array(prior, "prior"), dtype=DTYPE)
    if p.shape != (n,):
        raise ValueError(f"a Bernoulli prior needs one probability per bit: shape ({n},); got {tuple(p.shape)}")
    if not ((p > 0) & (p < 1)).all():
        raise ValueError("Bernoulli prior probabilities must lie strictly between 0 and 1")
    table = torch.zeros((), dtype=DTYPE)
    for j in range(n):  # outer sums, bit 0 most significant: n passes, no loop over 2^n
        table = (table.unsqueeze(-1) + torch.stack([torch.log1p(-p[j]), torch.log(p[j])])).reshape(-1)
    return table


class ExactPosterior:
    """Exact (tempered) posterior over the networks of an :class:`~qhyper.Evaluator`.

    Args:
        evaluator: supplies ``log p(D|b)`` of every network (its loss table).
        prior: ``"uniform"`` or Bernoulli probabilities p(b_j = 1), one per bit.
        beta: KL weight of the matching ELBO (see module docs); 1 is the Bayesian posterior.

    Attributes: ``probs`` [2^n], ``log_probs``, ``log_evidence``, ``map_bits``, ``entropy``.
    """

    def __init__(self, evaluator, prior="uniform", beta: float = 1.0):
        if not all(hasattr(evaluator, a) for a in ("num_bits", "log_likelihood_table")):
            raise InputTypeError(f"evaluator must be a qhyper.Evaluator (it scores every network); got "
                                 f"{type(evaluator).__name__} {evaluator!r:.60} — build one with "
                                 "qh.Evaluator(model, X, y) or qh.Evaluator.from_dataset(model, data)")
        self.evaluator = evaluator
        self.beta = check_real(beta, "beta", 0, low_open=True)
        self.num_bits = evaluator.num_bits
        self.log_prior = log_prior_table(self.num_bits, prior)
        self.log_likelihood = evaluator.log_likelihood_table()
        scaled = self.log_likelihood / self.beta
        if not torch.isfinite(scaled).all():
            raise ValueError(f"beta={self.beta:g} is too small: log p(D|b) / beta overflows float64 (the "
                             f"log-likelihoods reach {float(self.log_likelihood.abs().max()):.3g}); use a larger beta")
        joint = self.log_prior + scaled
        log_z = torch.logsumexp(joint, 0)
        self.log_probs = joint - log_z
        self.probs = self.log_probs.exp()
        if float(scaled.abs().max()) < 1.0:
            # log Σ p e^{ℓ/β} is near 0 here, and computed as a log of a sum near 1 it loses its
            # digits (β = 1e308 gave 0.0): log1p of Σ p (e^{ℓ/β} − 1) keeps them
            log_z = torch.log1p((self.log_prior.exp() * torch.expm1(scaled)).sum())
        self.log_evidence = float(self.beta * log_z)

    @property
    def map_index(self) -> int:
        return int(torch.argmax(self.log_probs))

    @property
    def map_bits(self) -> torch.Tensor:
        """The most probable network's bits [n]."""
        return index_to_bits(self.map_index, self.num_bits)

    @property
    def entropy(self) -> float:
        """Shannon entropy of the posterior in nats."""
        p = self.probs
        return float(-(p[p > 0] * self.log_probs[p > 0]).sum())

    def kl_from(self, q) -> float:
        r""":math:`\mathrm{KL}(q \| \pi) = \sum_b q(b) \log\frac{q(b)}{\pi(b)}` for a probability vector q [2^n]."""
        q = torch.as_tensor(real_array(q.detach() if isinstance(q, torch.Tensor) else q, "q"), dtype=DTYPE)
        if q.shape != self.probs.shape:
            raise ValueError(f"q must be a probability vector of length 2^{self.num_bits} = {2**self.num_bits}; got {tuple(q.shape)}")
        if not torch.isfinite(q).all():
            raise ValueError(f"q contains {int((~torch.isfinite(q)).sum())} NaN/inf entries; it must be a "
                             "probability vector (finite, non-negative, summing to 1)")
        if (q < 0).any() or abs(float(q.sum()) - 1.0) > 1e-6:
            raise ValueError("q must be non-negative and sum to 1")
        s = q > 0
        return float((q[s] * (q[s].log() - self.log_probs[s])).sum())

    def top(self, mass: float = 1 - 1e-6, max_networks: int = 4096) -> tuple[torch.Tensor, torch.Tensor]:
        """The most probable networks holding ``mass`` of the posterior (at most
        ``max_networks``): ``(bits [K, n], probs [K])``, probabilities renormalised."""
        mass = check_real(mass, "mass", 0, 1, low_open=True)
        max_networks = check_count(max_networks, "max_networks")
        return top_mass(self.probs, mass, max_networks)

    def predict_proba(self, X, **top_kwargs) -> torch.Tensor:
        """Posterior-predictive class probabilities [N, C] on inputs ``X`` (sum over :meth:`top`)."""
        bits, w = self.top(**top_kwargs)
        return self.evaluator.predictive(bits, w, X)

    def predictive_accuracy(self, X, y, **top_kwargs) -> float:
        """Accuracy of the posterior-predictive average on ``(X, y)`` (e.g. the test split)."""
        ev = self.evaluator.with_data(X, y)
        bits, w = self.top(**top_kwargs)
        return ev.predictive_accuracy(bits, w)

    def __repr__(self) -> str:
        return (f"ExactPosterior(n={self.num_bits}, beta={self.beta}, log_evidence={self.log_evidence:.4f}, "
                f"entropy={self.entropy:.3f} nats, p(MAP)={float(self.probs.max()):.4f})")
