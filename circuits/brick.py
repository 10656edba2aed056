r"""``brick`` — the circuit of the original Quantum HyperNetworks code.

Per layer :math:`l = 0 \dots L-1`:

1. a CX brick on nearest-neighbour pairs :math:`(j, j+1)` with :math:`j \equiv l \pmod 2`
   (even bonds on even layers, odd bonds on odd layers; control :math:`j`, target :math:`j+1`);
2. :math:`R_Y(\theta_{l,0,j})` on every qubit :math:`j`;
3. :math:`R_Z(\theta_{l,1,j})` on every qubit :math:`j`.

Parameters: :math:`2 L n`, structured shape ``(L, 2, n)`` (layer, RY/RZ, qubit), flat index
:math:`2nl + nk + j`. On :math:`|0\dots0\rangle` the first CX brick acts trivially and the
last RZ layer does not change computational-basis probabilities (its gradient is zero); both
are kept so the circuit is the published one. Initialisation: :math:`U[0, 2\pi)` as in the
original code. (The original code counts layers from 1 and so starts on the odd bonds;
here layer 0 uses the even bonds. On :math:`|0\dots0\rangle` the first brick is trivial either
way, so the two conventions differ only in which bonds the later bricks use.)
"""
from __future__ import annotations

from .._checks import check_count
from . import register
from .base import Ansatz, Gate
from .checks import check_gate_count

__all__ = ["Brick"]


DEFAULT_LAYERS = 4  # the original code's depth; the one place this default is written


@register("brick")
class Brick(Ansatz):
    """CX brick + RY + RZ per layer; ``layers`` ≥ 1, default 4 — the original code's depth,
    at which MLE reliably finds the global minimum of ``digits01_4x4`` (``benchmarks/qhn_depth.py``)."""

    name = "brick"

    def __init__(self, n_qubits: int, layers: int = DEFAULT_LAYERS):
        n = check_count(n_qubits, "n_qubits", 1)
        self.layers = check_count(layers, "layers", 1)
        L = self.layers
        cx = (L + 1) // 2 * (n // 2) + L // 2 * ((n - 1) // 2)  # even bonds on even layers, odd on odd
        check_gate_count("brick", 2 * n * L + cx, n_qubits=n, layers=L)
        gates = []
        for l in range(self.layers):
            gates += [Gate("CX", (j, j + 1)) for j in range(l % 2, n - 1, 2)]
            gates += [Gate("RY", (j,), 2 * n * l + j) for j in range(n)]
            gates += [Gate("RZ", (j,), 2 * n * l + n + j) for j in range(n)]
        super().__init__(n, gates, (self.layers, 2, n))
