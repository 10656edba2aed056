"""The ``qhyper`` command's argument types (``--seeds``, ``--threads``), ``--version`` text and
``--plugin`` loading."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["_seeds", "_threads", "_version", "_load_plugins"]


def _seeds(text: str):
    """``--seeds``: a count (``3``), an inclusive range (``0-9``) or a list (``0,4,7``)."""
    from .comparison.arguments import parse_seeds

    try:
        return parse_seeds(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _threads(text: str) -> int:
    """``--threads``: torch intra-op threads, an integer ≥ 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer ≥ 1 (torch threads per run; 1 is often fastest on a "
                                         f"shared machine); got {text!r}")
    return value


def _version() -> str:
    """qhyper's version and those of the stacks it plugs into (read from the installed metadata)."""
    from importlib import metadata

    from . import __version__

    parts = []
    for dist in ("torch", "pennylane", "qiskit", "qiskit-aer"):
        try:
            parts.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist} not installed")
    return f"qhyper {__version__} ({', '.join(parts)}; Python {sys.version.split()[0]})"


def _load_plugins(names: list[str]) -> list:
    """Import each ``--plugin``: a module name (found from the current folder too) or a ``.py`` file."""
    import importlib.util

    modules = []
    for name in names:
        if not name.strip():
            raise ValueError("--plugin '' names nothing; give an importable module or the path of a .py file")
        if name.endswith(".py"):
            path = Path(name)
            if not path.is_file():
                raise ValueError(f"--plugin {name!r}: no such file")
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[path.stem] = module
            spec.loader.exec_module(module)
        else:
            if os.getcwd() not in sys.path:
                sys.path.insert(0, os.getcwd())
            try:
                module = importlib.import_module(name)
            except ImportError as err:
                raise ValueError(f"--plugin {name!r} cannot be imported ({err}); give an importable module "
                                 f"or the path of a .py file") from err
        modules.append(module)
    return modules
