"""Does the margin term or the dropout-inspired scheme help the QUBO trainer generalise?

QUBO training with and without each regulariser, over seeds, on small sign-activation
problems where regularisation matters (few training points):

* **teacher**: labels from random teacher networks [6, 2, 1]; 16 training inputs, the test
  set is all 64 ±1 inputs. Annealing fits these training sets almost perfectly, so the
  regularisers choose *among* near-zero-error networks.
* **bars**: noisy bars-vs-stripes images (2×2 and 3×3 pixels) with 40–60 training points,
  where annealing is far from the training optimum.

Printed per configuration: test and train accuracy (mean ± std over teachers × seeds), the
mean hidden |pre-activation| |Wx + b| of the chosen network on the training inputs, and
time per run; the exhaustive oracle's MAP network is the reference row for the bars tasks.

    python benchmarks/qubo_regularisers.py            # about 5-10 minutes on 2 cores
    python benchmarks/qubo_regularisers.py --quick    # fewer seeds and teachers, small budgets
"""
import argparse
import itertools
import statistics
import time

import numpy as np

import qhyper as qh
from qhyper.bitstrings import index_to_bits
from qhyper.qubo import BNNQubo
from qhyper.trainers import QUBO, Exhaustive

CONFIGS = {
    "plain": {},
    "margin 0.5": {"margin": 0.5},
    "dropout 4x": {"dropout_rounds": 4, "dropout_rate": 0.5, "dropout_strength": 0.5},
    "margin+dropout": {"margin": 0.5, "dropout_rounds": 4, "dropout_rate": 0.5, "dropout_strength": 0.5},
}


def teacher_problems(count):
    model = qh.BinaryMLP([6, 2, 1], activation="sign")
    X = np.array(list(itertools.product([-1.0, 1.0], repeat=6)))
    out = []
    for k in range(count):
        rng = np.random.default_rng(100 + k)
        teacher = index_to_bits(int(rng.integers(2**model.num_bits)), model.num_bits)
        y = (model.forward(teacher, X)[0, :, 0] >= 0).long().numpy()
        idx = rng.choice(len(X), 16, replace=False)
        out.append(qh.Evaluator(model, X[idx], y[idx], test=(X, y)))
    return out


def bars_problem(rows, n_train, sizes):
    data = qh.datasets.load("bars_and_stripes", rows=rows, cols=rows, n_train=n_train, n_test=400)
    return [qh.Evaluator.from_dataset(qh.BinaryMLP(sizes, activation="sign"), data)]


def fmt(values):
    return f"{statistics.fmean(values):.3f} ± {statistics.pstdev(values):.3f}"


def run(label, evaluators, seeds, budget, oracle):
    model = evaluators[0].model
    enc = BNNQubo(model, evaluators[0].X.numpy(), evaluators[0].y.numpy())
    print(f"\n{label}: {model.num_bits} bits, {evaluators[0].num_data} train points, "
          f"{len(evaluators)} problem(s) × {len(seeds)} seeds; QUBO {enc.num_variables} variables, "
          f"{enc.num_interactions} couplings")
    if oracle:
        ref = Exhaustive().fit(evaluators[0])
        print(f"  {'exact MAP':15s} test {ref.metrics['test_accuracy']:.3f}  train {ref.metrics['train_accuracy']:.3f}")
    plain = None
    for name, cfg in CONFIGS.items():
        test, train, z, secs = [], [], [], []
        for ev in evaluators:
            for seed in seeds:
                t = time.perf_counter()
                res = QUBO(seed=seed, **budget, **cfg).fit(ev)
                secs.append(time.perf_counter() - t)
                test.append(res.metrics["test_accuracy"])
                train.append(res.metrics["train_accuracy"])
                W, b = model.decode(res.bits).layers[0]
                z.append(float((ev.X @ W[0].T + b[0]).abs().mean()))
        plain = statistics.fmean(test) if plain is None else plain
        print(f"  {name:15s} test {fmt(test)}  train {fmt(train)}  hidden |z| {fmt(z)}  "
              f"{statistics.fmean(secs):.2f} s/run  Δtest vs plain {statistics.fmean(test) - plain:+.3f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seeds = range(2 if args.quick else 4)
    budget = {"num_reads": 4, "num_sweeps": 300} if args.quick else {"num_reads": 10, "num_sweeps": 1000}
    run("teacher [6,2,1] n=16", teacher_problems(2 if args.quick else 4), seeds, budget, oracle=False)
    run("bars2x2 [4,2,1] n=40", bars_problem(2, 40, [4, 2, 1]), seeds, budget, oracle=True)
    run("bars3x3 [9,2,1] n=60", bars_problem(3, 60, [9, 2, 1]), seeds, budget, oracle=True)


if __name__ == "__main__":
    main()
