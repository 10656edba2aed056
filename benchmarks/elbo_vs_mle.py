"""Generalisation and calibration on small training sets: MLE, exact ELBO, MMD-surrogate ELBO, STE
and the exact posterior.

The variational paper claims that the Bayesian objectives (exact ELBO, MMD-surrogate ELBO)
generalise better than the expected-loss objective (MLE) of the original method. This study
tests it. Tasks: ``gaussian_mixture`` (the 2-D task of the QHN paper, network 2→4→1 with a
hidden-activation choice bit: 18 bits) and ``digits01_4x4`` (logistic regression with ±1
weights: 17 bits). For each training-set size N and seed, a training set of N points is drawn
(``Dataset.subsample(N, seed)``; the test set is the task's full test split) and every method
runs with the library's **default settings**:

* ``mle`` — ``QHN(MLE())``: exact mode, L-BFGS, 300 evaluations, entropy annealing;
* ``elbo`` — ``QHN(ELBO())`` (β = 1, uniform prior): exact mode, L-BFGS, 300 evaluations,
  fitting the circuit's distribution averaged over the hidden-unit permutations (its KL is
  the ``KL sym`` column) and tempered (its KL weight falling from 4·σ(log p(D|w)) to 1 over
  the first half of the budget);
* ``elbo-plain`` — ``QHN(ELBO(symmetrise=False), anneal=None)``: the ELBO of the circuit's own
  distribution, untempered (the default before tempering);
* ``mmd`` — ``QHN(MMDSurrogateELBO(lam=N))`` from shots only (256 per circuit), Adam, SPSA
  with 2 directions, 200 steps — the ``mmd`` method of ``qhyper compare``;
* ``ste`` — ``qh.trainers.STE()`` (latent real weights, straight-through sign);
* ``exact`` — the exact Bayesian posterior by enumeration: its MAP network and its
  predictive average (the ceiling).

All circuits are the ``brick`` family at its default depth. Per run: test accuracy of the MAP
network, and of the posterior-predictive average (exact q: the networks holding 1 − 10⁻⁶ of
the mass; shots: the final samples; STE: its one network), the predictive test NLL, the
expected calibration error (ECE, 10 equal-width confidence bins) and the Brier score;
for the exact-mode circuits KL(q ‖ posterior) and KL(q̄ ‖ posterior), q̄ the circuit's
distribution averaged over the network's hidden-unit permutations (:mod:`qhyper.symmetry`:
the posterior of 2→4→1 is a mixture of 4! = 24 permuted copies, so a q on one copy is
ln 24 = 3.18 nats away however well it fits it). The table gives means with 95% confidence
intervals (Student t over seeds).

    python benchmarks/elbo_vs_mle.py                        # both tasks, N = 10…200, 10 seeds
    python benchmarks/elbo_vs_mle.py --tasks gaussian_mixture --sizes 20 --seeds 3
    python benchmarks/elbo_vs_mle.py --quick
"""
from __future__ import annotations

import argparse
import math
import statistics
import time

import torch
from scipy import stats

import qhyper as qh
from qhyper.bitstrings import top_mass
from qhyper.symmetry import symmetrise

TASKS = {
    "gaussian_mixture": (lambda: qh.datasets.load("gaussian_mixture", n_train=1000, n_test=1000),
                         lambda: qh.BinaryMLP([2, 4, 1], activation=["relu", "sigmoid"])),
    "digits01_4x4": (lambda: qh.datasets.load("digits01_4x4"), lambda: qh.BinaryMLP([16, 1])),
}
METHODS = ("mle", "elbo", "elbo-plain", "mmd", "ste", "exact")
METRICS = ("map_acc", "pred_acc", "nll", "ece", "brier", "kl", "kl_sym")


def calibration(p1: torch.Tensor, y: torch.Tensor, bins: int = 10) -> tuple[float, float, float]:
    """(NLL, ECE, Brier) of binary predictive probabilities ``p1`` = p(y = 1 | x) against labels ``y``."""
    p1, y = p1.clamp(1e-12, 1 - 1e-12), y.to(p1.dtype)
    nll = float(-(y * p1.log() + (1 - y) * (1 - p1).log()).mean())
    conf = torch.maximum(p1, 1 - p1)
    correct = ((p1 >= 0.5).to(p1.dtype) == y).to(p1.dtype)
    which = torch.clamp(((conf - 0.5) * 2 * bins).long(), max=bins - 1)  # confidence lies in [0.5, 1]
    ece = sum(float((which == b).sum()) / len(y) * abs(float(correct[which == b].mean() - conf[which == b].mean()))
              for b in range(bins) if bool((which == b).any()))
    brier = float(((p1 - y) ** 2).mean())
    return nll, ece, brier


def run_method(name, ev, post, model, data, seed, args):
    """``(MAP bits [n], predictive bits [K, n], weights [K], exact q or None, seconds)``."""
    t0 = time.perf_counter()
    layers = qh.circuits.brick.DEFAULT_LAYERS if args.layers is None else args.layers
    circuit = qh.circuits.get("brick", n_qubits=model.num_bits, layers=layers)
    steps = {} if args.steps is None else {"steps": args.steps}
    if name in ("mle", "elbo", "elbo-plain"):
        objective = {"mle": qh.objectives.MLE(), "elbo": qh.objectives.ELBO(),
                     "elbo-plain": qh.objectives.ELBO(symmetrise=False)}[name]
        hn = qh.Hypernetwork(circuit, seed=seed)
        anneal = None if name == "elbo-plain" else "auto"
        res = qh.trainers.QHN(objective, seed=seed, progress=False, restarts=args.restarts, anneal=anneal,
                              **steps).fit(hn, ev)
        q = res.state["probs"].detach()
        bits, w = top_mass(q)
        return res.bits, bits, w, q, time.perf_counter() - t0
    if name == "mmd":
        hn = qh.Hypernetwork(circuit, shots=256, seed=seed)
        res = qh.trainers.QHN(qh.objectives.MMDSurrogateELBO(lam=float(ev.num_data)), gradient="spsa",
                              spsa=qh.gradients.SPSA(directions=2), steps=args.mmd_steps, seed=seed,
                              progress=False).fit(hn, ev)
        samples = res.state["samples"]
        return res.bits, samples, torch.full((samples.shape[0],), 1.0 / samples.shape[0], dtype=torch.float64), \
            None, time.perf_counter() - t0
    if name == "ste":
        res = qh.trainers.STE(seed=seed, **({"epochs": args.ste_epochs} if args.ste_epochs else {})).fit(ev)
        return res.bits, res.bits.reshape(1, -1), torch.ones(1, dtype=torch.float64), None, time.perf_counter() - t0
    bits, w = post.top()
    return post.map_bits, bits, w, None, time.perf_counter() - t0


def score(ev, post, model, data, out):
    map_bits, bits, w, q, seconds = out
    test = ev.test()
    p1 = ev.predictive(bits, w, data.X_test)[:, 1]
    nll, ece, brier = calibration(p1, torch.as_tensor(data.y_test))
    row = {"map_acc": float(test.accuracy(map_bits.reshape(1, -1))[0]),
           "pred_acc": float(((p1 >= 0.5).long() == torch.as_tensor(data.y_test).long()).double().mean()),
           "nll": nll, "ece": ece, "brier": brier, "seconds": seconds}
    if q is not None:
        row["kl"] = post.kl_from(q)
        row["kl_sym"] = post.kl_from(symmetrise(q, model))
    return row


def ci(values):
    """Mean and the half-width of its 95% Student-t interval."""
    m = statistics.mean(values)
    if len(values) < 2:
        return m, float("nan")
    return m, stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", default="gaussian_mixture,digits01_4x4")
    p.add_argument("--sizes", default="10,20,50,100,200")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--layers", type=int, default=None, help="brick depth (default: the family's default)")
    p.add_argument("--steps", type=int, default=None, help="QHN budget for mle/elbo (default: QHN's)")
    p.add_argument("--restarts", type=int, default=1, help="QHN restarts for mle/elbo/elbo-plain (default: QHN's, 1)")
    p.add_argument("--mmd-steps", type=int, default=200)
    p.add_argument("--ste-epochs", type=int, default=None)
    p.add_argument("--quick", action="store_true", help="one task, N = 20, one seed, small budgets")
    p.add_argument("--threads", type=int, default=1, help="torch threads (1 avoids oversubscription)")
    args = p.parse_args(argv)
    if args.quick:
        args.tasks, args.sizes, args.seeds, args.steps, args.mmd_steps, args.ste_epochs = \
            "gaussian_mixture", "20", 1, 10, 5, 2
    tasks, sizes = args.tasks.split(","), [int(s) for s in args.sizes.split(",")]
    methods = args.methods.split(",")
    unknown = [t for t in tasks if t not in TASKS] + [m for m in methods if m not in METHODS]
    if unknown:
        raise SystemExit(f"unknown task or method {unknown}; tasks {list(TASKS)}, methods {list(METHODS)}")
    torch.set_num_threads(args.threads)
    summary = {}
    print(f"{'task':<16} {'N':>3} {'seed':>4} {'method':>8} {'MAP acc':>7} {'pred acc':>8} {'NLL':>6} "
          f"{'ECE':>6} {'Brier':>6} {'KL':>7} {'KL sym':>7} {'s':>6}")
    for task in tasks:
        load, build = TASKS[task]
        full, model = load(), build()
        for N in sizes:
            for seed in range(args.seeds):
                data = full.subsample(N, seed=seed)
                ev = qh.Evaluator.from_dataset(model, data)
                post = qh.ExactPosterior(ev)
                torch.set_num_threads(args.threads)  # the loss-table kernel's thread pool resets torch's count
                for name in methods:
                    row = score(ev, post, model, data, run_method(name, ev, post, model, data, seed, args))
                    summary.setdefault((task, N, name), []).append(row)
                    kl = "".join(f" {row[k]:>7.3f}" if k in row else f" {'-':>7}" for k in ("kl", "kl_sym"))
                    print(f"{task:<16} {N:>3} {seed:>4} {name:>8} {row['map_acc']:>7.3f} {row['pred_acc']:>8.3f} "
                          f"{row['nll']:>6.3f} {row['ece']:>6.3f} {row['brier']:>6.3f}{kl} {row['seconds']:>6.1f}",
                          flush=True)
    print(f"\nmeans over seeds ± 95% CI half-width (Student t); {args.seeds} seeds")
    print(f"{'task':<16} {'N':>3} {'method':>8} " + " ".join(f"{k:>15}" for k in METRICS))
    for (task, N, name), rows in summary.items():
        cells = []
        for k in METRICS:
            vals = [r[k] for r in rows if k in r]
            if not vals:
                cells.append(f"{'-':>15}")
                continue
            m, h = ci(vals)
            cells.append(f"{m:>7.3f} ± {h:<5.3f}" if h == h else f"{m:>7.3f}        ")
        print(f"{task:<16} {N:>3} {name:>8} " + " ".join(cells))


if __name__ == "__main__":
    main()
