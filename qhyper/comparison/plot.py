"""The figure of a :class:`~qhyper.comparison.Comparison`: score and wall time per row, and for
a sweep, the score against the swept option."""
from __future__ import annotations

import math
import os
from pathlib import Path

from .._checks import InputTypeError

__all__ = ["plot_comparison"]


def plot_comparison(comparison, path=None):
    """Test score (bars, ± std; train score as dots) and wall time per method of ``comparison``.

    The score is accuracy for classification tasks and NMSE (dB) for inverse problems; methods
    that did not run are named in the title. A sweep over one numeric option of a method
    (``grid={"mle": {"layers": [2, 4, 6]}}``) adds a panel of the test score (and ``p_best``,
    where reported) against that option. Saved to ``path`` (PNG, 120 dpi) if given.
    Returns the matplotlib Figure (no pyplot state is touched).
    """
    if path is not None:
        _check_path(path)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    task = comparison.task
    ok = [r for r in comparison if r["status"] == "ok"]
    sweeps = _sweeps(comparison, ok)
    fig = Figure(figsize=(13.5 if sweeps else 9, 3.6))
    FigureCanvasAgg(fig)
    ax1, ax2, *ax3 = fig.subplots(1, 3 if sweeps else 2)
    names = [r["method"] for r in ok]
    x = range(len(ok))
    score = "accuracy" if task.kind == "classification" else "nmse_db"
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
    if any(r["wall_time_mean"] > 0 for r in ok):
        ax2.set_yscale("log")
    ax2.set_xticks(list(x), names, rotation=30)
    ax2.set_ylabel("wall time per run (s)")
    if sweeps:
        _plot_sweeps(ax3[0], sweeps, score)
    missing = [r["method"] for r in comparison if r["status"] != "ok"]
    size = f"{task.num_bits} bits" if task.num_bits is not None else "inverse problem"
    title = f"{task.name} ({size}), {len(comparison.seeds)} seed(s)"
    fig.suptitle(title + (f"; not run: {', '.join(missing)}" if missing else ""), fontsize=10)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def _check_path(path) -> None:
    """``path`` must name a new or existing file in an existing folder (checked before drawing)."""
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise (ValueError if isinstance(path, str) else InputTypeError)(
            f"path must be a file path (a str or Path, e.g. 'compare.png') or None; got {path!r:.80}")
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a folder; give a file name in it, e.g. {str(path / 'compare.png')!r}")
    if not path.parent.is_dir():
        raise ValueError(f"path {str(path)!r}: the folder {str(path.parent)!r} does not exist; create it first")


def _sweeps(comparison, ok) -> dict[tuple[str, str], list[dict]]:
    """``(method, option) -> rows`` for every method swept over one numeric option."""
    out = {}
    for name, axes in comparison.grid.items():
        if isinstance(axes, dict) and len(axes) == 1:
            (option, values), = axes.items()
            rows = [r for r in ok if r.get("name") == name]
            if rows and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                out[(name, option)] = sorted(rows, key=lambda r: r["grid"][option])
    return out


def _plot_sweeps(ax, sweeps, score) -> None:
    for (name, option), rows in sweeps.items():
        x = [r["grid"][option] for r in rows]
        ax.errorbar(x, [r.get(f"test_{score}_mean", math.nan) for r in rows],
                    yerr=[r.get(f"test_{score}_std", 0.0) for r in rows], marker="o", capsize=3,
                    label=f"{name}: test {'acc' if score == 'accuracy' else 'NMSE'}")
        if any("p_best_mean" in r for r in rows):
            ax.errorbar(x, [r.get("p_best_mean", math.nan) for r in rows], yerr=[r.get("p_best_std", 0.0) for r in rows],
                        marker="s", linestyle="--", capsize=3, label=f"{name}: p(best)")
    values = sorted({r["grid"][option] for (_, option), rows in sweeps.items() for r in rows})
    if all(float(v).is_integer() for v in values):
        ax.set_xticks(values)
    options = sorted({option for _, option in sweeps})
    ax.set_xlabel(", ".join(options))
    ax.set_ylabel("mean ± std over seeds")
    ax.legend(fontsize=8)
