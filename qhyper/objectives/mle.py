r"""MLE — the expected loss of the original Quantum HyperNetworks method.

.. math::
    \mathcal{L}_{\text{MLE}}(\theta) = \mathbb{E}_{b\sim q_\theta}[L(b)]
    = \sum_b q_\theta(b)\,L(b) = \langle\psi(\theta)|\,\mathrm{diag}(L)\,|\psi(\theta)\rangle,

with :math:`L` the mean negative log-likelihood of each network (the Evaluator's
``loss_table()`` / ``nll``) or a user's cost table. No prior, no entropy term: the optimum
puts all mass on the best networks.
"""
from __future__ import annotations

import torch

from .base import Objective, ShotForm
from .source import LossSource

__all__ = ["MLE"]


class MLE(Objective):
    """Minimise the expected loss :math:`\\mathbb{E}_{q_\\theta}[L(b)]`."""

    name = "mle"
    value_name = "expected_loss"
    vertex_optimum = True

    def exact_loss(self, probs: torch.Tensor, source: LossSource) -> torch.Tensor:
        return probs @ source.loss_table()

    def shot_form(self, source: LossSource) -> ShotForm:
        return ShotForm(f=source.loss)
