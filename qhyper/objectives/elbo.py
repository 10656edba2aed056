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

**Symmetrised family.** The posterior of a network with hidden layers is invariant under
its hidden-unit permutations (:mod:`qhyper.symmetry`), a mixture of up to :math:`|G|`
copies of every mode, and the ELBO — reverse KL, mode-seeking — fits one copy, at a cost of
up to :math:`\log|G|` nats. With ``symmetrise`` (by default ``"auto"``: the Evaluator's
BinaryMLP) the variational distribution is
:math:`\bar q = \frac{1}{|G|}\sum_g q_\theta\circ g` instead — sample the circuit, then
apply a uniformly random hidden-unit permutation (classical post-processing; its
predictions are the circuit's) — and the objective is :math:`\mathrm{ELBO}(\bar q)`: the
circuit needs to fit only one copy, and the KL figure to compare is
:math:`\mathrm{KL}(\bar q\,\|\,\pi)`, with ``qh.symmetry.symmetrise(q, model)``.
"""
from __future__ import annotations

from .._checks import InputTypeError, check_real

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
        symmetrise: ``"auto"`` (default: the Evaluator's :class:`~qhyper.BinaryMLP` if the data
            come as an Evaluator and the prior is invariant under its hidden-unit permutations,
            else nothing), ``True`` (the Evaluator's model, required),
            a BinaryMLP, or ``False``: fit the symmetrised distribution :math:`\bar q` (see the
            module docs). Each evaluation averages :math:`|G|` permuted copies of the
            probability vector (in :func:`qhyper.symmetry.averaging_stages`: 9 copies for
            2→4→1, 1.5–2.6× the time of a plain ELBO fit on 18 qubits; a model without hidden
            units has none, and costs nothing).
    """

    name = "elbo"
    value_name = "elbo"
    temperable = True

    @property
    def auto_temper(self) -> bool:
        """Whether ``QHN(anneal="auto")`` tempers this ELBO: unless ``symmetrise=False``. A
        broad tempered start is symmetric under the hidden-unit permutations, and a circuit
        that must fit one copy of the posterior's modes then settles in a symmetric saddle:
        unsymmetrised and tempered, KL(q ‖ posterior) on the 18-qubit Gaussian-mixture task
        was 34.7 nats at N = 200 (plain: 16.8) and 169 at N = 1000 (3 seeds)."""
        return self.symmetrise is not False

    def __init__(self, beta: float = 1.0, prior="uniform", data_size: int | None = None, symmetrise="auto"):
        self.beta = check_real(beta, "beta", 0, low_open=True, fix="the weight of the KL term; 1 is Bayesian inference")
        self.prior = check_prior(prior)
        self.data_size = check_data_size(data_size)
        self._log_prior = None
        if not (isinstance(symmetrise, bool) or symmetrise == "auto" or hasattr(symmetrise, "layer_sizes")):
            raise InputTypeError(f"symmetrise must be 'auto', False, True (the Evaluator's model) or a qhyper.BinaryMLP; "
                                 f"got {type(symmetrise).__name__} {symmetrise!r:.60}")
        self.symmetrise = symmetrise
        self._stages, self._stages_key = [], None  # qh.symmetry.averaging_stages of the model

    def check(self, source: LossSource) -> None:
        super().check(source)
        prior_probs(self.prior, source.num_bits)
        if source.evaluator is None:
            source.require_data_size(self.data_size)
        self._resolve(source)

    def log_prior(self, n: int) -> torch.Tensor:
        if self._log_prior is None or self._log_prior.shape[0] != 2**n:
            self._log_prior = log_prior_table(n, self.prior)
        return self._log_prior

    def kl(self, probs: torch.Tensor, n: int) -> torch.Tensor:
        r""":math:`\mathrm{KL}(q\|p)` of a probability vector (differentiable)."""
        return (probs * (probs.clamp_min(_TINY).log() - self.log_prior(n))).sum()

    def _resolve(self, source: LossSource):
        """The averaging stages of ``symmetrise`` for this source (cached per model and width)."""
        if self.symmetrise is False:
            return []
        from ..symmetry import averaging_stages

        model = self.symmetrise
        if model == "auto":  # the Evaluator's BinaryMLP if there is one, else nothing to average
            model = getattr(source.evaluator, "model", None)
            if not hasattr(model, "layer_sizes"):
                return []
        if model is True:
            model = getattr(source.evaluator, "model", None)
            if not hasattr(model, "layer_sizes"):
                raise ValueError("ELBO(symmetrise=True) takes the hidden-unit permutations of the Evaluator's "
                                 f"BinaryMLP; this data has {'no Evaluator' if model is None else type(model).__name__} "
                                 "— pass the model itself, ELBO(symmetrise=model)")
        if model.num_bits != source.num_bits:
            raise ValueError(f"ELBO(symmetrise=model): the model has {model.num_bits} bits but the data "
                             f"{source.num_bits}; pass the model the hypernetwork's networks belong to")
        if self._stages_key != (id(model), source.num_bits):
            stages = averaging_stages(model)
            if not self._prior_is_invariant(stages, source.num_bits):
                if self.symmetrise == "auto":
                    stages = []  # q̄ would fit the posterior worse: the prior breaks the symmetry
                else:
                    raise ValueError("ELBO(symmetrise=...): the prior is not invariant under the model's hidden-unit "
                                     "permutations, so neither is the posterior, and the symmetrised distribution "
                                     "would fit it worse; use a permutation-invariant prior (e.g. 'uniform') or "
                                     "symmetrise=False")
            self._stages, self._stages_key = stages, (id(model), source.num_bits)
        return self._stages

    def _prior_is_invariant(self, stages, n: int) -> bool:
        if isinstance(self.prior, str):  # uniform
            return True
        log_prior = self.log_prior(n)
        return all(bool(torch.allclose(log_prior[stage], log_prior.expand(stage.shape[0], -1), rtol=0, atol=1e-12))
                   for stage in stages)

    def _variational(self, probs: torch.Tensor, source: LossSource) -> torch.Tensor:
        """The distribution the ELBO is of: ``probs`` itself, or its symmetrised average."""
        for stage in self._resolve(source):
            probs = probs[stage].mean(0)
        return probs

    def terms(self, probs: torch.Tensor, source: LossSource) -> tuple[torch.Tensor, torch.Tensor]:
        r"""``(KL(q‖p), E_q[log p(D|w)])`` of the variational distribution (``probs``, or
        its symmetrised average), both differentiable: the loss is ``beta·KL − E_q[log p]``
        (:class:`~qhyper.objectives.Tempered` raises the weight of the first during training)."""
        probs = self._variational(probs, source)
        return self.kl(probs, source.num_bits), probs @ source.log_likelihood_table(self.data_size)

    def exact_loss(self, probs: torch.Tensor, source: LossSource) -> torch.Tensor:
        kl, expected_ll = self.terms(probs, source)
        return self.beta * kl - expected_ll

    def value(self, loss: float) -> float:
        return -loss
