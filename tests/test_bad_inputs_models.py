"""Bad inputs to the models and data sets: refused at once, with the parameter named.
On the old code each case below was accepted silently (``"16"`` became [1, 6], ``bias="no"``
counted as True, a one-point or one-class training split, complex inputs with only a
warning, a set of layer widths in hash order), failed with a raw message (numpy's
"zero-size array", torch's "can't convert np.ndarray", "'int' object is not iterable",
scikit-learn's test_size) or never returned (bars and stripes one pixel wide)."""

import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.data import Dataset, bars_and_stripes_patterns, digits_pair
from bad_inputs import refused

X, Y = np.random.default_rng(0).standard_normal((10, 2)), np.arange(10) % 2
ONE = torch.ones(1, 3, dtype=torch.float64)


def _dataset(**change):
    parts = dict(X_train=X, y_train=Y, X_test=X, y_test=Y, name="d") | change
    return Dataset(**parts)


@pytest.mark.parametrize("build, error, name", [
    (lambda: qh.BinaryMLP("16"), TypeError, "layer_sizes"),
    (lambda: qh.BinaryMLP(16), TypeError, "layer_sizes"),
    (lambda: qh.BinaryMLP([2, 1], bias="no"), TypeError, "bias"),
    (lambda: qh.BinaryMLP([2, 1], bias=1), TypeError, "bias"),
    (lambda: qh.datasets.load("bars_and_stripes", rows=1), ValueError, "rows"),
    (lambda: qh.datasets.load("bars_and_stripes", rows=0), ValueError, "rows"),
    (lambda: qh.datasets.load("bars_and_stripes", cols=1), ValueError, "cols"),
    # datasets: one training point is one class; names and options
    (lambda: qh.datasets.load("gaussian_mixture", n_train=1, n_test=10**7), ValueError, "n_train must be ≥ 2"),
    (lambda: qh.datasets.load("xor", n_train=1), ValueError, "n_train must be ≥ 2"),
    (lambda: qh.datasets.load("moons", n_train=1), ValueError, "n_train must be ≥ 2"),
    (lambda: qh.datasets.load("bars_and_stripes", n_train=1), ValueError, "n_train must be ≥ 2"),
    (lambda: qh.datasets.load("moons", n_train=20).subsample(1), ValueError, "n_train must be ≥ 2"),
    (lambda: qh.datasets.load(5), TypeError, "name must be a data set name"),
    (lambda: qh.datasets.load(None), TypeError, "name must be a data set name"),
    (lambda: qh.datasets.load("digits01_4x4", n_train=5), TypeError, "'n_train'; its options are"),
    (lambda: qh.datasets.load("moons", bogus=1), TypeError, "'bogus'; its options are"),
    (lambda: qh.datasets.load("digits10_8x8", test_fraction=0.9999), ValueError, "test_fraction=0.9999"),
    (lambda: digits_pair(0, 1, size=4.0), TypeError, "size must be an integer"),
    (lambda: bars_and_stripes_patterns(17, 2), ValueError, "rows=17, cols=2"),
    (lambda: qh.datasets.register(5, qh.datasets.load), TypeError, "name must be"),
    (lambda: qh.datasets.register("mine", 5), TypeError, "factory must be callable"),
    # Dataset
    (lambda: _dataset(y_train=np.zeros(10, int)), ValueError, "y_train holds only class 0"),
    (lambda: _dataset(X_train=X[:0], y_train=Y[:0]), ValueError, "X_train must be a non-empty"),
    (lambda: _dataset(X_train=X + 1j), TypeError, "X_train is complex"),
    (lambda: _dataset(y_train=Y[:5]), ValueError, "y_train must be a 1-D array of 10"),
    (lambda: _dataset(X_test=X[:, :1]), ValueError, "X_test has 1 features"),
    (lambda: _dataset(y_test=Y + 0.5), ValueError, "y_test must hold integer"),
    (lambda: _dataset(y_train=Y - 1), ValueError, "y_train must hold class labels"),
    (lambda: _dataset(name=5), TypeError, "name must be a string"),
    # BinaryMLP: layer_sizes an ordered sequence, activations named once each
    (lambda: qh.BinaryMLP({2, 16}), TypeError, "layer_sizes"),
    (lambda: qh.BinaryMLP({2: 1, 1: 1}), TypeError, "layer_sizes"),
    (lambda: qh.BinaryMLP(s for s in (2, 1)), TypeError, "layer_sizes"),
    (lambda: qh.BinaryMLP([2.7, 1]), TypeError, "layer_sizes"),
    (lambda: qh.BinaryMLP([2, 2, 1], activation=5), TypeError, "activation must be a name"),
    (lambda: qh.BinaryMLP([2, 2, 1], activation=None), TypeError, "activation must be a name"),
    (lambda: qh.BinaryMLP([2, 2, 1], activation=b"relu"), TypeError, "activation must be a name"),
    (lambda: qh.BinaryMLP([2, 2, 1], activation=[5, 6]), TypeError, "activation must be a name"),
    (lambda: qh.BinaryMLP([2, 2, 1], activation=["relu", "relu"]), ValueError, "activation lists a name twice"),
    # BinaryMLP methods: real inputs, real bits, a valid activation index
    (lambda: qh.BinaryMLP([2, 1]).forward(ONE, np.ones((2, 2)) + 1j), TypeError, "X is complex"),
    (lambda: qh.BinaryMLP([2, 1]).forward(ONE, [["a", "b"]]), TypeError, "X must be an array"),
    (lambda: qh.BinaryMLP([2, 1]).forward(ONE + 0j, np.ones((2, 2))), TypeError, "bits is complex"),
    (lambda: qh.BinaryMLP([2, 1]).decode("101"), TypeError, "bits must be an array"),
    (lambda: qh.BinaryMLP([2, 1]).weights([["1", "0", "1"]]), TypeError, "bits must be an array"),
    (lambda: qh.BinaryMLP([2, 2, 1], ["relu", "sign"]).logit_groups(X, choice=3), ValueError, "choice"),
    (lambda: qh.BinaryMLP([2, 2, 1], ["relu", "sign"]).logit_groups(X, choice=-1), ValueError, "choice"),
    (lambda: qh.BinaryMLP([2, 2, 1], ["relu", "sign"]).logit_groups(X, choice=1.0), TypeError, "choice"),
])
def test_refused_at_once_naming_the_parameter(build, error, name):
    refused(build, error, name)


def test_the_good_spellings_still_build():
    assert qh.BinaryMLP((2, 1), bias=False).bias is False
    assert qh.datasets.load("bars_and_stripes", rows=2, cols=2, n_train=4, n_test=4).X_train.shape == (4, 4)
    assert qh.BinaryMLP(np.array([2, 1])).num_bits == 3
    assert qh.BinaryMLP(range(2, 0, -1)).layer_sizes == [2, 1]
    assert qh.BinaryMLP([2, 2, 1], activation=("relu", "sign")).num_choice_bits == 1
    assert qh.datasets.load("digits37_4x4", test_fraction=0.5, seed=1).n_features == 16
    assert qh.datasets.load("moons", n_train=20).subsample(2, seed=0).y_train.tolist() in ([0, 1], [1, 0])
    d = _dataset(X_train=X.tolist(), y_train=Y.astype(float))  # lists and whole-number floats are fine
    assert d.n_features == 2 and d.n_classes == 2
    assert _dataset(X_train=np.where(X > 1, np.nan, X)).n_features == 2  # NaN is left to the trainers
    assert qh.BinaryMLP([2, 1]).forward(ONE, np.ones((2, 2), bool)).shape == (1, 2, 1)
