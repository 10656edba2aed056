import math

import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.circuits import Ansatz, Gate

FAMILIES = [("brick", {"layers": 3}), ("hardware_efficient", {"layers": 2}),
            ("hardware_efficient", {"layers": 2, "entangler": "cx"}), ("product", {})]


def test_names_and_unknown_family():
    assert {"brick", "hardware_efficient", "product"} <= set(qh.circuits.names())
    with pytest.raises(ValueError, match="unknown ansatz 'nope'.*brick"):
        qh.circuits.get("nope", n_qubits=3)


@pytest.mark.parametrize("n,layers", [(1, 1), (4, 2), (7, 3)])
def test_parameter_counts(n, layers):
    brick = qh.circuits.get("brick", n_qubits=n, layers=layers)
    assert brick.num_params == 2 * layers * n and brick.shape() == (layers, 2, n)
    hea = qh.circuits.get("hardware_efficient", n_qubits=n, layers=layers)
    assert hea.num_params == (layers + 1) * n and hea.shape() == (layers + 1, n)
    prod = qh.circuits.get("product", n_qubits=n)
    assert prod.num_params == n and prod.shape() == (n,)


@pytest.mark.parametrize("name,kw", FAMILIES)
def test_every_parameter_in_exactly_one_rotation(name, kw):
    a = qh.circuits.get(name, n_qubits=5, **kw)
    params = [g.param for g in a.gates if g.param is not None]
    assert sorted(params) == list(range(a.num_params))
    assert all(g.name in ("RX", "RY", "RZ") for g in a.gates if g.param is not None)
    assert set(a.recipes) == {((0.5, math.pi / 2), (-0.5, -math.pi / 2))}
    assert a.num_angles == a.num_params and torch.equal(a.angles(torch.arange(3.0 * a.num_params).reshape(3, -1)),
                                                         torch.arange(3.0 * a.num_params).reshape(3, -1))


def test_brick_bonds_alternate_even_then_odd():
    a = qh.circuits.get("brick", n_qubits=6, layers=3)
    layers, current = [], None
    for g in a.gates:
        if g.name == "CX":
            if current is None:
                current = []
                layers.append(current)
            current.append(g.wires)
        else:
            current = None
    assert layers == [[(0, 1), (2, 3), (4, 5)], [(1, 2), (3, 4)], [(0, 1), (2, 3), (4, 5)]]
    # RY then RZ on every qubit after each brick, parameter index 2nl + nk + j
    ry = [g for g in a.gates if g.name == "RY"]
    assert [g.param for g in ry[:6]] == list(range(6)) and ry[6].param == 12


def test_inert_params_are_the_rz_gates_nothing_non_diagonal_follows():
    brick = qh.circuits.get("brick", n_qubits=5, layers=3)
    assert brick.inert_params == tuple(range(2 * 5 * 2 + 5, 2 * 5 * 3))  # the last RZ layer
    assert qh.circuits.get("hardware_efficient", n_qubits=5, layers=2).inert_params == ()
    mixed = Ansatz(3, [Gate("RZ", (0,), 0), Gate("RZ", (1,), 1), Gate("CZ", (1, 2)), Gate("RZ", (2,), 2),
                       Gate("CX", (0, 2)), Gate("RY", (2,), 3)], (4,))
    assert mixed.inert_params == (1,)  # RZ on wire 1 is followed by a CZ only


@pytest.mark.parametrize("name,kw", FAMILIES)
def test_inert_params_do_not_change_probabilities(name, kw):
    a = qh.circuits.get(name, n_qubits=4, **kw)
    hn = qh.Hypernetwork(a, seed=0)
    theta = a.init_params(1)
    moved = theta.clone()
    moved[list(a.inert_params)] += torch.linspace(0.3, 2.0, len(a.inert_params), dtype=theta.dtype)

    def probs(t):
        with torch.no_grad():
            hn.theta.copy_(t)
            return hn.distribution().probs()

    p = probs(theta)
    assert torch.allclose(p, probs(moved), atol=1e-12)
    live = [k for k in range(a.num_params) if k not in a.inert_params]
    other = theta.clone()
    other[live[-1]] += 0.7
    assert not torch.allclose(p, probs(other), atol=1e-6)


def test_real_flag():
    assert not qh.circuits.get("brick", n_qubits=3).real
    assert qh.circuits.get("hardware_efficient", n_qubits=3).real
    assert qh.circuits.get("product", n_qubits=3).real


def test_validation_rejects_unused_or_out_of_range_parameters():
    with pytest.raises(ValueError, match=r"parameters \[1\] appear in no gate"):
        Ansatz(2, [Gate("RY", (0,), 0), Gate("RY", (1,), 0)], (2,))
    with pytest.raises(ValueError, match="unknown gate"):
        Ansatz(2, [Gate("U3", (0,))], ())
    with pytest.raises(ValueError, match="fixed gate"):
        Ansatz(2, [Gate("H", (0,), 0)], (1,))
    with pytest.raises(ValueError, match="2 distinct wire"):
        Ansatz(2, [Gate("RZZ", (1, 1), 0)], (1,))
    with pytest.raises(ValueError, match="wire of .* must be an integer in 0 … 1; got 2"):
        Ansatz(2, [Gate("RY", (2,), 0)], (1,))
    with pytest.raises(ValueError, match="wire of .* must be an integer in 0 … 1; got 0.5"):
        Ansatz(2, [Gate("RY", (0.5,), 0)], (1,))  # int() would have let 0.5 through as wire 0
    with pytest.raises(ValueError, match="parameter index .* must be an integer in 0 … 0; got 1"):
        Ansatz(2, [Gate("RY", (0,), 1)], (1,))
    with pytest.raises(ValueError, match="shape must be an integer ≥ 0; got 1.5"):
        Ansatz(2, [Gate("RY", (0,), 0)], (1.5,))


@pytest.mark.parametrize("call,match", [
    (lambda: qh.circuits.get("brick", n_qubits=0), "n_qubits"),
    (lambda: qh.circuits.get("brick", n_qubits=3, layers=0), "layers"),
    (lambda: qh.circuits.get("hardware_efficient", n_qubits=3, layers=-1), "layers"),
    (lambda: qh.circuits.get("hardware_efficient", n_qubits=3, entangler="xx"), "entangler"),
    (lambda: qh.circuits.get("product", n_qubits=3, layers=3), "single RY layer"),
])
def test_bad_construction(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_init_params_seeded_and_in_range():
    a = qh.circuits.get("brick", n_qubits=4, layers=2)
    t1, t2 = a.init_params(7), a.init_params(7)
    assert t1.dtype == torch.float64 and t1.shape == (16,)
    assert torch.equal(t1, t2) and not torch.equal(t1, a.init_params(8))
    assert torch.all((t1 >= 0) & (t1 < 2 * math.pi))
    assert a.init_params(np.random.default_rng(0)).shape == (16,)
    assert a.init_params(torch.Generator().manual_seed(0)).shape == (16,)
    with pytest.raises(ValueError, match="generator must be an integer ≥ 0"):
        a.init_params("seed")
    with pytest.raises(ValueError, match="generator must be an integer ≥ 0"):
        a.init_params(-1)


def test_from_pennylane_takes_a_numpy_generator_as_its_seed():
    import pennylane as qml

    def qfunc(theta):
        qml.RY(theta[0], wires=0)
        qml.CNOT(wires=[0, 1])
        qml.RZ(2 * theta[1] + 0.3, wires=1)

    for seed in (np.random.default_rng(0), torch.Generator().manual_seed(0), 3):
        assert qh.circuits.from_pennylane(qfunc, 2, (2,), seed=seed).num_params == 2
    with pytest.raises(ValueError, match="seed must be an integer ≥ 0"):
        qh.circuits.from_pennylane(qfunc, 2, (2,), seed=1.5)


def test_check_theta():
    a = qh.circuits.get("product", n_qubits=3)
    with pytest.raises(ValueError, match=r"shape \[3\]"):
        a.check_theta(torch.zeros(4))
    with pytest.raises(ValueError, match="NaN"):
        a.check_theta(torch.tensor([0.0, float("nan"), 0.0]))
