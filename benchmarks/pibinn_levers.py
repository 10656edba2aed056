"""PIBiNN's training levers, one at a time and combined, against the full-precision references.

Every lever keeps what defines PIBiNN — one global scale for all weights, the fixed physics
support, one bit per stored non-zero, full-precision thresholds — and is an option of
``qh.pibinn.UnrolledISTA`` / ``qh.pibinn.train`` / ``qh.pibinn.init_from``. Each row is
one configuration on one task: test NMSE (dB), its difference to the free-form masked
full-precision network of the same depth trained in the same run, the train-test gap, total
bits and bits per weight.

    python benchmarks/pibinn_levers.py --task deconv1d --seeds 1 --threads 1
    python benchmarks/pibinn_levers.py --only ramp500,deep16 --quick
"""
import argparse
import statistics
import time

import torch

from qhyper.pibinn import UnrolledISTA, init_from, load_problem, storage_report, train

PIB = dict(mask="physics", weights="binary", scale="global")
FREE = dict(mask="physics", weights="real", form="lista")


def _teacher(problem, seed, steps, layers, cache):
    """The free-form masked full-precision network of ``layers`` layers (trained once per run)."""
    if layers not in cache:
        net = UnrolledISTA(problem, layers=layers, **FREE)
        train(net, problem, steps=steps, seed=seed, progress=False)
        cache[layers] = net
    return cache[layers]


def levers(steps):
    """name → (model options, train options, use the teacher as: None | 'init' | 'distill')."""
    r = steps // 4
    return {
        "pibinn (cp, 8 layers)": ({}, {}, None),
        "threshold=shared": (dict(threshold="shared"), {}, None),
        "threshold=per_row": (dict(threshold="per_row"), {}, None),
        "qat_lr=3e-3": ({}, dict(qat_lr=3e-3), None),
        "warm_fraction=0.8": ({}, dict(warm_fraction=0.8), None),
        f"ramp{r}": ({}, dict(ramp_steps=r), None),
        f"ramp{2 * r}": ({}, dict(ramp_steps=2 * r), None),
        "residual W2, free form": (dict(form="lista", residual=True), {}, None),
        "residual W2, cp form": (dict(residual=True), {}, None),
        "residual cp + init from free FP": (dict(residual=True), dict(warm_fraction=0.0), "init"),
        f"residual cp + init + ramp{r}": (dict(residual=True), dict(warm_fraction=0.0, ramp_steps=r), "init"),
        "cp + init from free FP": ({}, dict(warm_fraction=0.0), "init"),
        f"distill β=1 + ramp{r}": ({}, dict(ramp_steps=r, distill=1.0), "distill"),
        f"steps×2 + ramp{2 * r}": ({}, dict(steps=2 * steps, ramp_steps=2 * r), None),
        f"12 layers + ramp{r}": (dict(layers=12), dict(ramp_steps=r), None),
        f"16 layers + ramp{r}": (dict(layers=16), dict(ramp_steps=r), None),
    }


def run(task_name, seeds, steps, only):
    table = levers(steps)
    names = [n for n in table if not only or any(o in n for o in only)]
    rows = {n: [] for n in ["free FP (8 layers)", "free FP (16 layers)", "cp FP (8 layers)", *names]}
    for seed in seeds:
        problem, cache = load_problem(task_name, seed=seed), {}
        for layers in (8, 16):
            t = _teacher(problem, seed, steps, layers, cache)
            rows[f"free FP ({layers} layers)"].append(_row(t, problem, cache, layers))
            print(f"  [{task_name} seed {seed}] free FP ({layers} layers): {rows[f'free FP ({layers} layers)'][-1]['test']:.2f} dB",
                  flush=True)
        cp = UnrolledISTA(problem, layers=8, mask="physics", weights="real", form="cp")
        train(cp, problem, steps=steps, seed=seed, progress=False)
        rows["cp FP (8 layers)"].append(_row(cp, problem, cache, 8))
        for name in names:
            model_kw, train_kw, use = table[name]
            layers = model_kw.get("layers", 8)
            net = UnrolledISTA(problem, **{"layers": 8, **PIB, "form": "cp", **model_kw})
            kw = {"steps": steps, **train_kw}
            if use == "init":
                init_from(net, _teacher(problem, seed, steps, layers, cache))
                kw["steps"] = steps // 2
            if use == "distill":
                kw["teacher"] = _teacher(problem, seed, steps, layers, cache)
            start = time.perf_counter()
            train(net, problem, seed=seed, progress=False, **kw)
            _teacher(problem, seed, steps, layers, cache)  # the reference of this depth
            rows[name].append(_row(net, problem, cache, layers, time.perf_counter() - start))
            print(f"  [{task_name} seed {seed}] {name}: {rows[name][-1]['test']:.2f} dB "
                  f"({rows[name][-1]['diff']:+.2f} dB against free FP, {layers} layers)", flush=True)
    _print(task_name, steps, seeds, rows)


def _row(net, problem, cache, layers, wall=float("nan")):
    from qhyper.pibinn import nmse_db

    test, train_ = nmse_db(net, problem, "test"), nmse_db(net, problem, "train")
    ref = nmse_db(cache[layers], problem, "test")
    rep = storage_report(net)
    return dict(test=test, diff=test - ref, gap=test - train_, bits=rep.total_bits, bpw=rep.bits_per_weight, wall=wall)


def _fmt(values, digits=2):
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.fmean(values):.{digits}f} ± {statistics.pstdev(values):.{digits}f}"


def _print(task_name, steps, seeds, rows):
    print(f"\n{task_name}: {steps} steps per network, seeds {list(seeds)} (diff: against free FP of the same depth)")
    print(f"{'configuration':34s} {'test NMSE dB':>15s} {'diff dB':>14s} {'gap dB':>13s} {'total bits':>11s} "
          f"{'bits/weight':>11s} {'train s':>8s}")
    for name, r in rows.items():
        col = lambda k: [x[k] for x in r]  # noqa: E731
        print(f"{name:34s} {_fmt(col('test')):>15s} {_fmt(col('diff')):>14s} {_fmt(col('gap')):>13s} "
              f"{statistics.fmean(col('bits')):11.0f} {statistics.fmean(col('bpw')):11.4f} "
              f"{statistics.fmean(col('wall')):8.1f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", choices=["deconv1d", "block_cs", "both"], default="both")
    ap.add_argument("--seeds", type=int, default=1, help="number of seeds (0, 1, …)")
    ap.add_argument("--steps", type=int, default=2000, help="training steps per network")
    ap.add_argument("--only", default="", help="comma-separated substrings of the configurations to run")
    ap.add_argument("--quick", action="store_true", help="300 steps per network")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (benchmarks only)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    steps = 300 if args.quick else args.steps
    only = [o for o in args.only.split(",") if o]
    for task_name in (["deconv1d", "block_cs"] if args.task == "both" else [args.task]):
        run(task_name, range(args.seeds), steps, only)


if __name__ == "__main__":
    main()
