"""Bad inputs to the classical trainers (STE, LocalIB / HSICBottleneck) and to the optimizer
options: refused at once, before any work, with the parameter named.

On the old code each case below was accepted silently (``progress="no"``, ``width="foo"``,
``ray_address=3``, an abstract optimizer class), failed with a raw AttributeError
(``fit("net", data)``), or failed only after a whole training run (a bad test split)."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.trainers import QHN, STE, HSICBottleneck, LocalIB
from qhyper.trainers.optimizers import check_optimizer
from bad_inputs import refused, two_feature_task


@pytest.fixture(scope="module")
def large():
    return two_feature_task()


def _bad_test_split(large, **change):
    parts = {k: change.get(k, getattr(large, k)) for k in ("X_train", "y_train", "X_test", "y_test")}
    return SimpleNamespace(**parts)  # a data set by duck type: qh.datasets.Dataset may refuse these itself


def _net():
    return qh.pib.network("binary", [2, 16, 16], 2, seed=0)


# ---------------------------------------------------------------------- constructors
@pytest.mark.parametrize("make, error, name", [
    # progress was taken for truthy: "no" showed a bar
    (lambda: STE(progress="no"), TypeError, "progress"),
    (lambda: STE(progress=None), TypeError, "progress"),
    (lambda: LocalIB(progress="no"), TypeError, "progress"),
    # width rules were checked only inside the first Gram matrix of fit
    (lambda: LocalIB(width="foo"), ValueError, "width rule"),
    (lambda: LocalIB(width="0.5*mean"), ValueError, "width rule"),
    (lambda: LocalIB(width=-1.0), ValueError, "width"),
    (lambda: LocalIB(width=None), TypeError, "width"),
    (lambda: LocalIB(width=True), TypeError, "width"),
    (lambda: HSICBottleneck(width=0), ValueError, "width"),
    # a non-address reached ray.init ("argument of type 'int' is not iterable")
    (lambda: LocalIB(parallel="ray", ray_address=3), TypeError, "ray_address"),
    (lambda: LocalIB(parallel=True), TypeError, "parallel"),  # was a ValueError for a wrong type
])
def test_trainer_options_are_refused_at_construction(make, error, name):
    refused(make, error, name)


# ---------------------------------------------------------------------- fit arguments
@pytest.mark.parametrize("args, name", [
    (lambda data: ("net", data), "net must be a PIBNetwork"),
    (lambda data: (qh.BinaryMLP([2, 3, 1]), data), "net must be a PIBNetwork"),
    (lambda data: (data, _net()), "net must be a PIBNetwork"),  # swapped arguments
    (lambda data: (_net(), "data"), "dataset"),
    (lambda data: (_net(), None), "dataset"),
])
def test_local_ib_fit_names_a_wrong_object(large, args, name):
    # each was an AttributeError ('str' object has no attribute 'in_features' / 'X_train')
    net_or_junk, data_or_junk = args(large)
    refused(lambda: LocalIB(epochs=30, progress=False).fit(net_or_junk, data_or_junk), TypeError, name)


@pytest.mark.parametrize("change, error, name", [
    # the test split was read only when scoring, after the whole training run
    (lambda d: {"X_test": d.X_test[:0], "y_test": d.y_test[:0]}, ValueError, "X_test has 0 point"),  # ZeroDivisionError
    (lambda d: {"y_test": d.y_test + 5}, ValueError, "y_test"),
    (lambda d: {"X_train": d.X_train + 1j}, TypeError, "X_train is complex"),  # trained on the real part
    (lambda d: {"X_train": d.X_train[:1], "y_train": d.y_train[:1]}, ValueError, "X_train has 1 point"),
])
def test_local_ib_fit_checks_both_splits_before_training(large, change, error, name):
    data = _bad_test_split(large, **change(large))
    refused(lambda: LocalIB(epochs=30, batch_size=64, progress=False).fit(_net(), data), error, name)


# ---------------------------------------------------------------------- optimizer options
@pytest.mark.parametrize("make, error, name", [
    # the abstract base class and a factory of the wrong arity passed construction and failed in fit
    (lambda: QHN(optimizer=torch.optim.Optimizer), TypeError, "abstract base class"),
    (lambda: QHN(optimizer=lambda: None), TypeError, "optimizer factory"),
    (lambda: QHN(optimizer=lambda params, extra: None), TypeError, "optimizer factory"),
    # check_optimizer let any lr through (plan() then built Adam with lr=inf)
    (lambda: check_optimizer("adam", float("inf")), ValueError, "lr"),
    (lambda: check_optimizer("adam", "0.01"), TypeError, "lr"),
    (lambda: check_optimizer(torch.optim.SGD, True), TypeError, "lr"),
])
def test_optimizer_options_are_refused_at_construction(make, error, name):
    refused(make, error, name)


# ---------------------------------------------------------------------- good spellings
def test_the_good_spellings_still_work():
    assert STE(progress=False).progress is False and STE(progress=np.bool_(True)).progress is True
    for width in ("median", "silverman", "0.5*median", 2, 0.25):
        assert LocalIB(width=width).width == width
    assert LocalIB(parallel="ray", ray_address="auto").ray_address == "auto"
    check_optimizer(lambda params: torch.optim.SGD(params, lr=0.1), None)
    check_optimizer(torch.optim.SGD, 0.1)
    check_optimizer(lambda *params: torch.optim.SGD(params[0], lr=0.1), None)
    data = two_feature_task(200, 50)
    res = LocalIB(epochs=1, batch_size=64, readout_epochs=0, progress=False).fit(_net(), data)
    assert len(res.history["train_accuracy"]) == 1 and set(res.metrics) >= {"train_accuracy", "test_accuracy"}
