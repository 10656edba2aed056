"""Where the runs of a comparison execute: in this process, or as Ray tasks.

``compare(..., executor=...)`` takes ``"local"`` (default), ``"ray"`` or an executor object:
:class:`LocalExecutor` runs the runs one after another in this process;
:class:`RayExecutor` submits every run as a Ray task (``num_cpus`` each, on a local Ray or
an existing cluster at ``address``) and hands each record to the driver as it finishes, so
the driver alone writes the run store. Both run the same :func:`run_job`, with the same
seeds and options, so a run's metrics do not depend on where it ran (torch's intra-op
threads are set per run: ``threads``, and a Ray task uses as many as it has CPUs).

An executor's :meth:`run` takes ``groups``: the pending runs of each table row in seed
order. It returns ``True`` if it was interrupted (Ctrl-C), after recording what finished.
"""
from __future__ import annotations

import math
import numbers
import os
import sys
import time
from dataclasses import dataclass, field

from .._checks import InputTypeError, check_bool, check_count, check_real
from .._threads import check_threads, threads
from . import registry

__all__ = ["Job", "run_job", "LocalExecutor", "RayExecutor", "resolve_executor", "EXECUTORS"]

EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class Job:
    """One run: ``method`` on the task with ``seed`` and resolved ``options``; ``label`` is its
    table row (the method, or the method at a grid point ``grid``)."""

    key: str
    label: str
    method: str
    seed: int
    options: dict
    grid: dict = field(default_factory=dict)


def run_job(runner, task, job: Job, strict: bool = False, num_threads: int | None = None) -> dict:
    """Run ``job`` with ``runner`` and return its store record: status ``ok`` (or
    ``interrupted`` if the trainer was cut short), ``unavailable`` or ``failed``; a Ctrl-C
    outside the trainer makes an ``interrupted`` record too."""
    record = _header(task, job)
    start = time.perf_counter()
    try:
        with threads(num_threads):
            res = runner(task, job.seed, dict(job.options))
    except registry.MethodUnavailable as err:
        return {**record, "status": "unavailable", "reason": str(err)}
    except KeyboardInterrupt:
        return {**record, "status": "interrupted", "reason": "Ctrl-C before the trainer returned",
                "wall_time": time.perf_counter() - start, "metrics": {}, "evaluations": 0}
    except Exception as err:  # a method's own failure is reported, not hidden
        if strict:
            raise
        return {**record, "status": "failed", "reason": f"{type(err).__name__}: {err}"}
    budget_hit = bool(getattr(res, "budget_hit", False))
    reason = "stopped early (Ctrl-C)" if res.interrupted else "stopped at its time budget" if budget_hit else ""
    return {**record, "status": "interrupted" if res.interrupted else "ok", "reason": reason,
            "wall_time": res.wall_time, "evaluations": res.evaluations, "interrupted": res.interrupted,
            "budget_hit": budget_hit, "metrics": dict(res.metrics)}


def _header(task, job: Job) -> dict:
    """The fields of a run's record that say which run it is."""
    return {"key": job.key, "task": task.name, "method": job.method, "label": job.label, "grid": job.grid,
            "seed": job.seed, "options": job.options, "reason": ""}


class LocalExecutor:
    """The runs one after another in this process. After a run that failed or was
    unavailable, the rest of its row is skipped (the row reports it either way); a Ctrl-C
    stops everything.

    Args:
        threads: torch intra-op threads per run (restored after; ``None``: the caller's).
    """

    name = "local"

    def __init__(self, threads: int | None = None):
        self.threads = check_threads(threads)

    def run(self, task, groups: list[list[Job]], runners: dict, strict: bool, on_record) -> bool:
        for group in groups:
            for job in group:
                record = run_job(runners[job.method], task, job, strict, self.threads)
                on_record(record)
                if record["status"] == "interrupted":
                    return True
                if record["status"] != "ok":
                    break
        return False

    def __repr__(self) -> str:
        return f"LocalExecutor(threads={self.threads})"


class RayExecutor:
    """Every run as a Ray task; records stream back to the driver as runs finish.

    Args:
        address: an existing Ray cluster (``"auto"``, ``"ray://host:10001"``, ``"host:6379"``);
            ``None`` starts a local Ray on this machine's cores and shuts it down after.
            If Ray is already initialised in this process, that session is used.
        num_cpus: CPUs reserved per run (and torch threads inside it, at least 1). A local Ray
            (``address`` ``None``) must have that many: at most ``local_cpus``, or this
            machine's cores, or the CPUs of the Ray session already running here.
        local_cpus: CPUs of the local Ray started when ``address`` is ``None`` (default all).
        grace: seconds a Ctrl-C waits for the runs in progress to return what they have
            (each is sent a KeyboardInterrupt, which trainers turn into a cut-short result).
        shutdown: stop a local Ray this executor started once its runs are done. The default
            ``False`` keeps it (and its warm workers) for the next comparison in this process:
            starting Ray and importing qhyper in the workers took ~7.5 s on a 2-core machine,
            stopping it ~1.3 s; Ray stops itself when the process exits (or call ``ray.shutdown()``).

    Every run is submitted at once (Ray queues what does not fit); a run whose worker dies
    is recorded as ``failed``. Runners and tasks are shipped to the workers by value, so
    methods registered in the driver run there too; ``qhyper`` itself must be installed on
    every node of a cluster.
    """

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: float = 1, local_cpus: int | None = None,
                 grace: float = 1.5, shutdown: bool = False):
        if address is not None and not (isinstance(address, str) and address.strip()):
            raise (ValueError if isinstance(address, str) else InputTypeError)(
                f"address must be a Ray cluster address such as 'auto' or 'ray://host:10001' (or None for a local "
                f"Ray); got {address!r}")
        number = isinstance(num_cpus, numbers.Real) and not isinstance(num_cpus, bool)
        if not (number and math.isfinite(num_cpus) and num_cpus > 0):
            raise (ValueError if number else InputTypeError)(
                f"num_cpus must be a number > 0 and finite (CPUs reserved per run, e.g. 1); got {num_cpus!r}")
        self.local_cpus = check_count(local_cpus, "local_cpus", allow_none=True,
                                      fix="CPUs of the local Ray; None for all of this machine's cores")
        self.grace = check_real(grace, "grace", 0, fix="seconds a Ctrl-C waits for the runs in progress")
        self.shutdown = check_bool(shutdown, "shutdown")
        ray = sys.modules.get("ray")
        if address is None and self.local_cpus is not None:
            _check_fits(num_cpus, self.local_cpus, "local_cpus")
        elif address is None and not (ray is not None and ray.is_initialized()):
            _check_fits(num_cpus, os.cpu_count() or 1, "this machine's cores")
        self.address, self.num_cpus = address, num_cpus

    def run(self, task, groups: list[list[Job]], runners: dict, strict: bool, on_record) -> bool:
        ray = _import_ray()
        started = self._start(ray)
        try:
            if self.address is None:  # a local Ray never schedules a run that needs more CPUs than it has
                _check_fits(self.num_cpus, ray.cluster_resources().get("CPU", 0), "the local Ray session")
            remote = ray.remote(num_cpus=self.num_cpus, max_retries=0)(run_job)
            task_ref, threads_each = ray.put(task), max(1, int(self.num_cpus))
            pending = {remote.remote(runners[job.method], task_ref, job, strict, threads_each): job
                       for group in groups for job in group}
            try:
                while pending:
                    ready, _ = ray.wait(list(pending), num_returns=1, timeout=0.25)
                    for ref in ready:
                        on_record(self._record(ray, ref, pending.pop(ref), task, strict))
            except KeyboardInterrupt:
                for ref in pending:
                    ray.cancel(ref)  # a KeyboardInterrupt inside each run in progress
                ready, _ = ray.wait(list(pending), num_returns=len(pending), timeout=self.grace)
                for ref in ready:
                    try:
                        on_record(ray.get(ref))
                    except Exception:  # cancelled before it started, or killed: no record, redone on resume
                        pass
                return True
            return False
        finally:
            if started and self.shutdown:
                ray.shutdown()

    def _start(self, ray) -> bool:
        """Connect to (or start) Ray; ``True`` if this call started it (and must stop it)."""
        if ray.is_initialized():
            return False
        if self.address is not None:
            ray.init(address=self.address, log_to_driver=False)
        else:
            ray.init(num_cpus=self.local_cpus, include_dashboard=False, log_to_driver=False)
        return True

    @staticmethod
    def _record(ray, ref, job: Job, task, strict: bool) -> dict:
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as err:
            if strict:
                raise err.as_instanceof_cause()
            reason = f"{type(err.cause).__name__}: {err.cause}" if getattr(err, "cause", None) else str(err)
        except ray.exceptions.RayError as err:  # the worker died
            reason = f"{type(err).__name__}: {err}"
        return {**_header(task, job), "status": "failed", "reason": reason}

    def __repr__(self) -> str:
        return f"RayExecutor(address={self.address!r}, num_cpus={self.num_cpus})"


def _check_fits(num_cpus: float, available: float, where: str) -> None:
    if num_cpus > available:
        raise ValueError(f"num_cpus={num_cpus:g} CPUs per run, but {where} offer(s) {available:g}: Ray would never "
                         f"schedule a run; give num_cpus ≤ {available:g} (or a cluster address with larger nodes)")


def resolve_executor(executor):
    """An executor object from ``"local"``, ``"ray"`` or an object with ``run(...)``."""
    if isinstance(executor, type):
        raise InputTypeError(f"executor must be an executor object, not the class {executor.__name__}: pass "
                             f"{executor.__name__}(), or 'local' / 'ray'")
    if executor is None or executor == "local":
        return LocalExecutor()
    if executor == "ray":
        return RayExecutor()
    if callable(getattr(executor, "run", None)) and not isinstance(executor, str):
        return executor
    raise ValueError(f"executor must be one of {EXECUTORS}, a LocalExecutor or a RayExecutor; got {executor!r}")


def _import_ray():
    try:
        import ray
    except ImportError as err:
        raise ImportError("executor='ray' needs Ray: pip install 'qhyper[ray]'") from err
    return ray
