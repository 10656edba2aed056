r"""``chow_liu`` — the Born-machine circuit of Liu & Wang (2018), its entanglers built from data.

Liu & Wang, *Differentiable learning of quantum circuit Born machines* (arXiv:1804.04168):
``layers`` = *d* entangler layers between *d* + 1 rotation layers. Each rotation layer is
:math:`R_z R_x R_z` on every qubit, except that the first layer's leading :math:`R_z`
(which acts on :math:`|0\rangle` as a phase) and the last layer's trailing :math:`R_z`
(which does not change computational-basis probabilities) are dropped:
:math:`(3d + 1)\,n` parameters. Each entangler layer is a CNOT on every edge of the
**Chow–Liu tree** of the data — the maximum spanning tree of the pairwise mutual
information :math:`I(x_i; x_j)` of the samples' bits — from parent (control) to child
(target), the tree rooted at wire 0 and walked breadth-first.

Parameters in time order, structured shape ``(3d + 1, n)`` (row *r*, qubit *j*, flat index
:math:`rn + j`): rows 0–1 the first layer's :math:`R_x, R_z`; then per middle layer three
rows :math:`R_z, R_x, R_z`; the last two rows the last layer's :math:`R_z, R_x`.
Initialisation: :math:`U[0, 2\pi)`.

``qh.circuits.get("chow_liu", n_qubits=9, layers=10, data=samples)`` (samples [N, n] of 0/1
bits), or ``edges=[(control, target), ...]`` for a tree (or any CNOT pattern) of your own.
"""
from __future__ import annotations

import numpy as np
import torch

from .._checks import InputTypeError, as_bits, check_count
from . import register
from .base import Ansatz, Gate
from .checks import check_gate_count

__all__ = ["ChowLiu", "mutual_information", "chow_liu_tree"]


def mutual_information(bits) -> np.ndarray:
    r"""Empirical pairwise mutual information (nats) of the columns of ``bits`` [N, n] (0/1):
    :math:`I_{ij} = \sum_{a,b} p_{ij}(a,b)\log\frac{p_{ij}(a,b)}{p_i(a)p_j(b)}`, zero diagonal."""
    x = np.asarray(bits, dtype=np.float64)
    N = x.shape[0]
    p1 = x.mean(0)
    p11 = x.T @ x / N  # P(x_i = 1, x_j = 1)
    joint = {(1, 1): p11, (1, 0): p1[:, None] - p11, (0, 1): p1[None, :] - p11,
             (0, 0): 1 - p1[:, None] - p1[None, :] + p11}
    marg = {0: 1 - p1, 1: p1}
    mi = np.zeros((x.shape[1], x.shape[1]))
    for (a, b), p in joint.items():
        denom = marg[a][:, None] * marg[b][None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(p > 0, p * np.log(p / denom), 0.0)
        mi += term
    np.fill_diagonal(mi, 0.0)
    return np.clip(mi, 0.0, None)


def chow_liu_tree(bits, root: int = 0) -> list[tuple[int, int]]:
    """The Chow–Liu tree of ``bits`` [N, n] as (parent, child) edges, breadth-first from
    ``root``: the maximum spanning tree of :func:`mutual_information` (scipy's minimum
    spanning tree of ``-(I + 1)``: the shift keeps zero-information pairs as edges)."""
    from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree

    mi = mutual_information(bits)
    n = mi.shape[0]
    if n == 1:
        return []
    weights = -(mi + 1.0)
    np.fill_diagonal(weights, 0.0)
    tree = minimum_spanning_tree(weights)
    tree = tree + tree.T
    order, parents = breadth_first_order(tree, root, directed=False, return_predecessors=True)
    return [(int(parents[v]), int(v)) for v in order[1:]]


@register("chow_liu")
class ChowLiu(Ansatz):
    """Liu & Wang's Born-machine circuit: ``layers`` ≥ 1 CNOT layers on the Chow–Liu tree of
    ``data`` (or on ``edges``) between Rz·Rx·Rz rotation layers; :math:`(3L+1)n` parameters."""

    name = "chow_liu"

    def __init__(self, n_qubits: int, layers: int = 10, data=None, edges=None):
        n = check_count(n_qubits, "n_qubits", 1)
        self.layers = L = check_count(layers, "layers", 1)
        if (data is None) == (edges is None):
            raise InputTypeError("chow_liu needs exactly one of data= (samples [N, n_qubits] of 0/1 bits, whose "
                                 "Chow–Liu tree places the CNOTs) or edges= (a list of (control, target) wire pairs)")
        if data is not None:
            bits = as_bits(data, n)
            if bits.shape[0] < 2:
                raise ValueError(f"data must hold at least 2 samples to estimate mutual information; got {bits.shape[0]}")
            self.edges = chow_liu_tree(bits.numpy())
        else:
            self.edges = _check_edges(edges, n)
        check_gate_count("chow_liu", (3 * L + 1) * n + L * len(self.edges), n_qubits=n, layers=L)
        rows = 0
        gates = []

        def rotations(names):
            nonlocal rows
            for name in names:
                gates.extend(Gate(name, (j,), rows * n + j) for j in range(n))
                rows += 1

        rotations(("RX", "RZ"))
        for layer in range(1, L + 1):
            gates.extend(Gate("CX", edge) for edge in self.edges)
            rotations(("RZ", "RX", "RZ") if layer < L else ("RZ", "RX"))
        super().__init__(n, gates, (3 * L + 1, n))


def _check_edges(edges, n: int) -> list[tuple[int, int]]:
    if isinstance(edges, (str, torch.Tensor)) or not hasattr(edges, "__iter__"):
        raise InputTypeError(f"edges must be a list of (control, target) wire pairs; got {type(edges).__name__}")
    out = []
    for e in edges:
        pair = tuple(e) if hasattr(e, "__iter__") else (e,)
        if len(pair) != 2 or not all(isinstance(w, (int, np.integer)) and 0 <= w < n for w in pair) or pair[0] == pair[1]:
            raise ValueError(f"every edge must be a pair of two different wires in [0, {n - 1}]; got {e!r}")
        out.append((int(pair[0]), int(pair[1])))
    return out
