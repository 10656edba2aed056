"""Shot mode never reads probabilities: every shot objective, every gradient estimator and
every entry point that trains or scores a circuit from shots, with every way to reach the
circuit's probabilities forbidden.

The guard is class-wide (any hypernetwork the entry point builds inside is covered): the
Hypernetwork's exact methods, the BornDistribution's, and — on the Qiskit backend, whose
shots come from Aer's sampler as from hardware — the backend's own statevector routes
(``probs``, ``sample_exact`` and ``sample_counts_exact``). The torch and PennyLane backends simulate their shots from
their own statevector, so there only the Hypernetwork level is guarded.
"""
import pytest
import torch

import qhyper as qh
from qhyper.comparison.methods.pibinn import run_method
from qhyper.hypernet import BornDistribution, Hypernetwork
from qhyper.hypernet.qiskit_backend import QiskitBackend
from qhyper.objectives import MLE, MMD, MMDSurrogateELBO
from qhyper.pibinn import load_problem
from qhyper.trainers import QHN

READS = []  # what a forbidden route was asked for, if anything


@pytest.fixture
def no_probabilities(monkeypatch):
    """Make every probability route raise (and record it, in case an entry point swallows errors)."""
    READS.clear()

    def forbid(name):
        def forbidden(*args, **kwargs):
            READS.append(name)
            raise AssertionError(f"shot mode read probabilities through {name}")

        return forbidden

    for owner, names in ((Hypernetwork, ("distribution", "probs_at", "forward")),
                         (BornDistribution, ("probs", "log_prob", "entropy")),
                         (QiskitBackend, ("probs", "sample_exact", "sample_counts_exact"))):
        for name in names:
            monkeypatch.setattr(owner, name, forbid(f"{owner.__name__}.{name}"))
    yield
    assert READS == []


def _hn(n, backend="qiskit", shots=64):
    return Hypernetwork(qh.circuits.get("brick", n_qubits=n, layers=1), backend=backend, shots=shots, seed=0)


def _digits_evaluator():
    data = qh.datasets.load("bars_and_stripes", rows=2, cols=2, n_train=24, n_test=24, seed=0)
    return qh.Evaluator(qh.BinaryMLP([4, 1]), data.X_train, data.y_train, test=(data.X_test, data.y_test))


OBJECTIVES = {
    "mle": lambda ev: MLE(),
    "mmd-elbo uniform": lambda ev: MMDSurrogateELBO(lam=10.0),
    "mmd-elbo bernoulli": lambda ev: MMDSurrogateELBO(lam=10.0, prior=[0.3, 0.4, 0.6, 0.7, 0.5]),
}


@pytest.mark.parametrize("gradient", ["parameter-shift", "spsa"])
@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_qhn_fit_on_an_evaluator_reads_samples_only(no_probabilities, objective, gradient):
    ev = _digits_evaluator()
    res = QHN(OBJECTIVES[objective](ev), gradient=gradient, steps=2, final_shots=64, seed=0,
              progress=False).fit(_hn(ev.num_bits), ev)
    assert res.state["samples"].shape == (64, 5) and "probs" not in res.state
    assert "test_accuracy" in res.metrics and "predictive_test_accuracy" in res.metrics


@pytest.mark.parametrize("backend", ["torch", "pennylane"])
def test_qhn_fit_on_a_cost_table_and_a_test_split_reads_samples_only(no_probabilities, backend):
    table = torch.rand(16, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    res = QHN(MMDSurrogateELBO(lam=2.0, data_size=10), steps=2, final_shots=32, seed=0,
              progress=False).fit(_hn(4, backend=backend), table)
    assert res.state["samples"].shape == (32, 4) and "p_best" in res.metrics
    ev = _digits_evaluator()
    data = qh.datasets.load("bars_and_stripes", rows=2, cols=2, n_train=8, n_test=8, seed=1)
    res = QHN(MLE(), steps=1, final_shots=32, seed=0, progress=False).fit(
        _hn(ev.num_bits, backend=backend), ev, test=(data.X_test, data.y_test))
    assert "test_accuracy" in res.metrics


@pytest.mark.parametrize("gradient", ["parameter-shift", "spsa"])
def test_a_born_machine_reads_samples_only(no_probabilities, gradient):
    patterns = qh.datasets.bars_and_stripes_patterns(2, 2)
    res = QHN(MMD(patterns), gradient=gradient, steps=2, final_shots=64, seed=0, progress=False).fit(_hn(4))
    assert res.state["samples"].shape == (64, 4) and "target_fraction" in res.metrics


@pytest.mark.parametrize("backend", ["torch", "qiskit"])
def test_a_chow_liu_born_machine_with_the_liu_wang_kernel_reads_samples_only(no_probabilities, backend):
    """The Born-machine benchmark's setting: the tree built from the patterns, Liu & Wang's bandwidths."""
    from qhyper.objectives import GaussianMixtureKernel

    patterns = qh.datasets.bars_and_stripes_patterns(2, 2)
    hn = Hypernetwork(qh.circuits.get("chow_liu", n_qubits=4, layers=2, data=patterns), backend=backend,
                      shots=64, seed=0)
    res = QHN(MMD(patterns, kernel=GaussianMixtureKernel.liu_wang()), optimizer="adam", lr=0.1, steps=2,
              final_shots=64, seed=0, progress=False).fit(hn)
    assert res.state["samples"].shape == (64, 4)


def test_the_comparison_mmd_row_reads_samples_only(no_probabilities):
    """With the method's defaults (SPSA averaging MMD_DIRECTIONS directions)."""
    table = qh.compare(["mmd"], task="bars_stripes_sign", seeds=1, quick=True, progress=False,
                       options={"mmd": {"backend": "qiskit", "steps": 2}})
    assert table[0]["status"] == "ok", table[0].get("reason")


def test_the_pibinn_sign_search_from_shots_reads_samples_only(no_probabilities):
    task = load_problem("block_cs", seed=0, n=4, m=2, blocks=2, k=1, n_train=40, n_test=40)
    for max_exact_bits in (2, 30):  # beyond enumeration (Evaluator), and with the table's entries
        res = run_method("qhn", task, seed=0, layers=1, steps=5, qhn_steps=2, objective="mmd", shots=32,
                         max_exact_bits=max_exact_bits)
        assert "samples" in res.state


def test_the_guard_catches_an_exact_read(no_probabilities):
    """The fixture is not vacuous: an exact-mode read in shot mode is caught."""
    with pytest.raises(AssertionError, match="read probabilities"):
        _hn(3).distribution()
    READS.clear()
