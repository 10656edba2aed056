"""Shot MMD² (U-statistics from samples) against the exact MMD² from probability vectors."""
import math

import pytest
import torch

from qhyper.bitstrings import all_bits
from qhyper.objectives import GaussianMixtureKernel, IMQKernel, mmd2_exact, mmd2_unbiased


def two_distributions(n):
    g = torch.Generator().manual_seed(0)
    q = torch.softmax(2.0 * torch.randn(2**n, generator=g, dtype=torch.float64), 0)
    p = torch.softmax(2.0 * torch.randn(2**n, generator=g, dtype=torch.float64), 0)
    return q, p, g


def draw(probs, m, g):
    return all_bits(int(math.log2(probs.numel())))[torch.multinomial(probs, m, replacement=True, generator=g)]


@pytest.mark.parametrize("kernel", [GaussianMixtureKernel(), IMQKernel()], ids=repr)
def test_single_shot_estimate_within_hoeffding_bound(kernel):
    """Gretton et al. (2012, Thm. 10): with a kernel bounded by 1 and m samples from each
    side, |MMD²_u − MMD²| < sqrt(8 log(2/δ) / ⌊m/2⌋) with probability ≥ 1 − δ."""
    n, m, delta = 6, 4000, 1e-6
    q, p, g = two_distributions(n)
    exact = float(mmd2_exact(q, p, kernel))
    tol = math.sqrt(8 * math.log(2 / delta) / (m // 2))
    est = float(mmd2_unbiased(draw(q, m, g), draw(p, m, g), kernel))
    assert abs(est - exact) < tol


def test_mean_of_estimates_is_unbiased_and_spread_shrinks_with_shots():
    n, kernel = 5, GaussianMixtureKernel()
    q, p, g = two_distributions(n)
    exact = float(mmd2_exact(q, p, kernel))
    spreads = []
    for m, R in [(64, 200), (1024, 40)]:
        est = torch.tensor([float(mmd2_unbiased(draw(q, m, g), draw(p, m, g), kernel)) for _ in range(R)])
        se = float(est.std()) / math.sqrt(R)
        assert abs(float(est.mean()) - exact) < 5 * se
        spreads.append(float(est.std()))
    # sd ∝ 1/sqrt(m) for MMD > 0: 16x the shots gives about 1/4 the spread
    assert 2.0 < spreads[0] / spreads[1] < 8.0


def test_unbiased_estimate_can_be_negative_when_distributions_agree():
    n, kernel = 4, GaussianMixtureKernel()
    q, _, g = two_distributions(n)
    est = torch.tensor([float(mmd2_unbiased(draw(q, 50, g), draw(q, 50, g), kernel)) for _ in range(200)])
    assert float(est.min()) < 0 < float(est.max())
    assert abs(float(est.mean())) < 5 * float(est.std()) / math.sqrt(200)
