r"""Binary multilayer perceptrons whose weights are bitstrings.

A network is a bitstring :math:`b \in \{0,1\}^n`; each weight is :math:`w_j = 2 b_j - 1`
(bit 1 → +1, bit 0 → −1). Bit *j* is qubit/wire *j* of a hypernetwork.

**Flat bit layout** (what ``BinaryMLP.layout`` lists): layer by layer; within a layer the
weight matrix :math:`W_l \in \{\pm1\}^{\text{out}\times\text{in}}` in row-major order (all of
hidden unit 0's fan-in first), then that layer's bias; after the last layer the *choice
bits*, read as a big-endian integer that selects the hidden activation.

Activations: ``sign`` (:math:`\operatorname{sign}(0) = +1`), ``relu``, ``sigmoid``, ``tanh``,
``identity``. Pre-activations are plain sums :math:`W x + b` (no fan-in scaling); the
output logits are scaled once, by the :class:`~qhyper.Evaluator`'s ``logit_scale``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from ._checks import InputTypeError, as_bits, as_features, check_count
from .bitstrings import all_bits
from ._checks import real_array

__all__ = ["BinaryMLP", "ACTIVATIONS", "BitBlock", "Decoded"]


def _sign(h: torch.Tensor) -> torch.Tensor:
    return torch.where(h >= 0, 1.0, -1.0).to(h.dtype)


ACTIVATIONS = {
    "sign": _sign,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "identity": lambda h: h,
}


@dataclass(frozen=True)
class BitBlock:
    """A named run of the flat bit vector: ``bits[..., start:stop]`` reshaped to ``shape``."""

    name: str
    start: int
    stop: int
    shape: tuple[int, ...]


@dataclass
class Decoded:
    """±1 weights of ``S`` networks: ``layers[l] = (W [S, out, in], b [S, out] | None)``,
    and ``choice`` [S] the index into ``BinaryMLP.activations`` of each network's hidden
    activation."""

    layers: list[tuple[torch.Tensor, torch.Tensor | None]]
    choice: torch.Tensor


class BinaryMLP:
    r"""A fully connected binary network, batched over many weight samples.

    Args:
        layer_sizes: ``[d_in, h_1, ..., d_out]``. ``d_out == 1`` is a binary classifier
            (:math:`p(y=1|x) = \sigma(s z)`), ``d_out >= 2`` a ``d_out``-class softmax.
        activation: hidden activation name, or a sequence of 2, 4, 8… names. A sequence
            adds :math:`\log_2 k` *choice bits* at the end of the bitstring: the network's
            hidden activation is ``activation[int(choice bits, base 2)]`` — the
            architecture search of the original Quantum HyperNetworks paper, where one
            qubit picks ReLU or sigmoid.
        bias: whether every layer has a ±1 bias.

    Example:
        >>> model = BinaryMLP([2, 4, 1], activation=["relu", "sigmoid"])
        >>> model.num_bits            # 8 + 4 + 4 + 1 weights and biases, 1 choice bit
        18
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str | Sequence[str] = "sign",
        bias: bool = True,
    ):
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, (Sequence, np.ndarray)):
            raise InputTypeError(f"layer_sizes must be a list of layer widths [inputs, ..., outputs], e.g. [16, 1] "
                                 f"(an ordered list or tuple); got {type(layer_sizes).__name__} {layer_sizes!r:.60}")
        if not isinstance(bias, (bool, np.bool_)):
            raise InputTypeError(f"bias must be True or False; got {type(bias).__name__} {bias!r}")
        fix = f"layer_sizes lists the layer widths [inputs, ..., outputs]; got {list(layer_sizes)}"
        sizes = [check_count(s, "every entry of layer_sizes", fix=fix) for s in layer_sizes]
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes must list at least [inputs, outputs]; got {list(layer_sizes)}")
        if isinstance(activation, str):
            activations = (activation,)
        elif isinstance(activation, (list, tuple)) and all(isinstance(a, str) for a in activation):
            activations = tuple(activation)
        else:
            raise InputTypeError(f"activation must be a name from {sorted(ACTIVATIONS)} or a list of 2, 4, 8… "
                                 f"names; got {type(activation).__name__} {activation!r:.60}")
        unknown = [a for a in activations if a not in ACTIVATIONS]
        if unknown:
            raise ValueError(f"unknown activation {unknown}; choose from {sorted(ACTIVATIONS)}")
        if len(set(activations)) < len(activations):
            raise ValueError(f"activation lists a name twice ({list(activations)}); each choice must differ "
                             "(a repeated one spends a choice bit on no choice)")
        k = len(activations)
        if k == 0 or (k & (k - 1)) != 0:
            raise ValueError(
                f"activation choices must number 1, 2, 4, 8, …; got {k} ({activations})"
            )
        if k > 1 and len(sizes) == 2:
            raise ValueError("activation choice bits need at least one hidden layer")
        self.layer_sizes = sizes
        self.activations = activations
        self.bias = bool(bias)
        self.num_choice_bits = int(math.log2(k))
        self.layout = self._build_layout()
        self.num_weight_bits = self.layout[-1].stop if self.layout else 0
        self.num_bits = self.num_weight_bits + self.num_choice_bits
        if self.num_choice_bits:
            self.layout.append(
                BitBlock("choice", self.num_weight_bits, self.num_bits, (self.num_choice_bits,))
            )

    # ------------------------------------------------------------------ structure
    def _build_layout(self) -> list[BitBlock]:
        blocks, pos = [], 0
        for l, (fan_in, fan_out) in enumerate(zip(self.layer_sizes[:-1], self.layer_sizes[1:]), 1):
            blocks.append(BitBlock(f"W{l}", pos, pos + fan_out * fan_in, (fan_out, fan_in)))
            pos += fan_out * fan_in
            if self.bias:
                blocks.append(BitBlock(f"b{l}", pos, pos + fan_out, (fan_out,)))
                pos += fan_out
        return blocks

    @property
    def in_features(self) -> int:
        return self.layer_sizes[0]

    @property
    def output(self) -> str:
        """``"binary"`` (one logit) or ``"multiclass"`` (softmax over ``d_out`` logits)."""
        return "binary" if self.layer_sizes[-1] == 1 else "multiclass"

    @property
    def n_classes(self) -> int:
        return 2 if self.layer_sizes[-1] == 1 else self.layer_sizes[-1]

    @property
    def num_hidden_layers(self) -> int:
        return len(self.layer_sizes) - 2

    def block(self, name: str) -> BitBlock:
        for b in self.layout:
            if b.name == name:
                return b
        raise KeyError(f"no bit block {name!r}; the layout has {[b.name for b in self.layout]}")

    def __repr__(self) -> str:
        act = self.activations[0] if len(self.activations) == 1 else list(self.activations)
        return f"BinaryMLP({self.layer_sizes}, activation={act!r}, bias={self.bias}) — {self.num_bits} bits"

    # ------------------------------------------------------------------ decoding
    def decode(self, bits) -> Decoded:
        """±1 weights of every network in ``bits`` ([S, n] or [n] in {0, 1})."""
        b = _bits(bits, self.num_bits)
        w = 2.0 * b - 1.0
        S = w.shape[0]
        layers, i = [], 0
        blocks = [blk for blk in self.layout if blk.name != "choice"]
        while i < len(blocks):
            W = w[:, blocks[i].start : blocks[i].stop].reshape(S, *blocks[i].shape)
            bias = None
            if self.bias:
                i += 1
                bias = w[:, blocks[i].start : blocks[i].stop]
            layers.append((W, bias))
            i += 1
        if self.num_choice_bits:
            cb = b[:, self.num_weight_bits :].long()
            powers = 2 ** torch.arange(self.num_choice_bits - 1, -1, -1)
            choice = (cb * powers).sum(-1)
        else:
            choice = torch.zeros(S, dtype=torch.long)
        return Decoded(layers, choice)

    def weights(self, bits) -> torch.Tensor:
        """The flat ±1 weight vector ``2·bits − 1`` without the choice bits: [S, num_weight_bits]."""
        b = _bits(bits, self.num_bits)
        return 2.0 * b[:, : self.num_weight_bits] - 1.0

    # ------------------------------------------------------------------ forward
    def forward(self, bits, X) -> torch.Tensor:
        r"""Logits of ``S`` networks on ``N`` inputs at once: ``[S, n]`` × ``[N, d]`` → ``[S, N, d_out]``.

        Computes :math:`h_{l} = \phi(W_l h_{l-1} + b_l)` for every sample with one batched
        matrix product per layer (no loop over samples).
        """
        X = features(X, self.in_features)
        return self.propagate(self.decode(bits), X, lambda h, choice, fan_in: self._activate(h, choice))

    __call__ = forward

    @staticmethod
    def propagate(net: Decoded, X: torch.Tensor, activate) -> torch.Tensor:
        """Run decoded networks on ``X`` [N, d]: ``activate(h, choice, fan_in)`` is applied
        to every hidden pre-activation (trainers pass differentiable surrogates here)."""
        h = X.unsqueeze(0).expand(net.choice.shape[0], -1, -1)
        last = len(net.layers) - 1
        for l, (W, b) in enumerate(net.layers):
            h = torch.bmm(h, W.transpose(1, 2))
            if b is not None:
                h = h + b.unsqueeze(1)
            if l < last:
                h = activate(h, net.choice, W.shape[-1] + (b is not None))
        return h

    def _activate(self, h: torch.Tensor, choice: torch.Tensor) -> torch.Tensor:
        if len(self.activations) == 1:
            return ACTIVATIONS[self.activations[0]](h)
        out = torch.empty_like(h)
        for k, name in enumerate(self.activations):
            sel = choice == k
            if sel.any():
                out[sel] = ACTIVATIONS[name](h[sel])
        return out

    # ------------------------------------------------------------------ loss-table support
    def sign_flip_bits(self) -> list[int] | None:
        """The bits whose joint flip negates every logit — the output layer's weights and
        bias, for any hidden activation — or ``None`` (several outputs: no such symmetry).
        A hint the loss table uses to compute half of the networks (see
        :mod:`qhyper.losstable`)."""
        if self.layer_sizes[-1] != 1:
            return None
        last = len(self.layer_sizes) - 1
        names = [f"W{last}"] + ([f"b{last}"] if self.bias else [])
        return [j for name in names for j in range(self.block(name).start, self.block(name).stop)]

    def logit_groups(self, X, choice: int = 0) -> list[tuple[list[int], torch.Tensor]] | None:
        r"""Split the output logits into a sum of terms that each depend on a few bits.

        For networks with at most one hidden layer,
        :math:`z(x) = \sum_g T_g[b_{G_g}](x)`: group *g* holds the bits of one hidden unit
        (its fan-in row, its bias and its outgoing weights) and its table
        ``T_g`` [:math:`2^{|G_g|}`, N, d_out] lists the unit's contribution for every setting of
        those bits (big-endian in the listed bit order). The loss table then needs only
        outer sums of small tables instead of a forward pass per network. Returns
        ``None`` for deeper networks. ``choice`` fixes the hidden activation.
        """
        X = features(X, self.in_features)
        choice = check_count(choice, "choice", minimum=0, maximum=len(self.activations) - 1,
                             fix="the index of the hidden activation in model.activations")
        if self.num_hidden_layers > 1:
            return None
        N, d_out = X.shape[0], self.layer_sizes[-1]
        out_blocks = (self.block(f"W{self.num_hidden_layers + 1}"),)
        groups: list[tuple[list[int], torch.Tensor]] = []
        if self.num_hidden_layers == 0:
            # z_o = sum_i W[o,i] x_i + b_o: every bit adds ±(its input) to one output.
            contrib, idx = [], []
            Wb = out_blocks[0]
            for o in range(d_out):
                for i in range(self.in_features):
                    c = torch.zeros(N, d_out, dtype=X.dtype)
                    c[:, o] = X[:, i]
                    contrib.append(c)
                    idx.append(Wb.start + o * self.in_features + i)
            if self.bias:
                bb = self.block("b1")
                for o in range(d_out):
                    c = torch.zeros(N, d_out, dtype=X.dtype)
                    c[:, o] = 1.0
                    contrib.append(c)
                    idx.append(bb.start + o)
            for s in range(0, len(idx), 8):
                groups.append((idx[s : s + 8], _signed_sums(torch.stack(contrib[s : s + 8]))))
            return groups
        # One hidden layer: group per hidden unit j = (W1[j,:], b1[j], W2[:, j]).
        d, h = self.in_features, self.layer_sizes[1]
        act = ACTIVATIONS[self.activations[choice]]
        W1, W2 = self.block("W1"), self.block("W2")
        ones = torch.ones(N, 1, dtype=X.dtype)
        fan_in = torch.cat([X, ones], 1) if self.bias else X  # [N, d(+1)]
        pre = _signed_sums(fan_in.T.unsqueeze(-1)).squeeze(-1)  # [2^(d+bias), N]
        a = act(pre)
        w2_signs = _sign_patterns(d_out, X.dtype)  # [2^d_out, d_out]
        table = (a[:, None, :, None] * w2_signs[None, :, None, :]).reshape(-1, N, d_out)
        for j in range(h):
            idx = [W1.start + j * d + i for i in range(d)]
            if self.bias:
                idx.append(self.block("b1").start + j)
            idx += [W2.start + o * h + j for o in range(d_out)]
            groups.append((idx, table))
        if self.bias:
            b2 = self.block("b2")
            groups.append(
                (list(range(b2.start, b2.stop)), w2_signs[:, None, :].expand(-1, N, -1).contiguous())
            )
        return groups


def features(X, width: int, name: str = "X") -> torch.Tensor:
    """Inputs as a finite float64 tensor [N, width]; complex, string and object arrays are refused."""
    return as_features(real_array(X, name), width, name)


def _bits(bits, n: int) -> torch.Tensor:
    """Bitstrings [S, n] of 0/1 as float64 (:func:`~qhyper._checks.as_bits`), refusing complex
    and string arrays (a cast would drop the imaginary part, or fail with torch's message)."""
    return as_bits(real_array(bits, "bits"), n)


def _sign_patterns(k: int, dtype=torch.float64) -> torch.Tensor:
    """All 2^k ±1 vectors in big-endian order (row r ↔ bits of r, bit 0 most significant)."""
    return (2 * all_bits(k) - 1).to(dtype)


def _signed_sums(terms: torch.Tensor) -> torch.Tensor:
    """``terms`` [k, ...] → [2^k, ...]: row r is Σ_i (±1)_i terms[i] with signs from bits of r."""
    k = terms.shape[0]
    return torch.tensordot(_sign_patterns(k, terms.dtype), terms, dims=1)
