"""Qiskit counts into qhyper's bit order: strings, integers, BitArrays, a real sampler, bad input."""
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.primitives import StatevectorSampler

import qhyper as qh


def test_string_and_integer_counts_read_clbit_j_as_wire_j():
    bits, counts = qh.bitstrings.from_counts({"001": 5, "110": 3})
    assert bits.tolist() == [[1, 0, 0], [0, 1, 1]] and counts.tolist() == [5, 3]
    bits, counts = qh.bitstrings.from_counts({1: 5, 6: 3}, num_bits=3)
    assert bits.tolist() == [[1, 0, 0], [0, 1, 1]]
    assert qh.bitstrings.from_counts({"01 1": 2}, samples=True).tolist() == [[1, 1, 0]] * 2  # registers joined


def test_a_qiskit_sampler_run_round_trips():
    qc = QuantumCircuit(4)
    qc.x(0)
    qc.x(2)
    qc.measure_all()
    result = StatevectorSampler(seed=1).run([qc], shots=50).result()[0]
    for source in (result.data.meas, result.data.meas.get_counts()):
        bits = qh.bitstrings.from_counts(source, num_bits=4, samples=True)
        assert bits.shape == (50, 4) and torch.all(bits == torch.tensor([1.0, 0, 1, 0]))


def test_the_exported_circuit_of_a_hypernetwork_samples_the_same_networks():
    from qiskit_aer.primitives import SamplerV2

    a = qh.circuits.get("product", n_qubits=3)
    theta = torch.tensor([3.14159265, 3.14159265, 0.0])  # RY(π) on wires 0 and 1: network 1 1 0
    qc = a.to_qiskit(theta)
    qc.measure_all()
    counts = SamplerV2(seed=0).run([qc], shots=20).result()[0].data.meas.get_counts()
    bits, c = qh.bitstrings.from_counts(counts)
    assert bits.tolist() == [[1, 1, 0]] and c.tolist() == [20]
    assert torch.equal(qh.Hypernetwork(a, init=theta).sample(4, seed=0)[0], bits[0])


def test_a_plain_qiskit_run_of_the_export_scores_as_the_hypernetwork_does():
    """Trained 10-bit network on bars and stripes, exported, sampled by Aer, read by from_counts:
    its mean train accuracy matches the exact expectation under the hypernetwork (and its own
    samples) within sampling error, while reading the keys left to right does not."""
    from qiskit_aer.primitives import SamplerV2

    data = qh.datasets.load("bars_and_stripes", n_train=100, n_test=50, seed=0)
    model = qh.BinaryMLP([9, 1])
    ev = qh.Evaluator.from_dataset(model, data, logit_scale=0.5)
    ansatz = qh.circuits.get("brick", n_qubits=model.num_bits, layers=2)
    hn = qh.Hypernetwork(ansatz, seed=0)
    qh.trainers.QHN(qh.objectives.MLE(), optimizer="adam", steps=40, lr=0.1, seed=0,
                    progress=False).fit(hn, ev)
    every = qh.bitstrings.index_to_bits(torch.arange(2 ** model.num_bits), model.num_bits)
    p = hn().detach().double()
    exact = float(p @ ev.accuracy(every).double())
    qc = ansatz.to_qiskit(hn.theta.detach())
    qc.measure_all()
    counts = SamplerV2(seed=3).run([qc], shots=4000).result()[0].data.meas.get_counts()
    qiskit_acc = ev.accuracy(qh.bitstrings.from_counts(counts, num_bits=model.num_bits, samples=True)).double()
    own_acc = ev.accuracy(hn.sample(4000, seed=3)).double()
    se = float(qiskit_acc.std()) / 4000 ** 0.5 + 1e-4
    assert abs(float(qiskit_acc.mean()) - exact) < 5 * se
    assert abs(float(own_acc.mean()) - float(qiskit_acc.mean())) < 7 * se
    left_to_right = float(p @ ev.accuracy(every.flip(-1)).double())
    assert abs(left_to_right - exact) > 50 * se  # the trap the helper exists for is visible here


@pytest.mark.parametrize("counts,match", [
    ([("01", 1)], "dict of Qiskit counts"),
    ({"012": 1}, "bitstrings such as"),
    ({"01": -1}, "non-negative integers"),
    ({"01": 1.5}, "non-negative integers"),
    ({-3: 1}, "bitstrings or non-negative integers"),
])
def test_bad_counts(counts, match):
    with pytest.raises(ValueError, match=match):
        qh.bitstrings.from_counts(counts)


def test_an_outcome_wider_than_num_bits():
    with pytest.raises(ValueError, match="num_bits = 2"):
        qh.bitstrings.from_counts({"101": 1}, num_bits=2)
