"""STE trains the shared BinaryMLP through the straight-through sign and is scored by the Evaluator."""
import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.bitstrings import all_bits
from qhyper.trainers import STE, network_metrics


@pytest.fixture(scope="module")
def digits():
    return qh.Evaluator.from_dataset(qh.BinaryMLP([16, 1]), qh.datasets.load("digits01_4x4"))


def test_reaches_the_exhaustive_optimum_on_digits(digits):
    optimum = qh.trainers.Exhaustive().fit(digits).metrics["train_accuracy"]
    res = STE(epochs=100, seed=0).fit(digits)
    assert res.metrics["train_accuracy"] >= optimum - 0.03
    assert res.metrics == network_metrics(digits, res.bits)  # scored by the shared Evaluator


def test_result_is_a_valid_network_and_latents_stay_clipped(digits):
    res = STE(epochs=3, restarts=2, seed=1).fit(digits)
    assert res.bits.shape == (17,) and set(res.bits.tolist()) <= {0.0, 1.0}
    assert res.state["latent"].abs().max() <= 1.0
    assert len(res.history["train_nll"]) == 3
    assert res.metrics["train_nll"] == pytest.approx(min(res.history["train_nll"]))
    assert res.evaluations == 2 * 3 * 2  # (mini-batch pass + scoring) per run and epoch


@pytest.mark.parametrize("activation", ["sign", "relu", ["relu", "sigmoid"]])
def test_forward_matches_the_model_and_passes_gradients(activation):
    model = qh.BinaryMLP([3, 2, 1], activation=activation)
    X = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    bits = all_bits(model.num_bits)[::97]
    assert torch.allclose(STE.logits(model, bits, X), model.forward(bits, X))
    v = torch.full((1, model.num_weight_bits), 0.3, dtype=torch.float64, requires_grad=True)
    w = qh.quantizers.ste_sign(v)
    b = torch.cat([(w + 1) / 2, torch.zeros(1, model.num_choice_bits, dtype=torch.float64)], 1)
    STE.logits(model, b, X).sum().backward()
    assert v.grad.abs().sum() > 0


def test_every_activation_choice_is_trained():
    model = qh.BinaryMLP([2, 3, 1], activation=["relu", "sigmoid"])
    data = qh.datasets.load("xor")
    ev = qh.Evaluator(model, data.X_train, data.y_train)
    res = STE(epochs=5, restarts=2, seed=0).fit(ev)
    assert res.state["choices"][:, 0].tolist() == [0.0, 0.0, 1.0, 1.0]
    assert res.metrics["train_nll"] == pytest.approx(float(ev.nll(res.bits)[0]))


def test_sign_hidden_layer_finds_the_optimum_of_a_small_task():
    task = qh.compare.get_task("bars_stripes_sign")
    ev = task.evaluator()
    best = float(ev.accuracy(all_bits(ev.num_bits)).max())
    res = STE(epochs=100, restarts=16, seed=0).fit(ev)
    assert res.metrics["train_accuracy"] >= best - 0.05


def test_seeded_runs_repeat(digits):
    a = STE(epochs=4, seed=3).fit(digits)
    b = STE(epochs=4, seed=3).fit(digits)
    assert torch.equal(a.bits, b.bits) and a.history == b.history


def test_patience_stops_early(digits):
    res = STE(epochs=200, patience=3, seed=0).fit(digits)
    assert len(res.history["train_nll"]) < 200


def test_interrupt_returns_the_best_so_far(digits, monkeypatch):
    calls = []
    nll = digits.nll

    def stop_third(bits):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return nll(bits)

    monkeypatch.setattr(digits, "nll", stop_third)
    res = STE(epochs=10, seed=0).fit(digits)
    monkeypatch.undo()
    assert res.interrupted and len(res.history["train_nll"]) == 2
    assert res.metrics["train_nll"] == pytest.approx(float(digits.nll(res.bits)[0]))


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs"), ({"restarts": 0}, "restarts"), ({"lr": 0.0}, "lr"),
    ({"batch_size": 0}, "batch_size"), ({"patience": 0}, "patience"), ({"init_scale": 2.0}, "init_scale"),
])
def test_bad_options_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        STE(**kwargs)


def test_torch_threads_are_restored(digits):
    before = torch.get_num_threads()
    STE(epochs=1, seed=0).fit(digits)
    assert torch.get_num_threads() == before


def test_a_cost_table_is_refused_with_the_fix():
    with pytest.raises(TypeError, match="Evaluator"):
        STE().fit(torch.zeros(8))
