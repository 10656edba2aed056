r"""The model protocol: what a binary network must offer to be scored and trained.

Any object with these members works with the :class:`~qhyper.Evaluator` (and therefore
with ``loss_table()``, :class:`~qhyper.ExactPosterior`, the Exhaustive oracle and every
quantum-hypernetwork objective: exact MLE, ELBO, MMD surrogate). :class:`~qhyper.BinaryMLP`
is one; PIBiNN's unrolled networks are another; a user's own class is a third.

**Required** (:class:`BitModel`):

* ``num_bits`` — the bitstring length *n* (bit 1 is weight +1, bit 0 is weight −1);
* ``in_features`` — the input width *d*;
* ``forward(bits, X)`` — batched outputs of ``S`` networks on ``N`` inputs:
  ``bits`` [S, n] (float64, entries 0/1) × ``X`` [N, d] → [S, N, k];
* the **output kind**: a classifier has ``n_classes`` (``k = 1`` logit for two classes,
  ``k = n_classes`` logits otherwise); a regression model has ``output = "regression"`` and
  ``out_features`` (``k``), scored by a Gaussian likelihood.

**Optional hints** (read with ``getattr``; a model without them is still exact, just
enumerated network by network in memory-bounded chunks):

* ``layer_sizes`` — widths of the forward pass, to size the chunks (default: the output width);
* ``logit_groups(X, choice=0)`` with ``num_weight_bits`` and ``num_choice_bits`` — the
  logits as a sum of small per-unit tables, which the fast grouped ``loss_table()`` engine
  uses (see :mod:`qhyper.losstable`); returning ``None`` means "not decomposable";
* ``sign_flip_bits()`` — with ``logit_groups`` on a one-logit model: the bits whose joint
  flip negates the logit, so the grouped engine computes half of the networks and derives
  the rest; ``None`` for none.

**Trainers that need more** say so and check it with :func:`require`: STE relaxes the
weights of a BinaryMLP-like model (``decode``, ``propagate``, ``activations``,
``num_weight_bits``); the QUBO trainer encodes a :class:`~qhyper.BinaryMLP` with sign
activations exactly (``layer_sizes``, ``activations``, ``bias``, ``block``).
"""
from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

import torch

from ._checks import InputTypeError

__all__ = ["BitModel", "require", "REQUIRED"]

#: members every model needs (the output kind is checked separately)
REQUIRED = ("num_bits", "in_features", "forward")


@runtime_checkable
class BitModel(Protocol):
    """A batched binary network (see the module docs). ``isinstance(m, BitModel)`` checks
    the required members' presence."""

    num_bits: int
    in_features: int

    def forward(self, bits: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        """Outputs [S, N, k] of the networks ``bits`` [S, n] on inputs ``X`` [N, d]."""


def require(model, members: Sequence[str], who: str, why: str = "", fix: str = "") -> None:
    """Raise a ``TypeError`` naming every member of ``members`` that ``model`` lacks
    (``fix``: what to do instead; default: point to this module's description)."""
    missing = [m for m in members if not hasattr(model, m)]
    if missing:
        reason = f" ({why})" if why else ""
        fix = fix or "the members every model needs are described in qhyper.protocol"
        raise InputTypeError(
            f"{who} needs a model with {', '.join(members)}{reason}; {type(model).__name__} lacks "
            f"{', '.join(missing)}: {fix}"
        )


def check_model(model, who: str = "Evaluator") -> None:
    """The required members and an output kind (``n_classes``, or ``output == "regression"``
    with ``out_features``)."""
    require(model, REQUIRED, who, "the BitModel protocol")
    if getattr(model, "output", None) == "regression":
        require(model, ("out_features",), who, "a regression model's output width")
    elif not hasattr(model, "n_classes"):
        raise InputTypeError(f"{who} needs the model's output kind: {type(model).__name__} has neither n_classes "
                        f"(a classifier) nor output = 'regression' with out_features (see qhyper.protocol)")
    if not callable(getattr(model, "forward")):
        raise InputTypeError(f"{who}: {type(model).__name__}.forward must be callable as forward(bits, X)")
