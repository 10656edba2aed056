r"""A stack of PIB units plus a small readout (scored by :func:`qhyper.pib.scoring.score`).

``network(kind, sizes, n_classes)`` builds units ``sizes[0] → sizes[1] → … → sizes[-1]``
of one kind and a readout ``sizes[-1] → n_classes`` (one logit for two classes):

* ``kind="binary"``: :class:`BinaryUnit` layers and a binary readout (±1 weights,
  plain-sum logits). The whole network is then exactly a :class:`~qhyper.BinaryMLP` with
  sign activations (:meth:`PIBNetwork.to_binary_mlp`), so it is scored by the shared
  :class:`~qhyper.Evaluator` with likelihood inverse temperature
  ``logit_scale = 1/sqrt(sizes[-1] + 1)``.
* ``kind="crossbar"`` / ``"optical"``: :class:`CrossbarUnit` / :class:`OpticalUnit`
  layers and a real-valued linear readout (the digital "format" layer of the HSIC
  bottleneck), scored from its own logits.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch

from .._checks import (
    DTYPE,
    InputTypeError,
    as_features,
    as_labels,
    check_choice,
    check_count,
    check_instance,
    check_real,
    numpy_generator,
    seed_int,
    torch_generator,
)
from ..bnn import BinaryMLP
from .._checks import real_array
from .binary import BinaryUnit
from .crossbar import CrossbarUnit
from .optical import OpticalUnit

__all__ = ["PIBNetwork", "network", "KINDS", "check_network", "check_dataset", "split_tensors"]

KINDS = {"binary": BinaryUnit, "crossbar": CrossbarUnit, "optical": OpticalUnit}


class PIBNetwork(torch.nn.Module):
    """``units`` (a list of PIB units) followed by ``readout``; ``predict(X)`` returns labels."""

    def __init__(self, units: Sequence[torch.nn.Module], readout: torch.nn.Module, n_classes: int,
                 kind: str = "custom", logit_scale: float = 1.0):
        super().__init__()
        fix = "build a network with qh.pib.network(kind, sizes, n_classes), or pass a list of qh.pib units"
        if isinstance(units, (str, bytes)) or not hasattr(units, "__len__"):
            raise InputTypeError(f"units must be a list of PIB units; got {type(units).__name__} — {fix}")
        if not units:
            raise ValueError(f"units is empty; a PIBNetwork needs at least one unit — {fix}")
        for u in units:
            check_instance(u, "every entry of units", torch.nn.Module, fix=fix)
        check_instance(readout, "readout", torch.nn.Module,
                       fix="a BinaryUnit(d, 1 or n_classes, activation='identity') or a torch.nn.Linear")
        for a, b in zip(units[:-1], units[1:]):
            if a.out_features != b.in_features:
                raise ValueError(f"unit widths do not chain: {a.out_features} outputs feed {b.in_features} inputs")
        n_classes = check_count(n_classes, "n_classes", minimum=2)
        d_out = 1 if n_classes == 2 else n_classes
        width = (getattr(readout, "in_features", units[-1].out_features), getattr(readout, "out_features", d_out))
        if width != (units[-1].out_features, d_out):
            raise ValueError(f"readout maps {width[0]} inputs to {width[1]} logits, but the last unit gives "
                             f"{units[-1].out_features} outputs and n_classes={n_classes} needs {d_out} logit(s) "
                             "(one for two classes)")
        self.units = torch.nn.ModuleList(units)
        self.readout = readout
        self.n_classes, self.kind = n_classes, check_instance(kind, "kind", str)
        self.logit_scale = check_real(logit_scale, "logit_scale", 0, low_open=True,
                                      fix="the likelihood's inverse temperature of the readout logits")

    @property
    def in_features(self) -> int:
        return self.units[0].in_features

    def check_inputs(self, X, name: str = "X") -> torch.Tensor:
        return as_features(real_array(X, name), self.in_features, name)

    @torch.no_grad()
    def features(self, X) -> list[torch.Tensor]:
        """Every unit's output on ``X``: ``[T_1, …, T_L]``."""
        h, out = self.check_inputs(X), []
        for unit in self.units:
            h = unit(h)
            out.append(h)
        return out

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Readout logits [N, 1 or C], differentiable through every differentiable unit."""
        h = X
        for unit in self.units:
            h = unit(h)
        return self.readout(h)

    @torch.no_grad()
    def logits(self, X) -> torch.Tensor:
        return self.forward(self.check_inputs(X))

    def predict(self, X) -> np.ndarray:
        """Predicted class labels [N]."""
        z = self.logits(X)
        pred = (z[:, 0] >= 0).long() if z.shape[1] == 1 else z.argmax(1)
        return pred.numpy()

    def bits(self) -> torch.Tensor:
        """All weights as bits in :class:`~qhyper.BinaryMLP` layout (binary networks); else empty."""
        if not self.is_binary:
            return torch.zeros(0, dtype=DTYPE)
        return torch.cat([u.bits() for u in [*self.units, self.readout]])

    @property
    def is_binary(self) -> bool:
        return all(isinstance(u, BinaryUnit) for u in [*self.units, self.readout])

    def to_binary_mlp(self) -> tuple[BinaryMLP, torch.Tensor]:
        """The equivalent :class:`~qhyper.BinaryMLP` (sign activations) and its bits."""
        if not self.is_binary or len({u.bias for u in [*self.units, self.readout]}) != 1:
            raise ValueError("only networks of BinaryUnits with a binary readout (all with or all "
                             "without bias) are BinaryMLPs; build one with network('binary', ...)")
        sizes = [self.in_features, *[u.out_features for u in self.units], self.readout.out_features]
        return BinaryMLP(sizes, activation="sign", bias=self.readout.bias), self.bits()

    def inject_faults(self, rate: float, kind: str = "stuck_at", seed=0) -> int:
        """Faults at ``rate`` in every unit (not the digital readout); returns the total count.

        ``seed``: an int ≥ 0, a numpy or torch ``Generator``, or ``None`` (fresh entropy)."""
        rng = numpy_generator(seed)
        return sum(u.inject_faults(rate, kind, seed=int(rng.integers(2**31))) for u in self.units)


def network(kind: str, sizes: Sequence[int], n_classes: int, seed=0, readout: str | None = None,
            **unit_options) -> PIBNetwork:
    """A stack of ``kind`` units with widths ``sizes`` and a readout to ``n_classes``.

    Args:
        kind: ``"binary"``, ``"crossbar"`` or ``"optical"``.
        sizes: ``[d_in, h_1, …, h_L]`` — L units.
        n_classes: number of labels (2 gives one output logit).
        seed: an int ≥ 0, a numpy or torch ``Generator``, or ``None`` (fresh entropy); every
            unit and the readout get their own seed from it.
        readout: ``"binary"`` (default for binary units) or ``"linear"`` (default otherwise).
        unit_options: passed to every unit (e.g. ``levels=8`` for crossbars).

    Example:
        >>> net = qh.pib.network("binary", [64, 64, 64, 64], n_classes=10)
        >>> net.predict(np.zeros((3, 64))).shape
        (3,)
    """
    if not isinstance(kind, str) or kind not in KINDS:
        error = ValueError if isinstance(kind, str) else InputTypeError
        raise error(f"unknown unit kind {kind!r}; choose from {list(KINDS)}")
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise InputTypeError(f"sizes must be a list of widths [d_in, h_1, …]; got {type(sizes).__name__} {sizes!r}")
    fix = f"sizes lists the widths [d_in, h_1, …]; got {list(sizes)}"
    sizes = [check_count(s, "every entry of sizes", fix=fix) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"sizes must be [d_in, h_1, ...] with at least one unit; got {sizes}")
    n_classes = check_count(n_classes, "n_classes", minimum=2)
    readout = check_choice(readout or ("binary" if kind == "binary" else "linear"), "readout", ("binary", "linear"))
    seeds = np.random.SeedSequence(seed_int(seed)).generate_state(len(sizes))
    units = [KINDS[kind](a, b, seed=int(s), **unit_options) for a, b, s in zip(sizes[:-1], sizes[1:], seeds)]
    d_out = 1 if n_classes == 2 else n_classes
    if readout == "binary":
        head = BinaryUnit(sizes[-1], d_out, activation="identity", seed=int(seeds[-1]))
        scale = 1.0 / math.sqrt(sizes[-1] + 1)
    elif readout == "linear":
        head = torch.nn.utils.skip_init(torch.nn.Linear, sizes[-1], d_out, dtype=DTYPE)
        g, bound = torch_generator(int(seeds[-1])), 1.0 / math.sqrt(sizes[-1])
        with torch.no_grad():  # torch's default init, from our seed rather than the global RNG
            head.weight.uniform_(-bound, bound, generator=g)
            head.bias.uniform_(-bound, bound, generator=g)
        scale = 1.0
    return PIBNetwork(units, head, n_classes, kind, scale)


# ---------------------------------------------------------------------- inputs of trainers and scores
_SPLITS = ("X_train", "y_train", "X_test", "y_test")


def check_network(net, name: str = "net") -> PIBNetwork:
    """``net`` if it is a :class:`~qhyper.pib.PIBNetwork`, else a TypeError saying how to build one."""
    return check_instance(net, name, PIBNetwork, fix="build one with qh.pib.network(kind, sizes, n_classes)")


def check_dataset(dataset, name: str = "dataset"):
    """``dataset`` if it has the four splits ``X_train, y_train, X_test, y_test`` (a qh.datasets Dataset)."""
    if not all(hasattr(dataset, a) for a in _SPLITS):
        raise InputTypeError(f"{name} must be a data set with X_train, y_train, X_test and y_test (e.g. "
                             f"qh.datasets.load('moons')); got {type(dataset).__name__} {dataset!r:.60}")
    return dataset


def split_tensors(net, dataset, split: str, minimum: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """One split (``"train"`` or ``"test"``) as float64 inputs [N, d] and long labels [N], checked
    against ``net``: real, finite, the network's width, labels in range, at least ``minimum`` points."""
    xs, ys = f"X_{split}", f"y_{split}"
    X = as_features(real_array(getattr(dataset, xs), xs), net.in_features, xs)
    if X.shape[0] < minimum:
        raise ValueError(f"{xs} has {X.shape[0]} point(s); at least {minimum} are needed "
                         f"(load more data, e.g. qh.datasets.load(name, n_{split}=...))")
    try:
        y = as_labels(getattr(dataset, ys), net.n_classes, X.shape[0])
    except ValueError as err:
        raise type(err)(f"{ys}: {err}") from None
    return X, y
