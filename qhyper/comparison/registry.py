"""The two registries of a comparison: tasks (named benchmark configurations) and methods.

Nothing is registered here; the built-in entries are data in :mod:`qhyper.comparison.catalogue`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import data as datasets
from ..bnn import BinaryMLP
from ..evaluate import Evaluator
from .table import COLUMNS, INVERSE_COLUMNS

__all__ = ["Task", "Method", "MethodUnavailable", "MAIN_METHODS", "KINDS", "register_task", "tasks", "get_task",
           "register_method", "methods", "method"]

#: The main job: what a task compares when it names no methods of its own.
MAIN_METHODS = ("mle", "elbo", "mmd", "ste", "qubo", "exact")

#: The task kinds: a :class:`~qhyper.BinaryMLP` classifier, or a :mod:`qhyper.pibinn` inverse problem.
KINDS = ("classification", "inverse")


class MethodUnavailable(RuntimeError):
    """A method cannot run on this task or in this installation (the message says why)."""


# ---------------------------------------------------------------------- tasks
@dataclass
class Task:
    """A named benchmark configuration: what ``--task NAME`` / ``task=NAME`` selects.

    Args:
        name: registry key.
        dataset: a :func:`qhyper.datasets.load` name; ``dataset_options`` go to it.
        layer_sizes, activation, bias: the :class:`~qhyper.BinaryMLP`.
        logit_scale: inverse temperature of the likelihood.
        options: default keyword options per method name (the method's budget).
        quick: smaller options per method for smoke runs (``quick=True``).
        description: one line for ``qhyper tasks``.
        kind: ``"classification"`` (a :class:`~qhyper.BinaryMLP` on a data set) or
            ``"inverse"`` (``dataset`` names a :func:`qhyper.pibinn.load_problem` problem;
            the table then shows reconstruction NMSE and bits per weight).
        methods: what ``compare`` runs when no methods are named (default :data:`MAIN_METHODS`).
    """

    name: str
    dataset: str
    layer_sizes: list[int]
    activation: Any = "sign"
    bias: bool = True
    logit_scale: float = 1.0
    dataset_options: dict = field(default_factory=dict)
    options: dict[str, dict] = field(default_factory=dict)
    quick: dict[str, dict] = field(default_factory=dict)
    description: str = ""
    kind: str = "classification"
    methods: tuple[str, ...] = MAIN_METHODS

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Task {self.name!r}: kind must be one of {KINDS}; got {self.kind!r}")

    @property
    def columns(self) -> list[tuple[str, str]]:
        """The table's ``(metric, label)`` columns for this kind of task."""
        return COLUMNS if self.kind == "classification" else INVERSE_COLUMNS

    def model(self) -> BinaryMLP:
        """A fresh :class:`~qhyper.BinaryMLP` of the task's architecture."""
        return BinaryMLP(self.layer_sizes, activation=self.activation, bias=self.bias)

    def data(self) -> datasets.Dataset:
        """The task's data set (train and test splits)."""
        return datasets.load(self.dataset, **self.dataset_options)

    def evaluator(self) -> Evaluator:
        """A fresh Evaluator on the training split that knows the test split."""
        return Evaluator.from_dataset(self.model(), self.data(), logit_scale=self.logit_scale)

    def method_options(self, method: str, quick: bool = False, overrides: dict | None = None) -> dict:
        """The options ``method`` runs with: the task's budget, then its ``quick`` budget
        (if ``quick``), then ``overrides[method]``, each updating the one before."""
        opts = dict(self.options.get(method, {}))
        if quick:
            opts.update(self.quick.get(method, {}))
        opts.update((overrides or {}).get(method, {}))
        return opts

    @property
    def num_bits(self) -> int | None:
        """Bits of the classification model (``None`` for inverse problems)."""
        return self.model().num_bits if self.kind == "classification" else None


_TASKS: dict[str, Task] = {}


def register_task(task: Task) -> Task:
    """Add (or replace) a task in the registry; returns it."""
    if not isinstance(task, Task):
        raise TypeError(f"register_task(task) takes a qhyper.comparison.Task; got {type(task).__name__} "
                        f"{task!r}: build one with Task(name, dataset, layer_sizes, ...)")
    _TASKS[task.name] = task
    return task


def tasks() -> dict[str, Task]:
    """The registered tasks by name."""
    return dict(_TASKS)


def get_task(name) -> Task:
    """The task ``name`` (a :class:`Task` passes through)."""
    if isinstance(name, Task):
        return name
    if name not in _TASKS:
        raise ValueError(f"task: unknown task {name!r}; available: {', '.join(_TASKS)} "
                         "(or register one with qh.comparison.register_task)")
    return _TASKS[name]


# ---------------------------------------------------------------------- methods
Runner = Callable[[Task, int, dict], Any]


@dataclass(frozen=True)
class Method:
    """A registered method.

    Attributes:
        runner: ``runner(task, seed, options)`` returns a :class:`~qhyper.trainers.TrainResult`
            or raises :class:`MethodUnavailable`.
        description: one line for ``qhyper methods``.
        quantum: the method trains a quantum circuit (shown in the table's rows).
        kinds: the task kinds it runs on (see :class:`Task`).
    """

    runner: Runner
    description: str
    quantum: bool
    kinds: tuple[str, ...]


_METHODS: dict[str, Method] = {}


def register_method(name: str, runner: Runner, description: str = "", quantum: bool = False,
                    kinds: tuple[str, ...] = ("classification",)) -> None:
    """Add (or replace) a method: ``runner(task, seed, options)`` returns a
    :class:`~qhyper.trainers.TrainResult` (or raises :class:`MethodUnavailable`); ``kinds``
    are the task kinds it runs on."""
    if not callable(runner):
        raise TypeError(f"register_method({name!r}, runner): runner must be callable "
                        f"(task, seed, options) -> TrainResult; got {runner!r}")
    if isinstance(kinds, str) or any(k not in KINDS for k in kinds):
        raise ValueError(f"register_method({name!r}, kinds=...): kinds must be a tuple of "
                         f"{KINDS}, e.g. kinds=('inverse',); got {kinds!r}")
    _METHODS[name] = Method(runner, description, quantum, tuple(kinds))


def methods() -> dict[str, str]:
    """Registered method names and their descriptions."""
    return {name: m.description for name, m in _METHODS.items()}


def method(name: str) -> Method:
    """The registered record of method ``name``."""
    if name not in _METHODS:
        raise ValueError(f"method: unknown method {name!r}; available: {', '.join(_METHODS)} "
                         "(or register one with qh.comparison.register_method)")
    return _METHODS[name]
