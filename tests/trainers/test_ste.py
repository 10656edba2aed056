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
    task = qh.comparison.get_task("bars_stripes_sign")
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


def test_threads_none_leaves_the_callers_setting_and_an_int_is_used_then_restored(digits, monkeypatch):
    seen = []
    nll = digits.nll
    monkeypatch.setattr(digits, "nll", lambda bits: seen.append(torch.get_num_threads()) or nll(bits))
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        STE(epochs=1, restarts=1, seed=0).fit(digits)  # default threads=None: the user's 2 threads
        assert seen and set(seen) == {2}
        seen.clear()
        STE(epochs=1, restarts=1, seed=0, threads=1).fit(digits)
        assert seen and set(seen) == {1} and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 2.5}, "epochs must be an integer ≥ 1; got 2.5"),  # int() silently made it 2
    ({"restarts": 2.7}, "restarts must be an integer ≥ 1; got 2.7"),
    ({"batch_size": 32.0}, "batch_size must be an integer ≥ 1 or None; got 32.0"),
    ({"patience": 1.5}, "patience must be an integer ≥ 1 or None; got 1.5"),
    ({"epochs": True}, "epochs"),
    ({"lr": "0.01"}, "lr must be a finite number > 0; got '0.01' — pass a number, not a string"),
    ({"lr": float("inf")}, "lr must be a finite number"),
    ({"init_scale": float("nan")}, "init_scale"),
    ({"seed": -1}, "seed must be an integer ≥ 0"),
    ({"seed": 1.5}, "seed must be an integer ≥ 0"),
    ({"threads": 0}, "threads must be an integer ≥ 1 or None"),
    ({"threads": 1.5}, "threads must be an integer ≥ 1 or None"),
])
def test_non_integer_counts_and_non_numbers_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        STE(**kwargs)


def test_a_numpy_generator_seeds_the_run(digits):
    a = STE(epochs=2, restarts=2, seed=np.random.default_rng(5)).fit(digits)
    b = STE(epochs=2, restarts=2, seed=np.random.default_rng(5)).fit(digits)
    assert torch.equal(a.state["latent"], b.state["latent"])
    trainer = STE(epochs=2, restarts=2, seed=np.random.default_rng(5))
    first, second = trainer.fit(digits), trainer.fit(digits)  # the generator is drawn from per fit
    assert torch.equal(first.state["latent"], a.state["latent"])
    assert not torch.equal(second.state["latent"], first.state["latent"])
    assert STE(epochs=1, restarts=1, seed=None).fit(digits).bits.shape == (17,)  # fresh entropy


def test_an_int_seed_is_a_torch_generator_seeded_with_that_int(digits):
    a = STE(epochs=2, restarts=2, seed=3).fit(digits)
    b = STE(epochs=2, restarts=2, seed=torch.Generator().manual_seed(3)).fit(digits)
    assert torch.equal(a.state["latent"], b.state["latent"]) and a.history == b.history


def test_a_cost_table_is_refused_with_the_fix():
    with pytest.raises(TypeError, match="Evaluator"):
        STE().fit(torch.zeros(8))
