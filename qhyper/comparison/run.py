"""``compare``: run methods on one task over seeds and tabulate mean ± std of their scores."""
from __future__ import annotations

import math
import numbers
import os
import statistics
from dataclasses import dataclass

from .._progress import bars_shown, nested, tqdm

from .._budget import check_max_time
from .._checks import InputTypeError, check_bool
from . import registry
from .executors import Job, resolve_executor
from .grid import check_grid, label, points
from .options import preflight
from .store import FINISHED, RunStore, run_key
from .table import Comparison

__all__ = ["compare", "MAX_SEED", "MAX_SEED_COUNT"]

#: The largest seed: every method can use it (scikit-learn's generators take 32-bit seeds).
MAX_SEED = 2**32 - 1
#: The largest seed count ``seeds=N`` (N runs per row); a longer list can still be given.
MAX_SEED_COUNT = 1_000_000


def compare(methods=None, task="digits01_4x4", seeds=3,
            options: dict | None = None, quick: bool = False, progress: bool = True,
            strict: bool = False, store=None, resume: bool = False, replace: bool = False,
            grid: dict | None = None, executor="local", max_time: float | None = None) -> Comparison:
    """Run ``methods`` on ``task`` for each seed (and grid point) and tabulate the results.

    Every run gets a fresh :class:`~qhyper.Evaluator` of the task (so wall times include
    everything a method computes). A method that raises
    :class:`~qhyper.comparison.MethodUnavailable` gets an ``unavailable`` row with the reason,
    one that fails a ``failed`` row; nothing is filled in for a method that did not run.

    Args:
        methods: method names (see :func:`~qhyper.comparison.methods`) or one comma-separated
            string; default the task's own list (``task.methods``).
        task: a task name (see :func:`~qhyper.comparison.tasks`) or a
            :class:`~qhyper.comparison.Task`.
        seeds: number of seeds (0 … seeds−1, at most :data:`MAX_SEED_COUNT`) or a list of
            distinct integer seeds in 0 … :data:`MAX_SEED` (2^32 − 1).
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
        grid: a sweep, ``{method: {option: [values]}}`` — one row per grid point (see
            :mod:`qhyper.comparison.grid`), e.g. ``{"mle": {"layers": [2, 4, 6]}}``.
        executor: ``"local"`` (this process, default), ``"ray"`` (a local Ray on this
            machine's cores) or an executor object, e.g.
            ``RayExecutor(address="auto", num_cpus=2)`` (:mod:`qhyper.comparison.executors`).
            Records stream into ``store`` as runs finish; the per-run results do not depend
            on the executor.
        max_time: a time budget in seconds per run, given to every method whose trainer
            takes one (``max_time`` in its options wins); a run that hits it is ``ok`` with
            ``budget_hit`` in its record, and the table counts them.

    **Interrupts.** One Ctrl-C stops the whole comparison: the run in progress is recorded
    as ``interrupted`` (never averaged into a row; ``Comparison.interrupted`` holds it),
    finished runs are kept, and the methods not reached get ``not run`` rows.

    Returns:
        A :class:`~qhyper.comparison.Comparison`: one row per method (per grid point), in order.
    """
    task = registry.get_task(task)
    methods = _check_methods(task.methods if methods is None else methods)
    seeds = _check_seeds(seeds)
    options = _check_options(options, methods)
    quick, progress, strict = check_bool(quick, "quick"), check_bool(progress, "progress"), check_bool(strict, "strict")
    resume, replace = check_bool(resume, "resume"), check_bool(replace, "replace")
    grid, max_time = check_grid(grid, methods), check_max_time(max_time)
    executor = resolve_executor(executor)
    configs = _configs(task, methods, grid, quick, options, max_time)
    for c in configs:  # every option, known and valid, before any run
        if c.runs:
            preflight(c.label, registry.method(c.name).runner, c.options)
    if any(c.runs for c in configs):
        registry.check_task_data(task)  # its data set loads and fits its model (once, before any run)
    store = _open_store(store, resume, replace)
    done = store.latest() if store is not None and resume else {}
    records, groups = {}, []
    for c in configs:
        if c.runs:
            groups.append(_pending(task, c, seeds, done, records))
    runners = {name: registry.method(name).runner for name in methods}
    fresh = []
    bar = tqdm(total=sum(len(seeds) for c in configs if c.runs), initial=len(records),
               desc=f"compare {task.name}", disable=not progress)

    left = {c.label: len(seeds) for c in configs if c.runs}
    for r in records.values():
        left[r["label"]] = left.get(r["label"], 1) - 1
    times: dict[str, list[float]] = {}

    def on_record(record):  # in memory first: a Ctrl-C held back during the append lands after it
        records[record["key"]] = record
        fresh.append(record)
        if store is not None:
            store.append(record)
        left[record["label"]] = left.get(record["label"], 1) - 1
        times.setdefault(record["label"], []).append(float(record.get("wall_time") or 0.0))
        bar.update(1)
        bar.set_postfix(method=record["label"], seed=record["seed"], eta=_eta(left, times))

    try:
        with nested(progress and bars_shown()):  # each run's own bar below this one (local runs)
            interrupted = executor.run(task, groups, runners, strict, on_record)
    except KeyboardInterrupt:  # between runs: what finished is kept
        interrupted = True
    finally:
        bar.close()
    rows, runs = [], []
    for c in configs:
        row, kept = _row(task, c, seeds, records)
        rows.append(row)
        runs += kept
    cut = next((r for r in fresh if r["status"] == "interrupted"), None)
    if interrupted and cut is None:
        cut = {"key": None, "method": "-", "label": "-", "seed": None, "status": "interrupted",
               "reason": "Ctrl-C between runs"}
    return Comparison(rows, task, runs, seeds, interrupted=cut, grid=grid)


def _eta(left: dict, times: dict) -> str:
    """Time still to go, from the finished runs: each method's remaining runs at its own mean
    wall time so far (a method with none finished yet: the mean over all finished runs)."""
    every = [t for ts in times.values() for t in ts]
    if not every:
        return "?"
    overall = sum(every) / len(every)
    seconds = sum(n * (sum(times[k]) / len(times[k]) if times.get(k) else overall) for k, n in left.items() if n > 0)
    minutes, sec = divmod(int(round(seconds)), 60)
    return f"{minutes}:{sec:02d}"


@dataclass
class _Config:
    """One row of the table: a method (at a grid point) with its resolved options."""

    label: str
    name: str
    point: dict
    options: dict
    runs: bool  # the method runs on this kind of task


def _check_methods(methods) -> list[str]:
    if isinstance(methods, str):
        methods = [m.strip() for m in methods.split(",") if m.strip()]
    methods = list(methods) if hasattr(methods, "__iter__") else methods
    if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
        raise InputTypeError(f"methods must be a list of method names or one comma-separated string, e.g. "
                             f"['mle', 'ste'] or 'mle,ste' (see qh.comparison.methods()); got {methods!r:.80}")
    known = registry.methods()
    unknown = [m for m in methods if m not in known]
    if unknown or not methods:
        raise ValueError(f"methods: unknown method(s) {unknown}; available: {', '.join(known)}"
                         if unknown else "methods: no methods given; name at least one (see qh.comparison.methods())")
    if len(set(methods)) != len(methods):
        raise ValueError(f"methods: {methods} names a method twice; name each once (a sweep over one method's "
                         f"options is grid=)")
    return methods


def _check_seeds(seeds) -> list[int]:
    """A seed count ``N`` (seeds 0 … N−1) or a list of distinct integer seeds in 0 … MAX_SEED."""
    kinds = "seeds must be a count or a list of integer seeds (3: seeds 0, 1, 2; or [0, 4, 7])"
    integer = lambda s: isinstance(s, numbers.Integral) and not isinstance(s, bool)  # noqa: E731
    if integer(seeds):
        if not 1 <= seeds <= MAX_SEED_COUNT:
            raise ValueError(f"{kinds}; a count must be in 1 … {MAX_SEED_COUNT}; got {seeds!r}")
        return list(range(seeds))
    if isinstance(seeds, (str, bytes, bool)) or not hasattr(seeds, "__iter__"):
        hint = f" — pass {int(seeds)}, an int" if isinstance(seeds, float) and seeds.is_integer() else ""
        hint = f" — pass {int(seeds)} (a count), an int" if isinstance(seeds, str) and seeds.isdigit() else hint
        raise InputTypeError(f"{kinds}; got {type(seeds).__name__} {seeds!r:.80}{hint}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError(f"{kinds}; got an empty list")
    every = (f"seeds: every seed must be an integer ≥ 0 and ≤ {MAX_SEED} (2^32 − 1: some methods' libraries "
             f"take 32-bit seeds)")
    for s in seeds:
        if not integer(s):
            raise InputTypeError(f"{every}; got {type(s).__name__} {s!r} in {seeds!r:.80}")
        if not 0 <= s <= MAX_SEED:
            raise ValueError(f"{every}; got {s!r}")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds: {seeds} repeats a seed; a repeated seed would repeat the same run")
    return [int(s) for s in seeds]


def _check_options(options, methods: list[str]) -> dict[str, dict]:
    """``options`` as ``{method: {option: value}}`` for methods being compared."""
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise InputTypeError(f"options must be a dict {{method: {{option: value}}}}, e.g. {{'ste': {{'epochs': 50}}}}; "
                             f"got {type(options).__name__} {options!r:.80}")
    stray = [m for m in options if m not in methods]
    if stray:
        raise ValueError(f"options: given for method(s) {stray} that are not being compared ({methods}); "
                         "drop them or add the methods")
    for m, opts in options.items():
        if not isinstance(opts, dict):
            raise InputTypeError(f"options[{m!r}] must be a dict of keyword options, e.g. {{'epochs': 50}}; got "
                                 f"{type(opts).__name__} {opts!r:.80}")
    return options


def _configs(task, methods, grid, quick, options, max_time) -> list[_Config]:
    out = []
    for name in methods:
        entry = registry.method(name)
        for point in points(grid.get(name, {})):
            opts = {**task.method_options(name, quick, options), **point}
            if max_time is not None and getattr(entry.runner, "budgeted", False):
                opts.setdefault("max_time", max_time)
            out.append(_Config(label(name, point), name, point, opts, task.kind in entry.kinds))
    return out


def _pending(task, c: _Config, seeds, done: dict, records: dict) -> list[Job]:
    """The runs of row ``c`` still to do; finished ones from ``done`` go into ``records``
    (after a finished failure, the row's later seeds are not run: the row reports it)."""
    jobs = []
    for seed in seeds:
        key = run_key(task.name, c.name, seed, c.options)
        record = done.get(key)
        if record is not None and record["status"] in FINISHED:
            records[key] = {**record, "label": c.label}
            if record["status"] != "ok":
                break
            continue
        jobs.append(Job(key, c.label, c.name, seed, c.options, c.point))
    return jobs


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
    if not isinstance(store, (RunStore, str, os.PathLike)):
        raise InputTypeError(f"store must be a folder (a str or Path) or a RunStore; got {type(store).__name__} "
                             f"{store!r:.80}")
    store = store if isinstance(store, RunStore) else RunStore(store)
    if replace and store.path.exists():
        store.path.unlink()
    if not resume and store.path.exists() and store.path.stat().st_size:
        raise ValueError(f"store: {store.path} already holds runs of an earlier experiment; pass resume=True to "
                         f"continue it (finished runs are not redone), replace=True to start over, or a new folder")
    return store


def _row(task, c: _Config, seeds, records: dict) -> tuple[dict, list[dict]]:
    """Row ``c`` of the table and the runs it keeps (ok and interrupted, in seed order): mean
    and population std of every column over its ``ok`` runs; a failed or unavailable run
    makes the row say so."""
    entry = registry.method(c.name)
    row = {"method": c.label, "name": c.name, "grid": c.point, "status": "ok", "reason": "", "seeds": 0,
           "quantum": entry.quantum}
    if not c.runs:
        return {**row, "status": "unavailable", "reason": f"runs on {'/'.join(entry.kinds)} tasks, not {task.kind} ones"}, []
    found = [records.get(run_key(task.name, c.name, seed, c.options)) for seed in seeds]
    found = [r for r in found if r is not None]
    bad = next((r for r in found if r["status"] in ("failed", "unavailable")), None)
    ok = [r for r in found if r["status"] == "ok"]
    kept = [r for r in found if r["status"] in ("ok", "interrupted")]
    if bad is not None:
        return {**row, "status": bad["status"], "reason": bad["reason"]}, [r for r in kept if r["status"] == "ok"]
    if not ok:
        cut = next((r for r in found if r["status"] == "interrupted"), None)
        if cut is None:
            return {**row, "status": "not run", "reason": "the comparison was interrupted before this method"}, []
        return {**row, "status": "interrupted", "reason": f"Ctrl-C during seed {cut['seed']}, before any seed "
                                                          f"finished"}, kept
    row["seeds"], row["budget_hits"] = len(ok), sum(bool(r.get("budget_hit")) for r in ok)
    for key, _ in task.columns:
        if key in ("wall_time", "evaluations"):
            values = [float(r[key]) for r in ok]
        else:  # a stored NaN comes back as None: it stays NaN in the mean
            values = [math.nan if r["metrics"][key] is None else r["metrics"][key]
                      for r in ok if key in r["metrics"]]
        if values:
            row[f"{key}_mean"], row[f"{key}_std"] = _mean_std(values)
    return row, kept


def _mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and population std; the std of one value is 0, of values with a NaN or inf NaN
    (``statistics.pstdev`` cannot take them: ista's bits per weight is NaN)."""
    mean = statistics.fmean(values)
    if len(values) == 1:
        return mean, 0.0
    if not all(math.isfinite(v) for v in values):
        return mean, math.nan
    return mean, statistics.pstdev(values)
