"""MLE vs exact ELBO on small training sets: does the Bayesian objective generalise better?

Task: the 2-D Gaussian mixture of the original paper with only 20–50 training points (2000
test points), network 2→4→1 with a hidden-activation choice bit (ReLU or sigmoid):
``qh.BinaryMLP([2, 4, 1], activation=["relu", "sigmoid"])`` — 18 qubits, exact mode
(torch statevector engine), ``brick`` ansatz, L-BFGS.

For each training-set size and seed, trains the same circuit with MLE (expected loss) and
with ELBO (β = 1, uniform prior) and reports the test accuracy of

* the MAP network (most probable bitstring of q_θ), and
* the posterior-predictive average Σ_b q_θ(b) p(y|x, b) over the networks holding
  1 − 10⁻⁶ of q_θ's mass (at most 4096),

next to the exact Bayesian posterior's predictive accuracy (oracle, by enumeration), and
KL(q_θ ‖ posterior) — how far each trained circuit is from the Bayesian answer.

    python benchmarks/elbo_vs_mle.py                    # sizes 10, 20, 50; 4 seeds; 3 layers; 100 L-BFGS steps
    python benchmarks/elbo_vs_mle.py --quick
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

import qhyper as qh


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10,20,50")
    p.add_argument("--seeds", type=int, default=4)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--quick", action="store_true", help="one size, one seed, 10 steps")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (1 avoids oversubscription on a shared machine)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.quick:
        args.sizes, args.seeds, args.steps = "20", 1, 10
    sizes = [int(s) for s in args.sizes.split(",")]

    full = qh.datasets.load("gaussian_mixture")
    model = qh.BinaryMLP([2, 4, 1], activation=["relu", "sigmoid"])
    print(f"model {model}; test points {len(full.y_test)}; brick layers={args.layers}, L-BFGS steps={args.steps}")
    print(f"{'N':>3} {'seed':>4} {'method':>6} {'MAP test acc':>12} {'pred. test acc':>14} "
          f"{'entropy':>8} {'KL(q||post)':>11} {'time s':>7}")
    summary: dict[tuple[int, str], list[tuple[float, float]]] = {}
    for N in sizes:
        for seed in range(args.seeds):
            data = full.subsample(N, seed=seed)
            ev = qh.Evaluator.from_dataset(model, data)
            post = qh.ExactPosterior(ev)
            torch.set_num_threads(args.threads)  # the loss-table kernel's thread pool resets torch's count
            oracle = post.predictive_accuracy(data.X_test, data.y_test)
            rows = {"oracle": (float(ev.test().accuracy(post.map_bits)[0]), oracle)}
            for name, objective in [("mle", qh.objectives.MLE()), ("elbo", qh.objectives.ELBO())]:
                hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=model.num_bits, layers=args.layers))
                t0 = time.perf_counter()
                res = qh.trainers.QHN(objective, optimizer="lbfgs", steps=args.steps, seed=seed,
                                      progress=False).fit(hn, ev)
                m = res.metrics
                rows[name] = (m["test_accuracy"], m["predictive_test_accuracy"])
                print(f"{N:>3} {seed:>4} {name:>6} {m['test_accuracy']:>12.3f} "
                      f"{m['predictive_test_accuracy']:>14.3f} {m['entropy']:>8.3f} "
                      f"{post.kl_from(res.state['probs']):>11.3f} {time.perf_counter() - t0:>7.1f}", flush=True)
            print(f"{N:>3} {seed:>4} {'oracle':>6} {rows['oracle'][0]:>12.3f} {rows['oracle'][1]:>14.3f} "
                  f"{post.entropy:>8.3f}", flush=True)
            for k, v in rows.items():
                summary.setdefault((N, k), []).append(v)
    print("\nmean over seeds (test accuracy):")
    print(f"{'N':>3} {'method':>6} {'MAP':>7} {'predictive':>10}")
    for (N, k), v in summary.items():
        print(f"{N:>3} {k:>6} {statistics.mean(a for a, _ in v):>7.3f} {statistics.mean(b for _, b in v):>10.3f}")


if __name__ == "__main__":
    main()
