"""Figures in one call: a training history, the distribution over networks, a decision
boundary, a comparison table.

Every helper draws on ``ax`` (a matplotlib Axes) when given, else on a new figure, and returns
the Axes; titles and axis labels are set, so the figure reads on its own. Nothing here touches
pyplot's global state except creating a figure when no ``ax`` is given.

    qh.plot.history(result)                          # objective per step (and the optimum)
    qh.plot.distribution(hn, evaluator=ev)            # top-k networks: probability and loss
    qh.plot.decision_boundary(ev, result.bits, data)  # a 2-D classifier over its data
    qh.plot.comparison(table)                         # = table.plot()
"""
from __future__ import annotations

import math

import torch

from ._checks import InputTypeError, check_count

__all__ = ["history", "distribution", "decision_boundary", "comparison"]


def _axes(ax, size=(5.5, 3.4)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size, layout="constrained")[1]


def history(result, key: str | None = None, ax=None, optimum: float | None = None):
    """The per-step curve ``result.history[key]`` (default: ``expected_loss`` when recorded, else
    ``objective``) against the step, every point drawn; ``optimum`` (e.g. the loss table's
    minimum) as a dashed line. Uses the trainer's own history: L-BFGS records one point per
    function evaluation, which the x-label says."""
    hist = getattr(result, "history", None)
    if not isinstance(hist, dict):
        raise InputTypeError(f"history takes a TrainResult (trainer.fit(...)); got {type(result).__name__}")
    if key is None:
        key = "expected_loss" if any(math.isfinite(v) for v in hist.get("expected_loss", [])) else "objective"
    if key not in hist or not hist[key]:
        raise ValueError(f"the result has no history {key!r}; it has {sorted(k for k, v in hist.items() if v)}")
    ax = _axes(ax)
    values = hist[key]
    ax.plot(range(1, len(values) + 1), values, lw=1.2, label=key.replace("_", " "))
    if optimum is not None:
        ax.axhline(float(optimum), color="k", ls="--", lw=1, label="optimum")
    lbfgs = str(getattr(result, "state", {}).get("optimizer", "")).lower() == "lbfgs"
    ax.set_xlabel("function evaluation (L-BFGS)" if lbfgs else "step")
    ax.set_ylabel(key.replace("_", " "))
    ax.set_title(f"{getattr(result, 'method', 'training')}: {key.replace('_', ' ')} per "
                 f"{'evaluation' if lbfgs else 'step'}")
    ax.legend(frameon=False)
    return ax


def distribution(probs, evaluator=None, posterior=None, top: int = 10, ax=None, log: bool | None = None):
    """The ``top`` most probable networks of ``probs`` (a probability vector [2^n], a
    Hypernetwork or a BornDistribution in exact mode): their probabilities as bars, labelled by
    bitstring (bit 0 first); with ``evaluator``, each network's training loss (mean NLL) on a
    second axis; with ``posterior`` (an ExactPosterior), its probabilities beside them.
    ``log``: a logarithmic probability axis (default: when the bars span more than 100×)."""
    from .bitstrings import index_to_bits

    top = check_count(top, "top", maximum=64, fix="how many networks to show, e.g. 10")
    if hasattr(probs, "distribution"):
        probs = probs.distribution()
    if hasattr(probs, "probs"):
        probs = probs.probs()
    q = torch.as_tensor(probs).detach().to(torch.float64).reshape(-1)
    n = q.numel().bit_length() - 1
    if q.numel() != 2**n:
        raise ValueError(f"probs must have 2^n entries; got {q.numel()}")
    idx = torch.argsort(q, descending=True)[: min(top, q.numel())]
    labels = ["".join(str(int(b)) for b in index_to_bits(int(i), n)) for i in idx]
    ax = _axes(ax, (max(5.5, 0.55 * len(idx) + 2), 3.6))
    x = torch.arange(len(idx)).numpy()
    width = 0.4 if posterior is not None else 0.8
    ax.bar(x - (width / 2 if posterior is not None else 0), q[idx].numpy(), width, label="$q_\\theta$")
    if posterior is not None:
        ax.bar(x + width / 2, torch.as_tensor(posterior.probs)[idx].numpy(), width, label="exact posterior")
    ax.set_xticks(x, labels, rotation=70, fontsize=7, family="monospace")
    shown = q[idx]
    if log is None:
        log = bool(shown.min() < 0.01 * shown.max())
    if log:
        ax.set_yscale("log")
    ax.set_ylabel("probability" + (" (log scale)" if log else ""))
    ax.set_xlabel("network (bit 0 first)")
    ax.set_title(f"the {len(idx)} most probable networks: {float(q[idx].sum()):.3f} of the mass")
    handles, names = ax.get_legend_handles_labels()
    if evaluator is not None:
        loss = evaluator.nll(index_to_bits(idx, n))
        twin = ax.twinx()
        twin.plot(x, loss.numpy(), "o", color="black", label="train NLL")
        twin.set_ylabel("train NLL (mean)")
        more = twin.get_legend_handles_labels()
        handles, names = handles + more[0], names + more[1]
    ax.legend(handles, names, loc="upper right", frameon=False, fontsize=8)
    return ax


def decision_boundary(evaluator, bits, data=None, ax=None, resolution: int = 150):
    """The class-1 probability over the plane of a 2-input classifier: of network ``bits`` [n],
    or averaged over networks ``bits`` [S, n] (e.g. samples of a hypernetwork: the
    posterior-predictive), with the points of ``data`` (a Dataset: its test split; default the
    evaluator's training data) on top."""
    model = getattr(evaluator, "model", None)
    if model is None or not hasattr(evaluator, "predict_proba"):
        raise InputTypeError(f"decision_boundary takes a qhyper.Evaluator; got {type(evaluator).__name__}")
    if model.in_features != 2:
        raise ValueError(f"decision_boundary draws a classifier with 2 inputs; the model has {model.in_features}")
    resolution = check_count(resolution, "resolution", minimum=10, maximum=2000)
    X = evaluator.X if data is None else torch.as_tensor(data.X_test)
    y = evaluator.y if data is None else torch.as_tensor(data.y_test)
    lo, hi = X.min(0).values - 0.3, X.max(0).values + 0.3
    gx = torch.linspace(float(lo[0]), float(hi[0]), resolution, dtype=torch.float64)
    gy = torch.linspace(float(lo[1]), float(hi[1]), resolution, dtype=torch.float64)
    grid = torch.cartesian_prod(gx, gy)
    b = torch.as_tensor(bits, dtype=torch.float64)
    if b.ndim == 2 and b.shape[0] > 1:
        p = evaluator.predictive(b, X=grid)[:, 1]
        title = f"average prediction of {b.shape[0]} networks"
    else:
        p = evaluator.predict_proba(b.reshape(1, -1), grid)[0, :, 1]
        title = "decision boundary of the network"
    ax = _axes(ax, (4.6, 4))
    filled = ax.contourf(gx.numpy(), gy.numpy(), p.reshape(resolution, resolution).T.numpy(), levels=20,
                         cmap="coolwarm", alpha=0.75, vmin=0, vmax=1)
    ax.scatter(X[:, 0].numpy(), X[:, 1].numpy(), c=y.numpy(), s=5, cmap="coolwarm", edgecolors="k", linewidths=0.2)
    ax.figure.colorbar(filled, ax=ax, label="P(class 1)")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    return ax


def comparison(table, path=None):
    """The figure of a ``qh.compare`` table (:meth:`Comparison.plot`): scores and wall time per method."""
    if not hasattr(table, "plot") or not hasattr(table, "task"):
        raise InputTypeError(f"comparison takes a qh.compare table; got {type(table).__name__}")
    return table.plot(path)
