r"""Weight-space symmetries of a :class:`~qhyper.BinaryMLP`: hidden-unit permutations.

Permuting the hidden units of one layer — their rows of :math:`W_l` and entries of
:math:`b_l`, together with the matching columns of :math:`W_{l+1}` — leaves the network's
function unchanged for every activation. So the likelihood, and the posterior under a
uniform (or permutation-invariant) prior, is the same at :math:`b` and at every permuted
:math:`g\cdot b`: an exact posterior over a network with hidden layers of widths
:math:`k_1, k_2, \dots` is a mixture of up to :math:`\prod_l k_l!` copies of one mode.

A circuit trained by the ELBO (reverse KL, mode-seeking) usually settles on one copy,
which costs up to :math:`\log \prod_l k_l!` nats of KL (:math:`\log 4! = 3.18` for the
2→4→1 network) however well it fits that copy. The *symmetrised* distribution
:math:`\bar q(b) = \frac{1}{|G|}\sum_{g\in G} q(g\cdot b)` — draw a network from the
circuit, then apply a uniformly random hidden-unit permutation — has the same predictions
as :math:`q` and, because the posterior is invariant,
:math:`\mathrm{KL}(\bar q\,\|\,\pi) \le \mathrm{KL}(q\,\|\,\pi)` (convexity of KL).

Sign flips of a hidden unit are symmetries only for odd activations (``tanh``, ``sign``);
they are not included.
"""
from __future__ import annotations

import itertools
import math

import torch

from ._checks import DTYPE, InputTypeError
from .bitstrings import all_bits, bits_to_index

__all__ = ["hidden_permutations", "averaging_stages", "symmetrise", "MAX_GROUP"]

MAX_GROUP = 40320  # 8!: larger groups are refused (each element is a pass over 2^n probabilities)


def _blocks(model):
    if not (hasattr(model, "layout") and hasattr(model, "layer_sizes") and hasattr(model, "num_bits")):
        raise InputTypeError(f"model must be a qhyper.BinaryMLP; got {type(model).__name__}")
    return {b.name: b for b in model.layout}


def _layer_permutation(model, blocks, layer: int, order) -> torch.Tensor:
    """The bit permutation (a LongTensor [n]: new bit j is old bit perm[j]) that reorders the
    hidden units of ``layer`` (1-based) by ``order``."""
    perm = torch.arange(model.num_bits)
    W, Wn = blocks[f"W{layer}"], blocks[f"W{layer + 1}"]
    fan_in, out = W.shape[1], W.shape[0]
    for new, old in enumerate(order):
        perm[W.start + new * fan_in: W.start + (new + 1) * fan_in] = torch.arange(W.start + old * fan_in,
                                                                                 W.start + (old + 1) * fan_in)
        if f"b{layer}" in blocks:
            perm[blocks[f"b{layer}"].start + new] = blocks[f"b{layer}"].start + old
    rows = Wn.shape[0]
    for r in range(rows):  # column `new` of W_{l+1} takes column `old`
        for new, old in enumerate(order):
            perm[Wn.start + r * out + new] = Wn.start + r * out + old
    return perm


def hidden_permutations(model) -> torch.Tensor:
    """Every hidden-unit permutation of ``model`` as a bit permutation: LongTensor [G, n]
    (row 0 the identity; ``bits[:, perm]`` applies one). A model without hidden layers has
    only the identity. Groups larger than :data:`MAX_GROUP` are refused."""
    blocks = _blocks(model)
    widths = list(model.layer_sizes[1:-1])
    size = math.prod(math.factorial(k) for k in widths)
    if size > MAX_GROUP:
        raise ValueError(f"model {model!r}: its hidden-unit permutation group has {size} elements (widths {widths}); "
                         f"at most {MAX_GROUP} are enumerated — use narrower hidden layers")
    group = [torch.arange(model.num_bits)]
    for layer, k in enumerate(widths, 1):
        layer_perms = [_layer_permutation(model, blocks, layer, order) for order in itertools.permutations(range(k))]
        group = [g[p] for g in group for p in layer_perms]
    return torch.stack(group)


def averaging_stages(model) -> list[torch.Tensor]:
    r"""The average over the hidden-unit permutation group as a few small averages: a list of
    LongTensors [m, 2^n] of network indices; applying ``q = q[stage].mean(0)`` for each stage
    in turn gives :func:`symmetrise`.

    :math:`S_k` is the disjoint union of the cosets :math:`t\,S_{k-1}`, :math:`t` the identity or
    a transposition :math:`(i\;k)`, :math:`i < k`, so the average over :math:`S_k` is the
    average over those *k* elements after the average over :math:`S_{k-1}` (and the layers'
    groups commute): :math:`\sum_l (k_l(k_l+1)/2 - 1)` permuted copies — 9 for 4 hidden units
    — instead of :math:`\prod_l k_l!` = 24, about 5× faster with its gradient on 18 bits.
    A model without hidden layers has no stages."""
    blocks = _blocks(model)
    bits = all_bits(model.num_bits)
    stages = []
    for layer, k in enumerate(model.layer_sizes[1:-1], 1):
        for top in range(1, k):
            orders = [list(range(k))]
            for i in range(top):
                order = list(range(k))
                order[i], order[top] = top, i
                orders.append(order)
            stages.append(torch.stack([bits_to_index(bits[:, _layer_permutation(model, blocks, layer, o)])
                                       for o in orders]))
    return stages


def symmetrise(probs: torch.Tensor, model) -> torch.Tensor:
    r""":math:`\bar q(b) = \frac{1}{|G|}\sum_g q(g\cdot b)` of a probability vector [2^n] over
    ``model``'s networks (bit order of :mod:`qhyper.bitstrings`): its average over every
    hidden-unit permutation (computed by :func:`averaging_stages`)."""
    probs = torch.as_tensor(probs, dtype=DTYPE)
    n = model.num_bits
    if probs.shape != (2**n,):
        raise ValueError(f"probs must be a probability vector of length 2^{n} = {2**n} for {model!r}; "
                         f"got shape {tuple(probs.shape)}")
    out = probs.clone()
    for stage in averaging_stages(model):
        out = out[stage].mean(0)
    return out
