r"""``backend="torch"``: qhyper's own statevector engine (:mod:`qhyper.hypernet.engine`).

The default exact backend, because it was measured fastest for the exact objective +
gradient step (``benchmarks/exact_step.py``): the whole circuit is a few large matrix
products and gathers, and the backward pass is one adjoint sweep. In shot mode it samples
from its statevector by inverse CDF (the probabilities stay internal, as on Aer).
"""
from __future__ import annotations

import torch

from .base import Backend, check_statevector_fits
from .engine import StatevectorEngine

__all__ = ["TorchBackend"]


class TorchBackend(Backend):
    """Options: ``block`` — wires per fused Kronecker block (default 4)."""

    name = "torch"

    def __init__(self, ansatz, shots=None, block: int = 4):
        super().__init__(ansatz, shots)
        if isinstance(block, bool) or not isinstance(block, int) or not 1 <= block <= 8:
            raise ValueError(f"block must be an integer in 1 … 8 (wires per fused gate block); got {block!r}")
        check_statevector_fits(
            self.n, 8 if ansatz.real else 16, "The torch statevector engine",
            "Use fewer qubits, or sample from a tensor-network simulator: "
            "backend='qiskit', shots=..., method='matrix_product_state'.",
        )
        self.engine = StatevectorEngine(ansatz, block=block)

    def probs(self, thetas: torch.Tensor) -> torch.Tensor:
        return self.engine.probs(thetas)

    def describe(self) -> str:
        return f"torch statevector ({'real' if self.engine.real else 'complex'} amplitudes)"
