"""Classical baselines on the shared Evaluator: quality and cost against the exact oracle.

For each task, STE and QUBO are run over seeds and compared with the exhaustive oracle
measured in the same run: train/test accuracy, the gap to the oracle's MAP training NLL, and
wall time as a ratio to the oracle's. Then the QUBO's size and solve time as the number of
training points grows (d = 16 inputs on a ±1 grid, H = 4 sign hidden units), and the STE's
single-thread choice measured against torch's default thread count.

    python benchmarks/baselines.py            # about 3-5 minutes on 2 cores
    python benchmarks/baselines.py --quick
"""
import argparse
import statistics
import time

import numpy as np
import torch

import qhyper as qh
from qhyper.qubo import BNNQubo
from qhyper.trainers import QUBO, STE, Exhaustive


def fmt(values, digits=3):
    return f"{statistics.fmean(values):.{digits}f} ± {statistics.pstdev(values):.{digits}f}"


def quality(seeds, quick):
    print("== quality and cost against the oracle (same Evaluator) ==")
    for name in ("digits01_4x4", "bars_stripes_sign", "gaussian_mixture"):
        task = qh.comparison.get_task(name)
        ev = task.evaluator()
        t = time.perf_counter()
        ref = Exhaustive().fit(ev)
        t_ref = time.perf_counter() - t
        print(f"\n{name} ({task.num_bits} bits): oracle MAP train {ref.metrics['train_accuracy']:.3f} "
              f"test {ref.metrics['test_accuracy']:.3f} NLL {ref.metrics['train_nll']:.4f}; {t_ref:.2f} s")
        methods = {"ste": lambda s: STE(seed=s, **task.method_options("ste", quick))}
        if task.activation == "sign":
            methods["qubo"] = lambda s: QUBO(seed=s, **task.method_options("qubo", quick))
        for label, make in methods.items():
            rows = []
            for seed in seeds:
                t = time.perf_counter()
                res = make(seed).fit(task.evaluator())
                rows.append((res.metrics["train_accuracy"], res.metrics["test_accuracy"],
                             res.metrics["train_nll"] - ref.metrics["train_nll"], time.perf_counter() - t))
            tr, te, gap, secs = zip(*rows)
            print(f"  {label:5s} train {fmt(tr)}  test {fmt(te)}  NLL gap to MAP {fmt(gap, 4)}  "
                  f"{statistics.fmean(secs):.2f} s/run = {statistics.fmean(secs) / t_ref:.2f}× oracle")


def qubo_scaling(quick):
    print("\n== QUBO size and solve time vs training points (d=16 ±1 inputs, H=4 sign units) ==")
    rng = np.random.default_rng(0)
    model = qh.BinaryMLP([16, 4, 1], activation="sign")
    trainer = QUBO(num_reads=10, num_sweeps=1000, refine_rounds=0, seed=0)
    for N in ((50, 100) if quick else (50, 100, 200)):
        X = rng.choice([-1.0, 1.0], size=(N, 16))
        y = rng.integers(0, 2, N)
        t = time.perf_counter()
        enc = BNNQubo(model, X, y)
        build = time.perf_counter() - t
        _, energies, solve, _ = trainer.solve(enc.bqm, 0)
        print(f"  N={N:4d}: {enc.num_variables:6d} variables {enc.num_interactions:7d} couplings  "
              f"build {build:.2f} s  anneal+polish (10 reads × 1000 sweeps) {solve:.2f} s")


def ste_threads():
    print("\n== STE: one torch thread vs the default (same run, digits01_4x4, 30 epochs) ==")
    ev = qh.comparison.get_task("digits01_4x4").evaluator()
    t = time.perf_counter()
    STE(epochs=30, seed=0, threads=1).fit(ev)
    one = time.perf_counter() - t
    t = time.perf_counter()
    STE(epochs=30, seed=0).fit(ev)  # threads=None: the caller's setting
    default = time.perf_counter() - t
    print(f"  single thread {one:.2f} s, default {torch.get_num_threads()} threads {default:.2f} s "
          f"→ {default / one:.1f}× faster single-threaded")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    quality(range(2 if args.quick else 3), args.quick)
    qubo_scaling(args.quick)
    ste_threads()


if __name__ == "__main__":
    main()
