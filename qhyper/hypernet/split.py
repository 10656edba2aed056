r"""The bipartite tensor-network engine: the state as a Schmidt sum across one cut.

Cut the wires into a left part :math:`A = \{0,\dots,m-1\}` and a right part
:math:`B = \{m,\dots,n-1\}`. The state is kept as

.. math:: \psi = \sum_{k=1}^{\chi} L_k \otimes R_k, \qquad L_k \in \mathbb{C}^{2^m},\ R_k \in \mathbb{C}^{2^{n-m}},

starting from :math:`\chi = 1` and :math:`|0\rangle^{\otimes m}\otimes|0\rangle^{\otimes n-m}`.
A gate inside one part acts on that part's :math:`\chi` vectors only. A two-wire gate
:math:`G` across the cut is split by its operator Schmidt decomposition over the local
basis :math:`|w_0 w_1\rangle`,

.. math:: G = \sum_{(s,t)} |s\rangle\langle t|_{w_0} \otimes G^{(st)}_{w_1},
   \qquad G^{(st)}_{jl} = \langle s\,j|G|t\,l\rangle,

keeping only the non-zero blocks :math:`G^{(st)}` (2 for CX, CY, CZ, RZZ, CRZ, CP; 4 for
SWAP): each multiplies :math:`\chi` by its number of terms. At the end one matrix product
:math:`\Psi = L^\top R` (:math:`2^m\times\chi` by :math:`\chi\times2^{n-m}`) writes the
state, big-endian, with the left part as the high bits.

A shallow circuit crosses any cut with few gates (a brick of depth :math:`d` crosses the
middle about :math:`d/2` times), so nearly all work happens on :math:`\chi` vectors of
:math:`2^{n/2}` amplitudes instead of passes over :math:`2^n`; what is left of size
:math:`2^n` is the final product, :math:`|\psi|^2`, and their backward. Gradients flow by
torch autograd through the small tensors; the last step has its own backward
(:class:`_Contract`: real arithmetic, nothing of size :math:`2^n` stored but
:math:`\mathrm{Re}\,\psi, \mathrm{Im}\,\psi`). This is the contraction a tensor-network
simulator would find for such circuits, done with a fixed plan and no compilation.

:func:`plan_cut` picks the cut; the torch backend runs this engine by default where it was
measured faster (:func:`~qhyper.hypernet.torch_backend.use_split`). A gate on more wires
than two does not occur (the gate set is one- and two-wire); a deep circuit whose bond
outgrows the smaller part runs on the statevector engine instead.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from .._checks import check_count
from ..circuits.gates import fixed_matrix
from .engine import _DIAGONAL, StatevectorEngine, diagonal_phase, diagonal_view, kron, phased_permutation

__all__ = ["SplitEngine", "plan_cut"]


def _rank_blocks(name: str) -> list[tuple[int, int]]:
    """The (s, t) blocks of a native two-wire gate that are not identically zero."""
    if name in _DIAGONAL or name == "CZ":
        return [(0, 0), (1, 1)]
    m = fixed_matrix(name).reshape(2, 2, 2, 2)
    return [(s, t) for s in range(2) for t in range(2) if np.abs(m[s, :, t, :]).max() > 0]


def plan_cut(n: int, groups, cut: int | None = None) -> tuple[int, float, float]:
    """(m, log2 χ, estimated cost in amplitude-touches) of the cheapest cut m ∈ [1, n-1]
    (of the cut ``m = cut`` when given).

    Cost model (relative, for choosing among cuts): every op touches χ·2·2^max(m, n-m)
    amplitudes — both parts, the smaller one padded; one-wire stages three times (forward,
    backward, block gradient) — with χ as grown so far; the final product and its backward
    touch about 2^n·(3χ + 8).
    """
    best = None
    ops = [(kind, op) for kind, group in groups for op in group]
    for m in range(1, n) if cut is None else [cut]:
        bits, cost = 0.0, 0.0
        for kind, op in ops:
            wires = op[1]
            if len(wires) == 2 and (wires[0] < m) != (wires[1] < m):
                bits += math.log2(len(_rank_blocks(op[0])))
            cost += 2.0**bits * 2 ** (max(m, n - m) + 1) * (3 if kind == "rot" else 1)
        cost += 2.0**n * (3 * 2.0**bits + 8)
        if best is None or cost < best[2]:
            best = (m, bits, cost)
    return best


class SplitEngine:
    """``probs(angles)`` / ``state(angles)`` of ``ansatz`` as a Schmidt sum across the cut
    after wire ``cut - 1`` (``None``: :func:`plan_cut`'s choice); same interface as
    :class:`~qhyper.hypernet.engine.StatevectorEngine`, whose compile it shares."""

    def __init__(self, ansatz, cut: int | None = None, block: int = 5, compiled: StatevectorEngine | None = None):
        """``compiled``: the ansatz's :class:`StatevectorEngine` compile (``tables=False``
        suffices) when the caller already has it."""
        self.sv = compiled if compiled is not None else StatevectorEngine(ansatz, tables=False)
        self.num_qubits = n = ansatz.num_qubits
        self.num_angles = ansatz.num_angles
        self.real, self.dtype = self.sv.real, self.sv.dtype
        if n < 2:
            raise ValueError("the split engine needs at least two qubits")
        block = check_count(block, "block", maximum=8, fix="wires per fused gate block")
        if cut is not None and not (isinstance(cut, int) and 1 <= cut < n):
            raise ValueError(f"cut must be an integer in [1, {n - 1}] (wires before it form the left part); got {cut!r}")
        self.cut, self.bond_bits, _ = plan_cut(n, self.sv.groups, cut)
        m = self.cut
        self.parts = ((0, m), (m, n))
        # Both parts are held in one tensor [B, 2, χ, 2^a], a = max(m, n - m): the smaller part
        # gets a - size leading dummy wires (always |0⟩), so that every block product, gather
        # and phase acts on both parts in one call. Local wire of wire w: w - lo + pad.
        self.width = a = max(m, n - m)
        self.pad = tuple(a - (hi - lo) for lo, hi in self.parts)
        k = -(-a // block)
        edges = [round(i * a / k) for i in range(k + 1)]
        self.local_blocks = list(zip(edges, edges[1:]))  # the same blocks in both parts
        # fused matrices in the padded layout: the wire (or n, an identity) at each local position
        where = [[n] * self.pad[side] + list(range(lo, hi)) for side, (lo, hi) in enumerate(self.parts)]
        self._layout = torch.tensor(where)  # [2, a]
        self.program = [self._compile(kind, ops) for kind, ops in self.sv.groups]

    def _local(self, w):
        side = 0 if w < self.cut else 1
        return side, w - self.parts[side][0] + self.pad[side]

    # ------------------------------------------------------------------ compile
    def _compile(self, kind, ops):
        """A stage as steps: ("cross", op, terms, factors…) for a gate across the cut; the gates inside
        the parts between two crossings become one ("perm", tables) for fixed gates — one gather
        for both parts — or one ("phase", views per part) for diagonal ones."""
        if kind == "rot":
            return [("rot",)]
        steps, pending = [], [[], []]
        size = 2**self.width

        def flush():
            if not (pending[0] or pending[1]):
                return
            local = [[(name, tuple(self._local(w)[1] for w in wires), slot) for name, wires, slot in run]
                     for run in pending]
            if kind == "ent":
                tables = [phased_permutation(self.width, run, self.dtype) for run in local]
                idx = torch.stack([t[0] for t in tables])  # [2, 2^a]; a part without gates: identity
                phases = [t[2] for t in tables]
                phase = None
                if any(p is not None for p in phases):
                    phase = torch.stack([torch.ones(size, dtype=self.dtype) if p is None else p.to(self.dtype)
                                         for p in phases])[:, None]  # [2, 1, 2^a]
                steps.append(("perm", idx, phase))
            else:
                steps.append(("phase", [[diagonal_view(self.width, op) for op in run] for run in local]))
            pending[0], pending[1] = [], []

        for op in ops:
            w0, w1 = op[1]
            if (w0 < self.cut) != (w1 < self.cut):
                flush()
                steps.append(("cross", op, *self._fixed_factors(op)))
            else:
                pending[0 if w0 < self.cut else 1].append(op)
        flush()
        return steps

    # ------------------------------------------------------------------ gates
    def _gate(self, name, slot, angles):
        """The 4×4 gate as [B or 1, 2, 2, 2, 2] over (out w0, out w1, in w0, in w1)."""
        if slot is None:
            m = torch.from_numpy(fixed_matrix(name))
            m = m.real if self.real else m
            return m.reshape(1, 2, 2, 2, 2)
        d = torch.tensor(_DIAGONAL[name], dtype=torch.float64)
        phase = torch.exp(-0.5j * angles[:, slot, None] * d)  # [B, 4]
        return torch.diag_embed(phase).reshape(-1, 2, 2, 2, 2)

    def _fixed_factors(self, op):
        """At compile: the Schmidt terms (s, t) of a crossing gate, the |s⟩⟨t| factors on w0
        [1, r, 2, 2] and, for a fixed gate, the G^(st) factors on w1 (``None`` for a rotation)."""
        blocks = _rank_blocks(op[0])
        eye = torch.eye(2, dtype=self.dtype)
        left = torch.stack([torch.outer(eye[s], eye[t]) for s, t in blocks])[None]
        right = None if op[2] is not None else self._right_factor(op, blocks, None)
        return blocks, left, right

    def _right_factor(self, op, blocks, angles):
        g = self._gate(op[0], op[2], angles)  # [B|1, s, j, t, l]
        return torch.stack([g[:, s, :, t, :] for s, t in blocks], 1)

    def _factors(self, step, angles):
        """The Schmidt factors of a crossing gate: (wire, [B|1, r, 2, 2]) for w0 (|s⟩⟨t|) and w1 (G^(st))."""
        _, op, blocks, left, right = step
        if right is None:
            right = self._right_factor(op, blocks, angles)
        return (op[1][0], left), (op[1][1], right)

    # ------------------------------------------------------------------ run
    def _parts(self, angles):
        """Both parts [B, 2, χ, 2^a] (padded layout), differentiable in ``angles`` by autograd.

        (A hand-written adjoint of these small steps, like the statevector engine's, was
        measured slower at 18 qubits: it must rebuild the block matrices under autograd, and
        the tensors are too small for the saved passes to matter.)"""
        B, a = angles.shape[0], self.width
        x = torch.zeros(B, 2, 1, 2**a, dtype=self.dtype)
        x[:, :, 0, 0] = 1
        fused = self.sv.wire_matrices(angles)  # [B, S, n, 2, 2]
        eye = torch.eye(2, dtype=fused.dtype).expand(*fused.shape[:2], 1, 2, 2)
        padded = torch.cat([fused, eye], 2)[:, :, self._layout]  # [B, S, 2, a, 2, 2]
        blocks = [kron(padded[..., lo:hi, :, :]).transpose(-1, -2) for lo, hi in self.local_blocks]  # uᵀ [B, S, 2, K, K]
        stage_index = 0
        for stage in self.program:
            for step in stage:
                kind = step[0]
                if kind == "rot":
                    for ut in blocks:  # (u X)ᵀ with the block's wires leading: moves them to the end
                        K = ut.shape[-1]
                        chi = x.shape[2]
                        x = torch.matmul(x.view(B, 2, chi, K, -1).transpose(3, 4), ut[:, stage_index, :, None])
                        x = x.reshape(B, 2, chi, 2**a)
                    stage_index += 1
                elif kind == "cross":
                    sides = [x[:, 0], x[:, 1]]
                    for w, factor in self._factors(step, angles):
                        side, j = self._local(w)
                        sides[side] = _branch(sides[side], j, factor)
                    x = torch.stack(sides, 1)
                elif kind == "perm":
                    idx, phase = step[1], step[2]
                    x = torch.gather(x, 3, idx[None, :, None, :].expand(B, 2, x.shape[2], 2**a))
                    if phase is not None:
                        x = x * phase
                else:
                    phases = [diagonal_phase(a, angles, views) if views else torch.ones(B, 2**a, dtype=self.dtype)
                              for views in step[1]]
                    x = x * torch.stack(phases, 1)[:, :, None]
        m, n = self.cut, self.num_qubits
        return x[:, 0, :, : 2**m], x[:, 1, :, : 2 ** (n - m)]  # the dummy wires are |0⟩: the leading entries

    def state(self, angles: torch.Tensor) -> torch.Tensor:
        """Statevectors [B, 2^n] (big-endian), not differentiable."""
        with torch.no_grad():
            left, right = self._parts(angles.detach())
            return torch.matmul(left.transpose(1, 2), right).reshape(angles.shape[0], -1)

    def probs(self, angles: torch.Tensor) -> torch.Tensor:
        """Born probabilities [B, 2^n], differentiable in ``angles``."""
        return _Contract.apply(*self._parts(angles))


def _branch(x, j, factor):
    """Each of the r Schmidt factors [B|1, r, 2, 2] on local wire j of x [B, χ, 2^a]: [B, χ·r, 2^a]."""
    B, chi, size = x.shape
    v = x.reshape(B, chi, 1, 2**j, 2, size >> (j + 1))
    return torch.matmul(factor[:, None, :, None], v).reshape(B, chi * factor.shape[1], size)


class _Contract(torch.autograd.Function):
    r""":math:`q = |L^\top R|^2` [B, 2^n] from the parts, in real arithmetic: with
    :math:`A = [L_r; L_i]^\top`, :math:`\mathrm{Re}\,\psi = A[R_r; -R_i]` and
    :math:`\mathrm{Im}\,\psi = A[R_i; R_r]` are two real products of inner size 2χ, and the
    backward is two elementwise passes and four real products. (Measured: half the time of
    the complex products and autograd's chain of |ψ|² at n = 18.)"""

    @staticmethod
    def forward(ctx, left, right):
        if not left.is_complex():
            psi = torch.matmul(left.transpose(1, 2), right)  # [B, 2^m, 2^(n-m)]
            ctx.save_for_backward(left, right, psi)
            return psi.square().reshape(psi.shape[0], -1)
        a = torch.cat([left.real, left.imag], 1).transpose(1, 2)  # [B, 2^m, 2χ]
        re = torch.matmul(a, torch.cat([right.real, -right.imag], 1))
        im = torch.matmul(a, torch.cat([right.imag, right.real], 1))
        ctx.save_for_backward(left, right, re, im)
        q = re * re
        return q.addcmul_(im, im).reshape(q.shape[0], -1)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, g):
        # torch's gradient of a real f(|ψ|²) w.r.t. ψ is λ = 2 g ψ; then dL = λ R^H-ish, dR = L̄ λ
        if not ctx.saved_tensors[0].is_complex():
            left, right, psi = ctx.saved_tensors
            lam = g.reshape(psi.shape) * psi
            return 2 * torch.matmul(right, lam.transpose(1, 2)), 2 * torch.matmul(left, lam)
        left, right, re, im = ctx.saved_tensors
        g = g.reshape(re.shape)
        lr, li = g * re, g * im  # λ/2
        chi = left.shape[1]
        rt = torch.cat([right.real, right.imag], 1).transpose(1, 2)  # [B, 2^(n-m), 2χ]
        p, q = torch.matmul(lr, rt), torch.matmul(li, rt)  # λ R^H = (λr + iλi)(Rr - iRi)^T
        grad_left = torch.complex(p[..., :chi] + q[..., chi:], q[..., :chi] - p[..., chi:]).transpose(1, 2)
        ll = torch.cat([left.real, left.imag], 1)  # [B, 2χ, 2^m]; L̄ λ = (Lr - iLi)(λr + iλi)
        u, v = torch.matmul(ll, lr), torch.matmul(ll, li)
        grad_right = torch.complex(u[:, :chi] + v[:, chi:], v[:, :chi] - u[:, chi:])
        return 2 * grad_left, 2 * grad_right
