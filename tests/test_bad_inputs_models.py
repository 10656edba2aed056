"""Bad inputs to the models and data sets: refused at once, with the parameter named (issue 16).
On the old code each case below was accepted silently (``"16"`` became [1, 6], ``bias="no"``
counted as True) or never returned (bars and stripes one pixel wide)."""
import time

import pytest

import qhyper as qh


@pytest.mark.parametrize("build, error, name", [
    (lambda: qh.BinaryMLP("16"), TypeError, "layer_sizes"),
    (lambda: qh.BinaryMLP(16), TypeError, "layer_sizes"),
    (lambda: qh.BinaryMLP([2, 1], bias="no"), TypeError, "bias"),
    (lambda: qh.BinaryMLP([2, 1], bias=1), TypeError, "bias"),
    (lambda: qh.datasets.load("bars_and_stripes", rows=1), ValueError, "rows"),
    (lambda: qh.datasets.load("bars_and_stripes", rows=0), ValueError, "rows"),
    (lambda: qh.datasets.load("bars_and_stripes", cols=1), ValueError, "cols"),
])
def test_refused_at_once_naming_the_parameter(build, error, name):
    start = time.perf_counter()
    with pytest.raises(error, match=name):
        build()
    assert time.perf_counter() - start < 1.0  # before any work


def test_the_good_spellings_still_build():
    assert qh.BinaryMLP((2, 1), bias=False).bias is False
    assert qh.datasets.load("bars_and_stripes", rows=2, cols=2, n_train=4, n_test=4).X_train.shape == (4, 4)
