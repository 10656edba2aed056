"""Bad inputs to ``Hypernetwork``, its backends, its distribution and readout mitigation:
refused at once, with the parameter named. On the old code each case below was
accepted silently (a complex or boolean θ, ``num_bits = 2.5`` read as 2, ``layers`` ignored
beside an ansatz object, ``shots=10**30``, an Aer option value checked only at the first
sample, ``diff_method`` ignored in shot mode, bits of value 2 mitigated into NaN), failed with a
raw library message (torch dtype errors, ``TranspilerError``, ``AttributeError``, an allocation
failure after seconds of work), or failed late."""
import time

import numpy as np
import pennylane as qml
import pytest
import torch
from qiskit_aer import AerSimulator
from qiskit_ibm_runtime import SamplerV2 as RuntimeSampler
from qiskit_ibm_runtime.fake_provider import FakeManilaV2

import qhyper as qh
from bad_inputs import refused

A = qh.circuits.get("brick", n_qubits=3, layers=1)  # 6 parameters
BIG = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=16, layers=4), seed=0)  # a large exact task
SHOTS = qh.Hypernetwork(A, backend="qiskit", shots=16, seed=0)
FAKE = FakeManilaV2()  # 5 qubits
SIX = qh.circuits.get("brick", n_qubits=6, layers=1)
MANY_ROWS = torch.zeros(10**6, 6)


class HalfBits:
    num_bits = 2.5


class TextBits:
    num_bits = "3"


def hn():
    return qh.Hypernetwork(A, seed=0)


@pytest.mark.parametrize("build, error, name", [
    # construction
    (lambda: qh.Hypernetwork(A, shots=10**30), MemoryError, "shots"),
    (lambda: qh.Hypernetwork(A, init="zeros"), TypeError, "init"),
    (lambda: qh.Hypernetwork(A, init=np.zeros(6) + 1j), TypeError, "init.*complex"),
    (lambda: qh.Hypernetwork(A, init=np.ones(6, dtype=bool)), TypeError, "init.*booleans"),
    (lambda: qh.Hypernetwork(A, init=[None] * 6), TypeError, "init"),
    (lambda: qh.Hypernetwork.for_model(HalfBits()), TypeError, "num_bits"),
    (lambda: qh.Hypernetwork.for_model(TextBits()), TypeError, "num_bits"),
    (lambda: qh.Hypernetwork.for_model(qh.BinaryMLP([1, 1]), ansatz=A, layers=7), ValueError, "layers=7"),
    # backends and their options
    (lambda: qh.Hypernetwork(A, backend="pennylane", diff_method="magic"), ValueError, "diff_method"),
    (lambda: qh.Hypernetwork(A, backend="pennylane", diff_method=3), TypeError, "diff_method"),
    (lambda: qh.Hypernetwork(A, backend="pennylane", shots=5, diff_method="magic"), ValueError, "diff_method"),
    (lambda: qh.Hypernetwork(A, backend="qiskit", shots=10, precision="triple"), ValueError, "precision"),
    (lambda: qh.Hypernetwork(SIX, backend=RuntimeSampler(mode=FAKE), shots=10), ValueError, "6 qubits.*has 5"),
    (lambda: qh.Hypernetwork(SIX, backend=AerSimulator.from_backend(FAKE)), ValueError, "6 qubits.*has 5"),
    # parameter rows, shots and bits
    (lambda: BIG.sample(10**12), MemoryError, "shots"),
    (lambda: hn().sample_at(MANY_ROWS, 10**4), MemoryError, "shots=10000 on 1000000 circuit"),
    (lambda: SHOTS.sample(10**10), MemoryError, "shots"),
    (lambda: qh.Hypernetwork(A, backend="qiskit", shots=8).sample_counts_angles(torch.zeros(4, A.num_angles), 10**10),
     MemoryError, "shots=10000000000 on 4 circuit"),
    (lambda: hn().sample_counts_angles(torch.zeros(2, A.num_angles + 1), 8), ValueError, "angles must have shape"),
    (lambda: BIG.sample_at("abc", 3), TypeError, "thetas"),
    (lambda: BIG.sample_at(None, 3), TypeError, "thetas"),
    (lambda: hn().sample_at(np.zeros((1, 6)) + 1j, 3), TypeError, "thetas.*complex"),
    (lambda: hn().sample_at(np.zeros((0, 6)), 3), ValueError, "thetas.*B ≥ 1"),
    (lambda: hn().probs_at(np.zeros((1, 6), dtype=bool)), TypeError, "thetas.*booleans"),
    (lambda: hn().probs_at(np.zeros((0, 6))), ValueError, "thetas.*B ≥ 1"),
    (lambda: hn().check_num_bits("3"), TypeError, "n must"),
    (lambda: hn().check_num_bits(3.7), TypeError, "n must"),
    (lambda: BIG.distribution().log_prob("0110"), TypeError, "bits"),
])
def test_refused_at_once_naming_the_parameter(build, error, name):
    refused(build, error, name)


@pytest.fixture(scope="module")
def mitigator():
    pytest.importorskip("mthree")
    device = qh.Hypernetwork(A, backend=AerSimulator.from_backend(FAKE), shots=100, seed=0)
    return qh.hypernet.ReadoutMitigator(device, shots=200)


@pytest.mark.parametrize("call, error, name", [
    (lambda mit: qh.hypernet.ReadoutMitigator("hn"), TypeError, "hypernet"),
    (lambda mit: mit.quasi_probs(torch.zeros(5, 2)), ValueError, r"bits must have shape \[S, 3\]"),
    (lambda mit: mit.quasi_probs(torch.full((5, 3), 2.0)), ValueError, "bits must be 0 or 1"),
    (lambda mit: mit.quasi_probs("011"), TypeError, "bits"),
    (lambda mit: mit.quasi_probs(torch.zeros(0, 3)), ValueError, "bits holds no samples"),
])
def test_readout_mitigation_refuses_bad_input(mitigator, call, error, name):
    start = time.perf_counter()
    with pytest.raises(error, match=name):
        call(mitigator)
    assert time.perf_counter() - start < 1.0


def test_the_good_spellings_still_work():
    model = qh.BinaryMLP([1, 1])  # 2 bits
    assert qh.Hypernetwork.for_model(model, ansatz="product").ansatz.name == "product"
    assert qh.Hypernetwork.for_model(model, ansatz="product", layers=4).ansatz.name == "product"  # the default
    assert qh.Hypernetwork.for_model(model, layers=None).ansatz.layers == 4
    assert qh.Hypernetwork.for_model(model, ansatz=qh.circuits.get("brick", n_qubits=2, layers=1), layers=4)
    h = qh.Hypernetwork(A, init=[0.0] * 6, shots=np.int64(8), seed=0)
    assert h.theta.dtype == torch.float64 and h.shots == 8
    h.check_num_bits(np.int64(3))
    assert h.sample_at(np.zeros((2, 6), dtype=int), 4).shape == (2, 4, 3)
    assert qh.Hypernetwork(A).probs_at([[0] * 6]).shape == (1, 8)
    assert qh.Hypernetwork(A, seed=0).distribution().log_prob(np.array([[0, 0, 0]], dtype=bool)).shape == (1,)
    assert qh.Hypernetwork(A, backend="pennylane", diff_method="parameter-shift").distribution().probs().shape == (8,)
    assert qh.Hypernetwork(A, backend="pennylane", diff_method=qml.gradients.param_shift).backend.diff_method
    assert qh.Hypernetwork(A, backend="qiskit", shots=4, max_parallel_threads=1, seed=0).sample().shape == (4, 3)
