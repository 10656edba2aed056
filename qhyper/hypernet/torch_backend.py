r"""``backend="torch"``: qhyper's own statevector engine (:mod:`qhyper.hypernet.engine`).

It is the default backend because it was measured fastest for the exact step that
training repeats — :math:`f = \sum_b q_\theta(b) L(b)`, forward and backward —
in ``benchmarks/exact_step.py`` (brick ansatz, 2 layers, one thread, one run on a shared
2-core CPU):

====  ========  =====================  ========================  ==========================
n     qhyper    ``qml`` default.qubit  ``qml`` lightning adjoint  qiskit-ml SamplerQNN
====  ========  =====================  ========================  ==========================
12    0.0023 s  0.013 s (5.5×)         0.006 s (2.6×)            29 s (13 000×)
16    0.010 s   0.14 s (13.5×)         0.047 s (4.5×)            ≈800 s (extrapolated)
18    0.065 s   0.76 s (11.7×)         0.80 s (12.3×)            ≈4200 s (extrapolated)
20    0.28 s    4.3 s (15.6×)          1.2 s (4.4×)              ≈22 000 s (extrapolated)
====  ========  =====================  ========================  ==========================

(default.qubit: backprop through ``qml.probs``; lightning: adjoint with
``qml.expval(qml.SparseHamiltonian(diag(L)))``, the strongest ``qml`` route; qiskit-ml:
``SamplerQNN`` + ``TorchConnector`` with an exact sampler, measured up to n = 12 only.) The
machine was shared, so single figures drift; the ratios were measured side by side.
On a machine whose cores are busy with other work, torch's default of one thread per core
can be many times slower than a single thread for this engine (thread
contention in its many short parallel sections); the table was measured with one thread.

The whole circuit is a few large matrix products and gathers, and the backward pass is one
adjoint sweep (:mod:`qhyper.hypernet.engine`). In shot mode it samples from its statevector
by inverse CDF (the probabilities stay internal, as on Aer).
"""
from __future__ import annotations

import torch

from .._checks import check_count
from .base import Backend, check_statevector_fits
from .engine import StatevectorEngine

__all__ = ["TorchBackend"]


class TorchBackend(Backend):
    """Options: ``block`` — wires per fused Kronecker block (default 4)."""

    name = "torch"

    def __init__(self, ansatz, shots=None, block: int = 4):
        super().__init__(ansatz, shots)
        block = check_count(block, "block", maximum=8, fix="wires per fused gate block")
        check_statevector_fits(
            self.num_qubits, 8 if ansatz.real else 16, "The torch statevector engine",
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
    """Number of distinct runs of consecutive fixed two-wire gates (each becomes one index-table pair)."""
    from ..circuits.gates import GATES

    runs, current = set(), []
    for g in list(gates) + [None]:
        if g is not None and GATES[g.name].arity == 2 and not GATES[g.name].parametric:
            current.append((g.name, g.wires))
        elif current:
            runs.add(tuple(current))
            current = []
    return len(runs)
