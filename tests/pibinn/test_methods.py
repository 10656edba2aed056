import math

import pytest
import torch

import qhyper as qh
from qhyper.comparison.methods.pibinn import METHODS, run_method
from qhyper.pibinn import load_problem, nmse_db


@pytest.mark.parametrize("name", ["deconv1d", "block_cs"])
def test_pibinn_beats_ista_with_the_same_iteration_count(name):
    task = load_problem(name, seed=0, n_train=1000, n_test=500)
    ista = run_method("ista", task, seed=0, layers=6)
    pib = run_method("pibinn", task, seed=0, layers=6, steps=400)
    assert pib.metrics["bits_per_weight"] < 1
    assert pib.metrics["test_nmse_db"] < ista.metrics["test_nmse_db"] - 1.0, (pib.metrics, ista.metrics)


def test_every_classical_method_runs():
    task = load_problem("block_cs", seed=0, n=8, m=4, blocks=2, k=1, n_train=64, n_test=32)
    for name in METHODS[:-1]:
        res = run_method(name, task, seed=0, layers=2, steps=10, batch_size=16)
        assert res.method == name
        assert math.isfinite(res.metrics["test_nmse_db"])
        assert res.metrics["gap_db"] == pytest.approx(res.metrics["test_nmse_db"] - res.metrics["train_nmse_db"])
        if name == "binary_pruned":  # pruned to the physics row counts, and it pays for its mask
            model = res.state["model"]
            assert model.mask_kind == "custom"
            assert torch.equal(model.M1.sum(1), qh.pibinn.physics_masks(task.operator)[0].sum(1).double())
            assert qh.pibinn.storage_report(model).mask_bits > 0
    with pytest.raises(ValueError, match="unknown method"):
        run_method("admm", task)


def test_qhn_learns_sign_bits_of_a_tiny_pibinn():
    task = load_problem("block_cs", seed=0, n=4, m=2, blocks=2, k=1, n_train=40, n_test=40)
    res = run_method("qhn", task, seed=0, layers=2, steps=40, qhn_steps=30)
    model = res.state["model"]
    assert model.num_bits == 4 and res.bits.shape == (4,)
    assert torch.equal(model.bits(), res.bits)
    # it finds the best of the 16 sign patterns and concentrates on it (uniform would give 1/16;
    # seeds 0-3 gave 0.65-0.93)
    assert res.metrics["qhn_rank"] == 0 and res.metrics["p_best"] > 0.5
    assert res.metrics["train_nmse_db"] == pytest.approx(res.metrics["best_train_nmse_db"])
    # the table's best network is at least as good on the training set as QHN's and STE's
    assert res.metrics["best_train_nmse_db"] <= min(res.metrics["train_nmse_db"], res.metrics["ste_train_nmse_db"]) + 1e-9
    assert nmse_db(model, task) == pytest.approx(res.metrics["test_nmse_db"])
    with pytest.raises(ValueError, match="limited to n <= 2"):
        run_method("qhn", task, seed=0, layers=2, steps=5, max_exact_bits=2)
    # beyond enumeration, shots: the Evaluator scores the sampled networks
    shots = run_method("qhn", task, seed=0, layers=2, steps=5, max_exact_bits=2, objective="mmd", shots=64,
                       qhn_steps=2)
    assert shots.bits.shape == (4,) and "qhn_rank" not in shots.metrics
    assert math.isfinite(shots.metrics["test_nmse_db"])
