r"""The Born-machine distribution of a hypernetwork, in the style of ``torch.distributions``.

:math:`q_\theta(b) = |\langle b|U(\theta)|0\dots0\rangle|^2` over bitstrings
:math:`b\in\{0,1\}^n`, indexed big-endian (bit 0 most significant, see
:mod:`qhyper.bitstrings`).

In **exact mode** :meth:`BornDistribution.probs` is the whole vector, differentiable w.r.t.
the hypernetwork's θ; :meth:`~BornDistribution.log_prob` and
:meth:`~BornDistribution.entropy` follow from it. In **shot mode** only samples exist —
as on hardware — and those three methods raise :class:`ShotModeError`.
"""
from __future__ import annotations

import torch

import numpy as np

from .._checks import InputTypeError, as_bits, check_seed, check_table_fits, seed_int
from ..bitstrings import all_bits, bits_to_index, shannon_entropy

__all__ = ["BornDistribution", "ShotModeError", "sampler_seed", "check_bits"]

_SAMPLER_SEEDS = 2**31 - 1  # sampler seeds drawn from a generator lie in [0, 2^31 − 1)


class ShotModeError(RuntimeError):
    """Raised when a shot-mode hypernetwork is asked for probabilities."""


class BornDistribution:
    """Distribution of the bitstrings measured from ``hypernet`` at parameters ``theta`` [P].

    The probability vector is computed on first use and kept, like a ``torch.distributions``
    object: after an optimiser step changes θ, ask the hypernetwork for a new distribution.
    """

    def __init__(self, hypernet, theta: torch.Tensor):
        self.hypernet = hypernet
        self.theta = theta
        self._probs: torch.Tensor | None = None

    @property
    def num_bits(self) -> int:
        """Number of bits n of each sample (= qubits)."""
        return self.hypernet.num_qubits

    def _require_exact(self, what: str) -> None:
        if self.hypernet.shots is not None:
            raise ShotModeError(
                f"{what} is not available in shot mode (shots={self.hypernet.shots}): shot mode models "
                "hardware, where only measured samples exist. Use sample(k) / hypernet.sample_at(...), "
                "or build the Hypernetwork with shots=None for exact probabilities on a simulator."
            )

    def probs(self) -> torch.Tensor:
        r"""Probability vector :math:`q_\theta` [2^n], differentiable w.r.t. θ (exact mode)."""
        self._require_exact("probs()")
        if self._probs is None:
            self._probs = self.hypernet.probs_at(self.theta[None])[0]
        return self._probs

    def log_prob(self, bits) -> torch.Tensor:
        r""":math:`\log q_\theta(b)` [S] for bits [S, n] (a single [n] row is promoted); −inf where q = 0."""
        self._require_exact("log_prob()")
        b = check_bits(bits, self.num_bits)
        return torch.log(self.probs()[bits_to_index(b)])

    def entropy(self) -> torch.Tensor:
        r"""Shannon entropy in nats, :math:`H(q) = -\sum_b q(b)\log q(b)` (with 0 log 0 = 0)."""
        self._require_exact("entropy()")
        return shannon_entropy(self.probs())

    def sample(self, k: int, generator=None) -> torch.Tensor:
        """``k`` bitstrings, float64 [k, n]. ``generator``: int seed, numpy or torch Generator,
        or None (the hypernetwork's master generator draws a fresh seed)."""
        seed = None if generator is None else sampler_seed(generator, "generator")
        return self.hypernet.sample_at(self.theta.detach()[None], k, seed=seed)[0]

    def enumerate_support(self) -> torch.Tensor:
        """All 2^n bitstrings in index order, float64 [2^n, n]."""
        check_table_fits(self.num_bits, bytes_per_entry=8 * self.num_bits, what="enumerate_support()")
        return all_bits(self.num_bits)

    def __repr__(self) -> str:
        mode = "exact" if self.hypernet.shots is None else f"shots={self.hypernet.shots}"
        return f"BornDistribution(num_bits={self.num_bits}, {mode})"


def check_bits(bits, n: int, name: str = "bits") -> torch.Tensor:
    """Bitstrings [S, n] as :func:`~qhyper._checks.as_bits` returns them, refusing strings,
    objects and complex numbers first with a message naming ``name``."""
    if isinstance(bits, torch.Tensor):
        kind = "c" if bits.is_complex() else "f"
    else:
        try:
            kind = np.asarray(bits).dtype.kind
        except (ValueError, TypeError):
            kind = "O"
    if kind not in "biuf":
        raise InputTypeError(f"{name} must be an array of 0/1 bits of shape [S, {n}] (one row per network); got "
                             f"{type(bits).__name__} {bits!r:.60}")
    return as_bits(bits, n)


def sampler_seed(seed, name: str = "seed") -> int:
    """A sampler seed from an int ≥ 0 (as it is) or a numpy or torch Generator (one draw
    below 2^31 − 1, which every simulator accepts)."""
    seed = check_seed(seed, name, allow_torch=True)
    if isinstance(seed, torch.Generator):
        return int(torch.randint(0, _SAMPLER_SEEDS, (1,), generator=seed))
    return seed_int(seed, bound=_SAMPLER_SEEDS)
