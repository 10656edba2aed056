"""Package namespaces that import their members on first use.

A side system's package (``qhyper.pib``, ``qhyper.pibinn``) spans several layers; importing
one of its low modules runs the package's ``__init__`` first, so an eager ``__init__`` would
load its trainers too. :func:`lazy_members` keeps ``qh.pib.score`` and
``from qhyper.pibinn import train`` working while loading each member only when asked for.
"""
from __future__ import annotations

from importlib import import_module

__all__ = ["lazy_members"]


def lazy_members(package: str, members: dict[str, str], public=None):
    """``(__getattr__, __dir__)`` for ``package``: ``members`` maps a public name to the
    submodule (relative to ``package``) that defines it; ``public``: every public name, for
    ``dir()`` (default: the lazy ones). No lazy name may equal a submodule's name: importing
    that submodule would bind the module in its place."""
    def __getattr__(name):
        if name in members:
            value = getattr(import_module(f"{package}.{members[name]}"), name)
            setattr(import_module(package), name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(public if public is not None else members)

    return __getattr__, __dir__
