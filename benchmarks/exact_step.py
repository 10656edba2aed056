"""Time of one exact objective + gradient step, qhyper against its peers, in one run.

The step is the MLE objective of the original Quantum HyperNetworks method,
f(θ) = Σ_b q_θ(b) L(b) = ⟨ψ(θ)|diag(L)|ψ(θ)⟩ for a random cost vector L, forward and
backward w.r.t. θ, on the ``brick`` ansatz (2 layers) at n qubits:

* qhyper      — ``qh.Hypernetwork(ansatz)``, the default torch backend (``method="auto"``:
  the split engine — a Schmidt sum across one cut — from 13 qubits on);
* qhyper-sv   — the same with ``method="statevector"`` (fused gate blocks on the full state,
  one-sweep adjoint), the engine the default used before the split engine;
* pl-backprop — a plain ``qml`` QNode on ``default.qubit`` returning ``qml.probs``, backprop;
* lightning   — ``lightning.qubit`` adjoint, ``qml.expval(qml.SparseHamiltonian(diag(L)))``;
* tc-ng       — tensorcircuit-ng on JAX: the same gates as a tensor network, jitted
  ``value_and_grad`` (a separate table: per step, first step with its compile, and a
  300-step fit end to end); skipped, saying so, when ``tensorcircuit-ng`` and ``jax`` (the
  ``bench`` extra) are not installed;
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


def qhyper_step(ansatz, cost, **options):
    """The default torch backend (``method="auto"``: the split engine from 13 qubits on)."""
    hn = qh.Hypernetwork(ansatz, seed=0, **options)

    def step():
        hn.zero_grad()
        (hn.distribution().probs() @ cost).backward()

    return step


def statevector_step(ansatz, cost):
    """qhyper's statevector engine, forced (``method="statevector"``): the engine ``auto``
    used before the split engine, kept as the in-run reference for it."""
    return qhyper_step(ansatz, cost, method="statevector")


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


def tensorcircuit_step(ansatz, cost):
    """tensorcircuit-ng on JAX (complex128): a ``tc.Circuit`` of the same gates,
    ``c.probability()`` contracted as a tensor network, ``K.jit(K.value_and_grad(f))``.
    The first call compiles; :func:`first_step` reports it."""
    import jax
    import tensorcircuit as tc

    jax.config.update("jax_enable_x64", True)
    K = tc.set_backend("jax")
    tc.set_dtype("complex128")
    n = ansatz.num_qubits
    L = K.convert_to_tensor(cost.numpy())
    gates = list(ansatz.gates)

    def f(theta):
        c = tc.Circuit(n)
        for g in gates:
            if not g.terms:
                if g.param is None and g.name in ("RX", "RY", "RZ"):
                    getattr(c, g.name.lower())(*g.wires, theta=g.offset)
                else:
                    getattr(c, g.name.lower())(*g.wires)
                continue
            angle = g.offset + sum(k * theta[i] for i, k in g.terms)
            getattr(c, g.name.lower())(*g.wires, theta=angle)
        return K.real(K.sum(c.probability() * L))

    vg = K.jit(K.value_and_grad(f))
    theta = K.convert_to_tensor(ansatz.init_params(0).numpy())

    def step():
        value, grad = vg(theta)
        grad.block_until_ready()

    return step


def first_step(make, ansatz, cost):
    """A peer's step and the seconds from building it to the end of its first call (compile, warm-up)."""
    t0 = time.perf_counter()
    step = make(ansatz, cost)
    step()
    return step, time.perf_counter() - t0


def have(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


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
    parser.add_argument("--tc-sizes", type=int, nargs="*", default=[12, 16, 18], help="qubits for the tensorcircuit-ng table")
    parser.add_argument("--tc-layers", type=int, nargs="*", default=[2, 4], help="depths for the tensorcircuit-ng table")
    parser.add_argument("--fit-steps", type=int, default=300, help="steps of the end-to-end fit")
    parser.add_argument("--depths", type=int, nargs="*", default=list(range(1, 9)), help="depths of the depth table")
    parser.add_argument("--depth-n", type=int, default=18, help="qubits of the depth table")
    parser.add_argument("--tc-max-depth", type=int, default=8, help="deepest circuit tensorcircuit-ng compiles")
    parser.add_argument("--memory", type=int, nargs="*", default=[20, 22, 24],
                        help="qubits at which to measure the peak memory of one step (none: skip)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    sizes = args.sizes or ([12, 16] if args.quick else [12, 16, 18, 20])
    qml_sizes = [8, 10] if args.quick else [8, 10, 12]
    print(f"brick ansatz, {args.layers} layers; f = Σ_b q(b) L(b), forward + backward; "
          f"best of {args.repeats}; torch threads = {torch.get_num_threads()}")

    peers = {"qhyper": qhyper_step, "qhyper-sv": statevector_step,
             "pl-backprop": pennylane_backprop_step, "lightning": lightning_adjoint_step}
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

    print("\n    n |   qhyper | qhyper-sv (ratio) | pl-backprop (ratio) | lightning adjoint (ratio) | qiskit-ml (ratio)")
    for n, r in rows.items():
        q = r["qhyper"]
        measured = n in qml_times
        ml = qml_times[n] if measured else math.exp(icpt + slope * n)
        mark = " " if measured else "~"
        print(f"   {n:2d} | {q:7.4f}s | {r['qhyper-sv']:8.4f}s ({r['qhyper-sv'] / q:5.1f}x) | "
              f"{r['pl-backprop']:8.4f}s ({r['pl-backprop'] / q:5.1f}x) | "
              f"{r['lightning']:8.4f}s ({r['lightning'] / q:5.1f}x)        | {mark}{ml:9.3g}s ({mark}{ml / q:.2g}x)")
    print("  (~ = extrapolated from the qiskit-ml times measured above, not run)")
    tensor_network_table(args)
    if args.depths:
        depth_table(args)
    if args.memory:
        memory_table(args.memory, args.layers)


def depth_table(args):
    """Step time against depth at n = ``--depth-n``: qhyper, and tensorcircuit-ng (with its
    compile) up to ``--tc-max-depth`` (its compile grows with depth: 154 s at depth 4, n = 18)."""
    n, tc = args.depth_n, have("tensorcircuit") and have("jax")
    print(f"\nstep time against depth, n = {n} (tc-ng up to depth {args.tc_max_depth if tc else 0})")
    for d in args.depths:
        ansatz = qh.circuits.get("brick", n_qubits=n, layers=d)
        cost = torch.rand(2**n, generator=torch.Generator().manual_seed(n), dtype=torch.float64)
        q = best_time(qhyper_step(ansatz, cost), args.repeats)
        sv = best_time(statevector_step(ansatz, cost), args.repeats)
        line = f"   depth {d}: qhyper {q * 1e3:7.1f} ms   qhyper-sv {sv * 1e3:7.1f} ms ({sv / q:4.1f}x)"
        if tc and d <= args.tc_max_depth:
            step, first = first_step(tensorcircuit_step, ansatz, cost)
            line += f"   tc-ng {best_time(step, args.repeats) * 1e3:6.1f} ms (compile + first step {first:.0f} s)"
        print(line, flush=True)


def memory_table(sizes, layers):
    """Peak resident memory of one exact step at each n, each in a fresh process (so one
    size's allocations do not hide another's); qhyper refuses sizes that would not fit."""
    import subprocess

    print(f"\npeak memory of one exact step (brick, {layers} layers, default engine; a fresh process per n, VmHWM)")
    # VmHWM (Linux) is this process's own high-water mark; ru_maxrss would also count the
    # forked copy of this benchmark process (with tensorcircuit-ng loaded, several GiB)
    code = ("import resource, time, torch, qhyper as qh\n"
            "def peak():\n"
            "    try:\n"
            "        return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
            "    except OSError:\n"
            "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "n, d = {n}, {d}\n"
            "base = peak()\n"
            "hn = qh.Hypernetwork(qh.circuits.get('brick', n_qubits=n, layers=d), seed=0)\n"
            "cost = torch.rand(2**n, dtype=torch.float64)\n"
            "t = time.perf_counter(); (hn.distribution().probs() @ cost).backward()\n"
            "print(time.perf_counter() - t, base, peak())\n")
    for n in sizes:
        out = subprocess.run([sys.executable, "-c", code.format(n=n, d=layers)], capture_output=True, text=True)
        if out.returncode:
            print(f"   n={n:2d}  refused or failed: {out.stderr.strip().splitlines()[-1]}")
            continue
        seconds, base, peak = (float(v) for v in out.stdout.split())
        state = 2**n * 16 / 2**30
        print(f"   n={n:2d}  step {seconds:6.2f} s   peak {peak / 2**20:6.2f} GiB (imports {base / 2**20:.2f} GiB; "
              f"one complex state {state:.3f} GiB)", flush=True)


def tensor_network_table(args):
    """qhyper against tensorcircuit-ng (JAX jit): per step, first step, a 300-step fit end to end."""
    if not have("tensorcircuit") or not have("jax"):
        print("\ntensorcircuit-ng: not installed, skipped (pip install tensorcircuit-ng jax — the bench extra)")
        return
    configs = [(12, 2)] if args.quick else [(n, d) for d in args.tc_layers for n in args.tc_sizes]
    steps = args.fit_steps
    print(f"\ntensorcircuit-ng (JAX jit, complex128) — first step includes its compile; a {steps}-step fit is "
          f"first + {steps - 1} × step")
    print("    n  depth |  qhyper step   first  fit | tc-ng step     first        fit | step ratio (tc/qh)  fit ratio")
    for n, d in configs:
        ansatz = qh.circuits.get("brick", n_qubits=n, layers=d)
        cost = torch.rand(2**n, generator=torch.Generator().manual_seed(n), dtype=torch.float64)
        q_step, q_first = first_step(qhyper_step, ansatz, cost)
        q = best_time(q_step, args.repeats)
        tc_step, t_first = first_step(tensorcircuit_step, ansatz, cost)
        t = best_time(tc_step, args.repeats)
        q_fit, t_fit = q_first + (steps - 1) * q, t_first + (steps - 1) * t
        print(f"   {n:2d}  {d:5d} | {q * 1e3:8.1f} ms {q_first:6.2f} s {q_fit:5.1f} s | {t * 1e3:6.1f} ms "
              f"{t_first:8.1f} s {t_fit:8.1f} s | {t / q:17.2f}x {t_fit / q_fit:9.1f}x", flush=True)


if __name__ == "__main__":
    main()
