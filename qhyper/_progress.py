"""Progress bars that suit where they are shown.

:func:`tqdm` takes tqdm's arguments and picks the bar: in a Jupyter kernel the widget bar when
``ipywidgets`` is installed, else tqdm's plain text bar (never tqdm's "IProgress not found"
warning); outside Jupyter the text bar only when stderr is a terminal — a redirected or CI log
gets no bar at all instead of hundreds of carriage-return lines. ``QHYPER_PROGRESS=1`` forces
bars on, ``QHYPER_PROGRESS=0`` off.
"""
from __future__ import annotations

import importlib.util
import os
import sys

__all__ = ["tqdm", "bars_shown"]


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


def tqdm(*args, disable: bool = False, **kwargs):
    """A tqdm bar (same arguments), disabled where it would not be readable."""
    disable = bool(disable) or not bars_shown()
    if not disable and _in_notebook() and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm as bar
    else:
        from tqdm.std import tqdm as bar
    return bar(*args, disable=disable, **kwargs)
