"""``max_time=``: every trainer stops within a second of its time budget and returns what it
had; a QUBO fit stops within a second of a Ctrl-C even inside a long anneal.

Each budgeted run would take 10-60 s without its budget, so a missing check fails the
wall-time assertion rather than hanging."""
import math
import os
import signal
import threading
import time

import pytest
import torch

import qhyper as qh
from qhyper.pibinn import UnrolledISTA, load_problem, train
from qhyper.results import network_metrics
from qhyper.trainers import QHN, QUBO, STE, LocalIB

BUDGET = 1.0
SLACK = 1.0  # "within 1 s of the budget"


@pytest.fixture(scope="module")
def digits():
    return qh.comparison.get_task("digits01_4x4").evaluator()


def _timed(fit):
    start = time.perf_counter()
    res = fit()
    return res, time.perf_counter() - start


def _is_best_so_far(res, ev):
    """The result is a real network, scored as the evaluator scores it."""
    assert res.bits.shape == (ev.model.num_bits,) and set(res.bits.tolist()) <= {0.0, 1.0}
    for key, value in network_metrics(ev, res.bits).items():
        assert res.metrics[key] == pytest.approx(value, abs=1e-12)


def test_qhn_exact_stops_at_its_budget(digits):
    hn = qh.Hypernetwork.for_model(digits.model, layers=4, seed=0)
    budget = BUDGET + 3.0  # the loss table of the 2^17 networks (about 1-2 s) comes first
    res, wall = _timed(lambda: QHN(steps=1000, restarts=3, progress=False, max_time=budget).fit(hn, digits))
    assert res.budget_hit and not res.interrupted and wall < budget + SLACK, wall
    assert len(res.history["objective"]) >= 1 and math.isfinite(res.metrics["p_best"])
    _is_best_so_far(res, digits)


def test_qhn_shots_stops_at_its_budget(digits):
    hn = qh.Hypernetwork.for_model(digits.model, layers=2, seed=0, shots=64)
    trainer = QHN(steps=2000, gradient="spsa", progress=False, final_shots=256, max_time=BUDGET)
    res, wall = _timed(lambda: trainer.fit(hn, digits))
    assert res.budget_hit and wall < BUDGET + SLACK, wall
    _is_best_so_far(res, digits)


def test_ste_stops_at_its_budget(digits):
    # 5000 epochs × 8 restarts outlast the budget on a fast machine: 300 epochs took 0.65 s in the suite on
    # one, 3000 took 7.4 s alone
    res, wall = _timed(lambda: STE(epochs=5000, threads=1, max_time=BUDGET).fit(digits))
    assert res.budget_hit and wall < BUDGET + SLACK, wall
    assert res.history["train_nll"] and res.metrics["train_nll"] <= min(res.history["train_nll"]) + 1e-12
    _is_best_so_far(res, digits)


def test_qubo_stops_within_a_long_anneal_at_its_budget(digits):
    trainer = QUBO(num_reads=20, num_sweeps=50_000, seed=0, max_time=BUDGET)  # ~30 s unbudgeted
    res, wall = _timed(lambda: trainer.fit(digits))
    assert res.budget_hit and wall < BUDGET + SLACK, wall
    assert res.evaluations == 20  # the reads it had reached, polished and scored
    _is_best_so_far(res, digits)


def test_qubo_stops_within_a_second_of_sigint(digits):
    trainer = QUBO(num_reads=20, num_sweeps=200_000, seed=0)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    start = time.perf_counter()
    timer.start()
    res = trainer.fit(digits)
    late = time.perf_counter() - start - 1.0
    timer.join()
    assert res.interrupted and not res.budget_hit and late < 1.0, late
    _is_best_so_far(res, digits)


def test_a_budget_smaller_than_one_anneal_still_returns_a_network(digits):
    res = QUBO(num_reads=5, num_sweeps=200_000, seed=0, max_time=1e-6).fit(digits)
    assert res.budget_hit and res.evaluations == 5
    _is_best_so_far(res, digits)


def test_local_ib_stops_at_its_budget():
    data = qh.datasets.load("moons")
    net = qh.pib.network("binary", [2, 16, 16], 2, seed=0)
    res, wall = _timed(lambda: LocalIB(epochs=200, progress=False, threads=1, max_time=BUDGET).fit(net, data))
    assert res.budget_hit and wall < BUDGET + SLACK, wall
    assert 0.0 <= res.metrics["train_accuracy"] <= 1.0


def test_end_to_end_and_pibinn_training_stop_at_their_budget():
    data = qh.datasets.load("moons")
    net = qh.pib.network("binary", [2, 16, 16], 2, seed=0)
    res, wall = _timed(lambda: qh.pib.train_end_to_end(net, data, epochs=3000, progress=False,  # 300 epochs took 1.7 s alone
                                                       max_time=BUDGET))
    assert res.budget_hit and wall < BUDGET + SLACK, wall
    problem = load_problem("deconv1d", seed=0)
    model = UnrolledISTA(problem, layers=4, mask="physics", weights="binary", scale="global")
    res, wall = _timed(lambda: train(model, problem, steps=30_000, progress=False, threads=1, max_time=BUDGET))
    assert res.budget_hit and wall < BUDGET + SLACK, wall
    assert res.history["loss"] and math.isfinite(res.metrics["test_nmse_db"])


def test_no_budget_is_hit_when_the_fit_ends_first(digits):
    res = STE(epochs=2, threads=1, max_time=60).fit(digits)
    assert not res.budget_hit and len(res.history["train_nll"]) == 2
    assert "time budget hit" in repr(STE(epochs=1_000, threads=1, max_time=0.05).fit(digits))


@pytest.mark.parametrize("value", [0, -1, "5", math.inf, math.nan, True])
@pytest.mark.parametrize("build", [lambda v: STE(max_time=v), lambda v: QUBO(max_time=v), lambda v: QHN(max_time=v),
                                   lambda v: LocalIB(max_time=v)])
def test_a_bad_budget_is_refused_by_name(build, value):
    with pytest.raises(ValueError, match="max_time must be a finite number > 0 or None"):
        build(value)


def test_a_bad_budget_is_refused_before_training():
    problem = load_problem("deconv1d", seed=0)
    model = UnrolledISTA(problem, layers=2, mask="physics", weights="binary", scale="global")
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(ValueError, match="max_time"):
        train(model, problem, steps=5, progress=False, max_time=-1)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
