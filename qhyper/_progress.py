"""Progress bars that suit where they are shown.

:func:`tqdm` takes tqdm's arguments and picks the bar: in a Jupyter kernel the widget bar when
``ipywidgets`` is installed, else tqdm's plain text bar (never tqdm's "IProgress not found"
warning); outside Jupyter the text bar only when stderr is a terminal — a redirected or CI log
gets no bar at all instead of hundreds of carriage-return lines. ``QHYPER_PROGRESS=1`` forces
bars on, ``QHYPER_PROGRESS=0`` off.

**Nesting.** Inside :func:`nested` (``qh.compare`` opens it around its runs when its own bar
is shown), :func:`inner` says that a run should show its own bar, and every bar opened there
is drawn one line below the enclosing one and removed when it closes: the steps of a fit
under the experiment's bar. Ray workers run in other processes, outside it: their runs show
no bar.
"""
from __future__ import annotations

import contextvars
import importlib.util
import os
import sys
from contextlib import contextmanager

__all__ = ["tqdm", "bars_shown", "nested", "inner"]

_DEPTH = contextvars.ContextVar("qhyper_progress_depth", default=0)


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    ip = shell.get_ipython() if shell is not None and hasattr(shell, "get_ipython") else None
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def bars_shown() -> bool:
    """Whether a bar asked for would be drawn here (see the module docstring)."""
    forced = os.environ.get("QHYPER_PROGRESS", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    if _in_notebook():
        return True
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


@contextmanager
def nested(enabled: bool = True):
    """Bars opened inside are drawn below the current one (one level deeper when ``enabled``)."""
    token = _DEPTH.set(_DEPTH.get() + (1 if enabled else 0))
    try:
        yield
    finally:
        _DEPTH.reset(token)


def inner() -> bool:
    """Whether a run started here should show its own bar: inside :func:`nested`, bars shown."""
    return _DEPTH.get() > 0 and bars_shown()


def tqdm(*args, disable: bool = False, **kwargs):
    """A tqdm bar (same arguments), disabled where it would not be readable; inside
    :func:`nested` placed below the enclosing bar (``position``) and not left behind."""
    if _DEPTH.get():
        kwargs.setdefault("position", _DEPTH.get())
        kwargs["leave"] = False
    disable = bool(disable) or not bars_shown()
    if not disable and _in_notebook() and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm as bar
    else:
        from tqdm.std import tqdm as bar
    return bar(*args, disable=disable, **kwargs)
