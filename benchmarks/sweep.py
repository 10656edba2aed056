"""Sweep throughput: the same grid of runs on the local executor and on Ray, measured in one run.

A grid of 2 methods × 10 seeds (default: ``ste`` and ``qubo`` on ``digits01_4x4``, with budgets
that make each run take several seconds on one core) runs twice, in this order:

1. ``executor=LocalExecutor(threads=1)`` — the runs one after another in this process;
2. ``executor=RayExecutor(num_cpus=1, local_cpus=CPUS)`` — every run a Ray task on a local Ray
   started by the executor (its start-up and the workers' imports are included in the wall
   time; its shutdown, after the results, is timed separately and shown in a second ratio).

Both write to their own run store. Printed: wall time of each, the ratio local / Ray (the
target is ≥ 1.6× on a 2-core machine for runs of ≥ 5 s), the median run time, the per-run
overhead of Ray (CPU-seconds per run that were not spent inside a run: start-up, worker
imports, scheduling, the idle tail), whether both executors gave the same runs, evaluation
counts and statuses, and the largest relative difference of a metric (timings aside) between
them — not always zero: a Ray worker is another process, whose BLAS may round a reduction
differently.

    python benchmarks/sweep.py                    # 2 methods × 10 seeds
    python benchmarks/sweep.py --seeds 4 --quick  # a smoke run (short runs: Ray's overhead dominates)
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import ray as ray_module
import torch

import qhyper as qh
from qhyper.comparison import LocalExecutor, RayExecutor

#: Budgets that make a run take ~5-8 s on one core of the 2-core reference machine.
OPTIONS = {"ste": {"epochs": 1000}, "qubo": {"num_sweeps": 4000}}
QUICK = {"ste": {"epochs": 5}, "qubo": {"num_sweeps": 100, "refine_rounds": 0}}


def _timed(methods, executor, args, options, store):
    start = time.perf_counter()
    table = qh.compare(methods, task=args.task, seeds=args.seeds, options=options, progress=not args.no_progress,
                       executor=executor, store=store)
    return table, time.perf_counter() - start


def _results(table):
    return {r["key"]: ({k: v for k, v in r["metrics"].items() if "time" not in k}, r["evaluations"], r["status"])
            for r in table.runs}


def _relative(x, y) -> float:
    if x is None or y is None:
        return 0.0 if x is y else float("inf")
    return abs(x - y) / max(abs(x), abs(y), 1e-300)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", default="ste,qubo")
    p.add_argument("--task", default="digits01_4x4")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--cpus", type=int, default=os.cpu_count(), help="CPUs of the local Ray (default: all)")
    p.add_argument("--threads", type=int, default=1, help="torch threads of this process and of each run")
    p.add_argument("--quick", action="store_true", help="tiny runs (a smoke test of the script)")
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    methods = [m.strip() for m in args.methods.split(",")]
    options = {m: o for m, o in (QUICK if args.quick else OPTIONS).items() if m in methods}
    runs = len(methods) * args.seeds
    print(f"grid: {methods} × {args.seeds} seeds on {args.task} = {runs} runs; options {options}; "
          f"{os.cpu_count()} cores, Ray on {args.cpus} CPU(s), 1 CPU and {args.threads} torch thread(s) per run")
    with tempfile.TemporaryDirectory() as tmp:
        local, t_local = _timed(methods, LocalExecutor(threads=args.threads), args, options, Path(tmp) / "local")
        ray, t_ray = _timed(methods, RayExecutor(num_cpus=1, local_cpus=args.cpus), args, options, Path(tmp) / "ray")
    walls_local = [r["wall_time"] for r in local.runs]
    walls_ray = [r["wall_time"] for r in ray.runs]
    overhead = (t_ray * min(args.cpus, runs) - sum(walls_ray)) / runs
    print(f"local executor: {t_local:7.1f} s   (median run {statistics.median(walls_local):.2f} s, "
          f"sum of runs {sum(walls_local):.1f} s)")
    print(f"Ray executor:   {t_ray:7.1f} s   (median run {statistics.median(walls_ray):.2f} s, "
          f"sum of runs {sum(walls_ray):.1f} s)")
    t0 = time.perf_counter()
    ray_module.shutdown()  # after the results: the executor keeps a Ray it started for the next sweep
    t_stop = time.perf_counter() - t0
    print(f"ratio local / Ray: {t_local / t_ray:.2f}x to the results (target >= 1.6x for runs of >= 5 s), "
          f"{t_local / (t_ray + t_stop):.2f}x with Ray's shutdown ({t_stop:.1f} s) counted; "
          f"Ray overhead {overhead:.2f} CPU-s per run")
    a, b = _results(local), _results(ray)
    same_runs = a.keys() == b.keys() and all(a[k][1:] == b[k][1:] and a[k][0].keys() == b[k][0].keys() for k in a)
    worst = max((_relative(a[k][0][m], b[k][0][m]) for k in a if k in b for m in a[k][0] if m in b[k][0]),
                default=0.0)
    print(f"same runs, evaluations and statuses under both executors: {'yes' if same_runs else 'NO'} "
          f"({len(a)} runs); largest relative difference of a metric: {worst:.1e} "
          "(another process may round a reduction differently)")
    print(local.format())


if __name__ == "__main__":
    main()
