r"""Sparse linear inverse problems :math:`y = A x + e`, generated offline from a seed.

Two built-in problems:

* ``"deconv1d"`` — 1-D spike deconvolution. :math:`x \in \mathbb{R}^n` has ``k`` spikes
  with Gaussian amplitudes at random positions; :math:`A \in \mathbb{R}^{n\times n}` is the
  banded Toeplitz matrix of a length-``kernel`` Gaussian blur (``"same"`` convolution, zero
  boundary), normalised so that the blur kernel has unit :math:`\ell_2` norm.
* ``"block_cs"`` — block-diagonal compressed sensing. ``A = blockdiag(A_1, …, A_B)`` with
  independent Gaussian blocks :math:`A_b \in \mathbb{R}^{(m/B)\times(n/B)}`, entries
  :math:`\mathcal{N}(0, 1/(m/B))` — independent sensors each seeing one patch.

Noise is white Gaussian with one standard deviation for the whole problem, set from the
signal-to-noise ratio on the training signals:
:math:`\sigma^2 = \overline{\|A x\|^2} / (m\,10^{\mathrm{SNR}/10})`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .._checks import DTYPE, InputTypeError, check_choice, check_count, check_instance, check_real, numpy_generator, real_array

__all__ = ["InverseProblem", "load_problem", "names", "sparse_signals"]


@dataclass(frozen=True, eq=False)
class InverseProblem:
    """A linear inverse problem with train/test measurements and ground-truth signals.

    Attributes:
        name: problem name.
        operator: the forward operator :math:`A` [m, n].
        Y_train, Y_test: measurements [N, m] (the network inputs).
        X_train, X_test: signals [N, n] (the regression targets).
        noise_std: the measurement noise standard deviation :math:`\\sigma`.
        snr_db: the signal-to-noise ratio the noise was set from (NaN if unknown).
    """

    name: str
    operator: torch.Tensor
    Y_train: torch.Tensor
    X_train: torch.Tensor
    Y_test: torch.Tensor
    X_test: torch.Tensor
    noise_std: float
    snr_db: float = float("nan")

    def __post_init__(self):
        check_instance(self.name, "name", str)
        A = _as_operator(self.operator)
        object.__setattr__(self, "operator", A)
        m, n = A.shape
        for ys, xs in (("Y_train", "X_train"), ("Y_test", "X_test")):
            Y = _as_matrix(getattr(self, ys), ys, m, "rows of the operator (measurements)")
            X = _as_matrix(getattr(self, xs), xs, n, "columns of the operator (signal length)")
            if Y.shape[0] != X.shape[0]:
                raise ValueError(f"{ys} has {Y.shape[0]} rows but {xs} has {X.shape[0]}; "
                                 "pass one signal per measurement vector")
            object.__setattr__(self, ys, Y)
            object.__setattr__(self, xs, X)
        object.__setattr__(self, "noise_std", check_real(self.noise_std, "noise_std", 0, low_open=True,
                                                         fix="the measurement noise standard deviation"))
        snr = self.snr_db
        if not (isinstance(snr, float) and snr != snr):  # NaN: unknown
            snr = check_real(snr, "snr_db", fix="the signal-to-noise ratio in dB, or NaN if unknown")
        object.__setattr__(self, "snr_db", snr)

    @property
    def m(self) -> int:
        """Number of measurements (rows of A)."""
        return self.operator.shape[0]

    @property
    def n(self) -> int:
        """Signal length (columns of A)."""
        return self.operator.shape[1]

    def split(self, split: str) -> tuple[torch.Tensor, torch.Tensor]:
        """``(Y, X)`` of ``"train"`` or ``"test"``."""
        if check_choice(split, "split", ("train", "test")) == "train":
            return self.Y_train, self.X_train
        return self.Y_test, self.X_test

    def subset(self, n_train: int) -> "InverseProblem":
        """The same problem with only the first ``n_train`` training pairs."""
        n_train = check_count(n_train, "n_train", maximum=self.Y_train.shape[0])
        return InverseProblem(self.name, self.operator, self.Y_train[:n_train], self.X_train[:n_train],
                              self.Y_test, self.X_test, self.noise_std, self.snr_db)

    def __repr__(self) -> str:
        return (f"InverseProblem({self.name!r}: A {self.m}×{self.n}, {self.Y_train.shape[0]} train / "
                f"{self.Y_test.shape[0]} test, SNR {self.snr_db:.3g} dB)")


def _numeric(Z, name: str) -> torch.Tensor:
    """``Z`` as a float64 tensor: a real array of numbers (not strings, objects or complex)."""
    return torch.as_tensor(real_array(Z, name, fix="write a complex problem as a real one of twice the size, "
                                      "real and imaginary parts stacked")).to(DTYPE)


def _as_operator(A) -> torch.Tensor:
    A = _numeric(A, "the operator A")
    if A.ndim != 2:
        raise ValueError(f"the operator A must be a 2-D matrix [m, n]; got shape {tuple(A.shape)}. "
                         "Reshape a convolution kernel or tensor operator into its matrix first")
    if A.numel() == 0:
        raise ValueError("the operator A is empty; it needs at least one row and one column")
    if not torch.isfinite(A).all():
        raise ValueError("the operator A contains NaN or inf; it must be a finite matrix")
    return A


def _as_matrix(Z, name: str, width: int, what: str) -> torch.Tensor:
    Z = _numeric(Z, name)
    if Z.ndim != 2 or Z.shape[1] != width:
        raise ValueError(f"{name} must have shape [N, {width}] ({width} = {what}); got {tuple(Z.shape)}")
    if Z.shape[0] == 0:
        raise ValueError(f"{name} is empty; each split needs at least one measurement/signal pair")
    if not torch.isfinite(Z).all():
        raise ValueError(f"{name} contains NaN or inf; clean the data first")
    return Z


def sparse_signals(rng: np.random.Generator, count: int, n: int, k: int) -> np.ndarray:
    """``count`` signals of length ``n`` with exactly ``k`` non-zeros ~ N(0, 1) at random positions."""
    X = np.zeros((count, n))
    pos = np.argsort(rng.random((count, n)), axis=1)[:, :k]
    np.put_along_axis(X, pos, rng.standard_normal((count, k)), axis=1)
    return X


def _measure(rng, A: np.ndarray, X_train, X_test, snr_db: float):
    clean_train, clean_test = X_train @ A.T, X_test @ A.T
    sigma = float(np.sqrt(np.mean(np.sum(clean_train**2, 1)) / (A.shape[0] * 10 ** (snr_db / 10))))
    return (clean_train + sigma * rng.standard_normal(clean_train.shape),
            clean_test + sigma * rng.standard_normal(clean_test.shape), sigma)


def _deconv1d(rng, n=64, kernel=5, width=1.0, k=4):
    n = check_count(n, "n")
    kernel = check_count(kernel, "kernel", maximum=n, fix=f"the blur kernel's length, at most the signal length n={n}")
    width = check_real(width, "width", 0, low_open=True, fix="the blur kernel's standard deviation")
    t = np.arange(kernel) - (kernel - 1) / 2
    h = np.exp(-(t**2) / (2 * width**2))
    h /= np.linalg.norm(h)
    A = np.zeros((n, n))
    c = (kernel - 1) // 2
    for i in range(n):
        for j, hj in enumerate(h):
            col = i + j - c
            if 0 <= col < n:
                A[i, col] = hj
    return A, k


def _block_cs(rng, n=64, m=32, blocks=8, k=4):
    n, m, blocks = check_count(n, "n"), check_count(m, "m"), check_count(blocks, "blocks")
    if n % blocks or m % blocks:
        raise ValueError(f"n={n} and m={m} must both be divisible by blocks={blocks}")
    mb, nb = m // blocks, n // blocks
    A = np.zeros((m, n))
    for b in range(blocks):
        A[b * mb : (b + 1) * mb, b * nb : (b + 1) * nb] = rng.standard_normal((mb, nb)) / np.sqrt(mb)
    return A, k


_TASKS = {"deconv1d": _deconv1d, "block_cs": _block_cs}


def names() -> list[str]:
    """Names accepted by :func:`load_problem`."""
    return sorted(_TASKS)


def load_problem(name: str, seed=0, n_train: int = 2000, n_test: int = 1000,
              snr_db: float = 30.0, **size) -> InverseProblem:
    """Generate a built-in inverse problem.

    Args:
        name: ``"deconv1d"`` or ``"block_cs"``.
        seed: an int ≥ 0, a ``numpy.random.Generator`` (drawn from) or ``None`` (fresh
            entropy): seeds the operator (``block_cs``), the signals and the noise.
        n_train, n_test: number of signal/measurement pairs per split.
        snr_db: measurement signal-to-noise ratio in dB.
        **size: problem sizes. ``deconv1d``: ``n=64, kernel=5, width=1.0, k=4``.
            ``block_cs``: ``n=64, m=32, blocks=8, k=4``.

    Example:
        >>> problem = qh.pibinn.load_problem("block_cs", seed=0)
        >>> problem.operator.shape
        torch.Size([32, 64])
    """
    if not isinstance(name, str) or name not in _TASKS:
        raise (ValueError if isinstance(name, str) else InputTypeError)(
            f"unknown problem {name!r}; choose from {names()}")
    n_train, n_test = check_count(n_train, "n_train"), check_count(n_test, "n_test")
    snr_db = check_real(snr_db, "snr_db")
    rng = numpy_generator(seed)
    try:
        A, k = _TASKS[name](rng, **size)
    except InputTypeError:
        raise
    except TypeError as err:  # an unknown size option
        raise ValueError(f"bad size option for {name!r}: {err}") from None
    n = A.shape[1]
    k = check_count(k, "k", maximum=n, fix=f"the sparsity: non-zeros per signal of length n={n}")
    X_train, X_test = sparse_signals(rng, n_train, n, k), sparse_signals(rng, n_test, n, k)
    Y_train, Y_test, sigma = _measure(rng, A, X_train, X_test, snr_db)
    t = lambda z: torch.from_numpy(z).to(DTYPE)  # noqa: E731
    return InverseProblem(name, t(A), t(Y_train), t(X_train), t(Y_test), t(X_test), sigma, float(snr_db))
