r"""The common shape of objectives: an exact form on probability vectors and a shot form.

An objective never touches a circuit. It offers

* :meth:`Objective.exact_loss` — the quantity to **minimise** as a differentiable function
  of the probability vector :math:`q` [2^n] (exact mode, autograd through ``probs()``);
* :meth:`Objective.shot_form` — the same quantity written as expectations over circuit
  samples, which is all a gradient estimator needs in shot mode:

  .. math::
      \mathcal{L}(\theta) = \mathbb{E}_{b\sim q_\theta}[f(b)]
        + a\,\mathbb{E}_{b,b'\sim q_\theta}[k(b,b')]
        + c\,\mathbb{E}_{b\sim q_\theta,\,y\sim p}[k(b,y)]
        + a_p\,\mathbb{E}_{y,y'\sim p}[k(y,y')] + C

  (:class:`ShotForm`; *C* a known constant). Every term is a V-statistic of :math:`q_\theta`, so the
  parameter-shift rule of Liu & Wang (2018, App. A) gives unbiased gradients from shifted
  circuits (see :mod:`qhyper.gradients`).

:meth:`Objective.value` turns the minimised loss into the objective's natural value
(the expected loss for MLE, the ELBO for ELBO, …), which is what training histories show.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable

import torch

from .._checks import DTYPE, real_array
from .kernels import HammingKernel, unique_rows
from .source import LossSource

__all__ = ["Objective", "ShotForm", "unique_apply", "check_prior", "prior_probs"]


def unique_apply(fn: Callable[[torch.Tensor], torch.Tensor], bits: torch.Tensor) -> torch.Tensor:
    """``fn`` on the distinct rows of ``bits`` [..., n] only, broadcast back to [...].

    Concentrated distributions repeat networks often; each is scored once."""
    uniq, inverse, _ = unique_rows(bits.reshape(-1, bits.shape[-1]))
    return torch.as_tensor(fn(uniq), dtype=DTYPE)[inverse].reshape(bits.shape[:-1])


@dataclass
class ShotForm:
    r"""A loss written as sample expectations (see the module docs for the formula).

    Attributes:
        f: per-network term ``bits [S, n] → [S]`` or ``None``.
        kernel: the kernel of the quadratic terms (``None`` when ``quad = cross = 0``).
        quad, cross, ref_quad: the weights *a*, *c*, :math:`a_p`.
        reference: draws reference samples ``(m, torch.Generator) → [r, n]`` from *p*.
        reference_is_fixed: *p* is the empirical distribution of a fixed set (``reference``
            returns the whole set): its expectations are exact means over the set.
        constant: *C*, terms known exactly (e.g. the prior terms of an MMD to the uniform
            distribution, which do not depend on :math:`q_\theta`): added to every loss
            estimate, never estimated.
    """

    f: Callable[[torch.Tensor], torch.Tensor] | None = None
    kernel: HammingKernel | None = None
    quad: float = 0.0
    cross: float = 0.0
    ref_quad: float = 0.0
    reference: Callable[[int, torch.Generator], torch.Tensor] | None = None
    reference_is_fixed: bool = False
    constant: float = 0.0

    @property
    def has_kernel_terms(self) -> bool:
        return self.kernel is not None and (self.quad != 0.0 or self.cross != 0.0)

    def f_values(self, bits: torch.Tensor) -> torch.Tensor:
        """``f`` of every sample [..., n] → [...] (distinct networks scored once); zeros if no ``f``."""
        if self.f is None:
            return torch.zeros(bits.shape[:-1], dtype=DTYPE)
        return unique_apply(self.f, bits)

    def estimate(self, samples: torch.Tensor, reference: torch.Tensor | None = None,
                 f_values: torch.Tensor | None = None) -> float:
        r"""Unbiased estimate of the loss from ``samples`` [m, n] of :math:`q_\theta` and
        ``reference`` samples of *p*: sample means and U-statistics (:math:`i \ne j`)."""
        fv = self.f_values(samples) if f_values is None else f_values
        total = (float(fv.mean()) if self.f is not None else 0.0) + self.constant
        if self.has_kernel_terms:
            k = self.kernel
            total += self.quad * float(k.mean_offdiagonal(samples))
            if self.cross or self.ref_quad:
                total += self.cross * float(k.mean(samples, reference))
                ref_term = k.mean(reference, reference) if self.reference_is_fixed else k.mean_offdiagonal(reference)
                total += self.ref_quad * float(ref_term)
        return total


class Objective(ABC):
    """Base class: subclasses implement :meth:`exact_loss` and, if shots can estimate them,
    :meth:`shot_form`.

    **Capabilities** are declared, not inferred from the type: ``needs_data``,
    ``has_shot_form`` and ``vertex_optimum`` (the optimum puts all mass on the best
    networks, a vertex of the probability simplex — where entropy annealing helps; see
    :class:`~qhyper.objectives.Annealed`) and ``temperable`` (a KL weight that tempering
    can raise: :class:`~qhyper.objectives.Tempered`). :meth:`summary` adds objective-specific figures
    to a result.

    **Schedules.** An objective that changes during training (annealing) overrides the
    hooks the trainer calls, which do nothing here: :meth:`prepare` once per fit,
    :meth:`stages` (the evaluation budgets of warm-started optimizer runs, e.g. L-BFGS),
    :meth:`at_step` before each step of a step optimizer, and :meth:`traces` (values the
    history records per evaluation).
    """

    #: short name used in results (``TrainResult.method``)
    name = "objective"
    #: name of :meth:`value` in histories
    value_name = "objective"
    #: whether training data (Evaluator or cost table) is required
    needs_data = True
    #: whether the optimum is a vertex of the simplex (all mass on the best networks)
    vertex_optimum = False
    #: whether the loss is ``beta·KL − E_q[log p(D|w)]`` with :meth:`terms` (ELBO): a KL weight
    #: that :class:`~qhyper.objectives.Tempered` can raise early in training
    temperable = False

    @property
    def has_shot_form(self) -> bool:
        """Whether the objective can be trained from samples alone: it overrides
        :meth:`shot_form` (a subclass may also declare the class attribute)."""
        return type(self).shot_form is not Objective.shot_form

    def check(self, source: LossSource) -> None:
        """Validate against the loss source (sizes, data presence) before any work; raise clearly."""
        if self.needs_data and not source.has_data:
            raise ValueError(f"{type(self).__name__} needs training data: pass an Evaluator or a cost table to fit()")

    @abstractmethod
    def exact_loss(self, probs: torch.Tensor, source: LossSource) -> torch.Tensor:
        """The loss to minimise, differentiable in ``probs`` [2^n]."""

    def exact_objective(self, probs: torch.Tensor, source: LossSource) -> tuple[torch.Tensor, float]:
        """``(loss to minimise, natural value)`` at ``probs``: what a training step needs.
        A schedule's minimised loss may differ from what the history shows (see
        :class:`~qhyper.objectives.Annealed`)."""
        loss = self.exact_loss(probs, source)
        return loss, self.value(float(loss.detach()))

    def shot_form(self, source: LossSource) -> ShotForm:
        """The loss as sample expectations (shot mode)."""
        raise ValueError(
            f"{type(self).__name__} cannot be estimated from shots; use an exact hypernetwork "
            "(shots=None) with gradient='backprop', or an objective with a shot form "
            "(MLE, MMDSurrogateELBO, MMD)"
        )

    def value(self, loss: float) -> float:
        """The objective's natural value from the minimised loss (default: the loss itself)."""
        return loss

    def summary(self, bits: torch.Tensor, weights: torch.Tensor) -> dict[str, float]:
        """Objective-specific metrics of a trained distribution given as networks ``bits``
        [K, n] with probabilities ``weights`` [K] (default: none)."""
        return {}

    # schedule hooks (see the class docs); the defaults describe a fixed objective
    def prepare(self, source: LossSource) -> None:
        """Per-fit set-up before the first step (default: nothing)."""

    def stages(self, budget: int):
        """Evaluation budgets of consecutive warm-started optimizer runs; the objective may
        change between them (default: one run with the whole budget)."""
        yield budget

    def at_step(self, step: int, steps: int) -> None:
        """Called before step ``step`` of ``steps`` by step optimizers (default: nothing)."""

    def traces(self) -> dict[str, float]:
        """Values to record in the history at each evaluation (default: none)."""
        return {}

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


# --------------------------------------------------------------------------- priors
def check_prior(prior):
    """``"uniform"`` or a vector of Bernoulli probabilities strictly inside (0, 1)."""
    if isinstance(prior, str):
        if prior != "uniform":
            raise ValueError(f"prior must be 'uniform' or a vector of Bernoulli probabilities p(b_j = 1); got {prior!r}")
        return prior
    arr = real_array(prior.detach() if isinstance(prior, torch.Tensor) else prior, "prior")
    p = torch.as_tensor(arr, dtype=DTYPE)
    if p.ndim != 1 or p.numel() == 0:
        raise ValueError(f"a Bernoulli prior is a 1-D vector of probabilities, one per bit; got shape {tuple(p.shape)}")
    if not ((p > 0) & (p < 1)).all():
        raise ValueError("Bernoulli prior probabilities must lie strictly between 0 and 1")
    return p


def prior_probs(prior, n: int) -> torch.Tensor:
    """Per-bit probabilities p(b_j = 1) [n] of a checked prior, after checking its size."""
    if isinstance(prior, str):
        return torch.full((n,), 0.5, dtype=DTYPE)
    if prior.shape != (n,):
        raise ValueError(
            f"the prior has {prior.shape[0]} Bernoulli probabilities but the hypernetwork has {n} "
            f"qubits; give one probability per bit"
        )
    return prior


def prior_sampler(p: torch.Tensor) -> Callable[[int, torch.Generator], torch.Tensor]:
    """``(m, generator) → [m, n]`` independent Bernoulli(p_j) bits."""

    def draw(m: int, generator: torch.Generator) -> torch.Tensor:
        return torch.bernoulli(p.expand(m, -1), generator=generator)

    return draw
