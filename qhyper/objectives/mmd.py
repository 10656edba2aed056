r"""Maximum mean discrepancy: estimators, the MMD-surrogate ELBO and plain MMD matching.

.. math::
    \mathrm{MMD}^2_k(q, p) = \mathbb{E}_{x,x'\sim q}k(x,x') - 2\,\mathbb{E}_{x\sim q,y\sim p}k(x,y)
        + \mathbb{E}_{y,y'\sim p}k(y,y')

(Liu & Wang 2018, Eq. 1). From samples the unbiased estimate replaces the
same-distribution expectations by U-statistics over pairs :math:`i \ne j`; from probability
vectors it is the quadratic form :math:`(q-p)^\top K (q-p)`.

* :class:`MMDSurrogateELBO` — the implicit-distribution ELBO,
  :math:`\mathbb{E}_{q_\theta}[\log p(D|w)] - \lambda\,\mathrm{MMD}^2_k(q_\theta, p)`: every
  term needs only circuit shots, prior samples and the log-likelihood of sampled networks,
  so *n* is not limited by :math:`2^n`.
* :class:`MMD` — :math:`\mathrm{MMD}^2_k(q_\theta, \hat p_{\text{data}})`: a Born machine
  that matches a set of bitstrings.
"""
from __future__ import annotations


import torch

from .._checks import DTYPE, InputTypeError, as_bits, check_real, real_array
from ..bitstrings import bits_to_index
from .base import Objective, ShotForm, check_prior, prior_probs, prior_sampler
from .kernels import GaussianMixtureKernel, HammingKernel
from .source import LossSource, check_data_size

__all__ = ["MMD", "MMDSurrogateELBO", "mmd2_unbiased", "mmd2_exact"]


def mmd2_unbiased(x, y, kernel: HammingKernel) -> torch.Tensor:
    """Unbiased MMD² between samples ``x`` [m, n] and ``y`` [r, n] (U-statistics, m, r ≥ 2)."""
    x, y = torch.as_tensor(x, dtype=DTYPE), torch.as_tensor(y, dtype=DTYPE)
    return kernel.mean_offdiagonal(x) - 2.0 * kernel.mean(x, y) + kernel.mean_offdiagonal(y)


def mmd2_exact(q: torch.Tensor, p: torch.Tensor, kernel: HammingKernel) -> torch.Tensor:
    r"""Exact :math:`(q-p)^\top K (q-p)` for probability vectors over all :math:`2^n` bitstrings."""
    d = q - p
    return kernel.quadratic(d, d)


def _check_kernel(kernel) -> HammingKernel:
    if kernel is None:
        return GaussianMixtureKernel()
    if not isinstance(kernel, HammingKernel):
        raise InputTypeError(f"kernel must be a qhyper.objectives kernel (e.g. GaussianMixtureKernel); got {type(kernel).__name__}")
    return kernel


class MMDSurrogateELBO(Objective):
    r"""Maximise :math:`\mathbb{E}_{q}[\log p(D|w)] - \lambda\,\mathrm{MMD}^2_k(q, p)` (loss = −that).

    The log-likelihood is a sum over the *N* training points while MMD² ≤ 2, so λ of the
    order of *N* is needed for the regulariser to matter.

    Args:
        lam: weight λ > 0 of the MMD term.
        kernel: a Hamming kernel (default :class:`GaussianMixtureKernel` with the default
            bandwidth rule).
        prior: ``"uniform"`` or Bernoulli probabilities p(b_j = 1) [n].
        data_size: with a cost table *L*, *N* in :math:`\log p(D|w) = -N\,L(w)`.
    """

    name = "mmd-elbo"
    value_name = "surrogate_elbo"

    def __init__(self, lam: float, kernel: HammingKernel | None = None, prior="uniform",
                 data_size: int | None = None):
        self.lam = check_real(lam, "lam", 0, low_open=True,
                              fix="the weight of the MMD term, of the order of the training-set size")
        self.kernel = _check_kernel(kernel)
        self.prior = check_prior(prior)
        self.data_size = check_data_size(data_size)

    def check(self, source: LossSource) -> None:
        super().check(source)
        prior_probs(self.prior, source.num_bits)
        if source.evaluator is None:
            source.require_data_size(self.data_size)

    def prior_vector(self, n: int) -> torch.Tensor:
        from ..posterior import log_prior_table

        return log_prior_table(n, self.prior).exp()

    def exact_loss(self, probs: torch.Tensor, source: LossSource) -> torch.Tensor:
        expected_ll = probs @ source.log_likelihood_table(self.data_size)
        return self.lam * mmd2_exact(probs, self.prior_vector(source.num_bits), self.kernel) - expected_ll

    def shot_form(self, source: LossSource) -> ShotForm:
        r"""The shot form. Under the **uniform** prior the cross term
        :math:`-2\lambda\,\mathbb{E}_{b\sim q,y\sim p}k(b,y)` is the same for every
        :math:`q` (a Hamming kernel averaged over uniform *y* does not depend on *b*), so it
        and the prior–prior term are the constant :math:`-\lambda\,\mathbb{E}_U k`, added
        exactly: estimating them from prior samples added variance to every gradient and
        carried no signal."""
        data_size, n = self.data_size, source.num_bits

        def neg_ll(bits):
            return -source.log_likelihood(bits, data_size)

        if isinstance(self.prior, str) or bool(torch.all(self.prior == 0.5)):  # uniform
            return ShotForm(f=neg_ll, kernel=self.kernel, quad=self.lam,
                            constant=-self.lam * self.kernel.uniform_mean(n))
        return ShotForm(f=neg_ll, kernel=self.kernel, quad=self.lam, cross=-2.0 * self.lam,
                        ref_quad=self.lam, reference=prior_sampler(prior_probs(self.prior, n)))

    def value(self, loss: float) -> float:
        return -loss


class MMD(Objective):
    r"""Minimise :math:`\mathrm{MMD}^2_k(q_\theta, \hat p)` to a set of target bitstrings.

    :math:`\hat p` is the empirical distribution of ``target`` (repeated rows count more).
    Needs no training data: ``trainer.fit(hypernet)``.

    Args:
        target: bitstrings [T, n] in {0, 1}.
        kernel: a Hamming kernel (default :class:`GaussianMixtureKernel`).
    """

    name = "mmd"
    value_name = "mmd2"
    needs_data = False

    def __init__(self, target, kernel: HammingKernel | None = None):
        arr = real_array(target.detach() if isinstance(target, torch.Tensor) else target, "target",
                         fix="target holds bitstrings [T, n] of 0/1, e.g. [[0, 1, 0, 1]]")
        t = torch.as_tensor(arr, dtype=DTYPE)
        if t.ndim != 2 or t.shape[0] < 1:
            raise ValueError(f"target must be bitstrings [T, n] with T ≥ 1; got shape {tuple(t.shape)}")
        self.target = as_bits(t, t.shape[1])
        self.kernel = _check_kernel(kernel)

    def check(self, source: LossSource) -> None:
        if self.target.shape[1] != source.num_bits:
            raise ValueError(
                f"target bitstrings have {self.target.shape[1]} bits but the hypernetwork has "
                f"{source.num_bits} qubits; they must match"
            )

    def target_probs(self) -> torch.Tensor:
        """The empirical target distribution over all 2^n bitstrings."""
        n = self.target.shape[1]
        counts = torch.bincount(bits_to_index(self.target), minlength=2**n).to(DTYPE)
        return counts / counts.sum()

    def exact_loss(self, probs: torch.Tensor, source: LossSource) -> torch.Tensor:
        return mmd2_exact(probs, self.target_probs(), self.kernel)

    def shot_form(self, source: LossSource) -> ShotForm:
        target = self.target

        def whole_set(m, generator):
            return target

        return ShotForm(kernel=self.kernel, quad=1.0, cross=-2.0, ref_quad=1.0,
                        reference=whole_set, reference_is_fixed=True)

    def in_target(self, bits) -> torch.Tensor:
        """Whether each row of ``bits`` [S, n] is one of the target bitstrings: bool [S]."""
        idx = bits_to_index(as_bits(bits, self.target.shape[1]))
        return torch.isin(idx, bits_to_index(self.target))

    def summary(self, bits: torch.Tensor, weights: torch.Tensor) -> dict[str, float]:
        """``target_fraction``: the probability the distribution puts on target bitstrings."""
        return {"target_fraction": float(weights[self.in_target(bits)].sum())}
