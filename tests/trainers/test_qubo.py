"""The QUBO encoding is exact on tiny problems; the trainer decodes, re-scores and regularises."""
import dimod
import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.bitstrings import all_bits, index_to_bits
from qhyper.qubo import BNNQubo, input_grid, slack_coefficients
from qhyper.trainers import QUBO


def _errors(model, X, y, bits) -> np.ndarray:
    ev = qh.Evaluator(model, X, y)
    return np.rint((1 - ev.accuracy(bits).numpy()) * len(y))


def _energies(enc, states):
    return enc.bqm.energies((states, list(range(enc.num_variables))))


def _teacher(sizes, N, seed):
    rng = np.random.default_rng(seed)
    model = qh.BinaryMLP(sizes, activation="sign")
    X = rng.choice([-1.0, 1.0], size=(N, sizes[0]))
    teacher = index_to_bits(int(rng.integers(2**model.num_bits)), model.num_bits)
    y = (model.forward(teacher, X)[0, :, 0] >= 0).long().numpy()
    return model, X, y


@pytest.mark.parametrize("R", [0, 1, 2, 3, 4, 5, 7, 8, 100])
def test_slack_expansion_covers_exactly_the_range(R):
    coef, counts = slack_coefficients(np.array([R]))
    k = int(counts[0])
    values = {int(b @ coef[0, :k]) for b in all_bits(k).numpy().astype(int)} if k else {0}
    assert values == set(range(R + 1))


@pytest.mark.parametrize("bias", [True, False])
def test_exact_solver_ground_state_is_min_training_errors_logistic(bias):
    rng = np.random.default_rng(3)
    model = qh.BinaryMLP([2, 1], bias=bias)
    X = rng.choice([-1.0, 1.0], size=(3, 2))
    y = np.array([0, 1, 1])
    enc = BNNQubo(model, X, y)
    assert enc.num_variables <= 20
    ground = dimod.ExactSolver().sample(enc.bqm).first.energy
    brute = _errors(model, X, y, all_bits(model.num_bits)).min()
    assert ground == pytest.approx(brute)


def test_ground_state_given_weights_is_their_error_count_hidden_layer():
    """For every weight setting, minimising the energy over all auxiliary bits exactly
    (ExactSolver) gives the weights' training-error count: the encoding is exact."""
    rng = np.random.default_rng(0)
    model = qh.BinaryMLP([2, 1, 1], activation="sign")
    X = rng.choice([-1.0, 1.0], size=(2, 2))
    y = np.array([1, 0])
    enc = BNNQubo(model, X, y)
    bits = all_bits(model.num_bits)
    errors = _errors(model, X, y, bits)
    for b, err in zip(bits.numpy().astype(int), errors):
        sub = enc.bqm.copy()
        sub.fix_variables({j: int(v) for j, v in enumerate(b)})
        assert sub.num_variables <= 18
        assert dimod.ExactSolver().sample(sub).first.energy == pytest.approx(err)


@pytest.mark.parametrize("sizes, bias", [([3, 2, 1], True), ([3, 2, 1], False), ([2, 1, 2, 1], True)])
def test_feasible_completion_energy_equals_errors_and_no_state_is_below(sizes, bias):
    rng = np.random.default_rng(1)
    model = qh.BinaryMLP(sizes, activation="sign", bias=bias)
    X = rng.choice([-1.0, 1.0], size=(5, sizes[0]))
    y = rng.integers(0, 2, 5)
    enc = BNNQubo(model, X, y)
    bits = all_bits(model.num_bits)
    assert np.allclose(_energies(enc, enc.complete(bits.numpy().astype(int))), _errors(model, X, y, bits))
    states = rng.integers(0, 2, (5000, enc.num_variables))
    weights = torch.as_tensor(states[:, : model.num_bits], dtype=torch.float64)
    assert (_energies(enc, states) >= _errors(model, X, y, weights) - 1e-9).all()


def test_real_inputs_on_a_grid_are_encoded_exactly():
    rng = np.random.default_rng(2)
    X = rng.integers(0, 5, (6, 3)) / 4
    y = rng.integers(0, 2, 6)
    assert input_grid(X) == (4, 0.0)
    model = qh.BinaryMLP([3, 2, 1], activation="sign")
    enc = BNNQubo(model, X, y, resolution=4)
    bits = all_bits(model.num_bits)
    assert np.allclose(_energies(enc, enc.complete(bits.numpy().astype(int))), _errors(model, X, y, bits))


def test_input_grid_reports_rounding_of_off_grid_data():
    r, err = input_grid(np.array([[0.1, 0.9]]))
    assert r == 8 and err == pytest.approx(0.025)  # the finest default grid, 1/8: 0.1 → 0.125
    assert input_grid(np.array([[0.375]])) == (8, 0.0)  # on the 1/8 grid: exact


def test_rounded_inputs_are_flagged_in_the_metrics_and_the_table(tmp_path):
    model, X, y = _teacher([3, 1], 10, seed=0)
    X = X + 0.01  # off every grid
    res = QUBO(num_reads=2, num_sweeps=50, refine_rounds=0, seed=0).fit(qh.Evaluator(model, X, y))
    assert res.metrics["input_rounding_error"] == pytest.approx(0.01)
    on_grid = QUBO(num_reads=2, num_sweeps=50, refine_rounds=0, seed=0).fit(qh.Evaluator(model, X - 0.01, y))
    assert on_grid.metrics["input_rounding_error"] == 0.0
    table = qh.compare(["qubo", "ste"], task="digits01_4x4", seeds=1, quick=True, progress=False)
    error = table.runs[0]["metrics"]["input_rounding_error"]
    assert 0 < error <= 1 / 16 and f"qubo (max error {error:.3g})" in table.format()
    assert "ste (max" not in table.format()


def test_metrics_hold_no_timings_and_repeat_exactly():
    """Timings live in wall_time and state, so the same seed gives bit-identical metrics."""
    model, X, y = _teacher([4, 2, 1], 20, seed=1)
    ev = qh.Evaluator(model, X, y)
    a, b = (QUBO(num_reads=3, num_sweeps=200, refine_rounds=1, dropout_rounds=2, seed=1).fit(ev) for _ in range(2))
    assert not [k for k in a.metrics if "time" in k]
    assert a.metrics == b.metrics and a.state["solve_time"] > 0 and a.state["dropout_solve_time"] > 0


def test_the_dropout_scheme_keeps_each_sub_networks_fewest_error_read(monkeypatch):
    """Reads are re-scored, not ranked by energy: a sampler whose lowest-energy read is the
    worse network must not set the mean spins."""
    model, X, y = _teacher([4, 2, 1], 20, seed=1)
    trainer = QUBO(dropout_rounds=1, dropout_rate=0.0, dropout_strength=1.0, seed=0)
    enc = trainer.encode(model, X, y, [np.ones(2, bool)])
    candidates = all_bits(model.num_bits).numpy().astype(np.int64)
    errors = enc.errors(candidates)
    good, bad = candidates[np.argmin(errors)], candidates[np.argmax(errors)]
    assert errors.min() < errors.max()
    states = enc.complete(np.stack([bad, good]))
    monkeypatch.setattr(trainer, "_solve", lambda *a, **k: ((states, np.array([-5.0, 3.0]), 0.0, None), None))
    field, info = trainer.dropout_field(model, X, y, 1, np.random.default_rng(0))
    assert np.array_equal(info["dropout_mean_spin"], 2.0 * good - 1.0)


@pytest.mark.parametrize("teacher_seed", [0, 2])
def test_teacher_labels_are_recovered_with_zero_errors(teacher_seed):
    model, X, y = _teacher([4, 2, 1], 12, seed=teacher_seed)
    assert 0 < y.mean() < 1
    ev = qh.Evaluator(model, X, y)
    res = QUBO(num_reads=20, num_sweeps=2000, seed=0).fit(ev)
    assert res.metrics["train_accuracy"] == 1.0
    # every read's energy is at least its decoded network's true error count
    for batch in res.state["batches"]:
        assert (batch["energies"] >= batch["errors"] - 1e-9).all()


def test_result_reports_the_qubo_size_and_scores_every_read():
    model, X, y = _teacher([4, 2, 1], 20, seed=1)
    ev = qh.Evaluator(model, X, y)
    res = QUBO(num_reads=3, num_sweeps=200, refine_rounds=1, seed=1).fit(ev)
    enc = BNNQubo(model, X, y, penalty=1.25)
    assert res.metrics["qubo_variables"] == enc.num_variables
    assert res.metrics["qubo_interactions"] == enc.num_interactions
    assert res.state["solve_time"] > 0 and "input_rounding_error" in res.metrics
    assert res.evaluations == 6  # 3 reads + 3 refined reads, each scored by the Evaluator
    assert len(res.state["batches"][0]["energies"]) == 6
    assert res.metrics["train_accuracy"] == pytest.approx(float(ev.accuracy(res.bits)[0]))


def test_mini_batches_split_large_training_sets():
    model, X, y = _teacher([4, 2, 1], 50, seed=2)
    ev = qh.Evaluator(model, X, y)
    res = QUBO(num_reads=2, num_sweeps=100, batch_size=20, max_batches=2, refine_rounds=0, seed=0).fit(ev)
    assert len(res.state["batches"]) == 2
    assert res.evaluations == 4
    small = BNNQubo(model, X[:20], y[:20], penalty=1.25).num_variables
    assert res.state["batches"][0]["num_variables"] == small


def test_margin_term_prefers_networks_with_larger_pre_activations():
    """Exact over all weight settings: among the minimum-energy networks, the margin term
    selects ones whose hidden pre-activations are larger in magnitude."""
    model, X, y = _teacher([3, 2, 1], 8, seed=4)
    bits = all_bits(model.num_bits)
    states = bits.numpy().astype(int)

    def mean_abs_preactivation(b):
        W, c = model.decode(b).layers[0]
        return (torch.as_tensor(X) @ W.transpose(1, 2) + c.unsqueeze(1)).abs().mean((1, 2))

    best = []
    for mu in (0.0, 0.8):
        enc = BNNQubo(model, X, y, margin=mu)
        E = _energies(enc, enc.complete(states))
        best.append(np.isclose(E, E.min()))
    plain, margin = best
    assert not np.array_equal(plain, margin)
    z = mean_abs_preactivation(bits)
    assert float(z[torch.as_tensor(margin)].mean()) > float(z[torch.as_tensor(plain)].mean())
    m = enc.margins(states)
    assert m[margin].mean() > m[plain].mean()


def test_margin_energy_is_errors_minus_normalised_margins():
    model, X, y = _teacher([3, 2, 1], 6, seed=3)
    states = all_bits(model.num_bits).numpy().astype(int)
    plain = BNNQubo(model, X, y, margin=0.0, penalty=2.0)
    reg = BNNQubo(model, X, y, margin=0.6, penalty=2.0)
    gap = _energies(plain, plain.complete(states)) - _energies(reg, reg.complete(states))
    assert (gap >= -1e-9).all() and gap.max() > 0
    assert (gap <= 0.6 * len(y) + 1e-9).all()  # at most μ per sample


@pytest.mark.parametrize("sizes", [[4, 2, 1], [2, 3, 1]])  # odd hidden fan-in (bias included): z ≠ 0, so
# the mirror flips every hidden unit (with even fan-in a unit at z = 0 stays on: sign(0) = +1)
def test_the_margin_reward_is_the_same_for_z_and_minus_z(sizes):
    """Negating a hidden layer's weights and biases, and the next layer's weights, flips every
    hidden pre-activation z → −z and leaves the outputs alone: a symmetric margin term pays
    the same for both networks. (Rewarding t = (z − 1)/2 paid (|z| − 1)/2 and (|z| + 1)/2.)"""
    model, X, y = _teacher(sizes, 12, seed=4)
    states = all_bits(model.num_bits).numpy().astype(int)
    mirrored = states.copy()
    for block in ("W1", "b1", "W2"):
        sl = model.block(block)
        mirrored[:, sl.start : sl.stop] = 1 - mirrored[:, sl.start : sl.stop]
    plain = BNNQubo(model, X, y, margin=0.0, penalty=2.0)
    reg = BNNQubo(model, X, y, margin=0.6, penalty=2.0)

    def reward(s):
        return _energies(plain, plain.complete(s)) - _energies(reg, reg.complete(s))

    np.testing.assert_allclose(reward(states), reward(mirrored), atol=1e-9)
    np.testing.assert_allclose(reg.margins(states), reg.margins(mirrored), atol=1e-12)
    assert reward(states).max() > 0


def test_dropout_scheme_adds_linear_terms_on_the_weights():
    model, X, y = _teacher([4, 3, 1], 16, seed=6)
    ev = qh.Evaluator(model, X, y)
    res = QUBO(num_reads=3, num_sweeps=300, dropout_rounds=3, dropout_strength=0.5, seed=0).fit(ev)
    field = res.state["dropout_field"]
    assert np.abs(field).max() > 0 and np.abs(field).max() <= 0.5 + 1e-12
    enc = BNNQubo(model, X, y, penalty=1.25)
    full = enc.with_field(field)
    delta = np.array([full.linear[j] - enc.bqm.linear[j] for j in range(model.num_bits)])
    assert np.allclose(delta, -2 * field)
    assert all(full.linear[j] == enc.bqm.linear[j] for j in range(model.num_bits, enc.num_variables))
    plain = QUBO(num_reads=3, num_sweeps=300, seed=0).fit(ev)
    assert not np.any(plain.state["dropout_field"])


def test_same_seed_same_result():
    model, X, y = _teacher([4, 2, 1], 16, seed=7)
    ev = qh.Evaluator(model, X, y)
    a = QUBO(num_reads=2, num_sweeps=200, seed=3).fit(ev)
    b = QUBO(num_reads=2, num_sweeps=200, seed=3).fit(ev)
    assert torch.equal(a.bits, b.bits)
    assert np.array_equal(a.state["batches"][0]["energies"], b.state["batches"][0]["energies"])


def test_a_numpy_generator_seeds_the_run_as_its_int_would():
    model, X, y = _teacher([4, 2, 1], 16, seed=7)
    ev = qh.Evaluator(model, X, y)
    a = QUBO(num_reads=2, num_sweeps=200, seed=3).fit(ev)
    b = QUBO(num_reads=2, num_sweeps=200, seed=np.random.default_rng(3)).fit(ev)  # the same stream
    assert torch.equal(a.bits, b.bits)
    assert np.array_equal(a.state["batches"][0]["energies"], b.state["batches"][0]["energies"])
    assert QUBO(num_reads=1, num_sweeps=10, refine_rounds=0, seed=None).fit(ev).bits.shape == (model.num_bits,)


@pytest.mark.parametrize("kwargs, match", [
    ({"num_reads": 2.7}, "num_reads must be an integer ≥ 1; got 2.7"),  # int() silently made it 2
    ({"num_sweeps": 100.0}, "num_sweeps must be an integer ≥ 1; got 100.0"),
    ({"batch_size": 1.5}, "batch_size"), ({"max_batches": 2.5}, "max_batches"),
    ({"dropout_rounds": 1.5}, "dropout_rounds must be an integer ≥ 0"),
    ({"refine_rounds": 0.5}, "refine_rounds must be an integer ≥ 0"),
    ({"input_resolution": 1.5}, "input_resolution must be an integer ≥ 1 or None"),
    ({"num_reads": True}, "num_reads"),
    ({"seed": 2.5}, "seed must be an integer ≥ 0"), ({"seed": -1}, "seed"), ({"seed": "0"}, "seed"),
    ({"margin": float("inf")}, "margin must be a finite number ≥ 0"),
    ({"penalty": "2"}, "penalty must be a finite number > 1; got '2' — pass a number, not a string"),
    ({"max_beta": float("inf")}, "max_beta"), ({"anchor": float("nan")}, "anchor"),
])
def test_non_integer_counts_seeds_and_non_numbers_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        QUBO(**kwargs)


def test_interrupt_returns_what_was_solved(monkeypatch):
    model, X, y = _teacher([4, 2, 1], 30, seed=8)
    ev = qh.Evaluator(model, X, y)
    trainer = QUBO(num_reads=2, num_sweeps=100, batch_size=10, max_batches=3, refine_rounds=1, seed=0)
    solve, calls = trainer._solve, []

    def stop_third(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:  # the first problem took two solves (anneal + refinement)
            raise KeyboardInterrupt
        return solve(*args, **kwargs)

    monkeypatch.setattr(trainer, "_solve", stop_third)
    res = trainer.fit(ev)
    assert res.interrupted and len(res.state["batches"]) == 1
    assert res.bits.shape == (model.num_bits,)


# ---------------------------------------------------------------------- bad input
def test_sigmoid_hidden_activation_is_refused():
    model = qh.BinaryMLP([2, 2, 1], activation="sigmoid")
    ev = qh.Evaluator(model, np.zeros((4, 2)), np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="sign activation"):
        QUBO().fit(ev)


def test_activation_choice_bits_are_refused():
    model = qh.BinaryMLP([2, 2, 1], activation=["relu", "sigmoid"])
    ev = qh.Evaluator(model, np.zeros((4, 2)), np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="sign"):
        QUBO().fit(ev)


def test_multiclass_is_refused():
    model = qh.BinaryMLP([2, 3])
    ev = qh.Evaluator(model, np.zeros((3, 2)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="multiclass"):
        QUBO().fit(ev)


@pytest.mark.parametrize("reads", [0, -1])
def test_num_reads_must_be_positive(reads):
    with pytest.raises(ValueError, match="num_reads"):
        QUBO(num_reads=reads)


@pytest.mark.parametrize("kwargs, match", [
    ({"num_sweeps": 0}, "num_sweeps"), ({"batch_size": 0}, "batch_size"), ({"penalty": 1.0}, "penalty"),
    ({"margin": -0.1}, "margin"), ({"dropout_rate": 1.0}, "dropout_rate"), ({"input_resolution": 0}, "input_resolution"),
])
def test_bad_options_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        QUBO(**kwargs)


def test_dropout_without_hidden_layer_is_refused():
    ev = qh.Evaluator(qh.BinaryMLP([2, 1]), np.ones((2, 2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="hidden"):
        QUBO(dropout_rounds=2).fit(ev)


def test_a_cost_table_is_refused_with_the_fix():
    with pytest.raises(TypeError, match="Evaluator"):
        QUBO().fit(torch.zeros(8))


def test_regularised_problems_keep_a_finite_annealing_schedule():
    """Fractional margin terms make the sampler's automatic cold end ~1e15 (a frozen,
    greedy anneal); the trainer caps it."""
    from dwave.samplers.sa.sampler import default_beta_range

    model, X, y = _teacher([4, 2, 1], 12, seed=0)
    enc = BNNQubo(model, X, y, margin=0.5)
    assert default_beta_range(enc.bqm)[1] > 1e6
    _, _, _, cold = QUBO(num_reads=2, num_sweeps=50, max_beta=40.0).solve(enc.bqm, 0)
    assert cold == 40.0


# ---------------------------------------------------------------------- pluggable samplers
def _tiny_task():
    """BinaryMLP([2, 1]) on XOR plus a conflicting duplicate: 18 QUBO variables, at least one
    training error for every weight setting."""
    X = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0, 1])
    model = qh.BinaryMLP([2, 1])
    return model, X, y, qh.Evaluator(model, X, y)


def _sampler(name):
    from dwave.samplers import TabuSampler

    return {"default": None, "exact": dimod.ExactSolver(), "tabu": TabuSampler()}[name]


@pytest.mark.filterwarnings("error::dimod.exceptions.SamplerUnknownArgWarning")
@pytest.mark.parametrize("name, cls", [("default", "SimulatedAnnealingSampler"), ("exact", "ExactSolver"),
                                       ("tabu", "TabuSampler")])
def test_every_sampler_reaches_the_brute_force_minimum(name, cls):
    model, X, y, ev = _tiny_task()
    assert BNNQubo(model, X, y).num_variables <= 20
    brute = np.rint((1 - ev.accuracy(all_bits(model.num_bits)).numpy()) * len(y)).min()
    assert brute == 1
    res = QUBO(num_reads=3, num_sweeps=200, seed=0, sampler=_sampler(name)).fit(ev)
    assert res.state["sampler"] == cls
    assert np.rint((1 - res.metrics["train_accuracy"]) * len(y)) == brute
    # ExactSolver takes no initial_states: no refinement, its 3 lowest-energy states are the reads
    assert res.state["refine_rounds"] == (0 if name == "exact" else 3)
    assert res.evaluations == (3 if name == "exact" else 12)
    if name == "exact":
        ground = dimod.ExactSolver().sample(BNNQubo(model, X, y).bqm).first.energy
        assert res.metrics["qubo_best_energy"] == pytest.approx(ground) == pytest.approx(brute)


class _Spy(dimod.Sampler):
    """A user's dimod sampler: steepest descent, declaring only some keyword arguments, and
    refusing (not just warning about) any other."""

    properties = {}

    def __init__(self, accepts):
        self._parameters = {name: [] for name in accepts}
        self.calls = []

    @property
    def parameters(self):
        return self._parameters

    def sample(self, bqm, **kwargs):
        from dwave.samplers import SteepestDescentSolver

        unknown = set(kwargs) - set(self.parameters)
        assert not unknown, f"the trainer passed undeclared keyword arguments {unknown}"
        self.calls.append(dict(kwargs))
        return SteepestDescentSolver().sample(bqm, **kwargs)


@pytest.mark.parametrize("accepts", [("num_reads", "seed"), ("num_reads", "seed", "initial_states")])
def test_a_user_sampler_gets_exactly_the_keyword_arguments_it_declares(accepts):
    model, X, y, ev = _tiny_task()
    spy = _Spy(accepts)
    res = QUBO(num_reads=4, seed=0, refine_rounds=2, sampler=spy).fit(ev)
    refines = 2 if "initial_states" in accepts else 0
    assert res.state["sampler"] == "_Spy" and res.state["refine_rounds"] == refines
    assert len(spy.calls) == 1 + refines and res.evaluations == 4 * (1 + refines)
    assert set(spy.calls[0]) == {"num_reads", "seed"} and spy.calls[0]["num_reads"] == 4
    for call in spy.calls[1:]:
        assert set(call) == set(accepts) and np.shape(call["initial_states"][0]) == (4, BNNQubo(model, X, y).num_variables)
    assert res.metrics["train_accuracy"] == pytest.approx(float(ev.accuracy(res.bits)[0]))


@pytest.mark.parametrize("sampler, match", [
    ("tabu", "sampler must be a dimod.Sampler .*got str.*TabuSampler\\(\\)"),
    (object(), "sampler must be a dimod.Sampler .*got object"),
    (dimod.ExactSolver, "got the class ExactSolver.*sampler=ExactSolver\\(\\)"),
])
def test_a_non_sampler_is_refused_with_the_fix(sampler, match):
    with pytest.raises(TypeError, match=match):
        QUBO(sampler=sampler)


def test_exact_solver_is_refused_on_a_large_qubo_before_any_solving():
    model, X, y = _teacher([4, 2, 1], 12, seed=0)
    V = BNNQubo(model, X, y, penalty=1.25).num_variables
    assert V > 24
    exact = dimod.ExactSolver()

    def forbidden(*args, **kwargs):
        raise AssertionError("solved before refusing")

    exact.sample = forbidden
    with pytest.raises(ValueError, match=f"ExactSolver.*V = {V} variables.*limit is 24.*heuristic sampler"):
        QUBO(sampler=exact, dropout_rounds=2).fit(qh.Evaluator(model, X, y))


# ---------------------------------------------------------------------- segmented anneals
class _Recording:
    """dwave-samplers' annealer, recording every call's keyword arguments and result."""

    def __init__(self):
        from dwave.samplers import SimulatedAnnealingSampler

        self.inner, self.calls = SimulatedAnnealingSampler(), []
        self.parameters = self.inner.parameters

    def sample(self, bqm, **kwargs):
        out = self.inner.sample(bqm, **kwargs)
        self.calls.append((kwargs, out))
        return out


def test_a_long_anneal_runs_in_segments_that_continue_one_schedule(monkeypatch):
    from qhyper.qubo import anneal

    model, X, y = _teacher([4, 2, 1], 30, seed=8)
    enc = QUBO().encode(model, X, y)
    sampler = _Recording()
    trainer = QUBO(num_reads=3, num_sweeps=90, sampler=sampler, polish=False)
    size = enc.bqm.num_variables + enc.bqm.num_interactions
    monkeypatch.setattr(anneal, "ONE_CALL_WORK", 3 * 30 * size)
    monkeypatch.setattr(anneal, "SEGMENT_WORK", 3 * 30 * size)  # three segments of 30 sweeps
    states, energies, _, cold = trainer.solve(enc.bqm, 5)
    assert len(sampler.calls) == 3
    schedule = np.concatenate([kw["beta_schedule"] for kw, _ in sampler.calls])
    hot = sampler.calls[0][0]["beta_schedule"][0]
    np.testing.assert_allclose(schedule, np.geomspace(hot, cold, 90))  # one schedule, cut in three
    for (_, before), (kw, _) in zip(sampler.calls, sampler.calls[1:]):  # each starts where the last ended
        np.testing.assert_array_equal(kw["initial_states"].record.sample, before.record.sample)
    last = sampler.calls[-1][1]
    np.testing.assert_array_equal(states, last.record.sample[:, [last.variables.index(v) for v in range(enc.num_variables)]])
    np.testing.assert_allclose(energies, enc.bqm.energies((states, range(enc.num_variables))))


def test_a_short_anneal_is_one_plain_sampler_call():
    model, X, y = _teacher([4, 2, 1], 30, seed=8)
    enc = QUBO().encode(model, X, y)
    sampler = _Recording()
    QUBO(num_reads=3, num_sweeps=90, sampler=sampler, polish=False).solve(enc.bqm, 5)
    assert len(sampler.calls) == 1 and "beta_schedule" not in sampler.calls[0][0]
