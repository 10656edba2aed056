"""PIBiNN against its baselines: NMSE, bits per weight and generalisation, plus the quantum link.

1. Every method of ``qhyper.comparison.methods.pibinn.METHODS`` (but ``qhn``) on
   ``deconv1d`` and ``block_cs`` over seeds: test NMSE (dB), train/test gap (dB), bits per
   weight; PIBiNN's NMSE is printed as a difference to masked full-precision LISTA measured
   in the same run (target: within 2 dB, below 1 bit per weight). ``lista_masked[free W2]`` is the masked
   full-precision LISTA with a free W2 (``form="lista"``) for reference.
2. Generalisation gap against the training-set size (200 → 20,000) for dense binary and
   PIBiNN.
3. The quantum link on the small tied configuration (16 sign bits): STE, then QHN exact MLE
   (Adam and L-BFGS; 2- and 4-layer brick circuits), exact ELBO and the MMD-surrogate ELBO
   from shots (2 layers), all on the same fixed scale and thresholds; NMSE, the probability
   of the best bitstring and the table rank of each method's network (losses are mean
   Gaussian NLLs with σ the task's noise level).

    python benchmarks/pibinn.py            # about 15 minutes on 2 busy cores
    python benchmarks/pibinn.py --quick    # about 2 minutes
    python benchmarks/pibinn.py --only methods   # or: sizes, quantum
"""
import argparse
import statistics
import time

from qhyper.comparison.methods.pibinn import METHODS, run_method, small_problem
from qhyper.pibinn import load_problem


def fmt(values, digits=2):
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.fmean(values):.{digits}f} ± {statistics.pstdev(values):.{digits}f}"


def methods_table(seeds, steps, layers):
    print(f"== methods: {layers} layers, {steps} training steps, seeds {list(seeds)} ==")
    names = [m for m in METHODS if m != "qhn"] + ["lista_masked[free W2]"]
    for task_name in ("deconv1d", "block_cs"):
        rows = {m: {"test": [], "gap": [], "bpw": [], "time": []} for m in names}
        for seed in seeds:
            task = load_problem(task_name, seed=seed)
            for m in names:
                t = time.perf_counter()
                if m == "lista_masked[free W2]":
                    res = run_method("lista_masked", task, seed=seed, layers=layers, steps=steps, form="lista")
                else:
                    res = run_method(m, task, seed=seed, layers=layers, steps=steps)
                rows[m]["time"].append(time.perf_counter() - t)
                rows[m]["test"].append(res.metrics["test_nmse_db"])
                rows[m]["gap"].append(res.metrics["gap_db"])
                rows[m]["bpw"].append(res.metrics["bits_per_weight"])
        print(f"\n{task}")
        print(f"{'method':24s} {'test NMSE dB':>16s} {'gap dB':>14s} {'bits/weight':>12s} {'time s':>8s}")
        for m in names:
            r = rows[m]
            bpw = "—" if m == "ista" else f"{statistics.fmean(r['bpw']):.4f}"
            print(f"{m:24s} {fmt(r['test']):>16s} {fmt(r['gap']):>14s} {bpw:>12s} {statistics.fmean(r['time']):8.1f}")
        diff = [p - q for p, q in zip(rows["pibinn"]["test"], rows["lista_masked"]["test"])]
        diff_free = [p - q for p, q in zip(rows["pibinn"]["test"], rows["lista_masked[free W2]"]["test"])]
        print(f"PIBiNN − lista_masked: {fmt(diff)} dB (target ≤ 2); − lista_masked[free W2]: {fmt(diff_free)} dB; "
              f"PIBiNN − binary_dense: {fmt([p - q for p, q in zip(rows['pibinn']['test'], rows['binary_dense']['test'])])} dB; "
              f"bits ratio PIBiNN / binary_dense: {statistics.fmean(rows['pibinn']['bpw']) / statistics.fmean(rows['binary_dense']['bpw']):.3f}")


def sizes_table(sizes, steps, layers, seed=0):
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
            ("mle (exact, l-bfgs, 4-layer brick)", dict(objective="mle", qhn_steps=lbfgs_steps,
                                                        qhn_optimizer="lbfgs", circuit_layers=4)),
            ("elbo (exact, l-bfgs, 4-layer brick)", dict(objective="elbo", qhn_steps=lbfgs_steps,
                                                         qhn_optimizer="lbfgs", circuit_layers=4)),
            (f"mmd-elbo ({shots} shots)", dict(objective="mmd", shots=shots, qhn_steps=mmd_steps))]
    for label, opts in runs:
        t = time.perf_counter()
        res = run_method("qhn", task, seed=seed, **opts)
        wall = time.perf_counter() - t
        m = res.metrics
        if label.startswith("mle (exact, adam)"):
            print(f"{res.state['model'].num_bits} sign bits; table best network: test NMSE {m['best_test_nmse_db']:.2f} dB, "
                  f"train {m['best_train_nmse_db']:.2f} dB")
            print(f"STE (same λ, θ): test NMSE {m['ste_test_nmse_db']:.2f} dB, train {m['ste_train_nmse_db']:.2f} dB, "
                  f"table rank {m['ste_rank']} of {2 ** res.state['model'].num_bits}")
        print(f"QHN {label}: MAP test NMSE {m['test_nmse_db']:.2f} dB, train {m['train_nmse_db']:.2f} dB, "
              f"table rank {m['qhn_rank']}, p(best bitstring) {m['p_best']:.4g} "
              f"(expected loss {m['expected_loss']:.1f}, best {m['min_loss']:.1f}) "
              f"(uniform {2.0 ** -res.state['model'].num_bits:.3g}), {res.wall_time:.1f} s training, {wall:.1f} s total")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["methods", "sizes", "quantum"])
    args = ap.parse_args()
    q = args.quick
    if args.only in (None, "methods"):
        methods_table(range(1 if q else 2), 300 if q else 1500, 8)
    if args.only in (None, "sizes"):
        sizes_table([200, 2000] if q else [200, 2000, 20000], 300 if q else 1500, 8)
    if args.only in (None, "quantum"):
        quantum(0, 40 if q else 1000, 20 if q else 200, 10 if q else 150, 256)


if __name__ == "__main__":
    main()
