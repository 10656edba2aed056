import math

import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.data import Dataset
from qhyper.pib import UnitLearner
from qhyper.trainers.localib import HSICBottleneck, LocalIB, run_end_to_end, run_hsic, run_localib


@pytest.fixture(scope="module")
def moons():
    return qh.datasets.load("moons")


def test_no_gradient_reaches_a_unit_from_later_units(moons):
    net = qh.pib.network("binary", [2, 8, 8, 8], 2, seed=0)
    current = {"unit": None}
    hits = []
    for l, unit in enumerate(net.units):
        unit.latent.register_hook(lambda g, l=l: hits.append((l, current["unit"])))

    original = UnitLearner.step

    def tracked(self, x, objective):
        current["unit"] = next((l for l, u in enumerate(net.units) if u is self.unit), "readout")
        return original(self, x, objective)

    UnitLearner.step = tracked
    try:
        LocalIB(epochs=2, batch_size=64, readout_epochs=0, progress=False).fit(net, moons)
    finally:
        UnitLearner.step = original
    assert hits and all(l == owner for l, owner in hits)
    assert {l for l, _ in hits} == {0, 1, 2}


def test_local_ib_trains_and_records_the_information_plane(moons):
    net = qh.pib.network("binary", [2, 16, 16], 2, seed=1)
    before = qh.pib.score(net, moons)["train_accuracy"]
    res = LocalIB(epochs=6, batch_size=64, seed=1, eval_size=128, progress=False).fit(net, moons)
    assert res.method == "localib" and not res.interrupted
    assert res.metrics["train_accuracy"] > max(before, 0.75)
    assert res.bits.shape == (net.to_binary_mlp()[0].num_bits,)
    for l in (1, 2):
        ixt, ity = res.history[f"I(X;T{l})"], res.history[f"I(T{l};Y)"]
        assert len(ixt) == len(ity) == 6
        assert all(-0.1 <= v <= math.log2(128) for v in ixt)
        assert all(-0.1 <= v <= 1.0 + 1e-9 for v in ity)  # ≤ H(Y) ≤ 1 bit for two classes
    assert res.history["I(T2;Y)"][-1] > 0.15  # labels are visible in the last unit


def test_hsic_bottleneck_and_end_to_end_on_the_same_network(moons):
    res = run_hsic(moons, seed=0, hidden=(16, 16), epochs=3, eval_size=64)
    assert res.method == "hsic_bottleneck" and res.state["information_plane"]["estimator"] == "hsic"
    e2e = run_end_to_end(moons, seed=0, hidden=(16, 16), epochs=5)
    net = e2e.state["network"]
    acc = float((torch.as_tensor(net.predict(moons.X_test)) == torch.as_tensor(moons.y_test)).double().mean())
    assert e2e.metrics["test_accuracy"] == pytest.approx(acc) and e2e.metrics["test_accuracy"] > 0.75
    with pytest.raises(ValueError, match="black boxes"):
        qh.pib.train_end_to_end(qh.pib.network("optical", [2, 4], 2), moons, epochs=1)


def test_black_box_and_crossbar_units_train_locally(moons):
    res = run_localib("moons", seed=0, kind="optical", hidden=(12,), epochs=2, eval_size=64, spsa_samples=2)
    assert res.bits.numel() == 0 and 0 <= res.metrics["test_accuracy"] <= 1
    net = qh.pib.network("crossbar", [2, 12, 12], 2, seed=0)
    net.inject_faults(0.3, seed=1)
    stuck = [u.level[u.fault_mask].clone() for u in net.units]
    LocalIB(epochs=2, lr=0.5, progress=False).fit(net, moons)
    assert all(torch.equal(u.level[u.fault_mask], s) for u, s in zip(net.units, stuck))


def test_interrupt_returns_what_it_has(moons):
    calls = {"n": 0}
    original = UnitLearner.step

    def flaky(self, x, objective):
        calls["n"] += 1
        if calls["n"] > 20:
            raise KeyboardInterrupt
        return original(self, x, objective)

    UnitLearner.step = flaky
    try:
        res = LocalIB(epochs=50, batch_size=32, progress=False).fit(qh.pib.network("binary", [2, 4], 2), moons)
    finally:
        UnitLearner.step = original
    assert res.interrupted and "test_accuracy" in res.metrics
    assert 0 < len(res.history["I(X;T1)"]) < 50


def test_information_plane_figure(moons, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    res = LocalIB(epochs=2, progress=False, eval_size=64).fit(qh.pib.network("binary", [2, 4, 4], 2), moons)
    ax = qh.pib.plot_information_plane(res, path=tmp_path / "plane.png")
    assert len(ax.lines) == 2 and (tmp_path / "plane.png").stat().st_size > 0
    e2e = run_end_to_end(moons, hidden=(4,), epochs=1)
    with pytest.raises(ValueError, match="information-plane"):
        qh.pib.plot_information_plane(e2e)


@pytest.mark.parametrize("kwargs, match", [
    ({"beta": -1.0}, "beta"),
    ({"alpha": 0.0}, "alpha"),
    ({"alpha": -2.0}, "alpha"),
    ({"alpha": 1.0}, "Shannon"),
    ({"batch_size": 1}, "batch_size"),
    ({"lr": 0.0}, "lr"),
    ({"parallel": "dask"}, "parallel"),
])
def test_bad_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LocalIB(**kwargs)


def test_nan_in_data_is_refused_before_training(moons):
    X = moons.X_train.copy()
    X[5, 0] = np.nan
    bad = Dataset(X, moons.y_train, moons.X_test, moons.y_test, "bad")
    for fit in (LocalIB(progress=False).fit, HSICBottleneck(progress=False).fit, qh.pib.train_end_to_end):
        with pytest.raises(ValueError, match="NaN"):
            fit(qh.pib.network("binary", [2, 4], 2), bad)


def test_ray_pipeline_matches_sequential_training(moons):
    ray = pytest.importorskip("ray")
    was_running = ray.is_initialized()
    small = moons.subsample(96)
    seq = LocalIB(epochs=2, batch_size=32, readout_epochs=0, progress=False).fit(
        qh.pib.network("binary", [2, 6, 6], 2, seed=4), small)
    par = LocalIB(epochs=2, batch_size=32, readout_epochs=0, parallel="ray", progress=False).fit(
        qh.pib.network("binary", [2, 6, 6], 2, seed=4), small)
    assert ray.is_initialized() == was_running  # a Ray that fit started, fit shuts down
    assert par.state["parallel"] == "ray"
    # same seeds, same batches, same order per unit: the pipeline computes the same updates
    assert torch.equal(par.bits, seq.bits)
    assert par.history["I(T2;Y)"] == pytest.approx(seq.history["I(T2;Y)"], abs=1e-12)
