"""Bad inputs to PIBiNN — problems, masks, the unrolled networks, train(), metrics and
accounting: refused at once, before any work, with the parameter named.

On the old code each case below was accepted silently (``tied="no"`` counted as True, a complex
operator or measurements lost their imaginary part, ``tol=-1`` made every mask dense, an empty
training split was kept), or failed with a raw message (AttributeError, "'>' not supported",
"object of type 'int' has no len()", "unhashable type", torch's "can't convert np.ndarray")."""

import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.pibinn import (
    ISTA,
    InverseProblem,
    PIBiNN,
    UnrolledISTA,
    dense_masks,
    evaluator,
    load_problem,
    nmse_db,
    physics_masks,
    storage_report,
    train,
)
from bad_inputs import refused


@pytest.fixture(scope="module")
def problem():
    return load_problem("deconv1d", seed=0, n_train=4000, n_test=500)


@pytest.fixture(scope="module")
def large():
    """A problem on which 2000 training steps take many seconds: a refusal in < 1 s came first."""
    return load_problem("block_cs", seed=0, n=128, m=64, n_train=4000, n_test=500)


def _pairs(p, **change):
    parts = dict(name="x", operator=p.operator, Y_train=p.Y_train, X_train=p.X_train, Y_test=p.Y_test,
                 X_test=p.X_test, noise_std=0.1)
    return lambda: InverseProblem(**{**parts, **change})


A = torch.eye(6) + torch.diag(torch.ones(5), 1)


@pytest.mark.parametrize("make, error, name", [
    # names and sizes of the built-in problems
    (lambda p: load_problem(["deconv1d"]), TypeError, "problem"),  # unhashable type: 'list'
    (lambda p: load_problem(3), TypeError, "problem"),
    (lambda p: load_problem("deconv1d", n=2.5), TypeError, "n must be an integer"),  # ValueError for a type
    (lambda p: load_problem("block_cs", blocks=True), TypeError, "blocks"),
    # problems built by hand
    (lambda p: _pairs(p, operator=p.operator.numpy() + 1j)(), TypeError, "operator A is complex"),
    (lambda p: _pairs(p, Y_train=p.Y_train.numpy() + 1j)(), TypeError, "Y_train is complex"),
    (lambda p: _pairs(p, operator="abc")(), TypeError, "operator"),  # can't convert np.ndarray of type str_
    (lambda p: _pairs(p, Y_train=p.Y_train[:0], X_train=p.X_train[:0])(), ValueError, "Y_train is empty"),
    (lambda p: _pairs(p, snr_db="a")(), TypeError, "snr_db"),  # failed in repr: "Unknown format code 'g'"
    (lambda p: _pairs(p, name=3)(), TypeError, "name"),
    (lambda p: p.split(0), TypeError, "split"),
    # masks
    (lambda p: physics_masks(p.operator, tol=-1), ValueError, "tol"),  # every entry counted: a dense mask
    (lambda p: physics_masks(p.operator, tol="a"), TypeError, "tol"),  # '>' not supported
    (lambda p: physics_masks(p.operator, tol=float("nan")), ValueError, "tol"),  # blamed the operator
    (lambda p: physics_masks("abc"), TypeError, "operator"),  # AttributeError: no attribute 'abs'
    (lambda p: physics_masks(torch.ones(3)), ValueError, "operator A must be a 2-D"),  # IndexError
    (lambda p: dense_masks("abc"), TypeError, "operator"),  # AttributeError: no attribute 'shape'
    (lambda p: dense_masks(torch.ones(3)), ValueError, "operator A must be a 2-D"),  # not enough values to unpack
    # networks
    (lambda p: UnrolledISTA(A, tied="no"), TypeError, "tied"),  # counted as True
    (lambda p: PIBiNN(A, tied=1), TypeError, "tied"),
    (lambda p: UnrolledISTA(A, residual="no"), TypeError, "residual"),
    (lambda p: UnrolledISTA(A, mask=3), TypeError, "mask"),  # object of type 'int' has no len()
    (lambda p: UnrolledISTA(A, mask=None), TypeError, "mask"),
    (lambda p: UnrolledISTA(A, mask=(np.full((6, 6), "a"), np.ones((6, 6)))), TypeError, "mask M1"),
    (lambda p: UnrolledISTA(A.numpy() + 1j), TypeError, "operator A is complex"),
    (lambda p: UnrolledISTA(None), TypeError, "operator"),  # can't convert np.ndarray of type object_
    (lambda p: ISTA("abc"), TypeError, "operator"),
    (lambda p: UnrolledISTA(A, weights=3), TypeError, "weights"),  # ValueError for a wrong type
    (lambda p: PIBiNN(p)(p.Y_test.numpy() + 1j), TypeError, "Y is complex"),  # imaginary part dropped
    (lambda p: PIBiNN(p)(PIBiNN(p).bits(), "Y"), TypeError, "Y must be an array of numbers"),
    # metrics and accounting
    (lambda p: nmse_db(PIBiNN(p), "p"), TypeError, "problem"),  # not enough values to unpack
    (lambda p: nmse_db("net", p), TypeError, "model"),  # 'str' object is not callable
    (lambda p: evaluator(PIBiNN(p), "p"), TypeError, "problem"),  # AttributeError
    (lambda p: evaluator(PIBiNN(p), p, noise_std="a"), TypeError, "noise_std"),  # '<' not supported
    (lambda p: storage_report(PIBiNN(p), mask_cost=3), TypeError, "mask_cost"),
])
def test_pibinn_refuses_bad_inputs(problem, make, error, name):
    refused(lambda: make(problem), error, name)


@pytest.mark.parametrize("call, error, name", [
    (lambda net, p: train(net, "problem", progress=False), TypeError, "problem"),  # AttributeError: .m
    (lambda net, p: train(net, None, progress=False), TypeError, "problem"),
    (lambda net, p: train(net, qh.datasets.load("moons"), progress=False), TypeError, "problem"),
    (lambda net, p: train(net, p, progress="no"), TypeError, "progress"),  # trained with a bar
    (lambda net, p: train(net, p, method=3, progress=False), TypeError, "method"),  # stored 3 as the name
])
def test_train_checks_its_arguments_before_training(large, call, error, name):
    net = PIBiNN(large, layers=8)
    refused(lambda: call(net, large), error, name)


def test_the_good_spellings_still_work(problem):
    M1, M2 = physics_masks(problem.operator.numpy())  # a numpy operator is fine
    net = UnrolledISTA(problem, layers=2, mask=(M1.numpy(), M2.int()), tied=np.bool_(True), residual=False)
    assert net.mask_kind == "custom" and net.tied is True
    assert dense_masks([[1.0, 2.0]])[0].shape == (2, 1)
    assert InverseProblem("x", A, torch.ones(3, 6), torch.ones(3, 6), torch.ones(2, 6), torch.ones(2, 6),
                          0.1, 20).snr_db == 20.0
    small = problem.subset(50)
    res = train(PIBiNN(small, layers=2), small, steps=4, eval_every=2, method="mine", progress=False)
    assert res.method == "mine" and res.history["eval_step"] == [2, 4]
    assert np.isfinite(nmse_db(res.state["model"], small, "train"))
    assert evaluator(res.state["model"], small, noise_std=None).logit_scale == pytest.approx(1 / small.noise_std)


@pytest.mark.parametrize("call, error, name", [
    (lambda net, p: train(net, p, steps=10, ramp_steps=6, progress=False), ValueError,
     r"ramp_steps=6 is more than the quantisation stage: stage 2 has only 5 steps .* pass ramp_steps ≤ 5"),
    (lambda net, p: train(net, p, ramp_steps=1.5, progress=False), ValueError, "ramp_steps must be an integer ≥ 0"),
    (lambda net, p: train(net, p, distill=1.0, progress=False), ValueError, "distill=1.0 needs a teacher: pass teacher="),
    (lambda net, p: train(net, p, distill=-1, teacher=net, progress=False), ValueError, "distill must be"),
    (lambda net, p: train(net, p, teacher=net, progress=False), ValueError, "teacher was given with distill=0"),
    (lambda net, p: train(net, p, teacher="fp", distill=1.0, progress=False), TypeError,
     "teacher must be a trained UnrolledISTA"),
    (lambda net, p: train(net, p, teacher=PIBiNN(p, layers=3), distill=1.0, progress=False), ValueError,
     "teacher must unroll the same operator over as many layers: it has 3 layers"),
    (lambda net, p: train(UnrolledISTA(p), p, ramp_steps=1, progress=False), ValueError,
     "ramp_steps=1 .* a real-weight network has no stage 2"),
])
def test_train_refuses_bad_levers_before_training(large, call, error, name):
    refused(lambda: call(PIBiNN(large), large), error, name)


@pytest.mark.parametrize("make, error, name", [
    (lambda p: UnrolledISTA(p, threshold="per_column"), ValueError, "threshold must be one of"),
    (lambda p: UnrolledISTA(p, threshold=2), TypeError, "threshold"),
    (lambda p: qh.pibinn.init_from(PIBiNN(p, layers=4), UnrolledISTA(p, layers=3)), ValueError,
     "init_from: teacher and student must unroll the same operator over as many layers"),
    (lambda p: qh.pibinn.init_from(PIBiNN(p).quantize_(), UnrolledISTA(p)), ValueError, "already quantised"),
    (lambda p: qh.pibinn.init_from(PIBiNN(p), "teacher"), TypeError, r"init_from\(teacher\): needs an UnrolledISTA"),
])
def test_new_options_refuse_bad_inputs(problem, make, error, name):
    refused(lambda: make(problem), error, name)
