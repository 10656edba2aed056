r"""``product`` — one :math:`R_Y(\theta_j)` per qubit, no entanglement.

The independent-Bernoulli control: :math:`q_\theta(b) = \prod_j p_j^{b_j}(1-p_j)^{1-b_j}`
with :math:`p_j = \sin^2(\theta_j/2)`. Parameters: :math:`n`, shape ``(n,)``.
Initialisation: :math:`U[0, 2\pi)`. ``layers`` is accepted for a uniform call signature
and must be 0 or 1 (depth 0 of the layered families).
"""
from __future__ import annotations

from .._checks import check_count
from . import register
from .base import Ansatz, Gate
from .checks import check_gate_count

__all__ = ["Product"]


@register("product")
class Product(Ansatz):
    """Independent qubits: RY on each wire."""

    name = "product"

    def __init__(self, n_qubits: int, layers: int | None = None):
        n = check_count(n_qubits, "n_qubits", 1)
        check_count(layers, "layers", minimum=0, maximum=1, allow_none=True,
                    fix="the product ansatz has a single RY layer (use 0, 1 or omit it)")
        check_gate_count("product", n, n_qubits=n)
        self.layers = 0
        super().__init__(n, [Gate("RY", (j,), j) for j in range(n)], (n,))
