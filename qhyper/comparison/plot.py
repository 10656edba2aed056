"""The figure of a :class:`~qhyper.comparison.Comparison`: score and wall time per method."""
from __future__ import annotations

import math

__all__ = ["plot_comparison"]


def plot_comparison(comparison, path=None):
    """Test score (bars, ± std; train score as dots) and wall time per method of ``comparison``.

    The score is accuracy for classification tasks and NMSE (dB) for inverse problems; methods
    that did not run are named in the title. Saved to ``path`` (PNG, 120 dpi) if given.
    Returns the matplotlib Figure (no pyplot state is touched).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    task = comparison.task
    ok = [r for r in comparison if r["status"] == "ok"]
    fig = Figure(figsize=(9, 3.6))
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2)
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
    ax2.set_yscale("log")
    ax2.set_xticks(list(x), names, rotation=30)
    ax2.set_ylabel("wall time per run (s)")
    missing = [r["method"] for r in comparison if r["status"] != "ok"]
    size = f"{task.num_bits} bits" if task.num_bits is not None else "inverse problem"
    title = f"{task.name} ({size}), {len(comparison.seeds)} seed(s)"
    fig.suptitle(title + (f"; not run: {', '.join(missing)}" if missing else ""), fontsize=10)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
