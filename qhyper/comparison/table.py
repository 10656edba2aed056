"""The result of a comparison: :class:`Comparison`, its rows and columns, as text and JSON."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

from .._checks import InputTypeError
from .store import strict, write_atomic

__all__ = ["Comparison", "COLUMNS", "INVERSE_COLUMNS"]

#: ``(metric, label)`` columns of a classification task's table.
COLUMNS = [("train_accuracy", "train acc"), ("test_accuracy", "test acc"), ("train_nll", "train NLL"),
           ("test_nll", "test NLL"), ("p_best", "p(best)"), ("p_opt", "p(opt)"), ("wall_time", "wall s"),
           ("evaluations", "evaluations")]
#: ``(metric, label)`` columns of an inverse problem's table.
INVERSE_COLUMNS = [("train_nmse_db", "train NMSE dB"), ("test_nmse_db", "test NMSE dB"), ("gap_db", "gap dB"),
                   ("bits_per_weight", "bits/weight"), ("p_best", "p(best)"), ("wall_time", "wall s"),
                   ("evaluations", "evaluations")]


#: one line under the table explaining the columns that need it
LEGEND = [("p_best", "p(best): the probability the method's distribution puts on the one best network (the loss "
                     "table's argmin)"),
          ("p_opt", "p(opt): on the set of all optimal networks, ties included (within 1e-9 of the minimum loss); "
                    "— where a method reports no distribution or the optimum is unknown"),
          ("evaluations", "evaluations: networks scored on the training data")]


class Comparison(list):
    """Rows (dicts) of a comparison, one per method; ``runs`` holds every (method, seed) result.

    Row keys: ``method`` (the row's name: the method, or ``method[option=value]`` at a grid
    point), ``name`` (the registered method), ``grid`` (the grid point, ``{}`` without one),
    ``status`` (``ok`` | ``unavailable`` | ``failed`` | ``interrupted`` | ``not run``), ``reason``,
    ``seeds`` (runs averaged), ``budget_hits`` (of those, runs stopped by ``max_time``),
    ``quantum`` and ``<metric>_mean`` / ``<metric>_std`` for every column of the task
    (:data:`COLUMNS` or :data:`INVERSE_COLUMNS`) that the method reports.
    """

    def __init__(self, rows, task, runs: list[dict], seeds: list[int], interrupted: dict | None = None,
                 grid: dict | None = None):
        super().__init__(rows)
        self.task, self.runs, self.seeds, self.grid = task, runs, seeds, grid or {}
        #: the record of the run a Ctrl-C cut short (not averaged into any row), or None
        self.interrupted = interrupted

    @property
    def failed(self) -> list[dict]:
        """The rows whose runs failed (an error inside the method)."""
        return [r for r in self if r["status"] == "failed"]

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
        budgeted = [f"{r['method']} {r['budget_hits']}/{r['seeds']}" for r in self if r.get("budget_hits")]
        if budgeted:
            out.append(f"stopped at the time budget (max_time), runs of: {', '.join(budgeted)}")
        rounded = {}
        for run in self.runs:
            error = (run.get("metrics") or {}).get("input_rounding_error")
            if error:
                label = run.get("label", run["method"])
                rounded[label] = max(rounded.get(label, 0.0), error)
        if rounded:
            which = ", ".join(f"{m} (max error {e:.3g})" for m, e in rounded.items())
            out.append(f"inputs rounded to the QUBO's grid: {which} — its networks are optimal for the rounded "
                       "data, not necessarily for the data (input_resolution= sets the grid)")
        shown = {k for k, _ in columns}
        legend = [text for key, text in LEGEND if key in shown]
        if legend:
            out.append("; ".join(legend))
        if self.interrupted:
            r = self.interrupted
            where = f"{r.get('label', r['method'])} seed {r['seed']}" if r["seed"] is not None else "between runs"
            out.append(f"interrupted: {where} ({r['reason']}); not averaged into its row")
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
            "grid": self.grid,
            "rows": [dict(r) for r in self],
            "runs": self.runs,
            "interrupted": self.interrupted,
        }

    def save_json(self, path) -> None:
        """Write :meth:`to_dict` to ``path`` as strict JSON (NaN and ±inf as ``null``; tensors
        and arrays as lists, other objects as text), through a temporary file and a rename."""
        if not isinstance(path, (str, os.PathLike)) or not str(path):
            raise InputTypeError(f"path must be a file path (str or pathlib.Path); got {type(path).__name__} {path!r}")
        if Path(path).is_dir():
            raise ValueError(f"path {str(path)!r} is a folder; give a file name, e.g. {str(Path(path) / 'compare.json')!r}")
        write_atomic(path, json.dumps(strict(self.to_dict()), indent=2, allow_nan=False))

    def plot(self, path=None):
        """The figure of :func:`qhyper.comparison.plot.plot_comparison`, saved to ``path`` if given."""
        from .plot import plot_comparison

        return plot_comparison(self, path)


def _cell(mean, std, key) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "—"
    if key == "evaluations":
        return f"{mean:.0f}"
    if key == "wall_time":
        return f"{mean:.2f} ± {std:.2f}"
    return f"{mean:.3f} ± {std:.3f}"

