r"""``hardware_efficient`` — real-amplitude RY layers with a CZ or CX ladder.

:math:`R_Y(\theta_{0,j})` on every qubit, then ``layers`` times: an entangling ladder
:math:`(0,1), (1,2), \dots, (n-2, n-1)` of CZ (default) or CX, followed by
:math:`R_Y(\theta_{l+1,j})` on every qubit. This is Qiskit's ``real_amplitudes`` with linear
entanglement. All amplitudes stay real, so :math:`q_\theta(b) = \psi_\theta(b)^2`.

Parameters: :math:`(L + 1) n`, structured shape ``(L + 1, n)``. ``layers=0`` is a product
circuit. Initialisation: :math:`U[0, 2\pi)`.
"""
from __future__ import annotations

from .._checks import check_choice, check_count
from . import register
from .base import Ansatz, Gate
from .checks import check_gate_count

__all__ = ["HardwareEfficient"]


@register("hardware_efficient")
class HardwareEfficient(Ansatz):
    """RY layers with a linear ``entangler`` ("cz" or "cx") ladder between them."""

    name = "hardware_efficient"

    def __init__(self, n_qubits: int, layers: int = 2, entangler: str = "cz"):
        n = check_count(n_qubits, "n_qubits", 1)
        self.layers = check_count(layers, "layers", 0)
        self.entangler = check_choice(entangler, "entangler", ("cz", "cx"))
        check_gate_count("hardware_efficient", (self.layers + 1) * n + self.layers * (n - 1), n_qubits=n,
                         layers=self.layers)
        gates = [Gate("RY", (j,), j) for j in range(n)]
        for l in range(1, self.layers + 1):
            gates += [Gate(entangler.upper(), (j, j + 1)) for j in range(n - 1)]
            gates += [Gate("RY", (j,), n * l + j) for j in range(n)]
        super().__init__(n, gates, (self.layers + 1, n))
