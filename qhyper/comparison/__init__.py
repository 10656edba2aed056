r"""Compare trainers on one task, on equal terms: same network, same data, same Evaluator.

``qh.compare(["mle", "elbo", "mmd", "ste", "qubo", "exact"], task="digits01_4x4", seeds=3)``
runs every method once per seed, each on a fresh :class:`~qhyper.Evaluator` of the task
(so wall times include everything a method computes), and returns a :class:`Comparison`:
one row per method with mean ± std over seeds of train/test accuracy and NLL, wall time,
networks evaluated and, where the method has a distribution, the probability it puts on
the best network (``p_best``).

**Tasks** are named benchmark configurations — data set, model, logit scale and default
budgets per method: ``qh.comparison.tasks()``, ``qh.comparison.register_task(Task(...))``.
**Methods** are runners ``runner(task, seed, options) -> TrainResult``:
``qh.comparison.methods()``, ``qh.comparison.register_method(name, runner)``. A runner that
cannot run (missing component, architecture it cannot encode, model too large) raises
:class:`MethodUnavailable`; its row then says ``unavailable`` with the reason. Nothing is
ever filled in for a method that did not run.

**Sweeps** (``grid=``) turn a method's row into one row per grid point; **executors** run
the runs here (``"local"``) or as Ray tasks (``"ray"``, or ``RayExecutor(address=...)`` for a
cluster); every run is a record in the run store (``store=``), so an interrupted or killed
experiment is continued with ``resume=True``.

Modules: :mod:`.registry` (Task and the registries), :mod:`.catalogue` (the built-in tasks
and methods, as data), :mod:`.methods` (one adapter per method), :mod:`.run` (``compare``),
:mod:`.grid` (sweeps), :mod:`.executors` (local and Ray), :mod:`.store` (the run store),
:mod:`.options` (option checks), :mod:`.arguments` (the command line's ``--set``, ``--grid`` and
``--seeds``), :mod:`.table` (:class:`Comparison`) and :mod:`.plot` (its figure).

The package is ``comparison``, not ``compare``, so that ``qh.compare`` can be the function:
importing a subpackage ``qhyper.compare`` would rebind ``qhyper.compare`` to the module.
"""
from . import catalogue  # noqa: F401  (registers the built-in tasks and methods)
from .executors import LocalExecutor, RayExecutor
from .registry import (MAIN_METHODS, MethodUnavailable, Task, get_task, method, methods, register_method,
                       register_task, tasks)
from .run import compare
from .table import COLUMNS, INVERSE_COLUMNS, Comparison

__all__ = ["compare", "Comparison", "Task", "MethodUnavailable", "tasks", "get_task", "register_task", "methods",
           "register_method", "method", "COLUMNS", "INVERSE_COLUMNS", "MAIN_METHODS", "LocalExecutor", "RayExecutor"]
