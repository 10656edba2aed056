r"""Training objectives for quantum hypernetworks — they see probabilities or samples, never circuits.

* :class:`MLE` — expected loss :math:`\mathbb{E}_q[L(b)]` (original Quantum HyperNetworks);
* :class:`ELBO` — exact :math:`\mathbb{E}_q[\log p(D|w)] - \beta\,\mathrm{KL}(q\|p)` (simulators);
* :class:`MMDSurrogateELBO` — :math:`\mathbb{E}_q[\log p(D|w)] - \lambda\,\mathrm{MMD}^2(q, p)`
  from shots alone;
* :class:`MMD` — match a set of bitstrings (Born machine);
* :class:`Annealed` — entropy annealing of an objective whose optimum is a vertex (MLE);
* :class:`Tempered` — a falling KL weight for the ELBO (tempered posteriors down to the posterior).

Kernels on bitstrings live in :mod:`qhyper.objectives.kernels`.
"""
from .annealed import Annealed
from .base import Objective, ShotForm
from .elbo import ELBO
from .kernels import GaussianMixtureKernel, HammingKernel, IMQKernel, PolynomialKernel, default_bandwidths
from .mle import MLE
from .mmd import MMD, MMDSurrogateELBO, mmd2_exact, mmd2_unbiased
from .source import LossSource
from .tempered import Tempered

__all__ = ["Objective", "ShotForm", "LossSource", "Annealed", "Tempered", "MLE", "ELBO", "MMDSurrogateELBO", "MMD",
           "HammingKernel", "GaussianMixtureKernel", "IMQKernel", "PolynomialKernel",
           "default_bandwidths", "mmd2_exact", "mmd2_unbiased"]
