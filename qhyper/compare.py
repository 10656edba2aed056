r"""Compare trainers on one task, on equal terms: same network, same data, same Evaluator.

``qh.compare(["mle", "elbo", "mmd", "ste", "qubo", "exact"], task="digits01_4x4", seeds=3)``
runs every method once per seed, each on a fresh :class:`~qhyper.Evaluator` of the task
(so wall times include everything a method computes), and returns a :class:`Comparison`:
one row per method with mean ± std over seeds of train/test accuracy and NLL, wall time,
networks evaluated and, where the method has a distribution, the probability it puts on
the best network (``p_best``).

**Tasks** are named configurations — data set, model, logit scale and default budgets per
method: ``qh.compare.tasks()``, ``qh.compare.register_task(Task(...))``.
**Methods** are runners ``runner(task, seed, options) -> TrainResult``:
``qh.compare.methods()``, ``qh.compare.register_method(name, runner)``. A runner that
cannot run (missing component, architecture it cannot encode, model too large) raises
:class:`MethodUnavailable`; its row then says ``unavailable`` with the reason. Nothing is
ever filled in for a method that did not run.
"""
from __future__ import annotations

import json
import math
import statistics
import sys
import types
from dataclasses import dataclass, field
from typing import Any, Callable

from tqdm.auto import tqdm

from . import data as datasets
from .bnn import BinaryMLP
from .evaluate import Evaluator

__all__ = ["compare", "Comparison", "Task", "MethodUnavailable", "tasks", "get_task",
           "register_task", "methods", "register_method", "COLUMNS"]


class MethodUnavailable(RuntimeError):
    """A method cannot run on this task or in this installation (the message says why)."""


# ---------------------------------------------------------------------- tasks
@dataclass
class Task:
    """A named comparison problem.

    Args:
        name: registry key.
        dataset: a :func:`qhyper.datasets.load` name; ``dataset_options`` go to it.
        layer_sizes, activation, bias: the :class:`~qhyper.BinaryMLP`.
        logit_scale: inverse temperature of the likelihood.
        options: default keyword options per method name (the method's budget).
        quick: smaller options per method for smoke runs (``quick=True``).
        description: one line for ``qhyper tasks``.
        methods: what ``compare`` runs when no methods are named.
        kind: ``"classification"`` (a :class:`~qhyper.BinaryMLP` on a data set) or
            ``"inverse"`` (``dataset`` names a :func:`qhyper.pibinn.load_task` problem;
            the table then shows reconstruction NMSE and bits per weight).
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
    methods: tuple[str, ...] = ("mle", "elbo", "mmd", "ste", "qubo", "exact")

    @property
    def columns(self) -> list[tuple[str, str]]:
        return COLUMNS if self.kind == "classification" else INVERSE_COLUMNS

    def model(self) -> BinaryMLP:
        return BinaryMLP(self.layer_sizes, activation=self.activation, bias=self.bias)

    def data(self) -> datasets.Dataset:
        return datasets.load(self.dataset, **self.dataset_options)

    def evaluator(self) -> Evaluator:
        """A fresh Evaluator on the training split that knows the test split."""
        return Evaluator.from_dataset(self.model(), self.data(), logit_scale=self.logit_scale)

    def method_options(self, method: str, quick: bool = False, overrides: dict | None = None) -> dict:
        opts = dict(self.options.get(method, {}))
        if quick:
            opts.update(self.quick.get(method, {}))
        opts.update((overrides or {}).get(method, {}))
        return opts

    @property
    def num_bits(self) -> int | None:
        return self.model().num_bits if self.kind == "classification" else None


_TASKS: dict[str, Task] = {}


def register_task(task: Task) -> Task:
    """Add (or replace) a task in the registry."""
    if not isinstance(task, Task):
        raise TypeError(f"register_task takes a qhyper.compare.Task; got {type(task).__name__}")
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
        raise ValueError(f"unknown task {name!r}; available: {', '.join(_TASKS)} "
                         "(or register one with qh.compare.register_task)")
    return _TASKS[name]


# Default budgets keep `qhyper compare` (6 methods × 3 seeds) near two minutes on 2 cores.
# MLE: L-BFGS with the trainer's entropy annealing at the original code's depth 4 finds the global
# minimum of digits01_4x4 in ≥ 90% of restarts (benchmarks/qhn_depth.py).
_QHN_DEFAULT = {"mle": {"optimizer": "lbfgs", "steps": 300, "layers": 4},
                "elbo": {"optimizer": "lbfgs", "steps": 200, "layers": 4},
                "mmd": {"steps": 200, "shots": 256, "layers": 4}}
_QHN_QUICK = {"steps": 5, "layers": 1}
_QHN_QUICKS = {"mle": _QHN_QUICK, "elbo": _QHN_QUICK, "mmd": {**_QHN_QUICK, "shots": 32}}
_QUBO_QUICK = {"num_reads": 2, "num_sweeps": 100, "max_batches": 1, "refine_rounds": 1}
register_task(Task(
    "digits01_4x4", "digits01_4x4", [16, 1], logit_scale=1.0,
    description="digits 0 vs 1, 4x4 pixels; logistic regression with ±1 weights (17 bits)",
    options={**_QHN_DEFAULT, "ste": {"epochs": 100}, "qubo": {"num_reads": 10, "num_sweeps": 1000}},
    quick={**_QHN_QUICKS, "ste": {"epochs": 5, "restarts": 2}, "qubo": _QUBO_QUICK},
))
register_task(Task(
    "gaussian_mixture", "gaussian_mixture", [2, 4, 1], activation=["relu", "sigmoid"],
    dataset_options={"n_train": 1000, "n_test": 1000},
    description="the 2-D task of the QHN paper; 4 hidden units, one qubit picks relu or sigmoid (18 bits)",
    options={**_QHN_DEFAULT, "ste": {"epochs": 30, "batch_size": 100}},
    quick={**_QHN_QUICKS, "ste": {"epochs": 2, "restarts": 2}},
))
register_task(Task(
    "bars_stripes_sign", "bars_and_stripes", [4, 2, 1], activation="sign",
    dataset_options={"rows": 2, "cols": 2},
    description="noisy 2x2 bars vs stripes, ±1 pixels; 2 sign hidden units: a net the QUBO encodes exactly (13 bits)",
    options={**_QHN_DEFAULT, "ste": {"epochs": 100, "restarts": 16}, "qubo": {"num_reads": 10, "num_sweeps": 1000}},
    quick={**_QHN_QUICKS, "ste": {"epochs": 5, "restarts": 2}, "qubo": _QUBO_QUICK},
))

_LOCAL_QUICK = {"epochs": 1, "hidden": (16, 16, 16)}


def _local_ib_task(name: str, layer_sizes: list[int], ste_epochs: int, what: str) -> Task:
    """A task for the local-training methods: a 3-unit binary network (64-64-64) for
    localib/hsic/e2e, and the same network as a BinaryMLP for ste."""
    return Task(name, name, layer_sizes, activation="sign",
                description=f"{what}; a 3-unit binary network (64-64-64) for localib/hsic/e2e, the same BinaryMLP for ste",
                methods=("localib", "hsic", "e2e", "ste"), options={"ste": {"epochs": ste_epochs}},
                quick={"ste": {"epochs": 1, "restarts": 1}, "localib": _LOCAL_QUICK, "hsic": _LOCAL_QUICK,
                       "e2e": _LOCAL_QUICK})


register_task(_local_ib_task("digits10_8x8", [64, 64, 64, 64, 10], 30, "all ten 8x8 digits"))
register_task(_local_ib_task("moons", [2, 64, 64, 64, 2], 100, "two half-moons"))
_PIBINN_NAMES = ("ista", "lista", "lista_masked", "binary_dense", "binary_per_row", "ternary", "pibinn",
                 "binary_pruned", "qhn")
_PIBINN_QUICK = {m: {"steps": 20} for m in _PIBINN_NAMES[1:-1]}
for _problem, _text in (("deconv1d", "1-D deconvolution of sparse spikes (banded Toeplitz blur)"),
                        ("block_cs", "block-diagonal Gaussian compressed sensing")):
    register_task(Task(_problem, _problem, [], kind="inverse", methods=_PIBINN_NAMES, description=f"inverse problem: {_text}; "
                       "unrolled ISTA networks and PIBiNN (after Eamaz et al.)",
                       quick={**_PIBINN_QUICK, "qhn": {"qhn_steps": 3, "steps": 20}}))


# ---------------------------------------------------------------------- methods
Runner = Callable[[Task, int, dict], Any]


@dataclass
class _Method:
    runner: Runner
    description: str
    quantum: bool
    kinds: tuple[str, ...]


_METHODS: dict[str, _Method] = {}


def register_method(name: str, runner: Runner, description: str = "", quantum: bool = False,
                    kinds: tuple[str, ...] = ("classification",)) -> None:
    """Add a method: ``runner(task, seed, options)`` returns a :class:`~qhyper.trainers.TrainResult`
    (or raises :class:`MethodUnavailable`); ``kinds`` are the task kinds it runs on."""
    if not callable(runner):
        raise TypeError(f"runner must be callable (task, seed, options) -> TrainResult; got {runner!r}")
    _METHODS[name] = _Method(runner, description, quantum, tuple(kinds))


def methods() -> dict[str, str]:
    """Registered method names and their descriptions."""
    return {name: m.description for name, m in _METHODS.items()}


def _ste(task, seed, options):
    from .trainers.ste import STE

    return STE(seed=seed, **options).fit(task.evaluator())


def _qubo(task, seed, options):
    from .qubo.bnn import check_encodable
    from .trainers.qubo import QUBO

    try:
        import dimod  # noqa: F401
        import dwave.samplers  # noqa: F401
    except ImportError as err:
        raise MethodUnavailable(f"needs dimod and dwave-samplers (pip install dimod dwave-samplers): {err}") from err
    try:
        check_encodable(task.model())
    except ValueError as err:
        raise MethodUnavailable(str(err)) from err
    return QUBO(seed=seed, **options).fit(task.evaluator())


def _exact(task, seed, options):
    from .trainers.exhaustive import Exhaustive

    trainer = Exhaustive(**options)
    if task.num_bits > trainer.max_bits:
        raise MethodUnavailable(f"{task.num_bits} bits: 2^{task.num_bits} networks is beyond max_bits={trainer.max_bits}")
    return trainer.fit(task.evaluator())


def _qhn(objective: str):
    """A runner for a quantum-hypernetwork objective, resolved when it runs."""

    def run(task, seed, options):
        try:
            from .hypernet import Hypernetwork
            from .objectives import ELBO, MLE, MMDSurrogateELBO
            from .trainers.qhn import QHN
        except ImportError as err:
            raise MethodUnavailable(f"the quantum hypernetwork is not available here: {err}") from err
        opts = dict(options)
        ev = task.evaluator()
        circuit = {k: opts.pop(k) for k in ("ansatz", "layers", "backend", "shots") if k in opts}
        if objective == "mle":
            obj = MLE()
        elif objective == "elbo":
            obj = ELBO(beta=opts.pop("beta", 1.0))
        else:
            obj = MMDSurrogateELBO(lam=opts.pop("lam", float(ev.num_data)))
            circuit.setdefault("shots", 128)
            opts.setdefault("gradient", "spsa")
        try:
            hn = Hypernetwork.for_model(ev.model, ansatz=circuit.pop("ansatz", "brick"),
                                        layers=circuit.pop("layers", 4), seed=seed, **circuit)
        except MemoryError as err:
            raise MethodUnavailable(str(err)) from err
        return QHN(objective=obj, seed=seed, progress=False, **opts).fit(hn, ev)

    return run


register_method("mle", _qhn("mle"), "quantum hypernetwork, expected loss (original QHN), exact statevector", True)
register_method("elbo", _qhn("elbo"), "quantum hypernetwork, exact ELBO (Bayesian VI), exact statevector", True)
register_method("mmd", _qhn("mmd"), "quantum hypernetwork, MMD-surrogate ELBO from shots (SPSA gradients)", True)
register_method("ste", _ste, "latent real weights + straight-through sign, Adam")
register_method("qubo", _qubo, "training problem as a QUBO, simulated annealing (dwave-samplers)")
register_method("exact", _exact, "exhaustive oracle: MAP network and exact posterior over all 2^n networks")


def _local(which: str):
    """LocalIB / HSIC-bottleneck / end-to-end runners on the pib network built for the task's data."""

    def run(task, seed, options):
        from .trainers import localib

        return getattr(localib, f"run_{which}")(datasets.load(task.dataset, seed=seed, **task.dataset_options),
                                                 seed, **options)

    return run


register_method("localib", _local("localib"), "local information bottleneck per unit, binary units (after Wang et al.)")
register_method("hsic", _local("hsic"), "HSIC bottleneck per unit, binary units")
register_method("e2e", _local("end_to_end"), "the same pib network trained end to end (straight-through sign)")


def _pibinn(name: str):
    def run(task, seed, options):
        from .pibinn.methods import run_method

        return run_method(name, task.dataset, seed, **options)

    return run


_PIBINN_METHODS = {
    "ista": "ISTA, unlearned reference", "lista": "LISTA, dense full-precision weights",
    "lista_masked": "LISTA on the physics supports, full precision",
    "binary_dense": "one-bit dense LISTA, global scale", "binary_per_row": "one-bit dense LISTA, per-row scales",
    "ternary": "ternary (TWN) LISTA", "pibinn": "PIBiNN: one bit on the physics supports, one global scale",
    "binary_pruned": "one bit on a learned (pruned) support that pays for its mask",
    "qhn": "quantum hypernetwork on the 16 free bits of a small tied PIBiNN",
}
for _name, _text in _PIBINN_METHODS.items():
    register_method(_name, _pibinn(_name), _text, quantum=_name == "qhn", kinds=("inverse",))


# ---------------------------------------------------------------------- the table
INVERSE_COLUMNS = [("train_nmse_db", "train NMSE dB"), ("test_nmse_db", "test NMSE dB"), ("gap_db", "gap dB"),
                   ("bits_per_weight", "bits/weight"), ("p_best", "p(best)"), ("wall_time", "wall s"),
                   ("evaluations", "evaluations")]
COLUMNS = [("train_accuracy", "train acc"), ("test_accuracy", "test acc"), ("train_nll", "train NLL"),
           ("test_nll", "test NLL"), ("p_best", "p(best)"), ("wall_time", "wall s"),
           ("evaluations", "evaluations")]


class Comparison(list):
    """Rows (dicts) of a comparison, one per method; ``runs`` holds every (method, seed) result.

    Row keys: ``method``, ``status`` (``ok`` | ``unavailable`` | ``failed``), ``reason``,
    ``seeds``, and ``<metric>_mean`` / ``<metric>_std`` for every column in :data:`COLUMNS`
    that the method reports.
    """

    def __init__(self, rows, task: Task, runs: list[dict], seeds: list[int]):
        super().__init__(rows)
        self.task, self.runs, self.seeds = task, runs, seeds

    def format(self) -> str:
        """The table as aligned text (mean ± std over seeds)."""
        columns = self.task.columns
        head = ["method", *[label for _, label in columns]]
        full = [[r["method"], *(_cell(r.get(f"{k}_mean"), r.get(f"{k}_std"), k) for k, _ in columns)]
                for r in self if r["status"] == "ok"]
        widths = [max(len(c) for c in col) for col in zip(head, *full)]
        widths[0] = max([widths[0], *(len(r["method"]) for r in self)])
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
        out = [f"task {self.task.name}: {self.task.description} — seeds {self.seeds}",
               line(head), line(["-" * w for w in widths])]
        for row in self:
            if row["status"] == "ok":
                out.append(line(full.pop(0)))
            else:
                out.append(f"{row['method'].ljust(widths[0])}  {row['status']}: {row['reason']}")
        return "\n".join(out)

    __str__ = format

    def __repr__(self) -> str:
        return self.format()

    def to_dict(self) -> dict:
        """Everything as JSON-ready data: task, seeds, rows and per-run metrics."""
        t = self.task
        return {
            "task": {"name": t.name, "dataset": t.dataset, "dataset_options": t.dataset_options,
                     "layer_sizes": t.layer_sizes, "activation": t.activation, "bias": t.bias,
                     "logit_scale": t.logit_scale, "num_bits": t.num_bits, "description": t.description},
            "seeds": self.seeds,
            "rows": [dict(r) for r in self],
            "runs": self.runs,
        }

    def save_json(self, path) -> None:
        with open(path, "w") as f:
            json.dump(self.to_dict(), f, indent=2, default=_jsonable)

    def plot(self, path=None):
        """Test accuracy (bars, ± std; train accuracy as dots) and wall time per method; saved to
        ``path`` (PNG) if given. Returns the matplotlib Figure."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        ok = [r for r in self if r["status"] == "ok"]
        fig = Figure(figsize=(9, 3.6))
        FigureCanvasAgg(fig)
        ax1, ax2 = fig.subplots(1, 2)
        names = [r["method"] for r in ok]
        x = range(len(ok))
        score = "accuracy" if self.task.kind == "classification" else "nmse_db"
        test = [r.get(f"test_{score}_mean", math.nan) for r in ok]
        ax1.bar(x, test, yerr=[r.get(f"test_{score}_std", 0.0) for r in ok], color="tab:blue",
                alpha=0.8, capsize=3, label="test")
        ax1.plot(x, [r.get(f"train_{score}_mean", math.nan) for r in ok], "o", color="black", label="train")
        finite = [v for v in test if not math.isnan(v)]
        if score == "accuracy":
            ax1.set_ylim(max(0.0, min(finite, default=0.5) - 0.1), 1.01)
        ax1.set_xticks(list(x), names, rotation=30)
        ax1.set_ylabel("accuracy" if score == "accuracy" else "NMSE (dB)")
        ax1.legend(loc="lower right")
        ax2.bar(x, [r["wall_time_mean"] for r in ok], yerr=[r["wall_time_std"] for r in ok],
                color="tab:orange", capsize=3)
        ax2.set_yscale("log")
        ax2.set_xticks(list(x), names, rotation=30)
        ax2.set_ylabel("wall time per run (s)")
        missing = [r["method"] for r in self if r["status"] != "ok"]
        size = f"{self.task.num_bits} bits" if self.task.num_bits is not None else "inverse problem"
        title = f"{self.task.name} ({size}), {len(self.seeds)} seed(s)"
        fig.suptitle(title + (f"; not run: {', '.join(missing)}" if missing else ""), fontsize=10)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig


def _cell(mean, std, key) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "—"
    if key == "evaluations":
        return f"{mean:.0f}"
    if key == "wall_time":
        return f"{mean:.2f} ± {std:.2f}"
    return f"{mean:.3f} ± {std:.3f}"


def _jsonable(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


# ---------------------------------------------------------------------- running
def compare(methods=None, task="digits01_4x4", seeds=3,
            options: dict | None = None, quick: bool = False, progress: bool = True,
            strict: bool = False) -> Comparison:
    """Run ``methods`` on ``task`` for each seed and tabulate the results.

    Args:
        methods: method names (see :func:`methods`) or one comma-separated string; default
            the task's own list (``task.methods``).
        task: a task name (see :func:`tasks`) or a :class:`Task`.
        seeds: number of seeds (0 … seeds−1) or a list of seeds.
        options: per-method keyword overrides, e.g. ``{"ste": {"epochs": 50}}``.
        quick: use the task's small smoke-test budgets.
        progress: progress bar over the runs.
        strict: re-raise a method's unexpected error instead of reporting the row as ``failed``.
    """
    task = get_task(task)
    if methods is None:
        methods = task.methods
    if isinstance(methods, str):
        methods = [m.strip() for m in methods.split(",") if m.strip()]
    methods = list(methods)
    unknown = [m for m in methods if m not in _METHODS]
    if unknown or not methods:
        raise ValueError(f"unknown method(s) {unknown}; available: {', '.join(_METHODS)}"
                         if unknown else "no methods given")
    seeds = list(range(int(seeds))) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must be a positive count or a non-empty list")
    options = options or {}
    stray = [m for m in options if m not in methods]
    if stray:
        raise ValueError(f"options given for method(s) {stray} that are not being compared ({methods})")

    runs, rows = [], []
    bar = tqdm(total=len(methods) * len(seeds), desc=f"compare {task.name}", disable=not progress)
    try:
        for name in methods:
            opts = task.method_options(name, quick, options)
            results, status, reason = [], "ok", ""
            if task.kind not in _METHODS[name].kinds:
                rows.append({**_row(name, "unavailable", f"runs on {'/'.join(_METHODS[name].kinds)} tasks, "
                                    f"not {task.kind} ones", []), "seeds": 0})
                bar.update(len(seeds))
                continue
            for seed in seeds:
                bar.set_postfix(method=name, seed=seed)
                try:
                    res = _METHODS[name].runner(task, seed, dict(opts))
                except MethodUnavailable as err:
                    status, reason = "unavailable", str(err)
                    break
                except KeyboardInterrupt:
                    raise
                except Exception as err:  # a method's own failure is reported, not hidden
                    if strict:
                        raise
                    status, reason = "failed", f"{type(err).__name__}: {err}"
                    break
                finally:
                    bar.update(1)
                results.append(res)
                runs.append({"method": name, "seed": seed, "wall_time": res.wall_time,
                             "evaluations": res.evaluations, "interrupted": res.interrupted,
                             "metrics": dict(res.metrics), "options": opts})
            rows.append(_row(name, status, reason, results, task.columns))
    finally:
        bar.close()
    return Comparison(rows, task, runs, seeds)


def _row(name, status, reason, results, columns=COLUMNS) -> dict:
    row = {"method": name, "status": status, "reason": reason, "seeds": len(results),
           "quantum": _METHODS[name].quantum}
    if status != "ok":
        return row
    for key, _ in columns:
        if key == "wall_time":
            values = [r.wall_time for r in results]
        elif key == "evaluations":
            values = [float(r.evaluations) for r in results]
        else:
            values = [r.metrics[key] for r in results if key in r.metrics]
        if values:
            row[f"{key}_mean"] = statistics.fmean(values)
            row[f"{key}_std"] = statistics.pstdev(values) if len(values) > 1 else 0.0
    return row


# ``qh.compare`` is this module: calling it runs :func:`compare`, and its attributes are the
# registries (``qh.compare.tasks()``, ``qh.compare.register_method(...)``).
class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs) -> Comparison:
        return compare(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
