"""Bad inputs to the gradient estimators and the ``gradient=`` shortcuts: refused at once, with
the parameter named. On the old code each case below was accepted silently
(``SPSA(c=True)``, ``c=1e300``, ``gamma=100`` — which overflows at step 10⁴ —, a negative or
fractional step, a generator of None that drew from torch's global stream, ``spsa=`` ignored
beside ``gradient="backprop"``), or failed with a raw message: ``ZeroDivisionError`` inside the
parameter-shift MMD estimate at ``shots=1``, ``AttributeError`` for an objective passed as the
form, ``IndexError`` for a θ of the wrong length, ``must be real number, not str``."""

import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.gradients import SPSA, ParameterShift
from qhyper.gradients.resolve import auto, resolve
from qhyper.objectives import MLE, MMD, LossSource, MMDSurrogateELBO
from bad_inputs import refused

# a large shot task: 16 qubits, 4 brick layers (97 circuits per parameter-shift step)
HN = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=16, layers=4), shots=1000, seed=0)
THETA = HN.theta.detach()
TABLE = torch.rand(2**16, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
MLE_FORM = MLE().shot_form(LossSource(TABLE))
MMD_FORM = MMDSurrogateELBO(lam=4.0, data_size=3).shot_form(LossSource(TABLE))
TARGET = MMD(torch.randint(0, 2, (8, 16), generator=torch.Generator().manual_seed(1)).double()).shot_form(None)


def gen():
    return torch.Generator().manual_seed(0)


@pytest.mark.parametrize("call, error, name", [
    # the estimators' call
    (lambda: ParameterShift()(HN, MMD_FORM, THETA, 1, 0, gen()), ValueError, "shots must be an integer ≥ 2"),
    (lambda: ParameterShift()(HN, TARGET, THETA, 1, 0, gen()), ValueError, "shots must be an integer ≥ 2"),
    (lambda: SPSA()(HN, MMD_FORM, THETA, 1, 0, gen()), ValueError, "shots must be an integer ≥ 2"),
    (lambda: ParameterShift()(HN, MLE_FORM, THETA, 100, 0, None), TypeError, "generator must"),
    (lambda: SPSA()(HN, MLE_FORM, THETA, 100, 0, 3), TypeError, "generator must"),
    (lambda: ParameterShift()(HN, MLE_FORM, THETA[:3], 100, 0, gen()), ValueError, "theta"),
    (lambda: SPSA()(HN, MLE_FORM, THETA[None], 100, 0, gen()), ValueError, "theta"),
    (lambda: SPSA()(HN, MLE_FORM, THETA, 100, 0, gen(), step=-1), ValueError, "step"),
    (lambda: SPSA()(HN, MLE_FORM, THETA, 100, 0, gen(), step=1.5), TypeError, "step"),
    (lambda: ParameterShift()(HN, MLE_FORM, THETA, 100, 0, gen(), step="1"), TypeError, "step"),
    (lambda: ParameterShift()(HN, MLE(), THETA, 100, 0, gen()), TypeError, "form.*shot_form"),
    (lambda: SPSA()(HN, None, THETA, 100, 0, gen()), TypeError, "form"),
    (lambda: ParameterShift()("hn", MLE_FORM, THETA, 100, 0, gen()), TypeError, "hypernet"),
    # SPSA settings
    (lambda: SPSA(c="0.1"), TypeError, "c must"),
    (lambda: SPSA(c=None), TypeError, "c must"),
    (lambda: SPSA(c=True), TypeError, "c must"),
    (lambda: SPSA(c=1e300), ValueError, "c must"),
    (lambda: SPSA(gamma=True), TypeError, "gamma"),
    (lambda: SPSA(gamma=100), ValueError, "gamma"),
    (lambda: SPSA(gamma="0.1"), TypeError, "gamma"),
    (lambda: SPSA(directions=2.0), TypeError, "directions"),
    # gradient= shortcuts
    (lambda: resolve("backprop", spsa=SPSA()), ValueError, "spsa="),
    (lambda: auto("yes"), TypeError, "exact_mode"),
])
def test_refused_at_once_naming_the_parameter(call, error, name):
    refused(call, error, name)


def test_the_good_spellings_still_work():
    spsa = SPSA(c=np.float64(0.1), directions=np.int64(2), gamma=0)
    assert (spsa.c, spsa.directions, spsa.gamma) == (0.1, 2, 0.0)
    hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=3, layers=1), shots=8, seed=0)
    form = MLE().shot_form(LossSource(torch.rand(8, dtype=torch.float64)))
    theta = hn.theta.detach()
    assert ParameterShift()(hn, form, theta.numpy(), 1, 0, gen()).grad.shape == (6,)  # MLE takes one shot
    assert SPSA()(hn, form, theta.tolist(), 4, 0, gen(), step=np.int64(3)).grad.shape == (6,)
    assert isinstance(resolve("spsa", spsa=spsa), SPSA) and resolve("auto") is None
    assert isinstance(auto(True), qh.gradients.Backprop) and isinstance(auto(np.bool_(False)), ParameterShift)
