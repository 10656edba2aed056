"""The entropy and the annealed objective stay finite where some q(b) = 0 — a product ansatz
at θ = 0 or π is a common start — and match finite differences; an annealing temperature is
set from loss tables whose squares would overflow."""
import math

import pytest
import torch

import qhyper as qh
from qhyper.bitstrings import shannon_entropy
from qhyper.objectives import MLE, Annealed
from qhyper.objectives.source import MAX_ABS_COST, LossSource


def _grad(f, theta):
    theta = theta.clone().requires_grad_()
    f(theta).backward()
    return theta.grad


def _finite_difference(f, theta, h=1e-6):
    out = torch.zeros_like(theta)
    for i in range(len(theta)):
        e = torch.zeros_like(theta)
        e[i] = h
        with torch.no_grad():
            out[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return out


def _entropy_of(hn):
    return lambda theta: shannon_entropy(hn.probs_at(theta[None])[0])


@pytest.mark.parametrize("family, start", [
    ("product", lambda p: torch.zeros(p)),                                      # all mass on 0…0
    ("product", lambda p: torch.tensor([0.0, math.pi, 0.7][:p])),              # two qubits deterministic
    ("brick", lambda p: torch.zeros(p)),
    ("brick", lambda p: torch.linspace(0.3, 2.9, p)),                          # generic: every q(b) > 0
])
def test_the_entropy_gradient_is_finite_and_matches_finite_differences(family, start):
    hn = qh.Hypernetwork(qh.circuits.get(family, n_qubits=3, **({"layers": 2} if family == "brick" else {})))
    theta = start(hn.num_params).to(torch.float64)
    grad = _grad(_entropy_of(hn), theta)
    assert torch.isfinite(grad).all(), grad
    torch.testing.assert_close(grad, _finite_difference(_entropy_of(hn), theta), atol=1e-5, rtol=1e-5)


def test_the_annealed_mle_gradient_is_finite_at_a_deterministic_start():
    table = torch.linspace(0.0, 1.0, 8, dtype=torch.float64)
    source = LossSource(table, num_bits=3)
    objective = Annealed(MLE(), start=0.5)
    objective.prepare(source)
    hn = qh.Hypernetwork(qh.circuits.get("product", n_qubits=3))

    def free_energy(theta):
        return objective.exact_objective(hn.probs_at(theta[None])[0], source)[0]

    theta = torch.tensor([0.0, math.pi, 0.0], dtype=torch.float64)
    grad = _grad(free_energy, theta)
    assert torch.isfinite(grad).all(), grad
    torch.testing.assert_close(grad, _finite_difference(free_energy, theta), atol=1e-5, rtol=1e-5)


def test_a_qhn_fit_from_a_deterministic_start_stays_finite():
    """The annealed MLE fit used to get NaN in every parameter at θ = 0. (θ = 0 is a stationary
    point of every objective of a product ansatz, dq/dθ = 0, so the fit does not move from it.)"""
    data = qh.datasets.load("bars_and_stripes", rows=2, cols=2, n_train=20, n_test=20)
    ev = qh.Evaluator.from_dataset(qh.BinaryMLP([4, 1, 1], activation="sign"), data)
    hn = qh.Hypernetwork(qh.circuits.get("product", n_qubits=ev.num_bits))
    with torch.no_grad():
        hn.theta.zero_()
    res = qh.trainers.QHN(steps=30, warm_start=True, progress=False).fit(hn, ev)
    assert all(math.isfinite(v) for v in res.history["objective"])
    assert torch.isfinite(hn.theta).all() and math.isfinite(res.metrics["expected_loss"])


def test_the_temperature_of_a_huge_loss_table_is_finite():
    table = torch.tensor([0.0, 1.0, 2.0, 3.0], dtype=torch.float64)
    # up to the largest magnitude a cost table may hold (beyond it the source refuses the table)
    for scale in (1.0, 1e100, MAX_ABS_COST / 3):
        objective = Annealed(MLE(), start=0.125)
        objective.prepare(LossSource(table * scale, num_bits=2))
        assert objective.t0 == pytest.approx(0.125 * float(table.std()) * scale, rel=1e-12)


def test_a_non_finite_loss_table_is_refused_before_annealing():
    with pytest.raises(ValueError, match="NaN/inf entries"):
        Annealed(MLE()).prepare(LossSource(torch.tensor([0.0, math.inf, 1.0, 2.0], dtype=torch.float64), num_bits=2))
