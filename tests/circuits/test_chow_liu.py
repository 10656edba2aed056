"""Liu & Wang's Born-machine circuit: the Chow–Liu tree from data, the layer layout, the
parameter count, probabilities on two backends, and bad inputs."""
import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.circuits.chow_liu import chow_liu_tree, mutual_information


def _chain(n_samples=4000, seed=0):
    """Columns (2, 0, 3, 1): 0 → 1 (5 % flips) → 2 (20 % flips), 3 independent; wires are
    shuffled so the tree is not simply the wire order."""
    rng = np.random.default_rng(seed)
    x0 = rng.integers(0, 2, n_samples)
    x1 = x0 ^ (rng.random(n_samples) < 0.05)
    x2 = x1 ^ (rng.random(n_samples) < 0.2)
    return np.stack([x2, x0, rng.integers(0, 2, n_samples), x1], 1).astype(float)


def test_the_tree_follows_the_strongest_dependencies():
    X = _chain()
    mi = mutual_information(X)
    assert mi[1, 3] > mi[0, 3] > mi[0, 1] > 0.05 > mi[0, 2]
    edges = chow_liu_tree(X)
    undirected = {frozenset(e) for e in edges}
    # the chain 1–3–0 (the pair (0, 1) is weaker than both), and the independent wire 2 hangs on somewhere
    assert {frozenset((1, 3)), frozenset((0, 3))} <= undirected and frozenset((0, 1)) not in undirected
    assert len(edges) == 3 and any(2 in e for e in undirected)
    assert edges[0][0] == 0  # rooted at wire 0, parents before children
    seen = {0}
    for parent, child in edges:
        assert parent in seen
        seen.add(child)


def test_layout_and_parameter_count():
    X = qh.data.bars_and_stripes_patterns(3, 3)
    a = qh.circuits.get("chow_liu", n_qubits=9, layers=10, data=X)
    assert a.num_params == (3 * 10 + 1) * 9 == 279 and a.shape() == (31, 9)
    names = [g.name for g in a.gates]
    assert names.count("CX") == 10 * 8
    assert names[:18] == ["RX"] * 9 + ["RZ"] * 9  # the first layer's leading RZ dropped
    assert names[-18:] == ["RZ"] * 9 + ["RX"] * 9  # the last layer's trailing RZ dropped
    assert [g.param for g in a.gates if g.param is not None] == list(range(279))  # time order


def test_probabilities_agree_across_backends():
    a = qh.circuits.get("chow_liu", n_qubits=4, layers=3, data=_chain(500))
    theta = a.init_params(3)
    q_torch = qh.Hypernetwork(a, init=theta).distribution().probs().detach()
    q_pl = qh.Hypernetwork(a, backend="pennylane", init=theta).distribution().probs().detach()
    assert torch.allclose(q_torch, q_pl, atol=1e-12) and abs(q_torch.sum().item() - 1) < 1e-12


def test_own_edges():
    a = qh.circuits.get("chow_liu", n_qubits=3, layers=1, edges=[(2, 0), (0, 1)])
    assert [g.wires for g in a.gates if g.name == "CX"] == [(2, 0), (0, 1)]


@pytest.mark.parametrize("options,match", [
    ({}, "exactly one of data="),
    ({"data": np.zeros((5, 4)), "edges": [(0, 1)]}, "exactly one of data="),
    ({"data": np.zeros((5, 3))}, r"bits must have shape \[S, 4\]"),
    ({"data": np.full((5, 4), 2.0)}, "0 or 1"),
    ({"data": np.zeros((1, 4))}, "at least 2 samples"),
    ({"edges": [(0, 4)]}, r"two different wires in \[0, 3\]"),
    ({"edges": [(1, 1)]}, "two different wires"),
    ({"edges": "01"}, "list of \\(control, target\\)"),
    ({"edges": [(0, 1)], "layers": 0}, "layers"),
])
def test_bad_inputs(options, match):
    with pytest.raises(ValueError, match=match):
        qh.circuits.get("chow_liu", n_qubits=4, **options)


def test_liu_wang_kernel_preset():
    k = qh.objectives.GaussianMixtureKernel.liu_wang()
    assert k.sigmas(9) == (0.5, 1.0, 2.0, 4.0)
    assert k.table(9)[1].item() == pytest.approx(np.mean([np.exp(-1 / (2 * s)) for s in (0.5, 1, 2, 4)]))
