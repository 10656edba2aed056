"""Shot samples follow the exact probabilities; seeds are fresh per call and reproducible."""
import numpy as np
import pytest
import torch
from scipy.stats import chisquare

import qhyper as qh
from qhyper.bitstrings import bits_to_index

SHOT_BACKENDS = [("torch", {}), ("pennylane", {}), ("pennylane", {"device": "lightning.qubit"}),
                 ("qiskit", {}), ("qiskit", {"method": "matrix_product_state"})]


def counts(bits, n):
    return torch.bincount(bits_to_index(bits), minlength=2**n).numpy()


def chi2_pvalue(bits, q):
    n = bits.shape[-1]
    expected = q.detach().numpy() * bits.shape[0]
    assert expected.min() >= 5, "test setup: every cell needs ≥ 5 expected counts"
    return chisquare(counts(bits, n), expected).pvalue


@pytest.mark.parametrize("backend,opts", SHOT_BACKENDS)
def test_shot_samples_match_probabilities(backend, opts):
    a = qh.circuits.get("brick", n_qubits=3, layers=2)
    theta = torch.tensor([0.3, 1.1, 2.0, 0.5, 1.7, 0.9, 1.2, 2.2, 0.4, 1.9, 0.8, 1.4], dtype=torch.float64)
    other = theta.roll(1)
    q_theta = qh.Hypernetwork(a, init=theta).distribution().probs()
    q_other = qh.Hypernetwork(a, init=other).distribution().probs()
    hn = qh.Hypernetwork(a, backend=backend, shots=4000, seed=1, init=theta, **opts)
    bits = hn.sample_at(torch.stack([theta, other]), shots=4000)
    assert bits.shape == (2, 4000, 3) and bits.dtype == torch.float64
    assert set(bits.unique().tolist()) <= {0.0, 1.0}
    # each row follows its own distribution (χ² test at level 1e-4; fixed seeds) ...
    assert chi2_pvalue(bits[0], q_theta) > 1e-4
    assert chi2_pvalue(bits[1], q_other) > 1e-4
    # ... and the test has power: the rows are distinguishable
    assert chi2_pvalue(bits[0], q_other) < 1e-4


@pytest.mark.parametrize("backend,opts", [("torch", {}), ("pennylane", {}), ("qiskit", {})])
def test_exact_mode_sampling_matches_probabilities(backend, opts):
    a = qh.circuits.get("hardware_efficient", n_qubits=3, layers=1)
    hn = qh.Hypernetwork(a, backend=backend, seed=2, **opts)
    q = hn.distribution().probs()
    tv = 0.5 * np.abs(counts(hn.sample(20000, seed=0), 3) / 20000 - q.detach().numpy()).sum()
    # E[TV] ≤ ½ Σ sqrt(q(1−q)/m); allow four times that bound
    bound = 0.5 * np.sqrt(q.detach().numpy() * (1 - q.detach().numpy()) / 20000).sum()
    assert tv < 4 * bound


@pytest.mark.parametrize("backend,opts", SHOT_BACKENDS)
def test_fresh_seed_per_call_and_reproducible(backend, opts):
    a = qh.circuits.get("brick", n_qubits=4, layers=2)
    hn = qh.Hypernetwork(a, backend=backend, shots=64, seed=123, **opts)
    first, second = hn.sample(), hn.sample()
    assert first.shape == (64, 4)
    assert not torch.equal(first, second)  # Aer with a fixed seed would repeat itself
    again = qh.Hypernetwork(a, backend=backend, shots=64, seed=123, **opts)
    assert torch.equal(again.sample(), first) and torch.equal(again.sample(), second)
    assert torch.equal(hn.sample(seed=7), hn.sample(seed=7))


def test_sample_at_rows_are_independent_settings():
    a = qh.circuits.get("product", n_qubits=2)
    rows = torch.tensor([[0.0, np.pi], [np.pi, 0.0], [np.pi, np.pi]], dtype=torch.float64)
    for backend in ("torch", "pennylane", "qiskit"):
        hn = qh.Hypernetwork(a, backend=backend, shots=10, seed=0)
        bits = hn.sample_at(rows, 10)
        want = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
        assert torch.equal(bits, want[:, None, :].expand(3, 10, 2)), backend


def test_distribution_sample_takes_generators():
    a = qh.circuits.get("brick", n_qubits=3)
    d = qh.Hypernetwork(a, seed=0).distribution()
    assert torch.equal(d.sample(50, generator=3), d.sample(50, generator=3))
    assert d.sample(50, generator=np.random.default_rng(0)).shape == (50, 3)
    assert d.sample(50, generator=torch.Generator().manual_seed(0)).shape == (50, 3)
    with pytest.raises(ValueError, match="generator must be an integer ≥ 0"):
        d.sample(5, generator="x")


def test_mps_samples_65_qubits():
    a = qh.circuits.get("brick", n_qubits=65, layers=1)
    hn = qh.Hypernetwork(a, backend="qiskit", shots=32, seed=0, method="matrix_product_state")
    theta = torch.zeros(a.num_params, dtype=torch.float64)
    theta[:65] = torch.where(torch.arange(65) % 3 == 0, np.pi, 0.0)  # RY(π) on every third qubit
    bits = hn.sample_at(torch.stack([theta, hn.theta.detach()]), 32)
    assert bits.shape == (2, 32, 65)
    want = (torch.arange(65) % 3 == 0).to(torch.float64)
    assert torch.equal(bits[0], want.expand(32, 65))


def test_hypernetwork_sampling_seeds_take_generators():
    a = qh.circuits.get("brick", n_qubits=3)
    hn = qh.Hypernetwork(a, seed=0, shots=20)
    for make in (lambda: np.random.default_rng(4), lambda: torch.Generator().manual_seed(4)):
        assert torch.equal(hn.sample(seed=make()), hn.sample(seed=make()))
        assert torch.equal(hn.sample_at(hn.theta.detach()[None], 8, seed=make()),
                           hn.sample_at(hn.theta.detach()[None], 8, seed=make()))
    assert torch.equal(hn.sample(seed=7), hn.sample(seed=7))  # an int fixes the call's shots as before
    for bad in (-1, 1.5, "3"):
        with pytest.raises(ValueError, match="seed must be an integer ≥ 0"):
            hn.sample(seed=bad)
    with pytest.raises(ValueError, match="seed must be an integer ≥ 0, a numpy.random.Generator or None"):
        qh.Hypernetwork(a, seed="0")


@pytest.mark.parametrize("backend,opts,shots", [("torch", {}, 4000), ("torch", {}, 5), ("qiskit", {}, 4000),
                                                ("pennylane", {}, 4000), ("torch", {"exact": True}, 4000)])
def test_counts_follow_each_rows_probabilities(backend, opts, shots):
    """sample_counts_angles: rows are distinct networks in index order, every circuit's counts
    sum to its shots and follow its own distribution — the multinomial path (8 outcomes ≤
    shots), the inverse-CDF path (shots = 5 < 8) and the histogram of a sampler's shots."""
    a = qh.circuits.get("brick", n_qubits=3, layers=2)
    theta = torch.tensor([0.3, 1.1, 2.0, 0.5, 1.7, 0.9, 1.2, 2.2, 0.4, 1.9, 0.8, 1.4], dtype=torch.float64)
    thetas = torch.stack([theta, theta.roll(1)])
    q = qh.Hypernetwork(a).probs_at(thetas).detach()
    exact = opts.pop("exact", False)
    hn = qh.Hypernetwork(a, backend=backend, shots=None if exact else shots, seed=1, **opts)
    reps = 1 if shots > 8 else 800  # few shots: pool many calls
    pooled = torch.zeros(2, 8, dtype=torch.int64)
    for r in range(reps):
        rows, c = hn.sample_counts_angles(a.angles(thetas), shots, seed=r)
        index = bits_to_index(rows)
        assert torch.all(index[1:] > index[:-1]) and c.dtype == torch.int64 and c.shape == (2, rows.shape[0])
        assert c.sum(-1).tolist() == [shots, shots] and bool((c.sum(0) > 0).all())
        pooled[:, index] += c
    total = shots * reps
    assert chisquare(pooled[0].numpy(), q[0].numpy() * total).pvalue > 1e-4
    assert chisquare(pooled[1].numpy(), q[1].numpy() * total).pvalue > 1e-4
    assert chisquare(pooled[0].numpy(), q[1].numpy() * total).pvalue < 1e-4  # the test has power
