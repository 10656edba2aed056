"""Bad inputs to the PIB networks, units and the end-to-end trainer: refused at once, before any
work, with the parameter named.

On the old code each case below was accepted silently (``bias="no"`` counted as True,
``n_classes="2"`` became 2, complex inputs lost their imaginary part, a gain of 0 made every
output 0), failed with a raw message (AttributeError, "'int' object is not iterable",
"unhashable type"), or — for a bad test split — failed only after training."""
from types import SimpleNamespace

import numpy as np
import pytest

import qhyper as qh
from qhyper.pib import BinaryUnit, CrossbarUnit, LocalObjective, PIBNetwork, UnitLearner, score, train_end_to_end
from bad_inputs import refused, two_feature_task


@pytest.fixture(scope="module")
def large():
    return two_feature_task()


def _net():
    return qh.pib.network("binary", [2, 16, 16], 2, seed=0)


def _with(data, **change):
    parts = {k: change.get(k, getattr(data, k)) for k in ("X_train", "y_train", "X_test", "y_test")}
    return SimpleNamespace(**parts)  # a data set by duck type: qh.datasets.Dataset may refuse these itself


_UNITS = _net()


@pytest.mark.parametrize("make, error, name", [
    # flags and names
    (lambda: BinaryUnit(2, 3, bias="no"), TypeError, "bias"),  # counted as True
    (lambda: qh.pib.network("binary", [2, 4], 2, bias=0), TypeError, "bias"),
    (lambda: BinaryUnit(2, 3, activation=3), TypeError, "activation"),  # ValueError for a wrong type
    (lambda: qh.pib.network(["binary"], [2, 4], 2), TypeError, "unit kind"),  # unhashable type: 'list'
    (lambda: qh.pib.network("binary", [2, 4], 2, readout=3), TypeError, "readout"),
    (lambda: BinaryUnit(2, 3).inject_faults(0.1, kind=3), TypeError, "fault kind"),
    # sizes that are not a list of widths
    (lambda: qh.pib.network("binary", 24, 2), TypeError, "sizes"),  # 'int' object is not iterable
    (lambda: qh.pib.network("binary", None, 2), TypeError, "sizes"),
    (lambda: qh.pib.network("binary", "24", 2), TypeError, "sizes must be a list"),
    # a crossbar whose periphery multiplies by 0 outputs tanh(0) = 0 for every input
    (lambda: CrossbarUnit(2, 3, gain=0), ValueError, "gain"),
    (lambda: qh.pib.network("crossbar", [2, 4], 2, gain=-3.0), ValueError, "gain"),
    # PIBNetwork built by hand
    (lambda: PIBNetwork("ab", _UNITS.readout, 2), TypeError, "units"),  # AttributeError
    (lambda: PIBNetwork([], _UNITS.readout, 2), ValueError, "units is empty"),
    (lambda: PIBNetwork(list(_UNITS.units), _UNITS.readout, 2.5), TypeError, "n_classes"),  # int() made it 2
    (lambda: PIBNetwork(list(_UNITS.units), _UNITS.readout, "2"), TypeError, "n_classes"),
    (lambda: PIBNetwork(list(_UNITS.units), _UNITS.readout, 2, logit_scale=float("inf")), ValueError, "logit_scale"),
    (lambda: PIBNetwork(list(_UNITS.units), _UNITS.readout, 2, logit_scale="1"), TypeError, "logit_scale"),
    (lambda: PIBNetwork(list(_UNITS.units), "readout", 2), TypeError, "readout"),
    (lambda: PIBNetwork(list(_UNITS.units), BinaryUnit(16, 1), 5), ValueError, "readout maps"),
    (lambda: PIBNetwork(list(_UNITS.units), BinaryUnit(7, 1), 2), ValueError, "readout maps"),
    # pieces of the local trainers
    (lambda: UnitLearner("unit", 0.1), TypeError, "unit"),  # AttributeError: no attribute 'parameters'
    (lambda: LocalObjective(np.zeros((4, 2)), np.array([0, 1, 0, 1]), "a"), TypeError, "beta"),
    (lambda: LocalObjective(np.zeros((4, 2)), np.array([0, 1, 0, 1]), 1.0, alpha=1), ValueError, "alpha"),
    (lambda: LocalObjective(np.zeros((4, 2)), np.array([0, 1, 0, 1]), 1.0, width="foo"), ValueError, "width"),
    (lambda: qh.pib.plot_information_plane("x"), TypeError, "result"),  # AttributeError after loading matplotlib
    # inputs
    (lambda: _UNITS.predict(np.zeros((3, 2)) + 1j), TypeError, "X is complex"),  # imaginary part dropped
    (lambda: _UNITS.predict(np.array([["a", "b"]])), TypeError, "X must be an array of numbers"),
])
def test_pib_constructors_and_pieces_refuse_bad_inputs(make, error, name):
    refused(make, error, name)


@pytest.mark.parametrize("call, error, name", [
    (lambda d: train_end_to_end("net", d, progress=False), TypeError, "net must be a PIBNetwork"),
    (lambda d: train_end_to_end(qh.BinaryMLP([2, 3, 1]), d, progress=False), TypeError, "net"),
    (lambda d: train_end_to_end(_net(), "data", progress=False), TypeError, "dataset"),
    (lambda d: train_end_to_end(_net(), d, progress="no"), TypeError, "progress"),  # trained with a bar
    (lambda d: score("net", d), TypeError, "net"),
    (lambda d: score(_net(), None), TypeError, "dataset"),
    # the data: a single point trained nothing (no batch of 2) and returned a result
    (lambda d: train_end_to_end(_net(), _with(d, X_train=d.X_train[:1], y_train=d.y_train[:1]), progress=False),
     ValueError, "X_train has 1 point"),
    (lambda d: train_end_to_end(_net(), _with(d, X_train=d.X_train[:0], y_train=d.y_train[:0]), progress=False),
     ValueError, "X_train has 0 point"),  # ZeroDivisionError
    (lambda d: train_end_to_end(_net(), _with(d, X_test=d.X_test[:0], y_test=d.y_test[:0]), progress=False),
     ValueError, "X_test has 0 point"),  # ZeroDivisionError after training
    (lambda d: train_end_to_end(_net(), _with(d, y_test=d.y_test + 5), progress=False), ValueError, "y_test"),
    (lambda d: train_end_to_end(_net(), _with(d, X_train=d.X_train + 1j), progress=False), TypeError, "X_train"),
    (lambda d: score(_net(), _with(d, X_test=np.zeros((5, 3)), y_test=d.y_test[:5])), ValueError, "X_test"),  # said X
])
def test_end_to_end_and_score_check_their_arguments_first(large, call, error, name):
    refused(lambda: call(large), error, name)


def test_the_good_spellings_still_work():
    net = qh.pib.network("binary", (2, 4), 2, bias=False, seed=np.random.default_rng(0))
    assert not net.units[0].bias and net.n_classes == 2
    assert qh.pib.network("crossbar", np.array([2, 4]), 3, gain=1.5).units[0].gain == 1.5
    again = PIBNetwork(net.units, net.readout, np.int64(2), kind="custom", logit_scale=1)
    assert again.logit_scale == 1.0 and isinstance(again.n_classes, int)
    assert net.predict(np.zeros((3, 2), dtype=np.float32)).shape == (3,)
    res = train_end_to_end(_net(), two_feature_task(200, 50), epochs=1, progress=False)
    assert len(res.history["loss"]) == 1
