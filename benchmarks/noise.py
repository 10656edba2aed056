"""The original Quantum HyperNetworks noise protocol: how depolarizing noise erodes the
trained circuit's probability of the best network, and whether training under the noise helps.

Noise: ``qh.noise.depolarizing(s)`` — after every one-qubit gate a depolarizing channel with
p = 0.001·s, after every two-qubit gate one with p = 0.00375·s (the original code's PastaQ
protocol, s ∈ {0.2, …, 2.0} there).

**Part A — noise-free training, noisy sampling** (the original study). Task: 17-bit binary
logistic regression on ``digits01_4x4`` (``qh.BinaryMLP([16, 1])``), ``brick`` ansatz, 4
layers (the original's code depth 4). MLE with the trainer's defaults (L-BFGS, 300
evaluations, entropy annealing, exact torch gradients); a restart counts when its expected
loss is within 1e-4 of the loss table's minimum, otherwise the next seed is tried. The
trained θ is then sampled with Aer ``method="matrix_product_state"`` under depolarizing(s)
for s = 0, 0.4, …, 2.0 (``--shots`` samples each): fraction of samples equal to the global
optimum (± its shot-noise standard error √(f(1−f)/N)), its ratio to the s = 0 fraction,
and the mean sampled loss. The original's fractions (MNIST 0/1 resized to 4×4, another loss
table, 10k shots at s = 0 and 100k otherwise) are printed beside ours; only the *relative*
decay is comparable. The choice of MPS is documented by timing 1000 noisy shots at s = 1
with MPS and with the statevector method (same sampler seed).

**Part B — noise-aware training under the same noise.**

* B1, exact: a 6-bit model (``BinaryMLP([2, 1, 1], bias=True, activation=["relu",
  "sigmoid"])``, one choice bit as in the original Gaussian task) on ``gaussian_mixture``,
  brick depth 4. Exact noisy gradients (Aer density matrix + parameter shift) cost ≈ 0.4 s
  per evaluation at 6 qubits (≈ 2 s at 7, ≈ 3 s at 8, 7 s at 9, 43 s at 10; measured on a
  shared 2-core machine), hence the size. Noise-free baseline: MLE with the torch engine
  (defaults, seeds tried until the global minimum). Noise-aware: MLE on the Aer
  density-matrix hypernetwork under depolarizing(s), (i) L-BFGS warm-started from the
  noise-free optimum (``warm_start=True``, no annealing), (ii) from scratch (the baseline's
  seed, so the same initial angles, with the default annealing). All circuits are scored
  exactly under the noise: expected loss q_noisy·L (the MLE objective) and q_noisy at the
  optimum. Large scales (10, 30) are included because small noise barely matters at 6 qubits.
* B2, shots: the 17-bit task. SPSA fine-tuning (Adam, small learning rate) of the noise-free θ
  on Aer MPS shots under depolarizing(s), then ``--shots`` final samples compared with the
  noise-free θ's Part A samples under the same noise (fraction at the optimum ± SE, mean
  sampled loss ± SE, and the z-score of each difference).

**Check.** On a 3-qubit brick (4 layers, random θ) under depolarizing(30), MPS noisy sampling
against the exact density-matrix probabilities (z-score per outcome, χ² test).

    python benchmarks/noise.py                    # full: 100k shots, ≈ 40 min on one thread
    python benchmarks/noise.py --quick            # 10k shots, fewer steps and scales: a few minutes
    python benchmarks/noise.py --skip-b2 --shots 20000
"""
from __future__ import annotations

import argparse
import inspect
import math
import os
import sys
import time

_pre = argparse.ArgumentParser(add_help=False)
_pre.add_argument("--threads", type=int, default=1)
os.environ["OMP_NUM_THREADS"] = str(_pre.parse_known_args(sys.argv[1:])[0].threads)  # before torch / Aer load

import torch  # noqa: E402

import qhyper as qh  # noqa: E402
from qhyper.bitstrings import bits_to_index  # noqa: E402

TOL = 1e-4
A_SCALES = (0.0, 0.4, 0.8, 1.2, 1.6, 2.0)
#: the original code's fraction of shots at the global optimum (MNIST 0/1, 4×4, code depth 4)
ORIGINAL = {0.0: 0.806, 0.4: 0.737, 0.8: 0.686, 1.2: 0.639, 1.6: 0.597, 2.0: 0.558}


# ---------------------------------------------------------------------- helpers
def brick(n):
    return qh.circuits.get("brick", n_qubits=n, layers=4)


def loss_table(ev, threads):
    table = ev.loss_table()
    torch.set_num_threads(threads)  # the loss-table kernel's thread pool resets torch's count
    return table


def train_noise_free(ev, table, steps, max_tries):
    """MLE on the torch engine, seeds 0, 1, … until the expected loss is within TOL of the minimum."""
    ansatz = brick(ev.num_bits)
    runs = []
    t0 = time.perf_counter()
    for seed in range(max_tries):
        res = qh.trainers.QHN(qh.objectives.MLE(), steps=steps, seed=seed, progress=False).fit(
            qh.Hypernetwork(ansatz, seed=seed), ev)
        gap = res.metrics["expected_loss"] - float(table.min())
        runs.append({"theta": res.state["theta"].detach().clone(), "seed": seed, "gap": gap, "ok": gap < TOL,
                     "expected_loss": res.metrics["expected_loss"], "p_best": res.metrics["p_best"]})
        if gap < TOL:
            break
    best = min(runs, key=lambda r: r["gap"])
    return best | {"tries": len(runs), "time": time.perf_counter() - t0}


def sample_stats(ansatz, theta, s, shots, seed, table, best, threads, method="matrix_product_state"):
    hn = qh.Hypernetwork(ansatz, backend="qiskit", shots=shots, seed=seed, init=theta,
                         noise=qh.noise.depolarizing(s), method=method, max_parallel_threads=threads)
    t0 = time.perf_counter()
    bits = hn.sample(shots)
    wall = time.perf_counter() - t0
    idx = bits_to_index(bits)
    losses = table[idx]
    f = float((idx == best).double().mean())
    return {"f": f, "se_f": math.sqrt(f * (1 - f) / shots), "loss": float(losses.mean()),
            "se_loss": float(losses.std()) / math.sqrt(shots), "time": wall, "shots": shots}


def exact_noisy(ansatz, theta, s, table, best):
    """(expected loss, probability of the optimum, loss rank of the most likely network; 0 = the
    optimum) of θ under depolarizing(s), exactly."""
    hn = qh.Hypernetwork(ansatz, backend="qiskit", noise=qh.noise.depolarizing(s), init=theta)
    with torch.no_grad():
        q = hn.distribution().probs().detach()
    return float(q @ table), float(q[best]), int((table < table[int(torch.argmax(q))]).sum())


def _check_warm_start():
    if "warm_start" not in inspect.signature(qh.trainers.QHN.__init__).parameters:
        sys.exit("this qhyper's QHN has no warm_start: fit() would overwrite Hypernetwork(init=θ) with random "
                 "angles, so the noise-aware runs could not start from the noise-free optimum")


# ---------------------------------------------------------------------- Part A
def part_a(args):
    t_part = time.perf_counter()
    data = qh.datasets.load("digits01_4x4")
    ev = qh.Evaluator.from_dataset(qh.BinaryMLP([16, 1]), data)
    table = loss_table(ev, args.threads)
    best = int(torch.argmin(table))
    srt = torch.sort(table).values
    print(f"## Part A: noise-free training, noisy sampling (digits01_4x4, n = {ev.num_bits}, brick depth 4)\n")
    print(f"loss table: min {float(srt[0]):.6f} (index {best}), runner-up {float(srt[1]):.6f}, "
          f"mean {float(table.mean()):.3f}; {int((table < srt[0] + TOL).sum())} network(s) within {TOL} of the min")

    run = train_noise_free(ev, table, args.steps, args.max_tries)
    print(f"noise-free MLE (L-BFGS {args.steps} evaluations, anneal auto): {run['tries']} restart(s) "
          f"(seed {run['seed']}{'' if run['ok'] else ', NONE reached the global minimum: best kept'}), "
          f"{run['time']:.1f} s")
    print(f"  exact: P(global optimum) = {run['p_best']:.6f}, expected loss = {run['expected_loss']:.6f} "
          f"(min + {run['gap']:.2e})\n")
    ansatz = brick(ev.num_bits)
    theta = run["theta"]

    # MPS vs statevector for noisy sampling: time and agree
    k = args.timing_shots
    mps = sample_stats(ansatz, theta, 1.0, k, 7, table, best, args.threads)
    sv = sample_stats(ansatz, theta, 1.0, k, 7, table, best, args.threads, method="statevector")
    print(f"noisy sampling at s = 1, {k} shots, same sampler seed:")
    print("| Aer method | s per 1000 shots | fraction at optimum | mean sampled loss |")
    print("|---|---|---|---|")
    for name, r in (("matrix_product_state", mps), ("statevector", sv)):
        print(f"| {name} | {r['time'] * 1000 / k:.2f} | {r['f']:.4f} ± {r['se_f']:.4f} | {r['loss']:.4f} |")
    print(f"statevector / MPS time: {sv['time'] / mps['time']:.0f}x; samples "
          f"{'identical' if (mps['f'], mps['loss']) == (sv['f'], sv['loss']) else 'differ'} at equal seed\n")

    rows = {}
    for i, s in enumerate(A_SCALES):
        rows[s] = sample_stats(ansatz, theta, s, args.shots, 1000 + i, table, best, args.threads)
    f0 = rows[0.0]["f"]
    print(f"noise-free θ sampled under depolarizing(s), {args.shots} shots per s (Aer MPS):")
    print("| s | p1 | p2 | fraction at optimum | ratio to s=0 | original fraction | original ratio | "
          "mean sampled loss | time (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in A_SCALES:
        r, nz = rows[s], qh.noise.depolarizing(s)
        print(f"| {s:g} | {nz.one_qubit:.4f} | {nz.two_qubit:.4f} | {r['f']:.4f} ± {r['se_f']:.4f} | "
              f"{r['f'] / f0:.3f} | {ORIGINAL[s]:.3f} | {ORIGINAL[s] / ORIGINAL[0.0]:.3f} | "
              f"{r['loss']:.4f} ± {r['se_loss']:.4f} | {r['time']:.0f} |")
    print(f"\nPart A wall time: {time.perf_counter() - t_part:.0f} s\n", flush=True)
    return {"ev": ev, "table": table, "best": best, "theta": theta, "rows": rows}


# ---------------------------------------------------------------------- Part B1
def part_b1(args):
    t_part = time.perf_counter()
    data = qh.datasets.load("gaussian_mixture", seed=0)
    model = qh.BinaryMLP([2, 1, 1], bias=True, activation=["relu", "sigmoid"])
    ev = qh.Evaluator.from_dataset(model, data)
    table = loss_table(ev, args.threads)
    best, n = int(torch.argmin(table)), model.num_bits
    srt = torch.sort(table).values
    ansatz = brick(n)
    print(f"## Part B1: exact density-matrix MLE under noise ({data.name}, BinaryMLP([2, 1, 1], bias, "
          f"relu|sigmoid): n = {n}, brick depth 4, {ansatz.num_params} angles)\n")
    print(f"loss table: min {float(srt[0]):.4f}, runner-up {float(srt[1]):.4f}, mean {float(table.mean()):.4f}")

    hn = qh.Hypernetwork(ansatz, backend="qiskit", seed=0, noise=qh.noise.depolarizing(1.2))
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        hn.theta.grad = None
        (hn.distribution().probs() @ table).backward()
        times.append(time.perf_counter() - t0)
    step = min(times)
    evals = len(args.b1_scales) * (args.b1_warm_steps + (args.b1_scratch_steps if not args.b1_no_scratch else 0))
    print(f"one noisy objective + gradient (Aer density matrix, parameter shift): {step:.2f} s; "
          f"{evals} evaluations planned ≈ {evals * step / 60:.1f} min")

    run = train_noise_free(ev, table, 300, args.max_tries)
    theta0 = run["theta"]
    print(f"noise-free MLE (torch, defaults): {run['tries']} restart(s) (seed {run['seed']}"
          f"{'' if run['ok'] else ', NONE reached the global minimum: best kept'}); "
          f"P(opt) = {run['p_best']:.6f}, expected loss {run['expected_loss']:.4f}\n")

    rows = []
    for s in args.b1_scales:
        noise = qh.noise.depolarizing(s)
        base = exact_noisy(ansatz, theta0, s, table, best)
        t0 = time.perf_counter()
        hn = qh.Hypernetwork(ansatz, backend="qiskit", noise=noise, init=theta0)
        res = qh.trainers.QHN(qh.objectives.MLE(), optimizer="lbfgs", steps=args.b1_warm_steps, anneal=None,
                              seed=0, progress=False, warm_start=True).fit(hn, ev)
        warm = exact_noisy(ansatz, res.state["theta"], s, table, best)
        row = {"s": s, "base": base, "warm": warm, "warm_evals": len(res.history["objective"]),
               "warm_start_loss": res.history["expected_loss"][0], "warm_drift": float((res.state["theta"] - theta0).norm())}
        if not args.b1_no_scratch:
            hn = qh.Hypernetwork(ansatz, backend="qiskit", noise=noise)
            res = qh.trainers.QHN(qh.objectives.MLE(), steps=args.b1_scratch_steps, seed=run["seed"],
                                  progress=False).fit(hn, ev)
            row["scratch"] = exact_noisy(ansatz, res.state["theta"], s, table, best)
        row["time"] = time.perf_counter() - t0
        rows.append(row)
        print(f"  s = {s:g} done in {row['time']:.0f} s", flush=True)

    print(f"\nexact under depolarizing(s); E = expected loss (the MLE objective, lower is better), "
          f"P = probability of the optimum; warm: L-BFGS {args.b1_warm_steps} evals from the noise-free θ; "
          f"scratch: L-BFGS {args.b1_scratch_steps} evals, anneal auto, seed {run['seed']}")
    print("mode = loss rank of the most likely network under the noise (0 = the optimum)")
    head = "| s | noise-free θ: E | P | mode | warm: E | P | mode | ΔE warm | |Δθ| warm |"
    line = "|---|---|---|---|---|---|---|---|---|"
    if not args.b1_no_scratch:
        head += " scratch: E | P | mode | ΔE scratch |"
        line += "---|---|---|---|"
    print(head + " noise-aware beats noise-free? |")
    print(line + "---|")
    for r in rows:
        (eb, pb, mb), (ew, pw, mw) = r["base"], r["warm"]
        txt = (f"| {r['s']:g} | {eb:.5f} | {pb:.5f} | {mb} | {ew:.5f} | {pw:.5f} | {mw} | {ew - eb:+.2e} | "
               f"{r['warm_drift']:.3f} |")
        cands = [("warm", ew, pw)]
        if "scratch" in r:
            es, ps, ms = r["scratch"]
            txt += f" {es:.5f} | {ps:.5f} | {ms} | {es - eb:+.2e} |"
            cands.append(("scratch", es, ps))
        name, e, pe = min(cands, key=lambda c: c[1])
        verdict = (f"yes on E ({name}: {100 * (eb - e) / eb:.2f}% lower; ΔP {pe - pb:+.1e})"
                   if e < eb - 1e-9 else "no (E not lower)")
        print(txt + f" {verdict} |")
    print(f"\nPart B1 wall time: {time.perf_counter() - t_part:.0f} s\n", flush=True)


# ---------------------------------------------------------------------- Part B2
def part_b2(args, a):
    t_part = time.perf_counter()
    ev, table, best, theta0 = a["ev"], a["table"], a["best"], a["theta"]
    ansatz = brick(ev.num_bits)
    spsa = qh.gradients.SPSA(c=args.spsa_c)
    print("## Part B2: shot-mode SPSA fine-tuning under noise (digits01_4x4, n = 17, Aer MPS)\n")
    print(f"SPSA(c={args.spsa_c}), Adam lr {args.b2_lr}, {args.b2_steps} steps of 2 × {args.b2_shots_per_step} "
          f"shots, warm start from the noise-free θ; then {args.shots} final shots (noise-free θ: Part A's samples)")
    rows = []
    for j, s in enumerate(args.b2_scales):
        t0 = time.perf_counter()
        hn = qh.Hypernetwork(ansatz, backend="qiskit", shots=args.b2_shots_per_step, seed=0, init=theta0,
                             noise=qh.noise.depolarizing(s), method="matrix_product_state",
                             max_parallel_threads=args.threads)
        res = qh.trainers.QHN(qh.objectives.MLE(), gradient=spsa, steps=args.b2_steps,
                              shots_per_step=args.b2_shots_per_step, lr=args.b2_lr, seed=0, final_shots=256,
                              progress=False, warm_start=True).fit(hn, ev)
        t_train = time.perf_counter() - t0
        theta = res.state["theta"]
        base = a["rows"].get(s) or sample_stats(ansatz, theta0, s, args.shots, 1000 + 17 * j, table, best, args.threads)
        tuned = sample_stats(ansatz, theta, s, args.shots, 5000 + j, table, best, args.threads)
        h = res.history["expected_loss"]
        w = max(1, len(h) // 10)
        rows.append({"s": s, "base": base, "tuned": tuned, "train": t_train, "drift": float((theta - theta0).norm()),
                     "first": sum(h[:w]) / w, "last": sum(h[-w:]) / w})
        print(f"  s = {s:g}: training {t_train:.0f} s, mean sampled loss during training "
              f"{rows[-1]['first']:.4f} (first {w} steps) → {rows[-1]['last']:.4f} (last {w})", flush=True)

    print("\n| s | noise-free θ: fraction | mean loss | SPSA-tuned: fraction | mean loss | Δfraction (z) | "
          "Δloss (z) | |Δθ| | tuned beats noise-free? |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        b, t = r["base"], r["tuned"]
        df, dl = t["f"] - b["f"], t["loss"] - b["loss"]
        zf = df / math.hypot(b["se_f"], t["se_f"])
        zl = dl / math.hypot(b["se_loss"], t["se_loss"])
        verdict = ("yes" if zl < -2 and zf > -2 else "no: worse" if zl > 2 or zf < -2 else "no significant difference")
        print(f"| {r['s']:g} | {b['f']:.4f} ± {b['se_f']:.4f} | {b['loss']:.4f} ± {b['se_loss']:.4f} | "
              f"{t['f']:.4f} ± {t['se_f']:.4f} | {t['loss']:.4f} ± {t['se_loss']:.4f} | {df:+.4f} ({zf:+.1f}) | "
              f"{dl:+.4f} ({zl:+.1f}) | {r['drift']:.3f} | {verdict} |")
    print(f"\nPart B2 wall time: {time.perf_counter() - t_part:.0f} s\n", flush=True)


# ---------------------------------------------------------------------- check
def check_mps(args):
    t_part = time.perf_counter()
    from scipy.stats import chi2

    ansatz = brick(3)
    theta = ansatz.init_params(0)
    noise = qh.noise.depolarizing(30)
    with torch.no_grad():
        p = qh.Hypernetwork(ansatz, backend="qiskit", noise=noise, init=theta).distribution().probs().detach()
    N = args.check_shots
    bits = qh.Hypernetwork(ansatz, backend="qiskit", shots=N, seed=3, init=theta, noise=noise,
                           method="matrix_product_state", max_parallel_threads=args.threads).sample(N)
    counts = torch.bincount(bits_to_index(bits), minlength=8).double()
    freq = counts / N
    z = (freq - p) / torch.sqrt(p * (1 - p) / N)
    stat = float(((counts - N * p) ** 2 / (N * p)).sum())
    print(f"## Check: MPS noisy sampling vs exact density matrix (3-qubit brick depth 4, random θ, "
          f"depolarizing(30), {N} shots)\n")
    print("| outcome | exact p | MPS frequency | z |")
    print("|---|---|---|---|")
    for i in range(8):
        print(f"| {i:03b} | {float(p[i]):.5f} | {float(freq[i]):.5f} | {float(z[i]):+.2f} |")
    print(f"χ² = {stat:.2f} on 7 degrees of freedom, p-value {float(chi2.sf(stat, 7)):.3f}; "
          f"max |z| = {float(z.abs().max()):.2f}; {time.perf_counter() - t_part:.1f} s\n", flush=True)


def _floats(text):
    return [float(x) for x in text.split(",") if x.strip()]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shots", type=int, default=100_000, help="final samples per noise scale (Parts A, B2)")
    p.add_argument("--steps", type=int, default=300, help="noise-free L-BFGS evaluations, Part A")
    p.add_argument("--max-tries", type=int, default=10, help="seeds tried for a noise-free global minimum")
    p.add_argument("--timing-shots", type=int, default=1000, help="shots of the MPS vs statevector timing")
    p.add_argument("--b1-scales", type=_floats, default=_floats("0.4,1.2,2,10,30"))
    p.add_argument("--b1-warm-steps", type=int, default=100)
    p.add_argument("--b1-scratch-steps", type=int, default=150)
    p.add_argument("--b1-no-scratch", action="store_true")
    p.add_argument("--b2-scales", type=_floats, default=_floats("0.4,1.2,2"))
    p.add_argument("--b2-steps", type=int, default=100)
    p.add_argument("--b2-shots-per-step", type=int, default=1000)
    p.add_argument("--b2-lr", type=float, default=0.002)
    p.add_argument("--spsa-c", type=float, default=0.05)
    p.add_argument("--check-shots", type=int, default=100_000)
    p.add_argument("--skip-a", action="store_true", help="skip Part A (and B2, which needs it)")
    p.add_argument("--skip-b1", action="store_true")
    p.add_argument("--skip-b2", action="store_true")
    p.add_argument("--quick", action="store_true",
                   help="10k shots, 150 noise-free evaluations (3 seeds), B1 at s = 2, 30 with 20 + 30 evaluations, "
                        "B2 at s = 2 with 10 steps, 200-shot timing, 20k-shot check")
    p.add_argument("--threads", type=int, default=1,
                   help="torch and Aer threads (1 avoids oversubscription on a shared machine)")
    args = p.parse_args(argv)
    if args.quick:
        args.shots, args.steps, args.max_tries, args.timing_shots = 10_000, 150, 3, 200
        args.b1_scales, args.b1_warm_steps, args.b1_scratch_steps = [2.0, 30.0], 20, 30
        args.b2_scales, args.b2_steps, args.check_shots = [2.0], 10, 20_000
    torch.set_num_threads(args.threads)
    _check_warm_start()
    start = time.perf_counter()
    print(f"qhyper noise benchmark: depolarizing p1 = 0.001·s, p2 = 0.00375·s; torch threads "
          f"{torch.get_num_threads()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"
          f"{' (--quick)' if args.quick else ''}\n")
    check_mps(args)
    a = None if args.skip_a else part_a(args)
    if not args.skip_b1:
        part_b1(args)
    if a is not None and not args.skip_b2:
        part_b2(args, a)
    print(f"total wall time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
