"""The split (Schmidt-sum) engine against the dense reference, the statevector engine and
finite differences: every built-in family and the widened gate set, at every cut."""
import pytest
import torch

import qhyper as qh
from qhyper.hypernet.engine import StatevectorEngine
from qhyper.hypernet.split import SplitEngine, plan_cut
from qhyper.hypernet.torch_backend import TorchBackend, use_split

from hn_reference import FAMILIES, dense_probs
from gate_zoo import PENNYLANE, QISKIT


def _converted():
    out = {k: qh.circuits.from_qiskit(f()) for k, f in QISKIT.items()}
    out.update({k: qh.circuits.from_pennylane(*v) for k, v in PENNYLANE.items()})
    return out


CONVERTED = _converted()


@pytest.mark.parametrize("name,kw", FAMILIES)
def test_every_cut_matches_the_dense_statevector(name, kw):
    a = qh.circuits.get(name, n_qubits=5, **kw)
    thetas = torch.stack([a.init_params(s) for s in range(3)])  # three rows at once
    for cut in range(1, 5):
        p = SplitEngine(a, cut=cut).probs(thetas)
        for row, theta in zip(p, thetas):
            assert torch.allclose(row, dense_probs(a, theta), atol=1e-12, rtol=0), cut


@pytest.mark.parametrize("name", sorted(CONVERTED))
def test_widened_gate_set_at_every_cut(name):
    """RXX, RYY, RZZ, CRX, CRY, CRZ, CP, CY, SWAP, H, S, SX … across and inside the parts."""
    a = CONVERTED[name]
    angles = a.angles(torch.stack([torch.as_tensor(a.init_params(s)) for s in (0, 1)]))
    ref = StatevectorEngine(a).probs(angles)
    for cut in range(1, a.num_qubits):
        assert torch.allclose(SplitEngine(a, cut=cut).probs(angles), ref, atol=1e-12, rtol=0), cut


@pytest.mark.parametrize("name,kw", FAMILIES + [(k, None) for k in ("hand_built", "controlled", "strongly_entangling")])
def test_gradient_matches_finite_differences(name, kw):
    a = CONVERTED[name] if kw is None else qh.circuits.get(name, n_qubits=4, **kw)
    n = a.num_qubits
    cost = torch.rand(2, 2**n, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    for cut in range(1, n):
        e = SplitEngine(a, cut=cut)

        def f(t):  # nonlinear in q, two rows
            q = e.probs(t)
            return (q * cost).sum() + (q * torch.log(q + 1e-3)).sum()

        angles = a.angles(torch.stack([torch.as_tensor(a.init_params(s)) for s in (1, 2)]))
        x = angles.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(f(x), x)
        h, fd = 1e-6, torch.zeros_like(grad)
        with torch.no_grad():
            for r in range(2):
                for k in range(x.shape[1]):
                    d = torch.zeros_like(x)
                    d[r, k] = h
                    fd[r, k] = (f(x + d) - f(x - d)) / (2 * h)
        assert torch.allclose(grad, fd, atol=1e-7), cut


def test_agrees_with_the_statevector_engine_where_auto_picks_it():
    a = qh.circuits.get("brick", n_qubits=14, layers=3)
    be = TorchBackend(a)
    assert be.method == "split" and isinstance(be.engine, SplitEngine)
    theta = torch.stack([a.init_params(0), a.init_params(1)])
    cost = torch.rand(2**14, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    grads = []
    for engine in (be.engine, StatevectorEngine(a)):
        x = theta.clone().requires_grad_(True)
        q = engine.probs(x)
        (q @ cost).sum().backward()
        grads.append((q.detach(), x.grad))
    assert torch.allclose(grads[0][0], grads[1][0], atol=1e-13, rtol=0)
    assert torch.allclose(grads[0][1], grads[1][1], atol=1e-11, rtol=0)
    assert torch.allclose(be.engine.state(theta), StatevectorEngine(a).state(theta), atol=1e-13)


def test_real_circuits_stay_real():
    a = qh.circuits.get("hardware_efficient", n_qubits=6, layers=2)
    e = SplitEngine(a)
    assert e.dtype == torch.float64 and e.state(a.init_params(0)[None]).dtype == torch.float64


def test_bond_counts_the_schmidt_terms_of_crossing_gates():
    # brick, 4 layers, 8 qubits: the CX bricks after the first cross the middle (after wire 3) on
    # odd layers only — layers 1 and 3 — each CX a sum of two terms: χ = 4
    a = qh.circuits.get("brick", n_qubits=8, layers=4)
    e = SplitEngine(a, cut=4)
    assert e.bond_bits == 2
    left, right = e._parts(a.init_params(0)[None])
    assert left.shape == (1, 4, 16) and right.shape == (1, 4, 16)
    # SWAP is a sum of four terms
    qc = CONVERTED["hand_built"]
    m, bits, _ = plan_cut(3, StatevectorEngine(qc, tables=False).groups, 2)
    assert m == 2 and bits == pytest.approx(1 + 1 + 2)  # CRX(0,2), RZZ(1,2), SWAP(1,2); CP(0,1) inside


def test_auto_rule_and_options():
    small = qh.circuits.get("brick", n_qubits=8, layers=2)
    assert TorchBackend(small).method == "statevector"
    assert TorchBackend(small, method="split").method == "split"
    deep = qh.circuits.get("hardware_efficient", n_qubits=14, layers=8)  # one crossing per layer: χ = 2^8 > 2^7
    assert not use_split(14, StatevectorEngine(deep, tables=False))
    assert "split engine" in qh.Hypernetwork(qh.circuits.get("brick", n_qubits=14, layers=2)).backend.describe()
    with pytest.raises(ValueError, match="method must be one of"):
        TorchBackend(small, method="mps")
    with pytest.raises(ValueError, match=r"cut must be an integer in \[1, 7\]"):
        SplitEngine(small, cut=8)
    with pytest.raises(ValueError, match="block must be"):
        SplitEngine(small, block=0)
