"""Stuck-at fault sweep on a simulated memristor-crossbar network (digits10_8x8).

A crossbar network ``[64, 64, 64, 64] → 10`` is trained fault-free, once by LocalIB and once
end to end (backprop through the simulated crossbars, Manhattan pulses). Then, for each
stuck-at rate, a copy of each gets the same faults (a fraction of devices stuck fully off
or fully on) and is scored

* as trained (faulted, not retrained), and
* after retraining **in place** — faults present, stuck devices ignoring pulses — by the
  same method for a few epochs.

Prints a table and writes ``results/faults.png``.

    python benchmarks/faults.py            # rates 0/5/10/20/30 %, 2 seeds
    python benchmarks/faults.py --quick    # 1 seed, shorter training
"""
from __future__ import annotations

import argparse
import copy
import os

import numpy as np
import torch

import qhyper as qh
from qhyper.pib import train_end_to_end
from qhyper.trainers.localib import LocalIB

RATES = (0.0, 0.05, 0.1, 0.2, 0.3)
ARMS = ("localib: faulted", "localib: retrained", "e2e: faulted", "e2e: retrained")


def sweep(seed, epochs, retrain_epochs):
    data = qh.datasets.load("digits10_8x8", seed=seed)
    make = lambda: qh.pib.network("crossbar", [64, 64, 64, 64], 10, seed=seed)
    local = lambda e: LocalIB(epochs=e, lr=0.2, readout_lr=0.02, seed=seed, progress=False)
    e2e = lambda net, e: train_end_to_end(net, data, epochs=e, lr=0.2, readout_lr=0.02, seed=seed, progress=False)
    base = {"localib": local(epochs).fit(make(), data).state["network"],
            "e2e": e2e(make(), epochs).state["network"]}
    out = {}
    for rate in RATES:
        row = {}
        for name, trained in base.items():
            net = copy.deepcopy(trained)
            net.inject_faults(rate, "stuck_at", seed=1000 + seed)
            row[f"{name}: faulted"] = qh.pib.score(net, data)["test_accuracy"]
            res = local(retrain_epochs).fit(net, data) if name == "localib" else e2e(net, retrain_epochs)
            row[f"{name}: retrained"] = res.metrics["test_accuracy"]
        out[rate] = row
        print(f"  seed {seed} rate {rate:4.0%}: " + "  ".join(f"{k} {v:.3f}" for k, v in row.items()), flush=True)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--seeds", type=int, default=None)
    p.add_argument("--out", default="results/faults.png")
    a = p.parse_args()
    seeds = a.seeds or (1 if a.quick else 2)
    epochs, retrain = (8, 4) if a.quick else (20, 8)
    torch.set_num_threads(1)
    runs = [sweep(s, epochs, retrain) for s in range(seeds)]
    mean = {r: {k: np.mean([run[r][k] for run in runs]) for k in ARMS} for r in RATES}
    print(f"\nStuck-at faults on a crossbar network, digits10_8x8 test accuracy "
          f"(train {epochs} epochs, retrain {retrain}; mean of {seeds} seed(s))")
    print(f"{'rate':>6s} " + " ".join(f"{k:>19s}" for k in ARMS))
    for r in RATES:
        print(f"{r:6.0%} " + " ".join(f"{mean[r][k]:19.3f}" for k in ARMS))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4))
    for k, style in zip(ARMS, ("o--", "o-", "s--", "s-")):
        ax.plot([100 * r for r in RATES], [mean[r][k] for r in RATES], style, label=k)
    ax.set_xlabel("devices stuck (%)")
    ax.set_ylabel("test accuracy")
    ax.set_title("crossbar network, digits10_8x8: faults and in-place retraining")
    ax.legend(fontsize=8)
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    fig.savefig(a.out, dpi=120, bbox_inches="tight")
    print(f"figure: {a.out}")


if __name__ == "__main__":
    main()
