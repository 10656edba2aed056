"""``compare``: run methods on one task over seeds and tabulate mean ± std of their scores."""
from __future__ import annotations

import math
import statistics
import time

from tqdm.auto import tqdm

from . import registry
from .options import preflight
from .store import FINISHED, RunStore, run_key
from .table import Comparison

__all__ = ["compare"]


def compare(methods=None, task="digits01_4x4", seeds=3,
            options: dict | None = None, quick: bool = False, progress: bool = True,
            strict: bool = False, store=None, resume: bool = False, replace: bool = False) -> Comparison:
    """Run ``methods`` on ``task`` for each seed and tabulate the results.

    Every method runs once per seed on a fresh :class:`~qhyper.Evaluator` of the task (so
    wall times include everything a method computes). A method that raises
    :class:`~qhyper.comparison.MethodUnavailable` gets an ``unavailable`` row with the reason,
    one that fails a ``failed`` row; nothing is filled in for a method that did not run.

    Args:
        methods: method names (see :func:`~qhyper.comparison.methods`) or one comma-separated
            string; default the task's own list (``task.methods``).
        task: a task name (see :func:`~qhyper.comparison.tasks`) or a
            :class:`~qhyper.comparison.Task`.
        seeds: number of seeds (0 … seeds−1) or a list of seeds.
        options: per-method keyword overrides, e.g. ``{"ste": {"epochs": 50}}``.
        quick: use the task's small smoke-test budgets.
        progress: progress bar over the runs.
        strict: re-raise a method's unexpected error instead of reporting the row as ``failed``.
        store: a folder (or :class:`~qhyper.comparison.store.RunStore`): every run is appended
            to its ``runs.jsonl`` as it finishes. A folder that already holds runs is refused
            unless ``resume=True``.
        resume: continue the experiment in ``store``: runs whose latest record is final
            (``ok``, ``failed``, ``unavailable``) are read back, not redone; interrupted and
            missing runs are run.
        replace: start the experiment in ``store`` over: its earlier records are discarded
            (after every option has been checked, so a typo never costs the old results).

    **Interrupts.** One Ctrl-C stops the whole comparison: the run in progress is recorded
    as ``interrupted`` (never averaged into a row; ``Comparison.interrupted`` holds it),
    finished runs are kept, and the methods not reached get ``not run`` rows.

    Returns:
        A :class:`~qhyper.comparison.Comparison`: one row per method, in the order given.
    """
    task = registry.get_task(task)
    if methods is None:
        methods = task.methods
    if isinstance(methods, str):
        methods = [m.strip() for m in methods.split(",") if m.strip()]
    methods = list(methods)
    known = registry.methods()
    unknown = [m for m in methods if m not in known]
    if unknown or not methods:
        raise ValueError(f"methods: unknown method(s) {unknown}; available: {', '.join(known)}"
                         if unknown else "methods: no methods given; name at least one (see qh.comparison.methods())")
    seeds = list(range(int(seeds))) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must be a positive count or a non-empty list of seeds; got none")
    options = options or {}
    stray = [m for m in options if m not in methods]
    if stray:
        raise ValueError(f"options: given for method(s) {stray} that are not being compared ({methods}); "
                         "drop them or add the methods")

    for name in methods:  # every option, known and valid, before any run
        if task.kind in registry.method(name).kinds:
            preflight(name, registry.method(name).runner, task.method_options(name, quick, options))
    store = _open_store(store, resume, replace)
    done = store.latest() if store is not None and resume else {}
    runs, rows, interrupted = [], [], None
    bar = tqdm(total=len(methods) * len(seeds), desc=f"compare {task.name}", disable=not progress)
    try:
        for name in methods:
            if interrupted:
                rows.append(_row(name, "not run", "the comparison was interrupted before this method", [],
                                 task.columns))
                continue
            entry = registry.method(name)
            opts = task.method_options(name, quick, options)
            results, status, reason = [], "ok", ""
            if task.kind not in entry.kinds:
                rows.append(_row(name, "unavailable", f"runs on {'/'.join(entry.kinds)} tasks, not {task.kind} ones",
                                 [], task.columns))
                bar.update(len(seeds))
                continue
            for seed in seeds:
                bar.set_postfix(method=name, seed=seed)
                key = run_key(task.name, name, seed, opts)
                record = done.get(key)
                if record is None or record["status"] not in FINISHED:
                    record = _run(entry, task, name, seed, opts, key, strict)
                    if store is not None:
                        store.append(record)
                bar.update(1)
                if record["status"] == "interrupted":
                    interrupted = record
                    runs.append(record)
                    if not results:  # nothing finished to average: the row says so
                        status, reason = "interrupted", f"Ctrl-C during seed {seed}, before any seed finished"
                    break
                if record["status"] != "ok":
                    status, reason = record["status"], record["reason"]
                    break
                results.append(record)
                runs.append(record)
            rows.append(_row(name, status, reason, results, task.columns))
    finally:
        bar.close()
    return Comparison(rows, task, runs, seeds, interrupted=interrupted)


def _open_store(store, resume: bool, replace: bool):
    """The run store of ``store`` (a folder or a RunStore); a folder that already holds runs
    is only continued with ``resume=True`` or emptied with ``replace=True``, never silently
    added to."""
    if resume and replace:
        raise ValueError("resume=True continues the stored experiment and replace=True discards it: choose one")
    if store is None:
        if resume or replace:
            raise ValueError("resume= and replace= need store= (the folder of the experiment)")
        return None
    store = store if isinstance(store, RunStore) else RunStore(store)
    if replace and store.path.exists():
        store.path.unlink()
    if not resume and store.path.exists() and store.path.stat().st_size:
        raise ValueError(f"store: {store.path} already holds runs of an earlier experiment; pass resume=True to "
                         f"continue it (finished runs are not redone), replace=True to start over, or a new folder")
    return store


def _run(entry, task, name, seed, opts, key, strict) -> dict:
    """One run as a store record: ``ok`` (or ``interrupted`` if the trainer was cut short),
    ``unavailable`` or ``failed``; a Ctrl-C outside the trainer is an ``interrupted`` run too."""
    record = {"key": key, "task": task.name, "method": name, "seed": seed, "options": opts, "reason": ""}
    start = time.perf_counter()
    try:
        res = entry.runner(task, seed, dict(opts))
    except registry.MethodUnavailable as err:
        return {**record, "status": "unavailable", "reason": str(err)}
    except KeyboardInterrupt:
        return {**record, "status": "interrupted", "reason": "Ctrl-C before the trainer returned",
                "wall_time": time.perf_counter() - start, "metrics": {}, "evaluations": 0}
    except Exception as err:  # a method's own failure is reported, not hidden
        if strict:
            raise
        return {**record, "status": "failed", "reason": f"{type(err).__name__}: {err}"}
    status = "interrupted" if res.interrupted else "ok"
    return {**record, "status": status, "reason": "stopped early (Ctrl-C)" if res.interrupted else "",
            "wall_time": res.wall_time, "evaluations": res.evaluations, "interrupted": res.interrupted,
            "metrics": dict(res.metrics)}


def _row(name, status, reason, results, columns) -> dict:
    """One table row: status, and mean / population std over the finished (``ok``) runs
    ``results`` (records) of every column reported."""
    row = {"method": name, "status": status, "reason": reason, "seeds": len(results),
           "quantum": registry.method(name).quantum}
    if status != "ok":
        return row
    for key, _ in columns:
        if key in ("wall_time", "evaluations"):
            values = [float(r[key]) for r in results]
        else:  # a stored NaN comes back as None: it stays NaN in the mean
            values = [math.nan if r["metrics"][key] is None else r["metrics"][key]
                      for r in results if key in r["metrics"]]
        if values:
            row[f"{key}_mean"], row[f"{key}_std"] = _mean_std(values)
    return row


def _mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and population std; the std of one value is 0, of values with a NaN or inf NaN
    (``statistics.pstdev`` cannot take them: ista's bits per weight is NaN)."""
    mean = statistics.fmean(values)
    if len(values) == 1:
        return mean, 0.0
    if not all(math.isfinite(v) for v in values):
        return mean, math.nan
    return mean, statistics.pstdev(values)
