"""Local IB vs HSIC bottleneck vs end-to-end STE on the same 3-unit binary network; Ray vs sequential.

Every method trains a fresh ``qh.pib.network("binary", [d, 64, 64, 64], n_classes)`` with
the same seed, and is scored by the shared Evaluator (binary networks are BinaryMLPs).
The Ray section trains LocalIB twice on digits10_8x8 — units in turn in one process, and
one Ray actor per unit, pipelined — and reports accuracy and wall time of both (Ray's own
start-up time is reported separately). Information-plane figures of the first seed go to
``results/information_plane_<method>_<task>.png``.

    python benchmarks/localib.py            # 3 seeds, 30 epochs, digits10_8x8 and moons, Ray
    python benchmarks/localib.py --quick    # 1 seed, 8 epochs
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

import qhyper as qh
from qhyper.trainers.localib import HSICBottleneck, LocalIB
from qhyper.pib import train_end_to_end

HIDDEN = (64, 64, 64)


def _net(data, seed):
    return qh.pib.network("binary", [data.n_features, *HIDDEN], data.n_classes, seed=seed)


def _plane(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(os.path.dirname(path), exist_ok=True)
    ax = qh.pib.plot_information_plane(result, path=path)
    plt.close(ax.figure)


def compare(tasks, seeds, epochs):
    rows = {}
    for task in tasks:
        for seed in range(seeds):
            data = qh.datasets.load(task, seed=seed)
            runs = {
                "localib": lambda: LocalIB(epochs=epochs, seed=seed, progress=False).fit(_net(data, seed), data),
                "hsic": lambda: HSICBottleneck(epochs=epochs, seed=seed, progress=False).fit(_net(data, seed), data),
                "end_to_end_ste": lambda: train_end_to_end(_net(data, seed), data, epochs=epochs, seed=seed,
                                                           progress=False),
            }
            for method, run in runs.items():
                res = run()
                if seed == 0 and method != "end_to_end_ste":
                    _plane(res, f"results/information_plane_{method}_{task}.png")
                rows.setdefault((task, method), []).append(
                    (res.metrics["test_accuracy"], res.metrics["train_accuracy"], res.wall_time))
                print(f"  {task:14s} seed {seed} {method:15s} test {res.metrics['test_accuracy']:.3f} "
                      f"train {res.metrics['train_accuracy']:.3f}  {res.wall_time:6.1f} s", flush=True)
    print(f"\n3-unit binary network {list(HIDDEN)}, {epochs} epochs, {seeds} seed(s): mean ± sd")
    print(f"{'task':14s} {'method':15s} {'test acc':>14s} {'train acc':>14s} {'time [s]':>9s}")
    for (task, method), vals in rows.items():
        v = np.array(vals)
        print(f"{task:14s} {method:15s} {v[:, 0].mean():.3f} ± {v[:, 0].std():.3f}  "
              f"{v[:, 1].mean():.3f} ± {v[:, 1].std():.3f} {v[:, 2].mean():9.1f}")
    for task in tasks:
        gap = np.mean([a[0] for a in rows[(task, "localib")]]) - np.mean([a[0] for a in rows[(task, "end_to_end_ste")]])
        print(f"{task}: LocalIB − end-to-end STE test accuracy = {100 * gap:+.1f} points (target ≥ −5)")


def parallel(epochs):
    """Sequential vs Ray on digits10_8x8: the binary network, and an optical one (SPSA units)."""
    import ray

    data = qh.datasets.load("digits10_8x8")
    t = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    startup = time.perf_counter() - t
    print(f"\nParallel units (digits10_8x8, 3 units + readout; ray.init took {startup:.1f} s):")
    try:
        for kind, n_epochs in (("binary", epochs), ("optical", max(2, epochs // 10))):
            make = lambda: qh.pib.network(kind, [64, *HIDDEN], 10, seed=0)
            seq = LocalIB(epochs=n_epochs, seed=0, progress=False).fit(make(), data)
            par = LocalIB(epochs=n_epochs, seed=0, parallel="ray", progress=False).fit(make(), data)
            same = "identical networks" if torch.equal(seq.bits, par.bits) and seq.bits.numel() else "same seeds"
            print(f"  {kind:8s} {n_epochs:3d} epochs  sequential: test {seq.metrics['test_accuracy']:.3f} "
                  f"wall {seq.wall_time:6.1f} s | ray actors: test {par.metrics['test_accuracy']:.3f} "
                  f"wall {par.wall_time:6.1f} s (actor start {par.state['ray_startup']:.1f} s) | "
                  f"ratio ray/sequential {par.wall_time / seq.wall_time:.2f}, without actor start "
                  f"{(par.wall_time - par.state['ray_startup']) / seq.wall_time:.2f} ({same})")
    finally:
        ray.shutdown()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--seeds", type=int, default=None)
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--tasks", nargs="+", default=["digits10_8x8", "moons"])
    p.add_argument("--no-ray", action="store_true")
    a = p.parse_args()
    seeds = a.seeds or (1 if a.quick else 3)
    epochs = a.epochs or (8 if a.quick else 30)
    torch.set_num_threads(1)
    compare(a.tasks, seeds, epochs)
    if not a.no_ray:
        parallel(epochs)


if __name__ == "__main__":
    main()
