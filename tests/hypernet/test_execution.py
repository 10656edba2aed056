"""Qiskit and PennyLane execution objects: samplers, simulators, fake IBM backends, devices."""
import numpy as np
import pennylane as qml
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives import BaseSamplerV2, StatevectorSampler
from qiskit.primitives.containers import BitArray, DataBin, PrimitiveResult, SamplerPubResult
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel, depolarizing_error
from qiskit_aer.primitives import SamplerV2 as AerSampler
from qiskit_ibm_runtime import SamplerV2 as RuntimeSampler  # the one most users have today (deprecated in 0.50)
from qiskit_ibm_runtime.executor_sampler import Sampler as ExecutorSampler  # its successor
from qiskit_ibm_runtime.fake_provider import FakeManilaV2, FakeNairobiV2

import qhyper as qh

ONES = (0, 2, 3)  # the wires a basis-state circuit flips


def basis_state_ansatz(n=5):
    """X on the wires in ONES, then a CX chain that undoes nothing (CX from a 0 wire) and a
    parameterised RZ, so the circuit prepares |10110⟩ whatever its layout."""
    qc = QuantumCircuit(n)
    for w in ONES:
        qc.x(w)
    qc.cx(1, 4)  # control 1 is |0⟩: no flip, but a two-qubit gate the router must place
    qc.cx(4, 1)
    qc.rz(Parameter("a"), 1)
    return qh.circuits.from_qiskit(qc)


def expected_bits(n=5):
    return torch.tensor([1.0 if j in ONES else 0.0 for j in range(n)], dtype=torch.float64)


def top_fraction(bits, target):
    return float((bits == target).all(-1).double().mean())


@pytest.mark.parametrize("make", [
    lambda: AerSimulator.from_backend(FakeManilaV2()),
    lambda: AerSampler.from_backend(FakeManilaV2()),
    lambda: RuntimeSampler(mode=FakeManilaV2()),
    lambda: RuntimeSampler(mode=FakeNairobiV2()),
    lambda: ExecutorSampler(mode=FakeManilaV2()),
    lambda: StatevectorSampler(),
], ids=["aer-simulator", "aer-sampler", "runtime-manila", "runtime-nairobi", "executor-manila", "statevector-sampler"])
def test_basis_state_is_measured_with_bit_j_weight_j(make):
    hn = qh.Hypernetwork(basis_state_ansatz(), backend=make(), shots=400, seed=0)
    bits = hn.sample(400)
    assert bits.shape == (400, 5)
    assert top_fraction(bits, expected_bits()) > 0.75  # device noise leaves most shots on the state


def test_non_trivial_layout_is_mapped_back():
    fake = FakeNairobiV2()
    pm = generate_preset_pass_manager(optimization_level=1, backend=fake, initial_layout=[6, 3, 0, 5, 1])
    hn = qh.Hypernetwork(basis_state_ansatz(), backend=AerSampler.from_backend(fake), shots=400, seed=0,
                         pass_manager=pm)
    layout = hn.backend._measured.layout.final_index_layout()
    assert layout != list(range(5)) and hn.backend._measured.num_qubits == 7
    assert top_fraction(hn.sample(400), expected_bits()) > 0.75
    exact = qh.Hypernetwork(basis_state_ansatz(), backend=AerSimulator.from_backend(fake), pass_manager=pm)
    q = exact.distribution().probs().detach()
    assert int(q.argmax()) == int(qh.bitstrings.bits_to_index(expected_bits()[None])[0]) and float(q.max()) > 0.8
    # the default pass manager picks its own layout on the 7-qubit device, with the same result
    default = qh.Hypernetwork(basis_state_ansatz(), backend=RuntimeSampler(mode=fake), shots=400, seed=0)
    assert default.backend._measured.num_qubits == 7
    assert top_fraction(default.sample(400), expected_bits()) > 0.75


def test_exact_mode_on_a_fake_device_simulator_follows_the_layout():
    sim = AerSimulator.from_backend(FakeManilaV2())
    hn = qh.Hypernetwork(basis_state_ansatz(), backend=sim, seed=0)  # exact: density matrix under its noise
    q = hn.distribution().probs().detach()
    assert q.shape == (32,) and abs(float(q.sum()) - 1) < 1e-10
    assert int(q.argmax()) == qh.bitstrings.bits_to_index(expected_bits()[None])[0]
    assert 0.8 < float(q.max()) < 1.0  # readout and gate errors, but the state dominates


def test_fresh_seed_per_call_and_reproducible_runs():
    a = qh.circuits.get("product", n_qubits=4)
    for make in (lambda: AerSampler(seed=5), lambda: StatevectorSampler(seed=5), lambda: RuntimeSampler(mode=FakeManilaV2()),
                 lambda: ExecutorSampler(mode=FakeManilaV2())):
        hn = qh.Hypernetwork(a, backend=make(), shots=64, seed=0, init=torch.full((4,), 1.3))
        first, second = hn.sample(64), hn.sample(64)
        assert not torch.equal(first, second)  # a fixed-seed sampler would repeat itself
        again = qh.Hypernetwork(a, backend=make(), shots=64, seed=0, init=torch.full((4,), 1.3))
        assert torch.equal(again.sample(64), first)


def test_shot_mode_mle_fit_through_a_runtime_sampler_on_a_fake_backend():
    model = qh.BinaryMLP([2, 1], bias=True)  # 3 bits
    data = qh.datasets.load("gaussian_mixture", n_train=64, n_test=16, seed=0)
    ev = qh.Evaluator(model, data.X_train, data.y_train)
    hn = qh.Hypernetwork(qh.circuits.get("hardware_efficient", n_qubits=3, layers=1),
                         backend=RuntimeSampler(mode=FakeManilaV2()), shots=128, seed=0)
    result = qh.trainers.QHN(qh.objectives.MLE(), steps=3, final_shots=256, seed=0, progress=False).fit(hn, ev)
    assert len(result.history["objective"]) == 3 and np.isfinite(result.metrics["expected_loss"])
    assert result.state["gradient"] == "parameter-shift" and result.bits.shape == (3,)


def test_one_qubit_errors_are_never_dropped():
    """Only 1-qubit depolarising errors, on the device basis gates (sx, x): RY gates must be
    translated into that basis, or the errors would silently not apply."""
    a = qh.circuits.get("product", n_qubits=3)
    theta = torch.full((3,), np.pi)  # noise-free: always 111
    nm = NoiseModel()
    nm.add_all_qubit_quantum_error(depolarizing_error(0.3, 1), ["sx", "x"])
    clean = qh.Hypernetwork(a, backend="qiskit", shots=2000, seed=0, init=theta).sample(2000)
    noisy = qh.Hypernetwork(a, backend="qiskit", shots=2000, seed=0, init=theta, noise=nm).sample(2000)
    assert top_fraction(clean, torch.ones(3)) == 1.0
    assert top_fraction(noisy, torch.ones(3)) < 0.8
    exact = qh.Hypernetwork(a, backend="qiskit", init=theta, noise=nm).distribution().probs().detach()
    assert float(exact[7]) < 0.8


def test_pennylane_device_objects():
    a = qh.circuits.get("brick", n_qubits=3, layers=2)
    theta = a.init_params(1)
    ref = qh.Hypernetwork(a, init=theta).distribution().probs().detach()
    for dev in (qml.device("default.qubit", wires=3), qml.device("lightning.qubit", wires=3),
                qml.device("default.mixed", wires=3)):
        hn = qh.Hypernetwork(a, backend=dev, init=theta)
        assert torch.allclose(hn.distribution().probs().detach(), ref, atol=1e-10), dev.name
    hn = qh.Hypernetwork(a, backend=qml.device("default.qubit", wires=3), init=theta, diff_method="parameter-shift")
    cost = torch.arange(8.0, dtype=torch.float64)
    (hn.distribution().probs() @ cost).backward()
    ref_hn = qh.Hypernetwork(a, init=theta)
    (ref_hn.distribution().probs() @ cost).backward()
    assert torch.allclose(hn.theta.grad, ref_hn.theta.grad, atol=1e-10)
    shots = qh.Hypernetwork(a, backend=qml.device("lightning.qubit", wires=3, seed=3), shots=50, init=theta)
    assert shots.sample(50).shape == (50, 3)


class _RenamingSampler(BaseSamplerV2):
    """A sampler whose results name the register 'c' instead of 'meas'."""

    def run(self, pubs, *, shots=None):
        inner = StatevectorSampler(seed=0).run(pubs, shots=shots).result()
        out = [SamplerPubResult(DataBin(c=BitArray(r.data.meas.array, r.data.meas.num_bits), shape=r.data.shape))
               for r in inner]

        class Job:
            def result(self):
                return PrimitiveResult(out)

        return Job()


@pytest.mark.parametrize("call,error,match", [
    (lambda: qh.Hypernetwork(basis_state_ansatz(), backend=AerSampler()), ValueError, "cannot run exact mode"),
    (lambda: qh.Hypernetwork(basis_state_ansatz(), backend=FakeManilaV2(), shots=10), TypeError, "SamplerV2\\(mode=backend\\)"),
    (lambda: qh.Hypernetwork(basis_state_ansatz(), backend=AerSampler(), shots=10,
                             noise=qh.noise.depolarizing(1)), ValueError, "carries its own noise"),
    (lambda: qh.Hypernetwork(basis_state_ansatz(), backend=AerSimulator(), shots=10,
                             noise=qh.noise.depolarizing(1)), ValueError, "carries its own noise"),
    (lambda: qh.Hypernetwork(basis_state_ansatz(), backend=_RenamingSampler(), shots=10).sample(10), ValueError,
     "no classical register 'meas'"),
    (lambda: qh.Hypernetwork(qh.circuits.get("product", n_qubits=3), backend=qml.device("default.gaussian", wires=3)),
     ValueError, "cannot run this hypernetwork's exact mode"),
    (lambda: qh.Hypernetwork(qh.circuits.get("product", n_qubits=3), backend=qml.device("default.qubit", wires=2)),
     ValueError, "has 2 wires"),
    (lambda: qh.Hypernetwork(qh.circuits.get("product", n_qubits=3), backend=object()), TypeError, "backend must be"),
    (lambda: qh.Hypernetwork(qh.circuits.get("brick", n_qubits=16, layers=1), backend="qiskit",
                             noise=qh.noise.depolarizing(1)), MemoryError, "2\\^16 × 2\\^16"),
    (lambda: qh.Hypernetwork(qh.circuits.get("product", n_qubits=3), noise=qh.noise.depolarizing(1)), ValueError,
     "torch engine simulates pure states"),
    (lambda: qh.Hypernetwork(qh.circuits.get("product", n_qubits=3), backend="qiskit", pass_manager="level1"),
     TypeError, "pass_manager"),
])
def test_bad_execution_objects_fail_before_work(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_readout_mitigation_recovers_the_prepared_state():
    # needs mthree: the [mitigation] extra (the test extra installs it)
    fake = FakeNairobiV2()
    pm = generate_preset_pass_manager(optimization_level=1, backend=fake, initial_layout=[6, 3, 0, 5, 1])
    hn = qh.Hypernetwork(basis_state_ansatz(), backend=AerSampler.from_backend(fake), shots=4000, seed=0,
                         pass_manager=pm)
    bits = hn.sample(8000)
    mit = qh.hypernet.ReadoutMitigator(hn, shots=4000)
    assert mit.qubits == [6, 3, 0, 5, 1]
    uniq, quasi = mit.quasi_probs(bits)
    raw = top_fraction(bits, expected_bits())
    mitigated = float(quasi[(uniq == expected_bits()).all(-1)].sum())
    assert abs(float(quasi.sum()) - 1) < 1e-6
    assert raw < 0.9 and abs(mitigated - 1) < 0.04  # readout errors removed, the few gate errors remain
    with pytest.raises(ValueError, match="needs a device"):
        qh.hypernet.ReadoutMitigator(qh.Hypernetwork(basis_state_ansatz(), backend="qiskit", shots=10))
