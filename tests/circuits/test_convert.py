"""User circuits from Qiskit and PennyLane: probabilities, gradients and errors on every backend."""
import math

import numpy as np
import pennylane as qml
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import real_amplitudes
from qiskit.quantum_info import Statevector

import qhyper as qh
from qhyper.bitstrings import reverse_bit_order

from gate_zoo import PENNYLANE, QISKIT, _controlled, _hand_built

# (backend, options): the torch backend's two engines, forced (the default picks by size)
BACKENDS = [pytest.param(("torch", {"method": "statevector"}), id="torch"),
            pytest.param(("torch", {"method": "split"}), id="torch-split"),
            pytest.param(("pennylane", {}), id="pennylane"), pytest.param(("qiskit", {}), id="qiskit")]


def statevector_probs(qc, values):
    bound = qc.assign_parameters(dict(zip(qc.parameters, np.asarray(values, dtype=float))))
    return reverse_bit_order(torch.from_numpy(Statevector(bound).probabilities()), qc.num_qubits)


def pennylane_probs(qfunc, n, shape, theta):
    @qml.qnode(qml.device("default.qubit", wires=n))
    def circuit(w):
        qfunc(w)
        return qml.probs(wires=range(n))

    return torch.as_tensor(circuit(theta.reshape(shape)))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(QISKIT))
def test_from_qiskit_matches_statevector(name, backend):
    qc = QISKIT[name]()
    a = qh.circuits.from_qiskit(qc)
    assert a.num_params == qc.num_parameters and a.num_qubits == qc.num_qubits
    for seed in (0, 1):
        theta = a.init_params(seed)
        q = qh.Hypernetwork(a, backend=backend[0], init=theta, **backend[1]).distribution().probs().detach()
        assert torch.allclose(q, statevector_probs(qc, theta), atol=1e-10, rtol=0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(PENNYLANE))
def test_from_pennylane_matches_qml_probs(name, backend):
    qfunc, n, shape = PENNYLANE[name]
    a = qh.circuits.from_pennylane(qfunc, n, shape)
    assert a.shape() == shape
    theta = a.init_params(2)
    q = qh.Hypernetwork(a, backend=backend[0], init=theta, **backend[1]).distribution().probs().detach()
    assert torch.allclose(q, pennylane_probs(qfunc, n, shape, theta), atol=1e-10, rtol=0)


def test_shared_parameters_and_expressions_are_read_exactly():
    a = qh.circuits.from_qiskit(_hand_built())
    assert [str(p) for p in a.qiskit_parameters] == ["a", "b"]  # Qiskit's order
    rx = next(g for g in a.gates if g.name == "RX")
    assert (rx.param, rx.coeff, rx.offset) == (0, 2.0, pytest.approx(0.3))
    rzz = next(g for g in a.gates if g.name == "RZZ")
    assert rzz.terms == ((0, -1.0), (1, 1.0))
    assert a.num_angles > a.num_params  # a parameter sits in several gates


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["hand_built", "controlled", "n_local_cry"])
def test_gradients_of_converted_circuits_match_finite_differences(name, backend):
    a = qh.circuits.from_qiskit(QISKIT[name]())
    theta = a.init_params(5)
    cost = torch.linspace(-1.0, 2.0, 2**a.num_qubits, dtype=torch.float64)
    hn = qh.Hypernetwork(a, backend=backend[0], init=theta, **backend[1])
    f = lambda q: q @ cost + (q * q).sum()  # noqa: E731 - a nonlinear f(q)
    f(hn.distribution().probs()).backward()
    ref = qh.Hypernetwork(a, init=theta)
    h, fd = 1e-6, torch.zeros(a.num_params, dtype=torch.float64)
    with torch.no_grad():
        for k in range(a.num_params):
            d = torch.zeros(a.num_params, dtype=torch.float64)
            d[k] = h
            fd[k] = (f(ref.probs_at(theta + d)[0]) - f(ref.probs_at(theta - d)[0])) / (2 * h)
    assert torch.allclose(hn.theta.grad, fd, atol=1e-7)


def test_parameter_shift_recipes_are_exact_for_every_gate():
    a = qh.circuits.from_qiskit(_controlled())
    e = qh.Hypernetwork(a).backend.engine
    angles = a.angles(a.init_params(3)[None]).detach()
    x = angles.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(e.probs(x)[0, 5], x)
    for slot, recipe in enumerate(a.recipes):
        est = 0.0
        for c, s in recipe:
            shifted = angles.clone()
            shifted[0, slot] += s
            est += c * float(e.probs(shifted)[0, 5])
        assert est == pytest.approx(float(grad[0, slot]), abs=1e-12)
    assert {len(r) for r in a.recipes} == {2, 4}  # controlled rotations take the four-term rule


def test_parameter_shift_shot_gradient_is_unbiased_on_shared_parameters():
    a = qh.circuits.from_qiskit(_hand_built())  # a in 6 gates (with coefficients 2, 1, −1, ½ …), b in 3
    theta = a.init_params(5)
    cost = torch.randn(8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    exact = qh.Hypernetwork(a, init=theta)
    (exact.distribution().probs() @ cost).backward()  # about (−0.52, 0.13)
    hn = qh.Hypernetwork(a, shots=20000, init=theta, seed=0)
    form = qh.objectives.MLE().shot_form(qh.objectives.LossSource(cost, num_bits=3))
    est = qh.gradients.ParameterShift()
    grads = torch.stack([est(hn, form, theta, 20000, seed, torch.Generator().manual_seed(seed)).grad
                         for seed in range(20)])
    mean, sem = grads.mean(0), grads.std(0) / math.sqrt(grads.shape[0])
    assert torch.all((mean - exact.theta.grad).abs() < 4 * sem), (mean, exact.theta.grad, sem)


@pytest.mark.parametrize("name", ["brick", "hardware_efficient", "product"])
def test_round_trip_of_the_builtin_families(name):
    a = qh.circuits.get(name, n_qubits=4, **({} if name == "product" else {"layers": 2}))
    b = qh.circuits.from_qiskit(a.to_qiskit())
    theta = a.init_params(4)
    qa = qh.Hypernetwork(a, init=theta).distribution().probs()
    qb = qh.Hypernetwork(b, init=theta).distribution().probs()
    assert torch.allclose(qa, qb, atol=1e-13)
    assert b.inert_params == a.inert_params


def test_hypernetwork_accepts_a_qiskit_circuit_directly():
    qc = real_amplitudes(3, reps=1)
    hn = qh.Hypernetwork(qc, seed=0)
    assert hn.num_qubits == 3 and hn.num_params == qc.num_parameters


def _with(op):
    qc = QuantumCircuit(2, 2)
    qc.ry(Parameter("a"), 0)
    op(qc)
    return qc


@pytest.mark.parametrize("build,match", [
    (lambda: _with(lambda qc: qc.measure(0, 0)), r"instruction 1 \('measure'.*measurement"),
    (lambda: _with(lambda qc: qc.reset(1)), r"'reset'.*a reset"),
    (lambda: _with(lambda qc: qc.rx(Parameter("b") ** 2, 1)), "not affine"),
    (lambda: _with(lambda qc: qc.rz(Parameter("b").sin(), 1)), "not affine"),
    (lambda: _with(lambda qc: qc.ry(Parameter("b") * Parameter("c"), 1)), "not affine"),
])
def test_from_qiskit_refuses_what_it_cannot_run(build, match):
    with pytest.raises(ValueError, match=match):
        qh.circuits.from_qiskit(build())


def test_from_qiskit_refuses_control_flow():
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
    with pytest.raises(ValueError, match="control flow"):
        qh.circuits.from_qiskit(qc)


def test_from_pennylane_errors():
    with pytest.raises(ValueError, match="not an affine"):
        qh.circuits.from_pennylane(lambda w: qml.RX(w[0] ** 2, wires=0), 1, (1,))
    with pytest.raises(ValueError, match="measurements"):
        qh.circuits.from_pennylane(lambda w: [qml.RX(w[0], wires=0), qml.expval(qml.Z(0))][-1], 1, (1,))
    with pytest.raises(ValueError, match="wires"):
        qh.circuits.from_pennylane(lambda w: qml.RX(w[0], wires="a"), 1, (1,))
    calls = iter(range(10))
    with pytest.raises(ValueError, match="different gates"):  # a data-dependent gate sequence
        qh.circuits.from_pennylane(lambda w: qml.RX(w[0], wires=0) if next(calls) == 0 else qml.RY(w[0], wires=0),
                                   1, (1,))
    with pytest.raises(TypeError, match="shape"):
        qh.circuits.from_pennylane(lambda w: qml.RX(w[0], wires=0), 1, "three")


def test_inert_parameters_of_diagonal_two_qubit_gates():
    t = ParameterVector("t", 5)
    qc = QuantumCircuit(3)
    qc.ry(t[0], 0)
    qc.ry(t[1], 1)
    qc.h(2)
    qc.crz(t[2], 0, 1)   # followed only by diagonal gates on wires 0, 1: inert
    qc.rzz(t[3], 1, 2)   # wire 2 gets an H afterwards: live
    qc.cp(t[2], 0, 2)    # t[2] also here, before the H: so t[2] is live too
    qc.p(t[4], 0)        # inert
    qc.h(2)
    a = qh.circuits.from_qiskit(qc)
    assert a.inert_params == (4,)
    assert len(a.inert_angles) == 2  # the CRZ angle and the P angle
    theta = a.init_params(0)
    moved = theta.clone()
    moved[4] += 1.0
    q = qh.Hypernetwork(a, init=theta).distribution().probs()
    assert torch.allclose(q, qh.Hypernetwork(a, init=moved).distribution().probs(), atol=1e-14)
    moved[3] += 1.0  # a live parameter does change them
    assert not torch.allclose(q, qh.Hypernetwork(a, init=moved).distribution().probs(), atol=1e-6)
