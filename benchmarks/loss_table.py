"""Loss table of every network: qhyper's engine against a per-network Python loop.

The task of the original Quantum HyperNetworks paper: a 2→4→1 binary MLP with an
activation choice bit (ReLU or sigmoid) — 18 bits, 2^18 = 262,144 networks — on 10,000
Gaussian-mixture points. The peers, measured in the same run on a random subsample of
networks and extrapolated per network:

* ``numpy loop``: a plain per-network NumPy forward pass and log-likelihood;
* ``Evaluator loop``: ``Evaluator.log_likelihood`` called once per network;
* ``batched forward``: ``Evaluator.log_likelihood`` on chunks of networks (the generic
  engine qhyper uses for deeper models).

Run: ``python benchmarks/loss_table.py [--sample 300]``.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import qhyper as qh


def numpy_loop(model, bits, X, y):
    acts = {"relu": lambda v: np.maximum(v, 0), "sigmoid": lambda v: 1 / (1 + np.exp(-v))}
    t = 2 * y - 1
    out = []
    for row in bits:
        w = 2 * row - 1
        W1, b1, W2, b2 = w[:8].reshape(4, 2), w[8:12], w[12:16], w[16]
        h = acts[model.activations[int(row[17])]](X @ W1.T + b1)
        z = h @ W2 + b2
        out.append(-np.logaddexp(0, -t * z).sum())
    return np.array(out)


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--sample", type=int, default=300, help="networks timed with the per-network loops")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    data = qh.datasets.load("gaussian_mixture", n_train=args.points, n_test=10)
    model = qh.BinaryMLP([2, 4, 1], activation=["relu", "sigmoid"])
    ev = qh.Evaluator(model, data.X_train, data.y_train)
    n = model.num_bits
    print(f"{model} on {args.points} points, {2**n:,} networks; torch threads {torch.get_num_threads()}")

    t = time.perf_counter()
    qh.Evaluator(model, data.X_train[:50], data.y_train[:50]).loss_table()  # compile the kernel
    print(f"kernel compile / cache load: {time.perf_counter() - t:.2f} s (once per install)")

    t_table, _ = best_of(lambda: qh.Evaluator(model, data.X_train, data.y_train).log_likelihood_table(), args.repeat)
    table = ev.log_likelihood_table()
    per_net = t_table / 2**n

    rng = np.random.default_rng(0)
    idx = rng.choice(2**n, args.sample, replace=False)
    bits = qh.bitstrings.index_to_bits(torch.from_numpy(idx), n)
    t_np, ll_np = best_of(lambda: numpy_loop(model, bits.numpy(), data.X_train, data.y_train), 1)
    t_ev, ll_ev = best_of(lambda: torch.stack([ev.log_likelihood(bits[i:i + 1])[0] for i in range(len(idx))]), 1)
    t_batch, ll_b = best_of(lambda: ev.log_likelihood(bits), 1)
    err = max(np.abs(table[idx].numpy() - ll_np).max(), (table[idx] - ll_ev).abs().max().item(),
              (table[idx] - ll_b).abs().max().item())

    print(f"\nqhyper loss table, all 2^{n}: {t_table:.3f} s  ({per_net * 1e6:.2f} µs per network; target < 0.6 s)")
    print(f"{'peer':<22}{'µs / network':>14}{'qhyper speed-up':>18}{'full table (extrap.)':>24}")
    for name, t in (("numpy loop", t_np), ("Evaluator loop", t_ev), ("batched forward", t_batch)):
        pn = t / len(idx)
        print(f"{name:<22}{pn * 1e6:>14.1f}{pn / per_net:>17.0f}×{pn * 2**n:>22.1f} s")
    rel = float(((table[idx] - ll_b).abs() / ll_b.abs()).max())
    print(f"\nmax |difference| in log-likelihood against the peers on the subsample: {err:.2e} "
          f"(relative to the batched forward: {rel:.1e}; target ≤ 1e-9)")


if __name__ == "__main__":
    main()
