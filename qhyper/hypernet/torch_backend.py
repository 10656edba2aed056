r"""``backend="torch"``: qhyper's own engines.

Two engines run the same compiled gate list (:mod:`qhyper.hypernet.engine`):

* ``method="statevector"`` — fused gate blocks on the full :math:`2^n` state with a
  one-sweep adjoint (:mod:`qhyper.hypernet.engine`);
* ``method="split"`` — the state as a Schmidt sum :math:`\sum_k L_k\otimes R_k` across one
  cut, all gate work on half-size vectors, one product at the end
  (:mod:`qhyper.hypernet.split`);
* ``method="auto"`` (default) — split from 13 qubits on while the bond it needs stays within
  the smaller part (:func:`use_split`), else statevector.

Measured for the exact step that training repeats — :math:`f = \sum_b q_\theta(b) L(b)`,
forward and backward — in ``benchmarks/exact_step.py`` (brick ansatz, 2 layers, 2 threads,
one run on a shared 2-core CPU; ratios are times against qhyper's default):

====  ========  =================  =====================  ========================
n     qhyper    statevector        ``qml`` default.qubit  ``qml`` lightning adjoint
====  ========  =================  =====================  ========================
12    0.0038 s  0.0033 s (0.9×)    0.031 s (8.3×)         0.012 s (3.0×)
16    0.0041 s  0.015 s (3.7×)     0.12 s (29×)           0.046 s (11×)
18    0.0060 s  0.061 s (10×)      0.29 s (48×)           0.22 s (37×)
20    0.016 s   0.15 s (9.4×)      1.7 s (107×)           1.1 s (68×)
====  ========  =================  =====================  ========================

(default.qubit: backprop through ``qml.probs``; lightning: adjoint with
``qml.expval(qml.SparseHamiltonian(diag(L)))``, the strongest ``qml`` route.) The same
script compares with tensorcircuit-ng (JAX jit): at 18 qubits, depth 4, qhyper's step is
1.2× faster (8.2–8.5 against 10.2–10.4 ms) and needs no compile (tensorcircuit-ng: 147–150 s);
at 12–16 qubits tensorcircuit-ng steps 2–6× faster, after a compile of 10–110 s. At n = 12 both qhyper engines take 3–10 ms,
most of it the overhead of a few hundred small torch calls. On a machine whose cores are
busy with other work, torch's default of one thread per core can be many times slower than
a single thread (thread contention in many short parallel sections).

In shot mode either engine samples from its state by inverse CDF (the probabilities stay
internal, as on Aer).
"""
from __future__ import annotations

import torch

from .._checks import check_choice, check_count
from .base import Backend, check_statevector_fits
from .engine import StatevectorEngine
from .split import SplitEngine, plan_cut

__all__ = ["TorchBackend", "use_split"]


METHODS = ("auto", "statevector", "split")


class TorchBackend(Backend):
    """Options: ``method`` — ``"statevector"`` (:mod:`~qhyper.hypernet.engine`: fused gate
    blocks on the full state, one-sweep adjoint), ``"split"``
    (:mod:`~qhyper.hypernet.split`: the state as a Schmidt sum across one cut, all gate
    work on half-size vectors) or ``"auto"`` (default: split when :func:`use_split` says it
    wins); ``block`` — wires per fused Kronecker block (default 4 for the statevector
    engine, 5 inside the split engine's halves)."""

    name = "torch"

    def __init__(self, ansatz, shots=None, block: int | None = None, method: str = "auto"):
        super().__init__(ansatz, shots)
        method = check_choice(method, "method", METHODS)
        if block is not None:
            block = check_count(block, "block", maximum=8, fix="wires per fused gate block")
        fits = dict(what="The torch backend", fix="Use fewer qubits, or sample from a tensor-network "
                    "simulator: backend='qiskit', shots=..., method='matrix_product_state'.")
        check_statevector_fits(self.num_qubits, 8 if ansatz.real else 16, **fits)  # before any compile
        compiled = None if method == "statevector" else StatevectorEngine(ansatz, block=block or 4, tables=False)
        if method == "auto":
            method = "split" if use_split(ansatz.num_qubits, compiled) else "statevector"
        self.method = method
        if method == "statevector":  # its int64 gather tables (the split engine's are half-size)
            check_statevector_fits(self.num_qubits, 8 if ansatz.real else 16, **fits,
                                   extra_bytes_per_amplitude=16 * _entangler_patterns(ansatz.gates))
        if method == "split":
            self.engine = SplitEngine(ansatz, block=block or 5, compiled=compiled)
        else:
            self.engine = StatevectorEngine(ansatz, block=block or 4)

    def probs(self, thetas: torch.Tensor) -> torch.Tensor:
        return self.engine.probs(thetas)

    def describe(self) -> str:
        kind = "real" if self.engine.real else "complex"
        if self.method == "split":
            return (f"torch split engine (cut after wire {self.engine.cut - 1}, bond 2^{self.engine.bond_bits:g}, "
                    f"{kind} amplitudes)")
        return f"torch statevector ({kind} amplitudes)"


def use_split(n: int, compiled) -> bool:
    """The ``auto`` rule: the split engine from 13 qubits on, while the bond χ it needs stays
    within the smaller part's dimension (beyond that a Schmidt sum has more terms than any
    state needs). Measured with ``benchmarks/exact_step.py --engines`` on 2 cores: below 13
    qubits both engines take a few ms and neither wins clearly; at 14 qubits split wins
    1.3–2.2× within the rule and loses (0.9×) beyond it; at 18 qubits 4–19×."""
    if n < 13:
        return False
    m, bond_bits, _ = plan_cut(n, compiled.groups)
    return bond_bits <= min(m, n - m) - 1


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
