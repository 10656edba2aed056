r"""``backend="torch"``: qhyper's own statevector engine (:mod:`qhyper.hypernet.engine`).

It is the default backend because it was measured fastest for the exact step that
training repeats — :math:`f = \sum_b q_\theta(b) L(b)`, forward and backward —
in ``benchmarks/exact_step.py`` (brick ansatz, 2 layers, one thread, one run on a shared
2-core CPU):

====  ========  =====================  ========================  ==========================
n     qhyper    ``qml`` default.qubit  ``qml`` lightning adjoint  qiskit-ml SamplerQNN
====  ========  =====================  ========================  ==========================
12    0.007 s   0.040 s (5.6×)         0.020 s (2.9×)            36.5 s (5200×)
16    0.064 s   0.30 s (4.7×)          0.090 s (1.4×)            ≈700 s (extrapolated)
18    0.108 s   1.59 s (14.7×)         1.54 s (14×)              ≈3100 s (extrapolated)
20    0.44 s    7.3 s (16.7×)          1.47 s (3.3×)             ≈14000 s (extrapolated)
====  ========  =====================  ========================  ==========================

(default.qubit: backprop through ``qml.probs``; lightning: adjoint with
``qml.expval(qml.SparseHamiltonian(diag(L)))``, the strongest ``qml`` route; qiskit-ml:
``SamplerQNN`` + ``TorchConnector`` with an exact sampler, measured up to n = 12 only.) The
machine was shared, so single figures drift; the ratios were measured side by side.

The whole circuit is a few large matrix products and gathers, and the backward pass is one
adjoint sweep (:mod:`qhyper.hypernet.engine`). In shot mode it samples from its statevector
by inverse CDF (the probabilities stay internal, as on Aer).
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
            extra_bytes_per_amplitude=16 * _entangler_patterns(ansatz.gates),  # int64 gather tables
        )
        self.engine = StatevectorEngine(ansatz, block=block)

    def probs(self, thetas: torch.Tensor) -> torch.Tensor:
        return self.engine.probs(thetas)

    def describe(self) -> str:
        return f"torch statevector ({'real' if self.engine.real else 'complex'} amplitudes)"


def _entangler_patterns(gates) -> int:
    """Number of distinct runs of consecutive CX/CZ gates (each becomes one index-table pair)."""
    runs, current = set(), []
    for g in list(gates) + [None]:
        if g is not None and g.param is None:
            current.append((g.name, g.wires))
        elif current:
            runs.add(tuple(current))
            current = []
    return len(runs)
