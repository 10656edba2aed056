"""The two registries of a comparison: tasks (named benchmark configurations) and methods.

Nothing is registered here; the built-in entries are data in :mod:`qhyper.comparison.catalogue`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import data as datasets
from .._checks import InputTypeError, check_bool, check_choice, check_instance, check_real
from ..bnn import BinaryMLP
from ..evaluate import Evaluator
from .table import COLUMNS, INVERSE_COLUMNS

__all__ = ["Task", "Method", "MethodUnavailable", "MAIN_METHODS", "KINDS", "register_task", "tasks", "get_task",
           "check_task_data", "register_method", "methods", "method"]

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
        """Every field checked here, and the model built once (cheap): a bad task fails when it
        is defined, not in every run. The data set is checked by :func:`check_task_data`."""
        _check_name(self.name, "Task(name)")
        where = f"Task {self.name!r}"
        check_instance(self.dataset, f"{where}: dataset", str, fix="a qhyper.datasets.load name, e.g. 'moons'")
        check_choice(self.kind, f"{where}: kind", KINDS)
        check_instance(self.description, f"{where}: description", str)
        self.logit_scale = check_real(self.logit_scale, f"{where}: logit_scale", 0, low_open=True,
                                      fix="the likelihood's inverse temperature, e.g. 1.0")
        check_instance(self.dataset_options, f"{where}: dataset_options", dict,
                       fix="keyword options of qhyper.datasets.load, e.g. {'n_train': 500}")
        for field_name in ("options", "quick"):
            value = getattr(self, field_name)
            check_instance(value, f"{where}: {field_name}", dict, fix="{method: {option: value}}, e.g. "
                                                                     "{'ste': {'epochs': 50}}")
            for m, opts in value.items():
                check_instance(opts, f"{where}: {field_name}[{m!r}]", dict, fix="a dict of the method's options")
        methods = [m.strip() for m in self.methods.split(",")] if isinstance(self.methods, str) else self.methods
        if not isinstance(methods, (list, tuple)) or not methods or not all(isinstance(m, str) and m for m in methods):
            raise InputTypeError(f"{where}: methods must be a non-empty tuple of method names, e.g. ('mle', 'ste'); "
                                 f"got {self.methods!r:.80}")
        if self.kind == "classification":
            try:
                self.model()
            except (ValueError, TypeError) as err:
                raise _same_kind(err, f"{where}: {err}") from err
        elif self.dataset_options:
            raise ValueError(f"{where}: dataset_options {self.dataset_options} would be ignored: an inverse task's "
                             f"problem {self.dataset!r} is loaded by name with each run's seed; drop them")

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
        raise InputTypeError(f"register_task(task) takes a qhyper.comparison.Task; got {type(task).__name__} "
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
    if not isinstance(name, str):
        raise InputTypeError(f"task must be a task name (one of {', '.join(_TASKS)}) or a qhyper.comparison.Task; "
                             f"got {type(name).__name__} {name!r:.80}")
    if name not in _TASKS:
        raise ValueError(f"task: unknown task {name!r}; available: {', '.join(_TASKS)} "
                         "(or register one with qh.comparison.register_task)")
    return _TASKS[name]


def check_task_data(task: Task) -> None:
    """Load ``task``'s data set once and score its model's input width against it (a
    classification task), or look its problem name up (an inverse task): a bad data set,
    ``dataset_options`` or width fails here, before any run, naming the task."""
    if task.kind == "inverse":
        from ..pibinn import problems

        if task.dataset not in problems.names():
            raise ValueError(f"Task {task.name!r}: dataset {task.dataset!r} is not an inverse problem; available: "
                             f"{', '.join(problems.names())}")
        return
    try:
        task.evaluator()
    except (ValueError, TypeError) as err:
        raise _same_kind(err, f"Task {task.name!r} (dataset {task.dataset!r}, dataset_options {task.dataset_options}, "
                        f"layer_sizes {task.layer_sizes}): {err}") from err


def _same_kind(err: Exception, message: str) -> Exception:
    """An error with ``message`` of the kind of ``err``: a wrong type stays a TypeError."""
    return InputTypeError(message) if isinstance(err, TypeError) else ValueError(message)


def _check_name(name, where: str) -> str:
    """A registry name: a non-empty string without commas (lists of names are comma-separated)
    or slashes (names become parts of run keys and file names)."""
    if not isinstance(name, str):
        raise InputTypeError(f"{where}: name must be a string; got {type(name).__name__} {name!r:.80}")
    if not name.strip() or any(c in name for c in ",/\\") or name != name.strip():
        raise ValueError(f"{where}: name must be a non-empty string without commas, slashes or surrounding "
                         f"spaces; got {name!r}")
    return name


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
    _check_name(name, "register_method(name)")
    if not callable(runner) or isinstance(runner, type):
        raise InputTypeError(f"register_method({name!r}, runner): runner must be a function "
                        f"(task, seed, options) -> TrainResult; got {runner!r}")
    check_instance(description, f"register_method({name!r}, description)", str)
    quantum = check_bool(quantum, f"register_method({name!r}, quantum)")
    if (not isinstance(kinds, (tuple, list)) or not kinds or len(set(kinds)) != len(kinds)
            or any(not isinstance(k, str) or k not in KINDS for k in kinds)):
        raise (ValueError if isinstance(kinds, (tuple, list)) else InputTypeError)(
            f"register_method({name!r}, kinds=...): kinds must be a non-empty tuple of distinct names from "
            f"{KINDS}, e.g. kinds=('inverse',); got {kinds!r}")
    _METHODS[name] = Method(runner, description, quantum, tuple(kinds))


def methods() -> dict[str, str]:
    """Registered method names and their descriptions."""
    return {name: m.description for name, m in _METHODS.items()}


def method(name: str) -> Method:
    """The registered record of method ``name``."""
    if not isinstance(name, str):
        raise InputTypeError(f"method: a method name (a string, see qh.comparison.methods()); got "
                             f"{type(name).__name__} {name!r:.80}")
    if name not in _METHODS:
        raise ValueError(f"method: unknown method {name!r}; available: {', '.join(_METHODS)} "
                         "(or register one with qh.comparison.register_method)")
    return _METHODS[name]
