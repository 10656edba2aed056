r"""qhyper's torch statevector engine: a compiled ansatz on a batch of gate-angle rows.

(The torch backend's other engine, :mod:`qhyper.hypernet.split`, builds on this compile and
is the default from 13 qubits on; see :mod:`qhyper.hypernet.torch_backend`.)

The gate list of an :class:`~qhyper.circuits.Ansatz` is compiled once into a few *passes*
over the state :math:`\psi \in \mathbb{C}^{2^n}` (big-endian index, wire 0 most significant).
The engine runs on the ansatz's gate *angles* ``[B, num_angles]``
(:meth:`~qhyper.circuits.Ansatz.angles`; for the built-in families the angles are θ).

* **one-wire layers** — a run of one-wire gates (rotations and fixed gates such as H, S,
  SX) is fused per wire into one :math:`2\times2` matrix :math:`U_j`, and up to ``block``
  neighbouring wires into one Kronecker block :math:`u = U_i\otimes\dots\otimes U_{i+k-1}`.
  With the block's wires as rows, :math:`\Psi\in\mathbb{C}^{2^k\times 2^{n-k}}`, the update
  :math:`(u\Psi)^\top` is a single large matrix product that also moves those wires to the
  end; after all blocks of a layer the wire order is back where it started.
* **product prefix** — two-wire gates before the first one-wire gate act on
  :math:`|0\dots0\rangle` as the identity (up to a global phase) and are dropped; the first
  one-wire layer acts on :math:`|0\dots0\rangle`, so the state is the outer product of the
  blocks' first columns (no full gate pass).
* **entangler layers** — a run of fixed two-wire gates (CX, CY, CZ, SWAP) is one phased
  permutation :math:`\psi'(x) = s(x)\,\psi(\pi(x))`: a gather and, for CZ/CY, a multiply.
* **diagonal layers** — a run of RZZ, CRZ and CP gates is one phase
  :math:`\psi'(x) = e^{-\frac i2\sum_g a_g d_g(x)}\psi(x)` with :math:`d_g(x)\in\{0,\pm1,-2\}`.
  RXX, RYY, CRX and CRY are compiled as an RZZ or CRZ between fixed basis changes
  (:math:`R_{XX}(a) = H^{\otimes2}R_{ZZ}(a)H^{\otimes2}`, :math:`CR_X(a) = H_t\,CR_Z(a)\,H_t`,
  with :math:`SH` for Y), which fuse into the neighbouring one-wire layers. The phase gate
  P is run as RZ (they differ by a global phase).

If every gate is real (RY, H, X, Z, CX, CZ, SWAP) the state is kept real (float64), else
complex128.

**Gradients (one adjoint sweep).** :func:`born_probs` is a ``torch.autograd.Function``.
For any :math:`f(q)` with :math:`g = \partial f/\partial q`,
:math:`f` changes like :math:`\langle\psi|\mathrm{diag}(g)|\psi\rangle`; its backward starts
from :math:`\lambda = 2\,g\odot\psi` and walks the passes in reverse, un-applying each one to
both :math:`\psi` and :math:`\lambda` (unitaries: :math:`u^{-1} = u^\dagger`, permutations:
the inverse gather). A block's gradient is :math:`\bar u = \Lambda_{\text{out}}\Psi_{\text{in}}^\dagger`
(one :math:`2^k\times2^k` product); autograd then carries :math:`\bar u` through the tiny
block construction to the angles. A diagonal layer's angle gradient is
:math:`\sum_x \tfrac12 d_g(x)\,\mathrm{Im}(\bar\lambda(x)\psi(x))`. At the product prefix the
sweep stops: autograd through its outer products costs a few elementwise passes instead of
three matrix products per block. Nothing of size :math:`2^n` is stored but the final
state, and no autograd graph is built over the state.
"""
from __future__ import annotations


import numpy as np
import torch

from ..circuits.gates import GATES, fixed_matrix

__all__ = ["StatevectorEngine", "born_probs", "kron", "kron_blocks", "sample_indices"]


_AXES = {"RX": (1.0, 0.0, 0.0), "RY": (0.0, 1.0, 0.0), "RZ": (0.0, 0.0, 1.0), "P": (0.0, 0.0, 1.0)}
#: d(x) over the local basis |w0 w1⟩ of the diagonal two-wire gates, phase e^{-i a d / 2}
_DIAGONAL = {"RZZ": (1.0, -1.0, -1.0, 1.0), "CRZ": (0.0, 0.0, 1.0, -1.0), "CP": (0.0, 0.0, 0.0, -2.0)}


def _expand(name, wires, slot):
    """Native ops as the engine runs them: RXX/RYY/CRX/CRY become RZZ/CRZ between basis changes."""
    a, b = (wires + (None,))[:2]
    if name == "RXX":
        return [("H", (a,), None), ("H", (b,), None), ("RZZ", wires, slot), ("H", (a,), None), ("H", (b,), None)]
    if name == "RYY":
        pre = [("SDG", (a,), None), ("H", (a,), None), ("SDG", (b,), None), ("H", (b,), None)]
        post = [("H", (a,), None), ("S", (a,), None), ("H", (b,), None), ("S", (b,), None)]
        return pre + [("RZZ", wires, slot)] + post
    if name == "CRX":
        return [("H", (b,), None), ("CRZ", wires, slot), ("H", (b,), None)]
    if name == "CRY":
        return [("SDG", (b,), None), ("H", (b,), None), ("CRZ", wires, slot), ("H", (b,), None), ("S", (b,), None)]
    return [(name, wires, slot)]


def _kind(name: str) -> str:
    if GATES[name].arity == 1:
        return "rot"
    return "diag" if name in _DIAGONAL else "ent"


def _generators(axes: torch.Tensor, real: bool) -> torch.Tensor:
    r""":math:`-i(a_x X + a_y Y + a_z Z)` [..., 2, 2] for one-hot axes [..., 3], so that a rotation
    is :math:`e^{-i\theta P/2} = \cos(\theta/2)\,I + \sin(\theta/2)\,(-iP)` (real for RY)."""
    x, y, z = axes.unbind(-1)
    zero = torch.zeros_like(x)
    if real:  # only RY: -iY = [[0, -1], [1, 0]]
        return torch.stack([torch.stack([zero, -y], -1), torch.stack([y, zero], -1)], -2)
    re = torch.stack([torch.stack([zero, -y], -1), torch.stack([y, zero], -1)], -2)
    im = torch.stack([torch.stack([-z, -x], -1), torch.stack([-x, z], -1)], -2)
    return torch.complex(re, im)


def kron(mats: torch.Tensor) -> torch.Tensor:
    """The Kronecker product [..., 2^k, 2^k] of ``mats`` [..., k, 2, 2] (first most significant)."""
    u = mats[..., 0, :, :]
    for j in range(1, mats.shape[-3]):
        m = mats[..., j, :, :]
        u = (u[..., :, None, :, None] * m[..., None, :, None, :]).reshape(*u.shape[:-2], 2 ** (j + 1), -1)
    return u


def kron_blocks(fused: torch.Tensor, blocks) -> list[torch.Tensor]:
    """Kronecker products [..., 2^k, 2^k] of the per-wire matrices ``fused`` [..., n, 2, 2]
    over each block of consecutive wires (first wire most significant); blocks of equal
    size are formed together."""
    by_size: dict[int, list[int]] = {}
    for b in blocks:
        by_size.setdefault(len(b), []).append(b[0])
    made: dict[int, torch.Tensor] = {}
    for k, starts in by_size.items():
        u = kron(fused[..., torch.tensor(starts)[:, None] + torch.arange(k), :, :])  # [..., groups, 2^k, 2^k]
        for i, start in enumerate(starts):
            made[start] = u[..., i, :, :]
    return [made[b[0]] for b in blocks]


def phased_permutation(n: int, ops, dtype):
    """(index, inverse index, phase or None) of a run of fixed two-wire gates on n wires,
    with ψ'(x) = phase(x)·ψ(index(x))."""
    x = torch.arange(2**n)
    idx, phase = x.clone(), torch.ones(2**n, dtype=torch.complex128)
    for name, wires, _ in ops:
        m = fixed_matrix(name)
        cols = np.abs(m).argmax(1)
        p0, p1 = (n - 1 - w for w in wires)  # bit positions, big-endian
        local = ((x >> p0) & 1) * 2 + ((x >> p1) & 1)
        c = torch.from_numpy(cols)[local]
        f = (x & ~((1 << p0) | (1 << p1))) | ((c >> 1) << p0) | ((c & 1) << p1)
        factor = torch.from_numpy(m[np.arange(4), cols])[local]
        idx, phase = idx[f], factor * phase[f]
    inv = torch.empty_like(idx)
    inv[idx] = x
    if torch.all(phase == 1):
        return idx, inv, None
    if torch.all(phase.imag == 0):
        return idx, inv, phase.real.to(dtype)
    return idx, inv, phase


def diagonal_view(n: int, op):
    """(angle slot, view shape of ψ, d table broadcastable to that view) of RZZ/CRZ/CP on n wires."""
    name, (w0, w1), slot = op
    lo, hi = sorted((w0, w1))
    table = torch.tensor(_DIAGONAL[name], dtype=torch.float64).reshape(2, 2)
    if w0 > w1:
        table = table.T
    shape = (2**lo, 2, 2 ** (hi - lo - 1), 2, 2 ** (n - hi - 1))
    return slot, shape, table.reshape(1, 2, 1, 2, 1).contiguous()


def diagonal_phase(n: int, angles, diag) -> torch.Tensor:
    r""":math:`e^{-\frac i2\sum_g a_g d_g(x)}` [B, 2^n] of one diagonal layer (``diag``: views)."""
    B = angles.shape[0]
    phi = torch.zeros(B, 2**n, dtype=torch.float64)
    for slot, shape, table in diag:
        phi.view(B, *shape).add_(angles[:, slot].reshape(B, 1, 1, 1, 1, 1) * table)
    return torch.polar(torch.ones_like(phi), -0.5 * phi)


class StatevectorEngine:
    """Compile ``ansatz`` once; ``probs(angles)`` / ``state(angles)`` for gate-angle rows
    ``angles`` [B, ansatz.num_angles] (= θ rows for the built-in families).

    ``block``: at most this many wires per fused Kronecker block (default 4: measured
    fastest among 3–6 at 16–20 qubits on CPU).
    """

    def __init__(self, ansatz, block: int = 4, tables: bool = True):
        self.num_qubits = n = ansatz.num_qubits
        self.num_angles = ansatz.num_angles
        self.real = ansatz.real
        self.dtype = torch.float64 if self.real else torch.complex128
        parts = -(-n // int(block))
        edges = [round(i * n / parts) for i in range(parts + 1)]
        self.blocks = [list(range(a, b)) for a, b in zip(edges, edges[1:])]
        ops = [op for g, slot in zip(ansatz.gates, ansatz.slots) for op in _expand(g.name, tuple(g.wires), slot)]
        self.stages = self._compile(ops, tables)
        self._rot_tables = self._stack_rotation_tables()

    # ------------------------------------------------------------------ compile
    def _compile(self, ops, tables=True):
        while ops and _kind(ops[0][0]) != "rot":  # two-wire gates on |0…0⟩: identity up to a phase
            ops.pop(0)
        stages: list[tuple[str, list]] = []
        for op in ops:
            kind = _kind(op[0])
            if stages and stages[-1][0] == kind:
                stages[-1][1].append(op)
            else:
                stages.append((kind, [op]))
        self.groups = stages  # the native ops of each stage, for engines built on this compile
        perms: dict[tuple, tuple] = {}  # brick layers repeat two patterns: build each once
        compiled = []
        for kind, group in stages:
            if not tables and kind != "rot":  # another engine runs the two-wire stages
                compiled.append((kind, None))
            elif kind == "ent":
                key = tuple((name, wires) for name, wires, _ in group)
                if key not in perms:
                    perms[key] = phased_permutation(self.num_qubits, group, self.dtype)
                compiled.append((kind, perms[key]))
            elif kind == "diag":
                compiled.append((kind, [diagonal_view(self.num_qubits, op) for op in group]))
            else:
                compiled.append((kind, self._rotation_table(group)))
        self.num_permutations = len(perms)
        return compiled

    def _rotation_table(self, ops):
        """(angle index [D, n], axes [D, n, 3], constant matrices [D, n, 2, 2] or None): the
        D-th one-wire gate on each wire of a run, padded with identities."""
        per_wire: list[list] = [[] for _ in range(self.num_qubits)]
        for op in ops:
            per_wire[op[1][0]].append(op)
        depth = max(len(w) for w in per_wire)
        index = torch.full((depth, self.num_qubits), -1, dtype=torch.int64)
        axes = torch.zeros(depth, self.num_qubits, 3, dtype=torch.float64)
        const = None
        for w, gs in enumerate(per_wire):
            for d, (name, _, slot) in enumerate(gs):
                if slot is not None:
                    index[d, w] = slot
                    axes[d, w] = torch.tensor(_AXES[name])
                    continue
                if const is None:
                    const = torch.eye(2, dtype=torch.complex128).repeat(depth, self.num_qubits, 1, 1)
                const[d, w] = torch.from_numpy(fixed_matrix(name))
        if const is not None and self.real:
            const = const.real.contiguous()
        return index, axes, const

    # ------------------------------------------------------------------ small matrices
    def _stack_rotation_tables(self):
        """All one-wire stages' tables stacked [S, D, n, …] (padded with identities to the
        deepest stage), so that every stage's matrices are built by one set of calls."""
        tables = [t for kind, t in self.stages if kind == "rot"]
        if not tables:
            return None
        S, D, n = len(tables), max(t[0].shape[0] for t in tables), self.num_qubits
        index = torch.full((S, D, n), -1, dtype=torch.int64)
        axes = torch.zeros(S, D, n, 3, dtype=torch.float64)
        const = None
        if any(t[2] is not None for t in tables):
            const = torch.eye(2, dtype=self.dtype).repeat(S, D, n, 1, 1)
        for s, (ix, ax, c) in enumerate(tables):
            index[s, : ix.shape[0]], axes[s, : ix.shape[0]] = ix, ax
            if c is not None:
                const[s, : ix.shape[0]] = c
        return index, _generators(axes, self.real), const

    def wire_matrices(self, angles: torch.Tensor) -> torch.Tensor:
        """Each one-wire stage's fused 2×2 matrix per wire, [B, S, n, 2, 2] over the S stages
        (differentiable; identity on a wire a stage leaves alone). Vectorised: all gates of
        all stages are built in one call and fused per wire by a product over depth."""
        if self._rot_tables is None:
            return torch.zeros(angles.shape[0], 0, self.num_qubits, 2, 2, dtype=self.dtype)
        index, gen, const = self._rot_tables
        half = (angles[:, index.clamp(min=0)] * (0.5 * (index >= 0)))[..., None, None]  # [B, S, D, n, 1, 1]
        # cos(θ/2) I + sin(θ/2) (-iP): padding (θ = 0) gives the identity
        rot = torch.cos(half) * torch.eye(2, dtype=self.dtype) + torch.sin(half) * gen  # [B, S, D, n, 2, 2]
        if const is not None:
            rot = rot @ const
        fused = rot[:, :, 0]
        for d in range(1, rot.shape[2]):
            fused = rot[:, :, d] @ fused
        return fused

    def block_matrices(self, angles: torch.Tensor) -> list[list[torch.Tensor]]:
        """Per one-wire stage, the Kronecker block matrices [B, 2^k, 2^k] (differentiable)."""
        made = kron_blocks(self.wire_matrices(angles), self.blocks)  # each [B, S, 2^k, 2^k]
        return [[u[:, s] for u in made] for s in range(made[0].shape[1])] if made else []

    # ------------------------------------------------------------------ passes
    @staticmethod
    def _apply(psi: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """(u Ψ)^T with the block's wires leading in ψ: [B, 2^n] → [B, 2^n], wires rotated."""
        B, K = psi.shape[0], u.shape[-1]
        return torch.matmul(psi.reshape(B, K, -1).transpose(1, 2), u.transpose(1, 2)).reshape(B, -1)

    @staticmethod
    def _unapply(psi: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """Inverse of :meth:`_apply`: u^† (Ψ')^T, wires rotated back."""
        B, K = psi.shape[0], u.shape[-1]
        return torch.matmul(u.conj().transpose(1, 2), psi.reshape(B, -1, K).transpose(1, 2)).reshape(B, -1)

    @staticmethod
    def _product_state(blocks) -> torch.Tensor:
        r"""The first one-wire layer on :math:`|0\dots0\rangle`: the outer product of the blocks' first columns."""
        psi = None
        for u in blocks:
            col = u[:, :, 0]
            psi = col if psi is None else (psi[:, :, None] * col[:, None, :]).reshape(col.shape[0], -1)
        return psi

    def _run(self, angles, mats) -> torch.Tensor:
        """Forward passes with precomputed block matrices (no autograd over the state)."""
        psi, layers = None, iter(mats)
        for kind, op in self.stages:
            if kind == "ent":
                idx, _, sign = op
                psi = psi[:, idx]
                if sign is not None:
                    psi = psi * sign
            elif kind == "diag":
                psi = psi * diagonal_phase(self.num_qubits, angles, op)
            elif psi is None:
                psi = self._product_state(next(layers))
            else:
                for u in next(layers):
                    psi = self._apply(psi, u)
        if psi is None:  # no one-wire gate: the state stays |0…0⟩
            psi = torch.zeros(angles.shape[0], 2**self.num_qubits, dtype=self.dtype)
            psi[:, 0] = 1
        return psi

    def state(self, angles: torch.Tensor) -> torch.Tensor:
        """Statevectors [B, 2^n] (big-endian), not differentiable; use :meth:`probs` for gradients."""
        with torch.no_grad():
            angles = angles.detach()
            return self._run(angles, self.block_matrices(angles))

    def probs(self, angles: torch.Tensor) -> torch.Tensor:
        """Born probabilities [B, 2^n], :math:`q(b) = |\\psi(b)|^2`, differentiable in ``angles``."""
        return born_probs(self, angles)

    def adjoint(self, angles: torch.Tensor, psi: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
        """Gradient w.r.t. ``angles`` of a real f with ∂f/∂ψ = ``lam`` at the final state ``psi``."""
        with torch.enable_grad():
            leaf = angles.detach().requires_grad_(True)
            mats = self.block_matrices(leaf)
        direct = torch.zeros(angles.shape, dtype=torch.float64)
        grads: list[torch.Tensor] = []
        used: list[torch.Tensor] = []
        layers = len(mats)
        for kind, op in reversed(self.stages):
            if kind == "ent":
                idx, inv, sign = op
                if sign is not None:
                    sign = sign.conj() if sign.is_complex() else sign
                    psi, lam = psi * sign, lam * sign
                psi, lam = psi[:, inv], lam[:, inv]
                continue
            if kind == "diag":
                w = (lam.conj() * psi).imag  # df/da_g = Σ_x d_g(x)/2 · Im(conj(λ) ψ)
                B = w.shape[0]
                for slot, shape, table in op:
                    direct[:, slot] += 0.5 * (w.view(B, *shape) * table).sum((1, 2, 3, 4, 5))
                back = diagonal_phase(self.num_qubits, angles.detach(), op).conj()
                psi, lam = psi * back, lam * back
                continue
            layers -= 1
            if layers == 0:  # the product prefix: autograd through its outer products is cheap
                with torch.enable_grad():
                    used.append(self._product_state(mats[0]))
                grads.append(lam)
                break
            for u in reversed(mats[layers]):
                B, K = psi.shape[0], u.shape[-1]
                ud = u.detach()
                psi = self._unapply(psi, ud)
                # ū = Λ_out Ψ_in^† , computed as conj(Λ_out^† ... ) so both operands are plain
                # (conjugate-)transposes of contiguous matrices, which BLAS takes directly
                lam_h = lam.reshape(B, -1, K).conj().transpose(1, 2)  # [B, K, R]
                grads.append(torch.matmul(lam_h, psi.reshape(B, K, -1).transpose(1, 2)).conj().clone())
                used.append(u)
                lam = self._unapply(lam, ud)
        if not used:
            return direct
        (g,) = torch.autograd.grad(used, leaf, grad_outputs=grads, allow_unused=True)
        return direct if g is None else g + direct


class _BornProbs(torch.autograd.Function):
    @staticmethod
    def forward(ctx, thetas, engine):
        psi = engine.state(thetas)
        ctx.engine = engine
        ctx.save_for_backward(thetas, psi)
        return psi * psi if engine.real else psi.real.square() + psi.imag.square()

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, g):
        thetas, psi = ctx.saved_tensors
        return ctx.engine.adjoint(thetas, psi, 2 * g * psi), None


def born_probs(engine: StatevectorEngine, thetas: torch.Tensor) -> torch.Tensor:
    """:math:`q_\\theta = |\\psi_\\theta|^2` [B, 2^n] with the one-sweep adjoint backward."""
    return _BornProbs.apply(thetas, engine)


def sample_indices(probs: torch.Tensor, shots: int, generator: torch.Generator) -> torch.Tensor:
    """``shots`` indices per row of ``probs`` [B, 2^n] by inverse CDF; int64 [B, shots]."""
    cdf = torch.cumsum(probs.detach(), dim=-1)
    u = torch.rand(probs.shape[0], shots, generator=generator, dtype=cdf.dtype) * cdf[:, -1:]
    return torch.searchsorted(cdf, u, right=True).clamp_(max=probs.shape[-1] - 1)
