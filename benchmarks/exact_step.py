"""Time of one exact objective + gradient step, qhyper against its peers, in one run.

The step is the MLE objective of the original Quantum HyperNetworks method,
f(θ) = Σ_b q_θ(b) L(b) = ⟨ψ(θ)|diag(L)|ψ(θ)⟩ for a random cost vector L, forward and
backward w.r.t. θ, on the ``brick`` ansatz (2 layers) at n qubits:

* qhyper      — ``qh.Hypernetwork(ansatz)`` (torch statevector engine, one-sweep adjoint);
* pl-backprop — a plain ``qml`` QNode on ``default.qubit`` returning ``qml.probs``, backprop;
* lightning   — ``lightning.qubit`` adjoint, ``qml.expval(qml.SparseHamiltonian(diag(L)))``;
* qiskit-ml   — ``SamplerQNN`` + ``TorchConnector`` with the exact ``QMLSampler``; its
  gradient evaluates the full 2^n × P Jacobian, so it runs only for n ≤ 12 and is
  extrapolated (log-linear fit of its own times) beyond — the table marks those with ``~``.

Each figure is the best of ``--repeats`` timed steps after one warm-up. Timings on a shared
machine drift; compare the ratios measured in the same run.

    python benchmarks/exact_step.py            # n = 12, 16, 18, 20; qiskit-ml at n = 8, 10, 12
    python benchmarks/exact_step.py --quick    # n = 12, 16; qiskit-ml at n = 8, 10
    python benchmarks/exact_step.py --threads 1   # every peer on one thread (less noise on a busy machine)
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

if "--threads" in sys.argv:  # must reach OpenMP (torch, lightning) before they are imported
    os.environ["OMP_NUM_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]

import numpy as np
import torch

import qhyper as qh
from qhyper.bitstrings import reverse_bit_order


def best_time(step, repeats: int) -> float:
    step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return min(times)


def qhyper_step(ansatz, cost):
    hn = qh.Hypernetwork(ansatz, seed=0)

    def step():
        hn.zero_grad()
        (hn.distribution().probs() @ cost).backward()

    return step


def pennylane_backprop_step(ansatz, cost):
    import pennylane as qml

    n = ansatz.num_qubits

    @qml.qnode(qml.device("default.qubit", wires=n), interface="torch", diff_method="backprop")
    def probs(theta):
        ansatz.apply(theta)
        return qml.probs(wires=range(n))

    theta = ansatz.init_params(0).requires_grad_(True)

    def step():
        theta.grad = None
        (probs(theta) @ cost).backward()

    return step


def lightning_adjoint_step(ansatz, cost):
    import pennylane as qml
    import scipy.sparse

    n = ansatz.num_qubits
    H = qml.SparseHamiltonian(scipy.sparse.diags(cost.numpy()).tocsr(), wires=range(n))

    @qml.qnode(qml.device("lightning.qubit", wires=n), interface="torch", diff_method="adjoint")
    def energy(theta):
        ansatz.apply(theta)
        return qml.expval(H)

    theta = ansatz.init_params(0).requires_grad_(True)

    def step():
        theta.grad = None
        energy(theta).backward()

    return step


def qiskit_ml_step(ansatz, cost):
    from qiskit_machine_learning.connectors import TorchConnector
    from qiskit_machine_learning.neural_networks import SamplerQNN
    from qiskit_machine_learning.primitives import QMLSampler

    qc = ansatz.to_qiskit(measure=True)
    qnn = SamplerQNN(circuit=qc, sampler=QMLSampler(), weight_params=list(qc.parameters))
    model = TorchConnector(qnn, initial_weights=ansatz.init_params(0).numpy())
    little_cost = reverse_bit_order(cost, ansatz.num_qubits).to(torch.float64)  # Qiskit's index order

    def step():
        model.zero_grad()
        (model().to(torch.float64) @ little_cost).backward()

    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", help="qubit counts (default 12 16 18 20)")
    parser.add_argument("--threads", type=int, help="OpenMP/torch threads for every peer (default: library default)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    sizes = args.sizes or ([12, 16] if args.quick else [12, 16, 18, 20])
    qml_sizes = [8, 10] if args.quick else [8, 10, 12]
    print(f"brick ansatz, {args.layers} layers; f = Σ_b q(b) L(b), forward + backward; "
          f"best of {args.repeats}; torch threads = {torch.get_num_threads()}")

    peers = {"qhyper": qhyper_step, "pl-backprop": pennylane_backprop_step, "lightning": lightning_adjoint_step}
    rows = {}
    for n in sizes:
        ansatz = qh.circuits.get("brick", n_qubits=n, layers=args.layers)
        cost = torch.rand(2**n, generator=torch.Generator().manual_seed(n), dtype=torch.float64)
        rows[n] = {name: best_time(make(ansatz, cost), args.repeats) for name, make in peers.items()}
        print(f"  n={n:2d}  " + "  ".join(f"{k} {v:.4f}s" for k, v in rows[n].items()), flush=True)

    qml_times = {}
    for n in qml_sizes:
        ansatz = qh.circuits.get("brick", n_qubits=n, layers=args.layers)
        cost = torch.rand(2**n, generator=torch.Generator().manual_seed(n), dtype=torch.float64)
        qml_times[n] = best_time(qiskit_ml_step(ansatz, cost), 1)
        q = best_time(qhyper_step(ansatz, cost), args.repeats)
        print(f"  n={n:2d}  qiskit-ml {qml_times[n]:.3f}s  qhyper {q:.5f}s  ratio {qml_times[n] / q:.0f}x", flush=True)
    ns = np.array(sorted(qml_times))
    slope, icpt = np.polyfit(ns, np.log([qml_times[k] for k in ns]), 1)
    print(f"  qiskit-ml grows ×{math.exp(slope * 2):.1f} per 2 qubits (log-linear fit over n = {[int(k) for k in ns]})")

    print("\n    n |   qhyper | pl-backprop (ratio) | lightning adjoint (ratio) | qiskit-ml (ratio)")
    for n, r in rows.items():
        q = r["qhyper"]
        measured = n in qml_times
        ml = qml_times[n] if measured else math.exp(icpt + slope * n)
        mark = " " if measured else "~"
        print(f"   {n:2d} | {q:7.4f}s | {r['pl-backprop']:8.4f}s ({r['pl-backprop'] / q:5.1f}x) | "
              f"{r['lightning']:8.4f}s ({r['lightning'] / q:5.1f}x)        | {mark}{ml:9.3g}s ({mark}{ml / q:.2g}x)")
    print("  (~ = extrapolated from the qiskit-ml times measured above, not run)")


if __name__ == "__main__":
    main()
