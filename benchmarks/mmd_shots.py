"""MMD-surrogate ELBO from shots: convergence to the explicit (exact ELBO) case.

Task: ``moons`` with 40 training points (200 test points), network 2→2→1 with sign
activations — 9 qubits — on a 3-layer ``brick`` hypernetwork.

References (exact mode, L-BFGS): the exact ELBO trainer, and the MMD-surrogate objective
with exact gradients (its infinite-shot limit); the exact Bayesian posterior (enumeration)
as the oracle. Then the MMD-surrogate ELBO trained **from shots only** (shot-mode
hypernetwork: no probabilities are read) with Adam, for shots per circuit 64 … 4096 and the
two estimators: parameter-shift (2P + 1 = 109 circuits per step) and SPSA (2 circuits per
step). Each run is scored from 4096 fresh final samples: test accuracy of the
posterior-predictive average over the samples and of the most frequent network. As a
measurement only (not used in training), the benchmark also loads each final θ into an exact
hypernetwork and prints the exact surrogate ELBO there: the shots-vs-quality curve.

    python benchmarks/mmd_shots.py              # shots 64,256,1024,4096; 100 steps
    python benchmarks/mmd_shots.py --quick
"""
from __future__ import annotations

import argparse
import time

import torch

import qhyper as qh


def brick(n, layers, **kw):
    return qh.Hypernetwork(qh.circuits.get("brick", n_qubits=n, layers=layers), **kw)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shots", default="64,256,1024,4096")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--spsa-steps", type=int, default=300)
    p.add_argument("--lam", type=float, default=40.0)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="64 and 256 shots, 10 steps")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (1 avoids oversubscription on a shared machine)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.quick:
        args.shots, args.steps, args.spsa_steps = "64,256", 10, 20
    shots_list = [int(s) for s in args.shots.split(",")]

    data = qh.datasets.load("moons").subsample(40, seed=args.seed)
    model = qh.BinaryMLP([2, 2, 1])
    ev = qh.Evaluator.from_dataset(model, data)
    n = model.num_bits
    post = qh.ExactPosterior(ev)
    print(f"task: {data}; {model}; brick layers={args.layers}; lambda={args.lam}")
    print(f"oracle (exact posterior): predictive test acc {post.predictive_accuracy(data.X_test, data.y_test):.3f}, "
          f"MAP test acc {float(ev.test().accuracy(post.map_bits)[0]):.3f}")
    print(f"{'trainer':<38} {'shots':>6} {'steps':>5} {'exact surrogate':>15} {'pred. test acc':>14} "
          f"{'MAP test acc':>12} {'s/step':>7} {'circuits/step':>13}")
    surrogate = qh.objectives.MMDSurrogateELBO(args.lam)
    task = qh.objectives.LossSource(ev)
    probe = brick(n, args.layers)

    def exact_surrogate(theta):
        with torch.no_grad():
            probe.theta.copy_(theta)
            return surrogate.value(float(surrogate.exact_loss(probe.distribution().probs(), task)))

    def report(label, shots, steps, res, circuits):
        m = res.metrics
        print(f"{label:<38} {shots:>6} {steps:>5} {exact_surrogate(res.state['theta']):>15.3f} "
              f"{m['predictive_test_accuracy']:>14.3f} {m['test_accuracy']:>12.3f} "
              f"{res.wall_time / steps:>7.3f} {circuits:>13}", flush=True)

    for label, obj in [("exact ELBO (backprop, L-BFGS)", qh.objectives.ELBO()),
                       ("MMD surrogate, exact gradient", surrogate)]:
        res = qh.trainers.QHN(obj, optimizer="lbfgs", steps=100, seed=args.seed, progress=False).fit(
            brick(n, args.layers), ev)
        report(label, 0, len(res.history["objective"]), res, 1)
    ansatz = brick(n, args.layers).ansatz
    P = ansatz.num_params - len(ansatz.inert_params)  # parameters parameter shift moves
    for shots in shots_list:
        for gradient, steps, circuits in [("parameter-shift", args.steps, 2 * P + 1), ("spsa", args.spsa_steps, 2)]:
            hn = brick(n, args.layers, shots=shots, seed=args.seed)
            t0 = time.perf_counter()
            res = qh.trainers.QHN(surrogate, gradient=gradient, steps=steps, lr=args.lr, seed=args.seed,
                                  progress=False).fit(hn, ev)
            res.wall_time = time.perf_counter() - t0
            report(f"MMD surrogate, shots, {gradient}", shots, steps, res, circuits)


if __name__ == "__main__":
    main()
