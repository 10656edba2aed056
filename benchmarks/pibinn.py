"""PIBiNN against its baselines: NMSE, total bits, bits per weight and generalisation.

1. ``methods`` — on ``deconv1d`` and ``block_cs`` over seeds (mean ± std): PIBiNN (8 and 16
   layers), masked full precision (free form, the strongest reference, and coupled form),
   dense binary (one global scale), ternary (TWN, one α per matrix) and channel-wise binary
   (one scale per output row), each on the physics support and on the dense one, binary on a
   learned (magnitude-pruned) support that pays for its mask, ISTA and dense LISTA. Columns:
   test NMSE (dB), its difference to the free-form masked full-precision network of the
   same seed, the train-test gap (dB), total bits (signs or symbols, every scale and
   threshold as float32, a learned mask's storage) and bits per dense weight position.
   Every quantised network gets the same recipe: full-precision warm start, then
   quantisation-aware training with progressive quantisation (``ramp_steps`` = steps/4).
2. ``memory`` — the paper's memory claim at matched NMSE: PIBiNN and the ternary and
   channel-wise networks at 2, 4 and 8 layers (seed 0); for each, the total bits needed to
   reach PIBiNN's 8-layer NMSE (interpolated linearly in log bits between depths).
3. ``sizes`` — generalisation gap against the training-set size; ``quantum`` — the quantum
   link on the small tied configuration (16 sign bits), as in earlier versions.

    python benchmarks/pibinn.py --seeds 3 --threads 1          # methods and memory
    python benchmarks/pibinn.py --quick --threads 1            # 1 seed, 300 steps
    python benchmarks/pibinn.py --only sizes                   # or: quantum
"""
import argparse
import math
import statistics
import time

import torch

from qhyper.comparison.methods.pibinn import run_method, small_problem
from qhyper.pibinn import UnrolledISTA, load_problem, nmse_db, storage_report, train

FREE_FP = "masked FP, free form"
#: name → UnrolledISTA options (``None``: a named method of ``qhyper.comparison``)
METHODS = {
    "PIBiNN (8 layers)": dict(mask="physics", weights="binary", scale="global"),
    "PIBiNN (16 layers)": dict(mask="physics", weights="binary", scale="global", layers=16),
    FREE_FP: dict(mask="physics", weights="real", form="lista"),
    "masked FP, coupled form": dict(mask="physics", weights="real"),
    "binary dense, global": dict(mask="dense", weights="binary", scale="global"),
    "ternary (TWN) physics": dict(mask="physics", weights="ternary", scale="per_layer"),
    "ternary (TWN) dense": dict(mask="dense", weights="ternary", scale="per_layer"),
    "channel-wise physics": dict(mask="physics", weights="binary", scale="per_row"),
    "channel-wise dense": dict(mask="dense", weights="binary", scale="per_row"),
    "binary, pruned mask": None,
    "ista": None,
    "lista dense FP": dict(mask="dense", weights="real", form="lista"),
}
SWEPT = ("PIBiNN (8 layers)", "ternary (TWN) physics", "ternary (TWN) dense", "channel-wise physics",
         "channel-wise dense")


def fit(name, problem, seed, steps, layers=8):
    """Train method ``name``; returns (network, wall seconds)."""
    start = time.perf_counter()
    opts = METHODS[name]
    if opts is None:
        key = "ista" if name == "ista" else "binary_pruned"
        res = run_method(key, problem, seed=seed, layers=layers, steps=steps, threads=None)
        return res.state["model"], time.perf_counter() - start
    opts = {"layers": layers, "form": "cp", **opts}
    net = UnrolledISTA(problem, **opts)
    ramp = steps // 4 if opts["weights"] != "real" else 0
    train(net, problem, steps=steps, seed=seed, progress=False, ramp_steps=ramp)
    return net, time.perf_counter() - start


def measure(net, problem):
    test, tr = nmse_db(net, problem, "test"), nmse_db(net, problem, "train")
    rep = storage_report(net)
    return dict(test=test, gap=test - tr, bits=rep.total_bits, bpw=rep.bits_per_weight)


def fmt(values, digits=2):
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.fmean(values):.{digits}f} ± {statistics.pstdev(values):.{digits}f}"


def methods_table(task_name, seeds, steps):
    rows = {m: [] for m in METHODS}
    for seed in seeds:
        problem = load_problem(task_name, seed=seed)
        for name in METHODS:
            net, wall = fit(name, problem, seed, steps)
            rows[name].append({**measure(net, problem), "wall": wall})
        ref = rows[FREE_FP][-1]["test"]
        for name in METHODS:
            rows[name][-1]["diff"] = rows[name][-1]["test"] - ref
    print(f"\n== {task_name}: {steps} training steps, seeds {list(seeds)} (mean ± std over seeds) ==")
    print(f"{'method':26s} {'test NMSE dB':>15s} {'− free FP dB':>14s} {'gap dB':>13s} {'total bits':>11s} "
          f"{'bits/weight':>11s} {'time s':>7s}")
    for name, r in rows.items():
        col = lambda k: [x[k] for x in r]  # noqa: E731
        bpw = "—" if name == "ista" else f"{statistics.fmean(col('bpw')):.4f}"
        print(f"{name:26s} {fmt(col('test')):>15s} {fmt(col('diff')):>14s} {fmt(col('gap')):>13s} "
              f"{statistics.fmean(col('bits')):11.0f} {bpw:>11s} {statistics.fmean(col('wall')):7.1f}")
    return rows


def bits_at(curve, target):
    """Total bits at which ``curve`` [(bits, nmse)] first reaches ``target`` dB (log-linear), or None."""
    curve = sorted(curve)
    if curve[0][1] <= target:
        return curve[0][0]
    for (b0, e0), (b1, e1) in zip(curve, curve[1:]):
        if e1 <= target < e0:
            f = (e0 - target) / (e0 - e1)
            return math.exp(math.log(b0) + f * (math.log(b1) - math.log(b0)))
    return None


def memory_table(task_name, steps, rows8, depths=(2, 4, 8)):
    problem = load_problem(task_name, seed=0)
    curves = {}
    for name in SWEPT:
        curves[name] = []
        for layers in depths:
            m = rows8[name][0] if layers == 8 else measure(fit(name, problem, 0, steps, layers)[0], problem)
            curves[name].append((layers, m["bits"], m["test"]))
    target = rows8["PIBiNN (8 layers)"][0]["test"]
    pib = bits_at([(b, e) for _, b, e in curves["PIBiNN (8 layers)"]], target)
    print(f"\n-- {task_name}, seed 0: total bits (test NMSE dB) by depth; bits to reach PIBiNN's {target:.2f} dB --")
    print(f"{'method':24s} " + " ".join(f"{f'{d} layers':>19s}" for d in depths) + f" {'bits at target':>15s} "
          f"{'× PIBiNN':>9s}")
    for name, curve in curves.items():
        need = bits_at([(b, e) for _, b, e in curve], target)
        cells = " ".join(f"{f'{b:.0f} ({e:.2f})':>19s}" for _, b, e in curve)
        ratio = f"{need / pib:9.2f}" if need else f"{'—':>9s}"
        print(f"{name:24s} {cells} {f'{need:.0f}' if need else 'not reached':>15s} {ratio}")


def sizes_table(sizes, steps, layers=8, seed=0):
    print(f"\n== generalisation gap against training-set size ({steps} steps, seed {seed}) ==")
    for task_name in ("deconv1d", "block_cs"):
        full = load_problem(task_name, seed=seed, n_train=max(sizes))
        print(f"\n{task_name}: test NMSE dB / gap dB (test − train)")
        print(f"{'n_train':>8s} {'binary_dense':>22s} {'pibinn':>22s}")
        for size in sizes:
            task = full.subset(size)
            cells = []
            for m in ("binary_dense", "pibinn"):
                res = run_method(m, task, seed=seed, layers=layers, steps=steps)
                cells.append(f"{res.metrics['test_nmse_db']:7.2f} / {res.metrics['gap_db']:6.2f}")
            print(f"{size:8d} {cells[0]:>22s} {cells[1]:>22s}")


def quantum(seed, qhn_steps, lbfgs_steps, mmd_steps, shots):
    task = small_problem(seed)
    print(f"\n== quantum link: {task}, tied PIBiNN, 4 layers ==")
    runs = [("mle (exact, adam)", dict(objective="mle", qhn_steps=qhn_steps)),
            ("mle (exact, l-bfgs)", dict(objective="mle", qhn_steps=lbfgs_steps, qhn_optimizer="lbfgs")),
            ("elbo (exact, l-bfgs)", dict(objective="elbo", qhn_steps=lbfgs_steps, qhn_optimizer="lbfgs")),
            (f"mmd-elbo ({shots} shots)", dict(objective="mmd", shots=shots, qhn_steps=mmd_steps))]
    for label, opts in runs:
        res = run_method("qhn", task, seed=seed, **opts)
        m = res.metrics
        print(f"QHN {label}: MAP test NMSE {m['test_nmse_db']:.2f} dB, train {m['train_nmse_db']:.2f} dB, "
              f"table rank {m['qhn_rank']}, p(best bitstring) {m['p_best']:.4g}; STE {m['ste_test_nmse_db']:.2f} dB")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3, help="seeds 0 … N−1 (at least 3 for the reported table)")
    ap.add_argument("--steps", type=int, default=2000, help="training steps per network")
    ap.add_argument("--quick", action="store_true", help="1 seed, 300 steps")
    ap.add_argument("--task", choices=["deconv1d", "block_cs", "both"], default="both")
    ap.add_argument("--only", choices=["methods", "sizes", "quantum"],
                    help="methods: the table and the memory comparison")
    ap.add_argument("--threads", type=int, default=None, help="torch threads for this run (e.g. 1)")
    args = ap.parse_args()
    if args.threads is not None:
        if args.threads < 1:
            ap.error(f"--threads must be an integer ≥ 1; got {args.threads}")
        torch.set_num_threads(args.threads)
    if args.seeds < 1:
        ap.error(f"--seeds must be an integer ≥ 1; got {args.seeds}")
    seeds, steps = (range(1), 300) if args.quick else (range(args.seeds), args.steps)
    if args.only in (None, "methods"):
        for task_name in (["deconv1d", "block_cs"] if args.task == "both" else [args.task]):
            rows = methods_table(task_name, seeds, steps)
            memory_table(task_name, steps, rows)
    if args.only == "sizes":
        sizes_table([200, 2000] if args.quick else [200, 2000, 20000], steps)
    if args.only == "quantum":
        quantum(0, 40 if args.quick else 1000, 20 if args.quick else 200, 10 if args.quick else 150, 256)


if __name__ == "__main__":
    main()
