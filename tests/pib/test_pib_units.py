import math

import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.pib import BinaryUnit, CrossbarUnit, OpticalUnit, UnitLearner
from qhyper._threads import threads

D = torch.float64


@pytest.fixture(autouse=True)
def one_thread():
    """Batch Gram matrices are small: one torch thread is much faster on a shared machine."""
    with threads(1):
        yield


def _x(n=32, d=6, seed=0):
    return torch.as_tensor(np.random.default_rng(seed).standard_normal((n, d)), dtype=D)


# ---------------------------------------------------------------- binary unit
def test_binary_unit_computes_sign_of_plain_sums():
    u = BinaryUnit(6, 4, seed=3)
    x = _x()
    w = torch.where(u.latent >= 0, 1.0, -1.0).to(D)
    expected = torch.where(x @ w[:, :6].T + w[:, 6] >= 0, 1.0, -1.0)
    assert torch.equal(u(x), expected)


def test_binary_unit_straight_through_window():
    u = BinaryUnit(6, 4, activation="identity", seed=1)
    with torch.no_grad():
        u.latent[0, 0], u.latent[1, 1] = 1.5, -2.0  # outside the |v| <= 1 window
    u(_x()).sum().backward()
    g = u.latent.grad
    assert g[0, 0] == 0 and g[1, 1] == 0
    inside = u.latent.detach().abs() <= 1
    assert (g[inside] != 0).float().mean() > 0.5


def test_binary_network_is_a_binary_mlp_scored_by_the_evaluator():
    data = qh.datasets.load("digits10_8x8")
    net = qh.pib.network("binary", [64, 8, 8], 10, seed=2)
    model, bits = net.to_binary_mlp()
    assert model.layer_sizes == [64, 8, 8, 10] and bits.shape == (model.num_bits,)
    logits = model.forward(bits, data.X_test[:50])[0]
    assert torch.allclose(logits, net.logits(data.X_test[:50]))
    acc = float((torch.as_tensor(net.predict(data.X_test)) == torch.as_tensor(data.y_test)).double().mean())
    assert qh.pib.score(net, data)["test_accuracy"] == pytest.approx(acc)


def test_binary_faults():
    u = BinaryUnit(20, 30, seed=0)
    assert u.inject_faults(0.0, seed=1) == 0
    n = u.inject_faults(0.3, seed=1)
    total = 30 * 21
    assert abs(n - 0.3 * total) < 4 * math.sqrt(total * 0.3 * 0.7)
    stuck = u.signed_weights().detach()[u.fault_mask].clone()
    lrn = UnitLearner(u, lr=0.5, seed=0)
    for _ in range(5):
        lrn.step(_x(16, 20), lambda T: (T * torch.randn_like(T)).sum())
    assert torch.equal(u.signed_weights().detach()[u.fault_mask], stuck)
    assert u.inject_faults(1.0, "stuck_at_1", seed=2) == total


@pytest.mark.parametrize("unit", [BinaryUnit(3, 2), CrossbarUnit(3, 2), OpticalUnit(3, 2)])
@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan"), "0.2"])
def test_fault_rate_outside_unit_interval_is_refused(unit, rate):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        unit.inject_faults(rate)


def test_unknown_fault_kind():
    with pytest.raises(ValueError, match="fault kind"):
        CrossbarUnit(3, 2).inject_faults(0.1, kind="melted")


# ---------------------------------------------------------------- crossbar
def test_crossbar_levels_noise_and_probe_gradient():
    u = CrossbarUnit(5, 3, levels=8, d2d=0.0, read_noise=0.0, seed=0)
    G = u.conductances()
    assert torch.allclose(G * 7, torch.round(G * 7))  # on the level grid
    x = _x(10, 5)
    assert torch.equal(u(x), u(x))  # no read noise: repeatable
    noisy = CrossbarUnit(5, 3, read_noise=0.05, seed=0)
    assert not torch.equal(noisy(x), noisy(x))
    # the probe gradient is the outer product of measured quantities
    T = u(x)
    delta = torch.randn_like(T)
    (T * delta).sum().backward()
    xa = torch.cat([x, torch.ones(10, 1, dtype=D)], 1)
    expected = ((delta * (1 - T.detach() ** 2)) * u.gain / math.sqrt(6)).T @ xa
    assert torch.allclose(u.probe.grad, expected, atol=1e-12)


def test_manhattan_pulse_moves_one_level_against_the_gradient():
    u = CrossbarUnit(6, 4, levels=8, d2d=0.0, read_noise=0.0, seed=1)
    u.inject_faults(0.2, seed=3)
    before_w = u.read_weights().clone()
    before_levels = u.level.clone()
    grad = torch.randn(4, 7, dtype=D)
    n = u.pulse(grad, rate=1.0)
    step = u.read_weights() - before_w
    assert n > 0
    assert torch.all(step.abs() <= 1 / 7 + 1e-12)
    assert torch.all(step * grad <= 1e-12)  # never with the gradient
    assert torch.equal(u.level[u.fault_mask], before_levels[u.fault_mask])
    assert torch.all((u.level >= 0) & (u.level <= 7))


def test_crossbar_stuck_devices_read_their_stuck_value():
    u = CrossbarUnit(4, 3, levels=8, d2d=0.0, read_noise=0.0, seed=1)
    u.inject_faults(1.0, kind="stuck_on", seed=0)
    assert torch.allclose(u.read_weights(), torch.zeros(3, 5, dtype=D))  # both devices fully on
    v = CrossbarUnit(4, 3, levels=8, d2d=0.0, read_noise=0.0, seed=1)
    v.inject_faults(1.0, kind="stuck_off", seed=0)
    assert torch.equal(v.conductances(), torch.zeros(2, 3, 5, dtype=D))


# ---------------------------------------------------------------- optical
def test_optical_unit_is_a_black_box_with_a_phase_mask():
    u = OpticalUnit(6, 5, detector_noise=0.0, seed=0)
    x = _x(8, 6)
    T = u(x)
    assert not T.requires_grad and torch.all(T >= 0)
    assert torch.allclose(T.mean(1), torch.ones(8, dtype=D))
    u.set_params(u.get_params() + 1.0)  # a global phase is invisible to a camera
    assert torch.allclose(u(x), T)
    u.set_params(u.get_params() + torch.linspace(0, 1, u.modes, dtype=D))
    assert not torch.allclose(u(x), T)
    with pytest.raises(ValueError, match="black-box"):
        UnitLearner(u, 0.1).apply_gradients()


def test_optical_faults_hold_and_block_pixels():
    u = OpticalUnit(4, 3, modes=40, seed=0)
    u.inject_faults(0.5, "dead", seed=1)
    assert torch.all(u.transmission[u.fault_mask] == 0) and u.num_faults > 5
    held = u.get_params()[u.fault_mask]
    u.set_params(torch.zeros(40, dtype=D))
    assert torch.equal(u.get_params()[u.fault_mask], held)


def test_spsa_lowers_a_local_loss():
    data = qh.datasets.load("digits10_8x8")
    X = torch.as_tensor(data.X_train[:128])
    y = torch.as_tensor(data.y_train[:128])
    u = OpticalUnit(64, 16, detector_noise=0.0, seed=0)
    objective = qh.pib.LocalObjective(X, y, beta=4.0, alpha=2.0, width="0.5*median")
    start = float(objective(u(X)))
    lrn = UnitLearner(u, lr=0.1, seed=0, spsa_samples=4)
    for _ in range(40):
        lrn.step(X, objective)
    assert float(objective(u(X))) < start - 0.05


# ---------------------------------------------------------------- network
def test_network_builder_checks():
    with pytest.raises(ValueError, match="unknown unit kind"):
        qh.pib.network("quantum", [4, 4], 2)
    with pytest.raises(ValueError, match="sizes"):
        qh.pib.network("binary", [4], 2)
    with pytest.raises(ValueError, match="n_classes"):
        qh.pib.network("binary", [4, 4], 1)
    state = torch.get_rng_state()
    net = qh.pib.network("crossbar", [4, 5, 3], 2)
    OpticalUnit(3, 2, seed=None).inject_faults(0.5)
    assert torch.equal(state, torch.get_rng_state())  # seeded generators only, never the global RNG
    assert net.predict(np.zeros((7, 4))).shape == (7,) and net.bits().numel() == 0
    with pytest.raises(ValueError, match="NaN"):
        net.predict(np.full((2, 4), np.nan))
    assert net.inject_faults(1.0, seed=0) == 2 * (5 * 5 + 3 * 6)


@pytest.mark.parametrize("make, match", [
    (lambda: CrossbarUnit(3, 2, levels=2.5), "levels must be an integer ≥ 2; got 2.5"),  # int() made it 2
    (lambda: OpticalUnit(3, 2, modes=4.5), "modes must be an integer ≥ 1 or None; got 4.5"),
    (lambda: BinaryUnit(2.5, 2), "in_features must be an integer ≥ 1; got 2.5"),
    (lambda: CrossbarUnit(3, 2, d2d=float("inf")), "d2d must be a finite number ≥ 0"),
    (lambda: OpticalUnit(3, 2, detector_noise="0.01"), "detector_noise must be a finite number ≥ 0; got '0.01'"),
    (lambda: BinaryUnit(3, 2, seed=1.5), "seed must be an integer ≥ 0"),
    (lambda: BinaryUnit(3, 2).inject_faults(float("nan")), r"fault rate must be a finite number in \[0, 1\]"),
    (lambda: UnitLearner(OpticalUnit(3, 2), 0.1, spsa_samples=1.5), "spsa_samples must be an integer ≥ 1"),
    (lambda: UnitLearner(BinaryUnit(3, 2), "0.1"), "lr must be a finite number > 0; got '0.1'"),
    (lambda: qh.pib.network("binary", [4, 2.5], 2), "sizes must be an integer ≥ 1; got 2.5"),
    (lambda: qh.pib.network("binary", [4, 3], 2.5), "n_classes must be an integer ≥ 2; got 2.5"),
    (lambda: qh.pib.network("binary", [4, 3], 2, seed=-1), "seed must be an integer ≥ 0"),
])
def test_non_integer_counts_seeds_and_non_numbers_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("kind", ["binary", "crossbar", "optical"])
def test_a_numpy_generator_seeds_units_networks_and_faults(kind):
    def state(net):
        return {k: v.clone() for k, v in net.state_dict().items()}

    a = qh.pib.network(kind, [4, 5, 3], 2, seed=np.random.default_rng(1))
    b = qh.pib.network(kind, [4, 5, 3], 2, seed=np.random.default_rng(1))
    assert all(torch.equal(v, state(b)[k]) for k, v in state(a).items())
    assert a.inject_faults(0.3, seed=np.random.default_rng(2)) == b.inject_faults(0.3, seed=np.random.default_rng(2))
    assert all(torch.equal(v, state(b)[k]) for k, v in state(a).items())
    unit = a.units[0]
    assert unit.inject_faults(0.3, seed=np.random.default_rng(3)) >= 0  # a unit takes one too
    same = type(unit)(4, 5, seed=np.random.default_rng(4)).state_dict()
    assert all(torch.equal(v, type(unit)(4, 5, seed=np.random.default_rng(4)).state_dict()[k]) for k, v in same.items())


def test_an_int_seed_is_a_torch_generator_seeded_with_that_int():
    a, b = CrossbarUnit(3, 2, seed=5), CrossbarUnit(3, 2, seed=torch.Generator().manual_seed(5))
    assert torch.equal(a.level, b.level) and torch.equal(a.variation, b.variation)


def test_digits10_dataset():
    data = qh.datasets.load("digits10_8x8", seed=3)
    assert "digits10_8x8" in qh.datasets.names()
    assert data.n_features == 64 and data.n_classes == 10
    assert len(data.y_train) + len(data.y_test) == 1797
    assert data.X_train.min() == 0.0 and data.X_train.max() == 1.0
    assert set(np.unique(data.y_test)) == set(range(10))  # stratified split
