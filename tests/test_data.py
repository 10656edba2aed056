import numpy as np
import pytest

import qhyper as qh


@pytest.mark.parametrize("name", qh.datasets.names())
def test_every_dataset_loads_deterministically(name):
    a, b = qh.datasets.load(name, seed=1), qh.datasets.load(name, seed=1)
    assert a.X_train.dtype == np.float64 and a.y_train.dtype == np.int64
    assert a.X_train.shape[0] == len(a.y_train) > 0 and a.X_test.shape[0] == len(a.y_test) > 0
    assert np.isfinite(a.X_train).all()
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert set(np.unique(a.y_train)) <= set(range(a.n_classes))


def test_gaussian_mixture_matches_its_definition():
    d = qh.datasets.load("gaussian_mixture", n_train=20000, n_test=10)
    X0 = d.X_train[d.y_train == 0]
    np.testing.assert_allclose(X0.mean(0), [-1, -2], atol=0.02)
    np.testing.assert_allclose(X0.var(0), [0.1, 0.1], rtol=0.05)
    assert abs(d.y_train.mean() - 0.5) < 0.02
    X1 = d.X_train[d.y_train == 1]
    np.testing.assert_allclose(X1.mean(0), np.mean([[-2, 1], [1, 1], [2, -2]], 0), atol=0.05)


def test_digits_pairs_are_pooled_to_4x4():
    d = qh.datasets.load("digits01_4x4")
    assert d.n_features == 16 and d.X_train.min() >= 0 and d.X_train.max() <= 1
    assert qh.datasets.load("digits27_8x8").n_features == 64
    assert qh.datasets.load("digits37_4x4").name == "digits37_4x4"


def test_bars_and_stripes():
    p = qh.datasets.bars_and_stripes_patterns(3, 3)
    assert p.shape == (14, 9)
    d = qh.datasets.load("bars_and_stripes", flip=0.0)
    imgs = (d.X_train.reshape(-1, 3, 3) + 1) / 2
    bars = (imgs == imgs[:, :1, :]).all(axis=(1, 2))
    assert np.array_equal(bars.astype(int), d.y_train)


def test_subsample_is_stratified_and_seeded():
    d = qh.datasets.load("moons")
    s = d.subsample(20, seed=2)
    assert len(s.y_train) == 20 and set(s.y_train) == {0, 1}
    np.testing.assert_array_equal(s.X_train, d.subsample(20, seed=2).X_train)


def test_unknown_dataset_names_the_choices():
    with pytest.raises(ValueError, match="unknown dataset 'mnist'.*gaussian_mixture"):
        qh.datasets.load("mnist")
    with pytest.raises(ValueError, match="two different digits"):
        qh.datasets.load("digits11_4x4")


@pytest.mark.parametrize("name", qh.datasets.names())
def test_every_dataset_takes_a_numpy_generator_or_none_and_leaves_global_state_alone(name):
    state = np.random.get_state()
    a = qh.datasets.load(name, seed=np.random.default_rng(5))
    b = qh.datasets.load(name, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    fresh = qh.datasets.load(name, seed=None)  # fresh entropy, not numpy's global generator
    assert fresh.X_train.shape == a.X_train.shape
    after = np.random.get_state()
    assert after[0] == state[0] and np.array_equal(after[1], state[1]) and after[2:] == state[2:]


def test_subsample_takes_a_numpy_generator():
    d = qh.datasets.load("moons")
    a, b = (d.subsample(20, seed=np.random.default_rng(3)) for _ in range(2))
    np.testing.assert_array_equal(a.X_train, b.X_train)


@pytest.mark.parametrize("make, match", [
    (lambda: qh.datasets.load("gaussian_mixture", n_train=10.5), "n_train must be an integer ≥ 1; got 10.5"),
    (lambda: qh.datasets.load("xor", n_test=0), "n_test must be an integer ≥ 1; got 0"),
    (lambda: qh.datasets.load("bars_and_stripes", rows=2.5), "rows must be an integer ≥ 2; got 2.5"),
    (lambda: qh.datasets.load("moons").subsample(2.5), "n_train must be an integer in 1 … 200; got 2.5"),
    (lambda: qh.datasets.load("digits01_4x4", test_fraction="0.3"), "test_fraction must be a finite number in"),
    (lambda: qh.datasets.load("bars_and_stripes", flip=float("nan")), "flip must be a finite number in"),
    (lambda: qh.datasets.load("xor", noise=float("inf")), "noise must be a finite number ≥ 0"),
    (lambda: qh.datasets.digits_pair(0, 1.5), "b must be an integer in 0 … 9; got 1.5"),
    (lambda: qh.datasets.load("moons", seed=-1), "seed must be an integer ≥ 0"),
    (lambda: qh.datasets.load("xor", seed=0.5), "seed must be an integer ≥ 0"),
])
def test_non_integer_counts_seeds_and_non_numbers_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()
