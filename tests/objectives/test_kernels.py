import math

import pytest
import torch

from qhyper.bitstrings import all_bits
from qhyper.objectives import GaussianMixtureKernel, IMQKernel, PolynomialKernel, default_bandwidths
from qhyper.objectives.kernels import walsh_hadamard

KERNELS = [GaussianMixtureKernel(), GaussianMixtureKernel([0.5, 2.0]), IMQKernel(2.0, 1.0), PolynomialKernel(3)]


def brute_gram(kernel, x, y):
    n = x.shape[1]
    h = (x[:, None, :] != y[None, :, :]).sum(-1).to(torch.float64)
    return kernel.of_distance(h, n)


@pytest.mark.parametrize("kernel", KERNELS, ids=repr)
def test_gram_matches_brute_force_hamming(kernel):
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 2, (7, 6), generator=g).double()
    y = torch.randint(0, 2, (5, 6), generator=g).double()
    assert torch.allclose(kernel(x, y), brute_gram(kernel, x, y), atol=1e-14)
    assert torch.allclose(kernel.mean(x, y), brute_gram(kernel, x, y).mean())
    K = brute_gram(kernel, x, x)
    assert torch.allclose(kernel.mean_offdiagonal(x), (K.sum() - K.diagonal().sum()) / (7 * 6))


@pytest.mark.parametrize("kernel", KERNELS, ids=repr)
def test_exact_quadratic_form_matches_dense_gram(kernel):
    n = 5
    X = all_bits(n)
    K = kernel(X, X)
    g = torch.Generator().manual_seed(1)
    a, b = torch.rand(2, 2**n, generator=g, dtype=torch.float64)
    assert float(kernel.quadratic(a, b)) == pytest.approx(float(a @ K @ b), rel=1e-12)


def test_pair_sum_is_batched_over_leading_axes():
    k = GaussianMixtureKernel()
    g = torch.Generator().manual_seed(2)
    x = torch.randint(0, 2, (3, 4, 6), generator=g).double()
    y = torch.randint(0, 2, (5, 6), generator=g).double()
    want = torch.stack([k(x[i], y).sum() for i in range(3)])
    assert torch.allclose(k.pair_sum(x, y), want)


@pytest.mark.parametrize("kernel", [GaussianMixtureKernel(), IMQKernel()], ids=repr)
def test_characteristic_kernels_are_strictly_positive_definite(kernel):
    X = all_bits(5)
    assert float(torch.linalg.eigvalsh(kernel(X, X)).min()) > 1e-6


def test_polynomial_kernel_is_only_positive_semidefinite():
    X = all_bits(5)
    eig = torch.linalg.eigvalsh(PolynomialKernel(2)(X, X))
    assert float(eig.min()) > -1e-10
    assert int((eig > 1e-9).sum()) < 2**5  # rank-deficient: not characteristic


def test_walsh_hadamard_is_its_own_inverse_up_to_size():
    v = torch.arange(8, dtype=torch.float64)
    assert torch.allclose(walsh_hadamard(walsh_hadamard(v)), 8 * v)
    with pytest.raises(ValueError, match="2\\^n"):
        walsh_hadamard(torch.ones(6))


def test_default_bandwidth_rule():
    assert default_bandwidths(9) == (4.5, 2.25, 1.125, 0.5625)
    assert min(default_bandwidths(2)) == 0.25
    k = GaussianMixtureKernel()
    assert k.sigmas(16) == (8.0, 4.0, 2.0, 1.0)
    assert float(k.table(16)[0]) == 1.0


@pytest.mark.parametrize("bad", [0.0, -1.0, [1.0, 0.0], [1.0, math.nan], []])
def test_bad_bandwidths_rejected(bad):
    with pytest.raises(ValueError, match="bandwidths"):
        GaussianMixtureKernel(bad)


def test_bad_kernel_parameters_rejected():
    with pytest.raises(ValueError, match="scale"):
        IMQKernel(scale=0)
    with pytest.raises(ValueError, match="power"):
        IMQKernel(power=-1)
    with pytest.raises(ValueError, match="degree"):
        PolynomialKernel(0)
    with pytest.raises(ValueError, match="offset"):
        PolynomialKernel(2, offset=-1)


@pytest.mark.parametrize("n", [5, 9, 20, 40, 62, 63, 130])  # bincount (≤ 12 here), sorted keys (≤ 53), words
def test_unique_rows_matches_torch_unique(n):
    from qhyper.objectives.kernels import unique_rows

    g = torch.Generator().manual_seed(n)
    x = torch.randint(0, 2, (300, n), generator=g).double()
    x = torch.cat([x, x[:100], x[:7]])
    rows, inverse, counts = unique_rows(x)
    assert torch.equal(rows[inverse], x)
    assert rows.shape[0] == torch.unique(x, dim=0).shape[0] and int(counts.sum()) == x.shape[0]
    ref_rows, ref_counts = torch.unique(x, dim=0, return_counts=True)  # lexicographic = index order
    assert torch.equal(rows, ref_rows) and torch.equal(counts, ref_counts)
