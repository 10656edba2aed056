import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.pibinn import InverseProblem, load_problem, physics_masks
from qhyper.pibinn.masks import check_masks


def test_tasks_are_seeded_and_have_the_requested_snr():
    a, b = load_problem("block_cs", seed=3, n_train=400), load_problem("block_cs", seed=3, n_train=400)
    c = load_problem("block_cs", seed=4, n_train=400)
    assert torch.equal(a.Y_train, b.Y_train) and torch.equal(a.operator, b.operator)
    assert not torch.equal(a.operator, c.operator)
    assert a.operator.shape == (32, 64) and a.Y_test.shape == (1000, 32) and a.X_test.shape == (1000, 64)
    # k non-zeros per signal
    assert torch.all((a.X_train != 0).sum(1) == 4)
    # noise = Y - A x has the SNR it was set from (mean over 400·32 draws: relative sd ≈ 1 %)
    noise = a.Y_train - a.X_train @ a.operator.T
    snr = 10 * torch.log10((a.X_train @ a.operator.T).pow(2).mean() / noise.pow(2).mean())
    assert abs(float(snr) - 30.0) < 0.2
    assert abs(float(noise.std()) / a.noise_std - 1) < 0.05


def test_deconv_operator_is_banded_toeplitz():
    task = load_problem("deconv1d", seed=0, n=16, kernel=5, n_train=10, n_test=10)
    A = task.operator
    i, j = torch.nonzero(A, as_tuple=True)
    assert int((i - j).abs().max()) == 2
    assert torch.allclose(A[5, 3:8], A[9, 7:12])  # shift invariant away from the boundary
    assert abs(float(A[8, 6:11].norm()) - 1) < 1e-12


def test_physics_masks_by_hand():
    A = torch.tensor([[1.0, -2.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.5]])  # two blocks of 1×2
    M1, M2 = physics_masks(A)
    assert torch.equal(M1, torch.tensor([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=torch.bool))
    block = torch.ones(2, 2, dtype=torch.bool)
    assert torch.equal(M2, torch.block_diag(block, block))


def test_physics_mask_is_structural_not_numerical():
    # columns 0 and 1 are orthogonal (A^T A has an exact 0) but share sensors: the support keeps them
    A = torch.tensor([[1.0, 1.0], [1.0, -1.0]])
    assert float((A.T @ A)[0, 1]) == 0.0
    assert physics_masks(A)[1].all()


@pytest.mark.parametrize("make, match", [
    (lambda: load_problem("nope"), "unknown problem"),
    (lambda: load_problem("block_cs", n=10, blocks=3), "divisible"),
    (lambda: load_problem("deconv1d", k=0), "sparsity"),
    (lambda: qh.pibinn.PIBiNN(torch.ones(3, 4, 2)), "2-D"),
    (lambda: qh.pibinn.PIBiNN(torch.ones(4)), "2-D"),
    (lambda: qh.pibinn.PIBiNN(torch.tensor([[1.0, float("nan")]])), "NaN"),
    (lambda: qh.pibinn.PIBiNN(torch.eye(3), layers=0), "layers"),
    (lambda: qh.pibinn.PIBiNN(torch.eye(3), layers=2.5), "layers"),
    (lambda: qh.pibinn.UnrolledISTA(torch.eye(3), weights="quaternary"), "weights"),
    (lambda: qh.pibinn.UnrolledISTA(torch.eye(3), weights="binary", scale="per_column"), "scale"),
    (lambda: qh.pibinn.UnrolledISTA(torch.eye(3), mask="pruned"), "mask"),
    (lambda: qh.pibinn.UnrolledISTA(torch.eye(3), form="admm"), "form"),
    (lambda: qh.pibinn.UnrolledISTA(torch.eye(3), threshold="per_column"), "threshold"),
])
def test_bad_construction_is_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("make, match", [
    (lambda: load_problem("deconv1d", k=1.5), "k must be an integer in 1 … 64; got 1.5"),
    (lambda: load_problem("deconv1d", kernel=2.5), "kernel must be an integer in 1 … 64; got 2.5"),
    (lambda: load_problem("deconv1d", n_train=10.5), "n_train must be an integer ≥ 1; got 10.5"),
    (lambda: load_problem("block_cs", blocks=2.0), "blocks must be an integer ≥ 1; got 2.0"),
    (lambda: load_problem("deconv1d", seed=1.5), "seed must be an integer ≥ 0"),
    (lambda: load_problem("deconv1d", snr_db="30"), "snr_db must be a finite number; got '30'"),
    (lambda: load_problem("deconv1d", n_train=20).subset(2.5), "n_train must be an integer in 1 … 20; got 2.5"),
    (lambda: qh.pibinn.PIBiNN(torch.eye(3), reg=float("inf")), "reg must be a finite number ≥ 0"),
    (lambda: qh.pibinn.ISTA(torch.eye(3), iterations=2.5), "iterations must be an integer ≥ 1; got 2.5"),
])
def test_non_integer_counts_seeds_and_non_numbers_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_numpy_generator_seeds_a_task():
    a = load_problem("block_cs", seed=np.random.default_rng(4), n=8, m=4, blocks=2, k=1, n_train=10, n_test=5)
    b = load_problem("block_cs", seed=np.random.default_rng(4), n=8, m=4, blocks=2, k=1, n_train=10, n_test=5)
    c = load_problem("block_cs", seed=4, n=8, m=4, blocks=2, k=1, n_train=10, n_test=5)
    assert torch.equal(a.operator, b.operator) and torch.equal(a.Y_train, b.Y_train)
    assert torch.equal(a.Y_train, c.Y_train)  # the int seeds the same numpy stream
    with pytest.raises(ValueError, match="noise_std must be a finite number > 0; got '0.1'"):
        InverseProblem("t", a.operator, a.Y_train, a.X_train, a.Y_test, a.X_test, "0.1")


def test_empty_support_rows_are_refused():
    A = torch.tensor([[1.0, 0.0, 2.0], [0.5, 0.0, 1.0]])  # column 1 never observed
    with pytest.raises(ValueError, match="row\\(s\\) \\[1\\] empty"):
        physics_masks(A)
    M1 = torch.ones(3, 2, dtype=torch.bool)
    M2 = torch.eye(3, dtype=torch.bool)
    M2[2, 2] = False
    with pytest.raises(ValueError, match="M2 leaves row"):
        check_masks(M1, M2, (2, 3))
    with pytest.raises(ValueError, match="shape"):
        check_masks(M1.T, M2, (2, 3))


def test_bad_data_is_refused():
    A = torch.randn(4, 6, generator=torch.Generator().manual_seed(0))
    Y, X = torch.zeros(5, 4), torch.zeros(5, 6)
    with pytest.raises(ValueError, match="Y_train must have shape \\[N, 4\\]"):
        InverseProblem("t", A, torch.zeros(5, 3), X, Y, X, 0.1)
    with pytest.raises(ValueError, match="X_test must have shape"):
        InverseProblem("t", A, Y, X, Y, torch.zeros(5, 4), 0.1)
    bad = Y.clone()
    bad[0, 0] = float("inf")
    with pytest.raises(ValueError, match="NaN or inf"):
        InverseProblem("t", A, bad, X, Y, X, 0.1)
    with pytest.raises(ValueError, match="one signal per measurement"):
        InverseProblem("t", A, Y, X[:4], Y, X, 0.1)
    with pytest.raises(ValueError, match="noise_std"):
        InverseProblem("t", A, Y, X, Y, X, 0.0)
    net = qh.pibinn.PIBiNN(A)
    with pytest.raises(ValueError, match="4"):
        net(torch.zeros(5, 6))
    with pytest.raises(ValueError, match="NaN"):
        net(np.full((2, 4), np.nan))
