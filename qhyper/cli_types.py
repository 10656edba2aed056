"""The ``qhyper`` command's argument types (``--seeds``, ``--threads``) and ``--version`` text."""
from __future__ import annotations

import argparse
import sys

__all__ = ["_seeds", "_threads", "_version"]


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
