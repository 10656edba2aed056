"""The information plane of a local IB run: I(X;T_l) against I(T_l;Y), one curve per unit."""
from __future__ import annotations

__all__ = ["plot_information_plane"]


def plot_information_plane(result, ax=None, path: str | None = None):
    """Draw each unit's trajectory over epochs (darker = later); returns the matplotlib Axes.

    ``result`` is a :class:`~qhyper.trainers.TrainResult` from ``LocalIB`` / ``HSICBottleneck``
    (its ``state["information_plane"]``); ``path`` also saves the figure there.
    """
    from .._checks import check_instance
    from ..results import TrainResult

    check_instance(result, "result", TrainResult, fix="pass what qh.trainers.LocalIB(...).fit(net, data) returns")
    import matplotlib.pyplot as plt

    plane = result.state.get("information_plane")
    if not plane:
        raise ValueError("this result has no information-plane history; train with "
                         "qh.trainers.LocalIB or HSICBottleneck (epochs >= 1)")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    for l, (ixt, ity) in enumerate(zip(plane["I_XT"], plane["I_TY"])):
        line, = ax.plot(ixt, ity, "-", alpha=0.5, label=f"unit {l + 1}")
        ax.scatter(ixt, ity, c=range(len(ixt)), cmap="viridis", s=12, zorder=3)
        ax.annotate("end", (ixt[-1], ity[-1]), color=line.get_color(), fontsize=8)
    unit = "bits" if plane.get("estimator", "renyi") == "renyi" else "HSIC"
    ax.set_xlabel(f"I(X; T) [{unit}]")
    ax.set_ylabel(f"I(T; Y) [{unit}]")
    ax.set_title(f"information plane ({result.method})")
    ax.legend(fontsize=8)
    if path is not None:
        ax.figure.savefig(path, dpi=120, bbox_inches="tight")
    return ax
