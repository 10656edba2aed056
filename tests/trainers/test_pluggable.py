"""QHN takes the components a user already has: gradient-estimator objects (the library's or
their own) and torch optimizers (a class or a factory); the strings are shortcuts."""
import pytest
import torch

import qhyper as qh
from qhyper.gradients import SPSA, Backprop, Estimate, ParameterShift, ShotEstimator
from qhyper.objectives import MLE
from qhyper.trainers import QHN
LBFGS_STAGES = qh.objectives.Annealed(qh.objectives.MLE()).num_stages  # the wrapper's default


def hypernet(n=4, layers=2, shots=None):
    return qh.Hypernetwork(qh.circuits.get("brick", n_qubits=n, layers=layers), shots=shots, seed=0)


def cost_table(n, seed=0, best=5):
    t = torch.rand(2**n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    t[best] = t.min() - 0.2  # a clear unique minimum
    return t


class CentralDifference:
    """A user's shot estimator: central differences of shot estimates of the loss, with
    step ``h`` along every angle (2P + 1 circuits, sampled in one call). Counts its calls."""

    name = "central-difference"

    def __init__(self, h=0.3):
        self.h, self.calls = h, 0

    def __call__(self, hypernet, form, theta, shots, seed, generator, step=0):
        self.calls += 1
        P = theta.numel()
        shifts = torch.eye(P, dtype=theta.dtype) * self.h
        X = hypernet.sample_at(torch.cat([theta[None], theta + shifts, theta - shifts]), shots, seed=seed)
        losses = torch.tensor([form.estimate(x.to(theta.dtype)) for x in X], dtype=theta.dtype)
        grad = (losses[1 : P + 1] - losses[P + 1 :]) / (2 * self.h)
        return Estimate(float(losses[0]), grad, X[0], circuits=2 * P + 1, shots=(2 * P + 1) * shots)


def histories_equal(a, b):
    return a.history == b.history and torch.equal(a.state["theta"], b.state["theta"])


# --------------------------------------------------------------------------- estimators
def test_a_user_estimator_trains_from_shots_and_reads_samples_only(monkeypatch):
    hn, table = hypernet(3, layers=1, shots=200), cost_table(3)

    def forbidden(*args, **kwargs):
        raise AssertionError("shot-mode training read probabilities")

    monkeypatch.setattr(hn, "distribution", forbidden)
    monkeypatch.setattr(hn, "probs_at", forbidden)
    estimator = CentralDifference()
    assert isinstance(estimator, ShotEstimator)
    res = QHN(MLE(), gradient=estimator, steps=60, lr=0.1, seed=0, progress=False).fit(hn, table)
    assert estimator.calls == 60  # the trainer used it, once per step
    assert res.state["gradient"] == "central-difference" and res.state["optimizer"] == "adam"
    hist = res.history["expected_loss"]
    assert sum(hist[-10:]) / 10 < sum(hist[:10]) / 10 - 0.3
    assert res.metrics["p_best"] > 0.9  # fraction of final samples at the table's minimum


def test_a_plain_function_is_an_estimator_and_is_recorded_by_its_name():
    inner = ParameterShift()
    calls = []

    def counted_shift(hypernet, form, theta, shots, seed, generator, step=0):
        calls.append(step)
        return inner(hypernet, form, theta, shots, seed, generator, step)

    res = QHN(MLE(), gradient=counted_shift, steps=5, final_shots=64, seed=0, progress=False).fit(
        hypernet(3, layers=1, shots=64), cost_table(3))
    assert calls == [0, 1, 2, 3, 4] and res.state["gradient"] == "counted_shift"
    # the same estimator through its shortcut: the same run
    ref = QHN(MLE(), gradient="parameter-shift", steps=5, final_shots=64, seed=0, progress=False).fit(
        hypernet(3, layers=1, shots=64), cost_table(3))
    assert histories_equal(res, ref)


def test_backprop_object_is_the_backprop_shortcut():
    table = cost_table(4)
    runs = [QHN(MLE(), gradient=g, steps=80, restarts=2, seed=3, progress=False).fit(hypernet(), table)
            for g in ("backprop", Backprop(), "auto")]
    assert all(histories_equal(runs[0], r) for r in runs[1:])
    assert "temperature" in runs[1].history  # auto annealing applies to the exact estimator object too
    assert runs[1].state["gradient"] == "backprop" and runs[1].state["optimizer"] == "lbfgs"


@pytest.mark.parametrize("shortcut, obj", [
    ({"gradient": "parameter-shift"}, {"gradient": ParameterShift()}),
    ({"gradient": "spsa", "spsa": SPSA(c=0.1)}, {"gradient": SPSA(c=0.1)}),
])
def test_library_estimator_objects_match_their_shortcuts(shortcut, obj):
    def run(kwargs):
        return QHN(MLE(), steps=8, lr=0.1, final_shots=64, seed=1, progress=False, **kwargs).fit(
            hypernet(4, shots=100), cost_table(4))

    a, b = run(shortcut), run(obj)
    assert histories_equal(a, b) and a.state["gradient"] == b.state["gradient"]
    if "spsa" in shortcut:  # the object's settings are used: c = 0.1, not the default 0.2
        assert not histories_equal(b, run({"gradient": SPSA()}))


def test_a_user_exact_estimator_is_autograd_and_never_called():
    class Exact:
        exact = True

        def __call__(self, *args):
            raise AssertionError("an exact estimator is not called")

    table = cost_table(4)
    a = QHN(MLE(), gradient=Exact(), steps=40, seed=0, progress=False).fit(hypernet(), table)
    b = QHN(MLE(), gradient="backprop", steps=40, seed=0, progress=False).fit(hypernet(), table)
    assert histories_equal(a, b) and a.state["gradient"] == "Exact"


# --------------------------------------------------------------------------- optimizers
def test_optimizer_factory_and_class_train_an_exact_task():
    table = cost_table(4)
    built = []

    def sgd(params):
        built.append(params)
        return torch.optim.SGD(params, lr=0.1)

    def run(optimizer, lr=None):
        return QHN(MLE(), optimizer=optimizer, lr=lr, steps=100, restarts=2, anneal=None, seed=0,
                   progress=False).fit(hypernet(), table)

    factory = run(sgd)
    # checked once before training, then one fresh optimizer per restart, each over θ alone
    assert len(built) == 3 and all(len(p) == 1 and p[0] is built[0][0] for p in built)
    assert factory.state["optimizer"] == "SGD"
    assert histories_equal(factory, run(torch.optim.SGD, lr=0.1))  # the class, called as cls([θ], lr=lr)
    assert not histories_equal(factory, run("adam", lr=0.1))
    hist = factory.history["expected_loss"]
    assert hist[-1] < hist[0] - 0.1

    rms = run(torch.optim.RMSprop)  # lr=None: RMSprop's own default
    assert rms.state["optimizer"] == "RMSprop"
    assert rms.history["expected_loss"][-1] < rms.history["expected_loss"][0] - 0.1
    assert histories_equal(rms, run(lambda p: torch.optim.RMSprop(p)))


def test_a_step_optimizer_trains_from_shots():
    res = QHN(MLE(), optimizer=lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.5), steps=60, seed=0,
              progress=False).fit(hypernet(3, layers=1, shots=200), cost_table(3))
    hist = res.history["expected_loss"]
    assert res.state["optimizer"] == "SGD" and sum(hist[-10:]) / 10 < sum(hist[:10]) / 10 - 0.3


def test_a_user_lbfgs_is_driven_by_closure_and_rebuilt_per_annealing_stage():
    table = cost_table(4)
    built = []

    def lbfgs(params):
        built.append(params)
        return torch.optim.LBFGS(params, line_search_fn="strong_wolfe")  # max_iter 20, max_eval 25

    res = QHN(MLE(), optimizer=lbfgs, steps=200, anneal=0.5, restarts=3, seed=0, progress=False).fit(hypernet(), table)
    assert len(built) == 1 + 3 * (LBFGS_STAGES + 1)  # the check, then every stage of every restart
    assert res.state["optimizer"] == "LBFGS"
    levels = sorted(set(res.history["temperature"]), reverse=True)
    assert len(levels) == LBFGS_STAGES + 1 and levels[-1] == 0
    assert len(res.history["objective"]) <= 200 + 25 and res.metrics["p_best"] > 0.98

    # one stage: step(closure) is called again while the budget lasts and L-BFGS has not converged
    short = QHN(MLE(), optimizer=lambda p: torch.optim.LBFGS(p, max_iter=5, line_search_fn="strong_wolfe"),
                steps=30, anneal=None, seed=1, progress=False).fit(hypernet(), table)
    evaluations = len(short.history["objective"])
    assert 2 * 6 < evaluations <= 30 + 25  # one call: at most max_eval = 6 (+ a line search)
    assert short.metrics["p_best"] > 0.99

    cls = QHN(MLE(), optimizer=torch.optim.LBFGS, steps=100, restarts=3, seed=0, progress=False).fit(hypernet(), table)
    assert cls.state["optimizer"] == "LBFGS" and cls.metrics["p_best"] > 0.98


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, error, match", [
    ({"gradient": 42}, TypeError, "gradient must be one of .*or an estimator object.*got int 42"),
    ({"gradient": ParameterShift}, TypeError, "got the class ParameterShift.*gradient=ParameterShift\\(\\)"),
    ({"gradient": SPSA(), "spsa": SPSA(c=0.1)}, ValueError, "spsa= configures gradient='spsa'.*gradient=SPSA"),
    ({"gradient": CentralDifference(), "optimizer": "lbfgs"}, ValueError, "L-BFGS needs exact gradients"),
    ({"gradient": "spsa", "optimizer": torch.optim.LBFGS}, ValueError, "L-BFGS needs exact gradients"),
    ({"optimizer": 3}, TypeError, "optimizer must be one of .*got int 3"),
    ({"optimizer": dict}, TypeError, "optimizer must be a torch.optim.Optimizer subclass.*got the class dict"),
    ({"optimizer": torch.optim.Adam([torch.zeros(1, requires_grad=True)])}, TypeError,
     "optimizer got a built Adam.*pass the class \\(torch.optim.Adam\\) or a factory"),
    ({"optimizer": lambda p: torch.optim.SGD(p, lr=0.1), "lr": 0.1}, ValueError,
     "lr=0.1 was given with an optimizer factory.*leave lr unset"),
])
def test_bad_components_are_refused_at_construction(kwargs, error, match):
    with pytest.raises(error, match=match):
        QHN(MLE(), **kwargs)


class NeedsSchedule(torch.optim.Optimizer):
    """An optimizer class that cannot be built from the parameters alone."""

    def __init__(self, params, schedule):
        super().__init__(params, {"schedule": schedule})


@pytest.fixture
def untouched(monkeypatch):
    """An exact and a shot hypernetwork that fail the test if a circuit is run."""
    hns = hypernet(4), hypernet(4, shots=50)

    def forbidden(*args, **kwargs):
        raise AssertionError("work started before the bad input was refused")

    for hn in hns:
        for method in ("distribution", "probs_at", "sample_at"):
            monkeypatch.setattr(hn, method, forbidden)
    return hns


@pytest.mark.parametrize("shots, kwargs, error, match", [
    (True, {"gradient": Backprop()}, ValueError, "'backprop' \\(exact autograd\\) needs an exact hypernetwork"),
    (True, {"optimizer": lambda p: torch.optim.LBFGS(p)}, ValueError, "builds LBFGS, and L-BFGS needs exact gradients"),
    (False, {"optimizer": lambda p: "sgd"}, TypeError, "factory must return a torch.optim.Optimizer; it returned str"),
    (False, {"optimizer": lambda p: torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)}, ValueError,
     "does not hold the parameters it was given"),
    (False, {"optimizer": NeedsSchedule}, TypeError,
     "optimizer=NeedsSchedule could not be built as NeedsSchedule\\(\\[theta\\]\\).*'schedule'.*pass a factory"),
])
def test_bad_components_are_refused_before_any_work(untouched, shots, kwargs, error, match):
    exact_hn, shot_hn = untouched
    with pytest.raises(error, match=match):
        QHN(MLE(), **kwargs).fit(shot_hn if shots else exact_hn, cost_table(4))


def test_an_estimate_of_the_wrong_size_is_refused_naming_the_estimator():
    def short(hypernet, form, theta, shots, seed, generator, step=0):
        return Estimate(0.0, torch.zeros(2), torch.zeros(shots, 3), circuits=0, shots=0)

    with pytest.raises(ValueError, match="estimator 'short' returned a grad of shape \\(2,\\).*one entry per angle"):
        QHN(MLE(), gradient=short, steps=2, progress=False).fit(hypernet(3, layers=1, shots=16), cost_table(3))


def test_warm_start_continues_from_the_hypernetworks_angles():
    table = torch.tensor([3.0, 2.0, 1.0, 0.0, 2.5, 1.5, 0.5, 0.2], dtype=torch.float64)
    a = qh.circuits.get("hardware_efficient", n_qubits=3, layers=1)
    first = qh.trainers.QHN(qh.objectives.MLE(), steps=40, seed=0, progress=False)
    hn = qh.Hypernetwork(a, seed=0)
    done = first.fit(hn, table)
    theta = hn.theta.detach().clone()
    again = qh.trainers.QHN(qh.objectives.MLE(), steps=5, seed=1, anneal=None, progress=False, warm_start=True)
    cont = again.fit(hn, table)
    assert cont.history["expected_loss"][0] == pytest.approx(done.metrics["expected_loss"], abs=1e-9)
    cold = qh.trainers.QHN(qh.objectives.MLE(), steps=5, seed=1, anneal=None, progress=False).fit(
        qh.Hypernetwork(a, init=theta), table)
    assert cold.history["expected_loss"][0] != pytest.approx(done.metrics["expected_loss"], abs=1e-6)
    with pytest.raises(TypeError, match="warm_start"):
        qh.trainers.QHN(warm_start="yes")
