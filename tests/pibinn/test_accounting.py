import math

import pytest
import torch

from qhyper.pibinn import ISTA, PIBiNN, UnrolledISTA, bits_per_weight, storage_report

# two sensors, each seeing two unknowns: A is 2×4 block diagonal
A = torch.tensor([[1.0, -2.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.5]])
# supp(A^T): 4 of 8 entries; supp(A^T A) ∪ diag: two 2×2 blocks, 8 of 16 entries


def test_binary_physics_global_by_hand():
    net = UnrolledISTA(A, layers=2, weights="binary", form="lista")  # W1 ×2, W2 ×1
    # signs 2·4 + 8 = 16; scalars λ + θ0 + θ1 = 3 → 96; positions 2·8 + 16 = 32
    assert bits_per_weight(net) == pytest.approx((16 + 96) / 32)
    assert net.num_bits == 16


def test_pibinn_cp_tied_by_hand():
    net = PIBiNN(A, layers=3, tied=True)  # one W1 only
    assert net.num_bits == 4
    assert bits_per_weight(net) == pytest.approx((4 + 32 * (1 + 3)) / 8)


def test_per_row_and_per_layer_scales_by_hand():
    per_row = UnrolledISTA(A, layers=2, weights="binary", scale="per_row", form="lista")
    # scales: 2 W1 × 4 rows + 1 W2 × 4 rows = 12, thresholds 2
    assert bits_per_weight(per_row) == pytest.approx((16 + 32 * 14) / 32)
    per_layer = UnrolledISTA(A, layers=2, weights="binary", scale="per_layer", form="lista")
    assert bits_per_weight(per_layer) == pytest.approx((16 + 32 * 5) / 32)


def test_ternary_and_real_by_hand():
    tern = UnrolledISTA(A, layers=2, weights="ternary", mask="dense", form="lista")
    # log2(3) per dense position (32), α per matrix (3) + 2 thresholds; no mask
    assert bits_per_weight(tern) == pytest.approx((32 * math.log2(3) + 32 * 5) / 32)
    assert bits_per_weight(tern, ternary_bits="packed") == pytest.approx((64 + 160) / 32)
    real = UnrolledISTA(A, layers=2, form="lista")
    assert bits_per_weight(real) == pytest.approx((32 * 16 + 32 * 2) / 32)


def test_custom_mask_pays_for_its_support_physics_does_not():
    M1 = torch.tensor([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=torch.bool)  # 4 of 8, not physics
    M2 = torch.eye(4, dtype=torch.bool) | torch.eye(4, dtype=torch.bool).roll(1, 1)  # 8 of 16
    net = UnrolledISTA(A, layers=2, weights="binary", mask=(M1, M2), form="lista")
    phys = UnrolledISTA(A, layers=2, weights="binary", form="lista")
    rep = storage_report(net)
    # entropy bound: 8·H2(1/2) + 16·H2(1/2) = 24 bits, stored once
    assert rep.mask_bits == pytest.approx(24.0)
    assert storage_report(phys).mask_bits == 0
    assert rep.total_bits == pytest.approx(storage_report(phys).total_bits + 24)
    # CSR: nnz·ceil(log2 cols) + (rows+1)·ceil(log2(nnz+1))
    csr = storage_report(net, mask_cost="csr").mask_bits
    assert csr == 4 * 1 + 5 * 3 + 8 * 2 + 5 * 4
    with pytest.raises(ValueError, match="mask_cost"):
        storage_report(net, mask_cost="bitmap")


def test_ista_stores_one_number():
    rep = storage_report(ISTA(A, 10))
    assert rep.total_bits == 32 and math.isnan(rep.bits_per_weight)
    with pytest.raises(TypeError):
        storage_report(torch.nn.Linear(2, 2))


def test_physics_binary_is_below_one_bit_on_a_real_task():
    from qhyper.pibinn import load_problem

    task = load_problem("deconv1d", seed=0, n_train=10, n_test=10)
    assert bits_per_weight(PIBiNN(task)) < 0.2
    assert bits_per_weight(UnrolledISTA(task, weights="binary", mask="dense")) > 1
