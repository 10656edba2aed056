"""Built-in data sets: all offline, deterministic given a seed, with train/test splits.

``qh.datasets.names()`` lists them; ``qh.datasets.load(name, seed=0, **options)`` returns a
:class:`Dataset`. Digit pairs are written ``digits{a}{b}_4x4`` or ``digits{a}{b}_8x8``
(label 1 ↔ digit *b*), from scikit-learn's bundled 8×8 digits.

Every ``seed`` is an int ≥ 0 (the same data every call), a ``numpy.random.Generator``
(drawn from, so successive calls differ) or ``None`` (fresh entropy); no global random
state is read or changed.
"""
from __future__ import annotations

import functools
import inspect
import itertools
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._checks import InputTypeError, check_count, check_real, numpy_generator, real_array, seed_int

__all__ = ["Dataset", "load", "names", "bars_and_stripes_patterns", "real_array"]


@dataclass
class Dataset:
    """A classification task: float64 inputs, integer labels 0 … n_classes−1.

    Checked when built: real 2-D inputs of one width, one label ≥ 0 per row, both splits
    non-empty and at least two classes in the training split (NaN inputs are left to the
    trainers, which refuse them)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    name: str
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise InputTypeError(f"name must be a string; got {type(self.name).__name__} {self.name!r}")
        width = None
        for split in ("train", "test"):
            xs, ys = f"X_{split}", f"y_{split}"
            X, y = real_array(getattr(self, xs), xs), real_array(getattr(self, ys), ys)
            if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
                raise ValueError(f"{xs} must be a non-empty 2-D array [N, d] (one row per point); "
                                 f"got shape {tuple(X.shape)}")
            if width is not None and X.shape[1] != width:
                raise ValueError(f"X_test has {X.shape[1]} features but X_train has {width}; both "
                                 "splits need the same columns")
            width = X.shape[1]
            if y.ndim != 1 or y.shape[0] != X.shape[0]:
                raise ValueError(f"{ys} must be a 1-D array of {X.shape[0]} labels (one per row of {xs}); "
                                 f"got shape {tuple(y.shape)}")
            labels = np.asarray(y)
            if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
                raise ValueError(f"{ys} must hold integer class labels 0 … n_classes−1 (NaN or fractions found)")
            if labels.min() < 0:
                raise ValueError(f"{ys} must hold class labels 0 … n_classes−1; found {labels.min()}")
            setattr(self, xs, X)
            setattr(self, ys, y)
        if len(np.unique(np.asarray(self.y_train))) < 2:
            raise ValueError(f"y_train holds only class {np.asarray(self.y_train)[0]} "
                             f"({len(self.y_train)} point(s)); a classifier needs at least two classes "
                             "to learn from (with generated data, raise n_train or change the seed)")

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1

    def subsample(self, n_train: int, seed=0) -> "Dataset":
        """The same task with only ``n_train`` training points (stratified, seeded)."""
        n_train = _two(check_count(n_train, "n_train", maximum=len(self.y_train)))
        from sklearn.model_selection import train_test_split

        if n_train == len(self.y_train):
            return self
        idx, _ = train_test_split(np.arange(len(self.y_train)), train_size=n_train,
                                  random_state=_sklearn_seed(seed), stratify=_stratify(self.y_train, n_train))
        return Dataset(self.X_train[idx], self.y_train[idx], self.X_test, self.y_test,
                       f"{self.name}[n={n_train}]", self.description)

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}: {len(self.y_train)} train / {len(self.y_test)} test, "
                f"{self.n_features} features, {self.n_classes} classes)")


def _two(n_train: int) -> int:
    """A training split of one point holds one class only: refuse it (after ``check_count``)."""
    if n_train < 2:
        raise ValueError(f"n_train must be ≥ 2; got {n_train}: one training point holds one class only, "
                         "and a classifier needs both")
    return n_train


def _stratify(y, n):
    counts = np.bincount(y)
    return y if n >= len(counts) and counts.min() >= 2 else None


def _sklearn_seed(seed) -> int:
    """An int ≥ 0 as it is, else a 32-bit draw (scikit-learn's ``random_state`` takes no
    numpy ``Generator``, and ``None`` would read numpy's global state)."""
    return seed_int(seed, bound=2**32)


def _split(X, y, test_fraction, seed, name, description) -> Dataset:
    from sklearn.model_selection import train_test_split

    test_fraction = check_real(test_fraction, "test_fraction", 0, 1, low_open=True, high_open=True)
    n_test = int(np.ceil(test_fraction * len(y)))  # scikit-learn's rounding
    if n_test < 1 or len(y) - n_test < 2:
        raise ValueError(f"test_fraction={test_fraction:g} of {len(y)} points leaves {len(y) - n_test} for training "
                         f"and {n_test} for testing; each split needs points (training at least 2): "
                         "use e.g. test_fraction=0.3")
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=test_fraction, random_state=_sklearn_seed(seed),
                                          stratify=_stratify(y, 2))
    return Dataset(np.ascontiguousarray(Xtr, dtype=np.float64), ytr.astype(np.int64),
                   np.ascontiguousarray(Xte, dtype=np.float64), yte.astype(np.int64), name, description)


def gaussian_mixture(n_train: int = 10_000, n_test: int = 2_000, seed=0) -> Dataset:
    """The 2-D task of the original Quantum HyperNetworks paper.

    Class 0 ~ N([−1, −2], 0.1·I); class 1 an equal mixture of N([−2, 1]), N([1, 1]),
    N([2, −2]), each 0.1·I; classes equally likely.
    """
    rng = numpy_generator(seed)
    n = _two(check_count(n_train, "n_train")) + check_count(n_test, "n_test")
    y = rng.integers(0, 2, n)
    centres1 = np.array([[-2.0, 1.0], [1.0, 1.0], [2.0, -2.0]])
    mu = np.where(y[:, None] == 0, np.array([-1.0, -2.0]), centres1[rng.integers(0, 3, n)])
    X = mu + np.sqrt(0.1) * rng.standard_normal((n, 2))
    return Dataset(X[:n_train], y[:n_train], X[n_train:], y[n_train:], "gaussian_mixture",
                   gaussian_mixture.__doc__.splitlines()[0])


def digits_pair(a: int, b: int, size: int = 4, test_fraction: float = 0.3, seed=0) -> Dataset:
    """Digits *a* (label 0) vs *b* (label 1) of scikit-learn's 8×8 digits, pixels in [0, 1];
    ``size=4`` average-pools 2×2 blocks to 4×4 (16 features)."""
    from sklearn.datasets import load_digits

    fix = f"a digit pair needs two different digits 0–9; got {a!r}, {b!r}"
    a, b = check_count(a, "a", minimum=0, maximum=9, fix=fix), check_count(b, "b", minimum=0, maximum=9, fix=fix)
    if a == b:
        raise ValueError(fix)
    if check_count(size, "size") not in (4, 8):
        raise ValueError(f"digit images come in 8×8 or pooled 4×4: size must be 4 or 8; got size={size}")
    d = load_digits()
    keep = (d.target == a) | (d.target == b)
    img = d.images[keep] / 16.0
    if size == 4:
        img = img.reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4))
    X = img.reshape(len(img), -1)
    y = (d.target[keep] == b).astype(np.int64)
    return _split(X, y, test_fraction, seed, f"digits{a}{b}_{size}x{size}",
                  f"digit {a} (label 0) vs {b} (label 1), {size}x{size} pixels in [0, 1]")


def bars_and_stripes_patterns(rows: int = 3, cols: int = 3) -> np.ndarray:
    """Every valid bars-and-stripes image as a 0/1 array [P, rows·cols] (row-major pixels);
    3×3 gives 14 patterns (the all-0 and all-1 images are both bars and stripes)."""
    rows, cols = check_count(rows, "rows"), check_count(cols, "cols")
    if (2**rows + 2**cols) * rows * cols > 2**22:
        raise ValueError(f"rows={rows}, cols={cols} has {2**rows + 2**cols} candidate patterns of {rows * cols} "
                         "pixels, too many to list; keep 2^rows + 2^cols small (e.g. rows, cols ≤ 12), or draw "
                         "images with qh.datasets.load('bars_and_stripes', rows=..., cols=...)")
    stripes = [np.repeat(np.array(r)[:, None], cols, 1) for r in itertools.product((0, 1), repeat=rows)]
    bars = [np.repeat(np.array(c)[None, :], rows, 0) for c in itertools.product((0, 1), repeat=cols)]
    flat = {tuple(p.ravel()) for p in stripes + bars}
    return np.array(sorted(flat), dtype=np.int64)


def bars_and_stripes(rows: int = 3, cols: int = 3, n_train: int = 200, n_test: int = 200,
                     flip: float = 0.1, seed=0) -> Dataset:
    """Classify noisy images as stripes (rows constant, label 0) or bars (columns constant,
    label 1); each pixel of a clean pattern flips with probability ``flip``; pixels are ±1."""
    fix = "a 1-pixel-wide image has no non-constant stripes or bars, so both sides need ≥ 2 pixels"
    rows, cols = check_count(rows, "rows", minimum=2, fix=fix), check_count(cols, "cols", minimum=2, fix=fix)
    flip = check_real(flip, "flip", 0, 0.5, high_open=True, fix="the probability that a pixel flips")
    rng = numpy_generator(seed)
    n = _two(check_count(n_train, "n_train")) + check_count(n_test, "n_test")
    y = rng.integers(0, 2, n)
    img = np.empty((n, rows, cols))
    for i, label in enumerate(y):
        while True:
            if label == 0:
                p = np.repeat(rng.integers(0, 2, rows)[:, None], cols, 1)
            else:
                p = np.repeat(rng.integers(0, 2, cols)[None, :], rows, 0)
            if 0 < p.sum() < rows * cols:  # constant images are both: leave them out
                break
        img[i] = p
    X = img.reshape(n, -1)
    X = np.where(rng.random(X.shape) < flip, 1 - X, X) * 2.0 - 1.0
    return Dataset(X[:n_train], y[:n_train], X[n_train:], y[n_train:], f"bars_and_stripes_{rows}x{cols}",
                   "stripes (label 0) vs bars (label 1), noisy ±1 pixels")


def moons(n_train: int = 200, n_test: int = 200, noise: float = 0.15, seed=0) -> Dataset:
    """scikit-learn's two interleaved half-moons, standardised."""
    from sklearn.datasets import make_moons

    n = _two(check_count(n_train, "n_train")) + check_count(n_test, "n_test")
    noise = check_real(noise, "noise", 0, fix="the standard deviation of the Gaussian noise")
    X, y = make_moons(n, noise=noise, random_state=_sklearn_seed(seed))
    X = (X - X.mean(0)) / X.std(0)
    return Dataset(X[:n_train], y[:n_train], X[n_train:], y[n_train:], "moons", moons.__doc__)


def xor(n_train: int = 200, n_test: int = 200, noise: float = 0.3, seed=0) -> Dataset:
    """Four Gaussian blobs at (±1, ±1); the label is 1 where the coordinates' signs differ."""
    rng = numpy_generator(seed)
    n = _two(check_count(n_train, "n_train")) + check_count(n_test, "n_test")
    noise = check_real(noise, "noise", 0, fix="the standard deviation of the blobs")
    centres = rng.choice([-1.0, 1.0], size=(n, 2))
    X = centres + noise * rng.standard_normal((n, 2))
    y = (centres[:, 0] != centres[:, 1]).astype(np.int64)
    return Dataset(X[:n_train], y[:n_train], X[n_train:], y[n_train:], "xor", xor.__doc__)


def digits10(test_fraction: float = 0.3, seed=0) -> Dataset:
    """All ten classes of scikit-learn's 8×8 digits (1,797 images), pixels/16 in [0, 1], 64 features."""
    from sklearn.datasets import load_digits

    d = load_digits()
    X = d.images.reshape(len(d.images), -1) / 16.0
    return _split(X, d.target, test_fraction, seed, "digits10_8x8",
                  "ten digits 0-9 (label = digit), 8x8 pixels in [0, 1]")


_REGISTRY: dict[str, Callable[..., Dataset]] = {
    "gaussian_mixture": gaussian_mixture,
    "digits01_4x4": functools.partial(digits_pair, 0, 1, 4),
    "digits37_4x4": functools.partial(digits_pair, 3, 7, 4),
    "digits01_8x8": functools.partial(digits_pair, 0, 1, 8),
    "bars_and_stripes": bars_and_stripes,
    "moons": moons,
    "xor": xor,
    "digits10_8x8": digits10,
}
_DIGITS = re.compile(r"digits(\d)(\d)_(4|8)x\3$")


def names() -> list[str]:
    """Names accepted by :func:`load` (any ``digits{a}{b}_{4|8}x{4|8}`` pair works too)."""
    return list(_REGISTRY)


def register(name: str, factory: Callable[..., Dataset]) -> None:
    """Add a data set factory under ``name``."""
    if not isinstance(name, str) or not name:
        raise InputTypeError(f"name must be a non-empty string; got {type(name).__name__} {name!r}")
    if not callable(factory):
        raise InputTypeError(f"factory must be callable as factory(seed=..., **options) -> Dataset; "
                             f"got {type(factory).__name__} {factory!r:.40}")
    _REGISTRY[name] = factory


def load(name: str, seed=0, **options) -> Dataset:
    """The data set ``name`` (see :func:`names`), generated or split with ``seed`` (an int
    ≥ 0, a ``numpy.random.Generator`` or ``None``); ``options`` are the factory's own
    (e.g. ``n_train``, ``n_test``, ``noise``; an unknown one is refused, listing them)."""
    if not isinstance(name, str):
        raise InputTypeError(f"name must be a data set name (a string, one of {names()}); "
                             f"got {type(name).__name__} {name!r}")
    factory = _REGISTRY.get(name)
    m = _DIGITS.match(name)
    if factory is None and m:
        factory = functools.partial(digits_pair, int(m[1]), int(m[2]), int(m[3]))
    if factory is not None:
        _check_options(name, factory, seed, options)
        return factory(seed=seed, **options)
    raise ValueError(f"unknown dataset {name!r}; available: {', '.join(names())} "
                     "(or any digits{a}{b}_4x4 / digits{a}{b}_8x8 pair)")


def _check_options(name: str, factory, seed, options) -> None:
    """Refuse an option the factory does not take, listing the ones it does."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # a builtin without a signature: its call decides
        return
    try:
        signature.bind(seed=seed, **options)
    except TypeError:
        valid = [p for p in signature.parameters if p != "seed"]
        unknown = sorted(set(options) - set(valid))
        raise InputTypeError(f"data set {name!r} takes no option {', '.join(map(repr, unknown)) or '(positional)'}; "
                        f"its options are {valid} (and seed)") from None
