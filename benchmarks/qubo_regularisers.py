"""Does the margin term or the dropout-inspired scheme help the QUBO trainer generalise?

Runs QUBO training with and without each regulariser over seeds on small sign-activation
tasks (training sets kept small, where regularisation matters) and prints test accuracy
(mean ± std), training accuracy, the mean normalised hidden margin of the chosen network
and solve time. The exhaustive oracle's MAP network is the reference row.

    python benchmarks/qubo_regularisers.py            # 5 seeds, about 3-5 minutes on 2 cores
    python benchmarks/qubo_regularisers.py --quick    # 2 seeds, small budgets
"""
import argparse
import statistics
import time

import numpy as np

import qhyper as qh
from qhyper.qubo import BNNQubo
from qhyper.trainers import QUBO, Exhaustive

TASKS = {
    "bars2x2 [4,2,1] n=40": ("bars_and_stripes", {"rows": 2, "cols": 2, "n_train": 40, "n_test": 400}, [4, 2, 1]),
    "bars3x3 [9,2,1] n=60": ("bars_and_stripes", {"rows": 3, "cols": 3, "n_train": 60, "n_test": 400}, [9, 2, 1]),
}
CONFIGS = {
    "plain": {},
    "margin 0.5": {"margin": 0.5},
    "dropout 4x": {"dropout_rounds": 4, "dropout_rate": 0.5, "dropout_strength": 0.5},
    "margin+dropout": {"margin": 0.5, "dropout_rounds": 4, "dropout_rate": 0.5, "dropout_strength": 0.5},
}


def fmt(values):
    return f"{statistics.fmean(values):.3f} ± {statistics.pstdev(values):.3f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seeds = range(2 if args.quick else 5)
    budget = {"num_reads": 4, "num_sweeps": 300} if args.quick else {"num_reads": 10, "num_sweeps": 1000}
    for label, (name, opts, sizes) in TASKS.items():
        data = qh.datasets.load(name, **opts)
        model = qh.BinaryMLP(sizes, activation="sign")
        ev = qh.Evaluator.from_dataset(model, data)
        ref = Exhaustive().fit(ev)
        print(f"\n{label}: {model.num_bits} bits, {len(data.y_train)} train / {len(data.y_test)} test points")
        print(f"  {'exact MAP':16s} test {ref.metrics['test_accuracy']:.3f}  train {ref.metrics['train_accuracy']:.3f}"
              f"  posterior-predictive test {ref.metrics['posterior_test_accuracy']:.3f}")
        enc = BNNQubo(model, data.X_train, data.y_train)
        print(f"  QUBO size: {enc.num_variables} variables, {enc.num_interactions} couplings")
        plain_test = None
        for cname, cfg in CONFIGS.items():
            test, train, margin, secs = [], [], [], []
            for seed in seeds:
                t = time.perf_counter()
                res = QUBO(seed=seed, **budget, **cfg).fit(ev)
                secs.append(time.perf_counter() - t)
                test.append(res.metrics["test_accuracy"])
                train.append(res.metrics["train_accuracy"])
                margin.append(float(enc.margins(res.bits.numpy()[None].astype(int))[0]))
            plain_test = statistics.fmean(test) if plain_test is None else plain_test
            print(f"  {cname:16s} test {fmt(test)}  train {fmt(train)}  hidden margin {fmt(margin)}"
                  f"  {statistics.fmean(secs):.2f} s/run  Δtest vs plain {statistics.fmean(test) - plain_test:+.3f}")


if __name__ == "__main__":
    main()
