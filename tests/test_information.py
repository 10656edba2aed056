import math

import numpy as np
import pytest
import torch

from qhyper import information as info
from qhyper._threads import threads

D = torch.float64


@pytest.fixture(autouse=True)
def one_thread():
    """Batch Gram matrices are small: one torch thread is much faster on a shared machine."""
    with threads(1):
        yield


def _x(n=60, d=3, seed=0):
    return torch.as_tensor(np.random.default_rng(seed).standard_normal((n, d)), dtype=D)


def _numpy_entropy(X, alpha):
    """Independent reference: Gaussian Gram with the median width, eigenvalues by numpy."""
    X = np.asarray(X, dtype=float)
    D2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    pairs = np.sort(D2[np.triu_indices(len(X), 1)])
    sigma = math.sqrt(pairs[(len(pairs) - 1) // 2])  # the lower middle value, as torch.median
    K = np.exp(-D2 / (2 * sigma**2))
    lam = np.clip(np.linalg.eigvalsh(K / np.trace(K)), 0, None)
    return math.log2((lam**alpha).sum()) / (1 - alpha)


@pytest.mark.parametrize("alpha", [0.5, 1.01, 2.0, 3.0])
def test_entropy_matches_numpy_reference_and_bounds(alpha):
    X = _x(40, 4)
    s = float(info.entropy(X, alpha))
    # alpha < 1 magnifies rounding in the tiny eigenvalues (λ^α): a looser match there
    assert s == pytest.approx(_numpy_entropy(X, alpha), abs=1e-9 if alpha > 1 else 1e-6)
    assert 0.0 <= s <= math.log2(40) + 1e-12


def test_entropy_extremes():
    same = torch.ones(10, 3, dtype=D)
    assert float(info.entropy(same)) == pytest.approx(0.0, abs=1e-12)
    far = 100.0 * torch.eye(10, dtype=D)  # tiny width relative to distances: A = I/N
    assert float(info.entropy(far, width=1.0)) == pytest.approx(math.log2(10), abs=1e-9)
    labels = torch.arange(8).repeat(2)  # 8 equally likely classes, linear kernel
    assert float(info.entropy(labels)) == pytest.approx(3.0, abs=1e-12)


@pytest.mark.parametrize("alpha", [1.01, 2.0, 3.0])
def test_self_information_of_discrete_variable_is_its_entropy(alpha):
    y = torch.as_tensor(np.random.default_rng(1).integers(0, 5, 80))
    assert float(info.mutual_information(y, y, alpha)) == pytest.approx(float(info.entropy(y, alpha)), abs=1e-10)


def test_self_information_of_continuous_variable():
    X = _x(80, 3)
    s, i = float(info.entropy(X)), float(info.mutual_information(X, X))
    assert 0 < i <= s + 1e-12  # the Gaussian-kernel joint A∘A only bounds it (module docs)
    far = 100.0 * torch.eye(12, dtype=D)
    assert float(info.mutual_information(far, far, width=1.0)) == pytest.approx(math.log2(12), abs=1e-9)


def test_independent_samples_carry_little_information():
    X, Z = _x(300, 3, seed=0), _x(300, 3, seed=1)
    for alpha in (1.01, 2.0):
        i_xx = float(info.mutual_information(X, X, alpha))
        i_xz = float(info.mutual_information(X, Z, alpha))
        assert abs(i_xz) < 0.15 * i_xx
    y = torch.as_tensor(np.random.default_rng(2).integers(0, 3, 300))
    y_dep = (X[:, 0] > 0).long() + (X[:, 1] > 0).long()
    assert float(info.mutual_information(X, y)) < 0.2 * float(info.mutual_information(X, y_dep))


def test_alpha2_shortcut_equals_eigen_path():
    X, T = _x(50, 3, 0), _x(50, 2, 3)
    for f in (info.entropy,):
        assert float(f(X, 2.0, method="frobenius")) == pytest.approx(float(f(X, 2.0, method="eig")), abs=1e-8)
    for f in (info.joint_entropy, info.mutual_information):
        assert float(f(X, T, 2.0, method="frobenius")) == pytest.approx(float(f(X, T, 2.0, method="eig")), abs=1e-8)
    with pytest.raises(ValueError, match="alpha = 2 only"):
        info.entropy(X, 3.0, method="frobenius")


def test_invariant_to_sample_order():
    X, T = _x(50, 3, 0), _x(50, 2, 3)
    perm = torch.as_tensor(np.random.default_rng(5).permutation(50))
    for alpha in (1.01, 2.0):
        assert float(info.entropy(X[perm], alpha)) == pytest.approx(float(info.entropy(X, alpha)), abs=1e-9)
        assert float(info.mutual_information(X[perm], T[perm], alpha)) == pytest.approx(
            float(info.mutual_information(X, T, alpha)), abs=1e-9)
    assert float(info.hsic(X[perm], T[perm])) == pytest.approx(float(info.hsic(X, T)), rel=1e-8)


def test_joint_entropy_properties():
    X, T = _x(50, 3, 0), _x(50, 2, 3)
    sx, st, sxt = float(info.entropy(X)), float(info.entropy(T)), float(info.joint_entropy(X, T))
    assert max(sx, st) - 1e-12 <= sxt <= sx + st + 1e-12


@pytest.mark.parametrize("alpha", [0.5, 1.01, 2.0])
def test_gradients_are_finite_with_repeated_samples(alpha):
    X = _x(20, 3)
    X = torch.cat([X, X[:5]]).requires_grad_()  # repeated rows: degenerate eigenvalues
    y = torch.arange(25) % 3
    (info.mutual_information(X, y, alpha) - info.entropy(X, alpha)).backward()
    assert torch.isfinite(X.grad).all() and X.grad.abs().sum() > 0


def test_width_is_not_a_gradient_path():
    X = _x(30, 2).requires_grad_()
    g_rule = torch.autograd.grad(info.entropy(X), X)[0]
    sigma = float(torch.pdist(X.detach()).median())  # the same σ as a fixed number
    g_fixed = torch.autograd.grad(info.entropy(X, width=sigma), X)[0]
    assert torch.allclose(g_rule, g_fixed, atol=1e-10)


def test_hsic_matches_bruteforce_and_detects_dependence():
    X, Z = _x(40, 3, 0), _x(40, 3, 1)
    y = (X[:, 0] > 0).long()
    H = np.eye(40) - 1 / 40

    def nocco(K):
        Kc = H @ K @ H
        return Kc @ np.linalg.inv(Kc + 1e-5 * 40 * np.eye(40))

    Kx = info.kernel_matrix(X).numpy()
    Ky = (y.numpy()[:, None] == y.numpy()[None, :]).astype(float)
    assert float(info.hsic(X, y)) == pytest.approx(np.sum(nocco(Kx) * nocco(Ky).T), rel=1e-8)
    # a larger batch and ε separate dependence from chance clearly (ε → 0 whitens towards rank N)
    X, Z = _x(100, 3, 0), _x(100, 3, 1)
    assert float(info.hsic(X, X, eps=1e-3)) > 3 * float(info.hsic(X, Z, eps=1e-3))
    assert float(info.hsic(X, (X[:, 0] > 0).long(), eps=1e-3)) > 3 * float(info.hsic(X, (Z[:, 0] > 0).long(), eps=1e-3))


@pytest.mark.parametrize("alpha, match", [(0.0, "> 0"), (-1.0, "> 0"), (1.0, "Shannon"), (float("nan"), "finite")])
def test_bad_alpha(alpha, match):
    with pytest.raises(ValueError, match=match):
        info.entropy(_x(), alpha)


def test_bad_batches():
    with pytest.raises(ValueError, match="at least 2"):
        info.entropy(_x(1, 3))
    bad = _x()
    bad[3, 1] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        info.mutual_information(bad, _x())
    with pytest.raises(ValueError, match="same samples"):
        info.mutual_information(_x(10), _x(11))
    with pytest.raises(ValueError, match="kernel"):
        info.entropy(_x(), kernel="cosine")
    with pytest.raises(ValueError, match="width"):
        info.entropy(_x(), width="mean")
    with pytest.raises(ValueError, match="eps"):
        info.hsic(_x(), _x(), eps=0)


@pytest.mark.parametrize("call, match", [
    (lambda: info.entropy(_x(), width=float("inf")), "width must be a finite number > 0"),  # inf was taken
    (lambda: info.entropy(_x(), width=True), "width must be a finite number > 0"),
    (lambda: info.entropy(_x(), alpha="2"), "alpha must be a finite number > 0; got '2' — the Rényi order"),
    (lambda: info.hsic(_x(), _x(), eps=float("inf")), "eps must be a finite number > 0"),
])
def test_non_numbers_and_non_finite_options_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()
