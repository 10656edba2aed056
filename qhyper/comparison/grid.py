"""Sweeps: a grid of option values per method, expanded into one table row per grid point.

``grid={"mle": {"layers": [2, 4, 6]}}`` (``--grid mle.layers=2,4,6``) turns the ``mle`` row
into three rows, ``mle[layers=2]``, ``mle[layers=4]``, ``mle[layers=6]``, each run over every
seed; several options of one method give their Cartesian product (in the order given). A
grid point's values override the task's budget and ``options`` for that method. Points that
are no product are given as a list: ``{"mle": [{"ansatz": "product"}, {"layers": 2}]}``.
Methods without a grid keep one row under their own name.
"""
from __future__ import annotations

import itertools

from .._checks import InputTypeError

__all__ = ["check_grid", "points", "label"]


def check_grid(grid, methods: list[str]) -> dict[str, dict[str, list] | list[dict]]:
    """``grid`` as ``{method: {option: [values...]}}`` (or ``{method: [point, ...]}``), refusing
    what cannot be expanded."""
    if grid is None:
        return {}
    if not isinstance(grid, dict):
        raise InputTypeError(f"grid must be a dict {{method: {{option: [values]}}}}, e.g. {{'mle': {{'layers': [2, 4]}}}}; "
                        f"got {type(grid).__name__}")
    out = {}
    for method, axes in grid.items():
        if method not in methods:
            raise ValueError(f"grid: given for method {method!r}, which is not being compared ({methods}); "
                             f"drop it or add the method")
        if isinstance(axes, (list, tuple)):  # explicit points
            if not axes or not all(isinstance(p, dict) and p for p in axes):
                raise ValueError(f"grid[{method!r}] as a list must hold non-empty dicts of options (grid points), "
                                 f"e.g. [{{'ansatz': 'product'}}, {{'layers': 2}}]; got {axes!r}")
            _check_names(method, [k for p in axes for k in p])
            if len(set(map(repr, axes))) != len(axes):
                raise ValueError(f"grid[{method!r}] repeats a grid point: {axes!r}")
            out[method] = [dict(p) for p in axes]
            continue
        if not isinstance(axes, dict) or not axes:
            raise ValueError(f"grid[{method!r}] must be a non-empty dict {{option: [values]}} or a list of grid "
                             f"points; got {axes!r}")
        _check_names(method, axes)
        out[method] = {}
        for option, values in axes.items():
            if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
                raise ValueError(f"grid[{method!r}][{option!r}] must be a list of values (e.g. [2, 4, 6]); "
                                 f"got {values!r}")
            values = list(values)
            if not values:
                raise ValueError(f"grid[{method!r}][{option!r}] is empty: give at least one value")
            if len(set(map(repr, values))) != len(values):
                raise ValueError(f"grid[{method!r}][{option!r}] repeats a value: {values!r}")
            out[method][option] = values
    return out


def _check_names(method, options) -> None:
    bad = [o for o in options if not isinstance(o, str)]
    if bad:
        raise InputTypeError(f"grid[{method!r}]: options are named by strings, e.g. {{'layers': [2, 4]}}; got {bad[0]!r}")


def points(axes) -> list[dict]:
    """The grid points of one method: ``[{}]`` without a grid, the points of a list, else the
    Cartesian product of the option values."""
    if not axes:
        return [{}]
    if isinstance(axes, list):
        return [dict(p) for p in axes]
    keys = list(axes)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(axes[k] for k in keys))]


def label(method: str, point: dict) -> str:
    """The row name of ``method`` at grid ``point``: ``mle`` or ``mle[layers=2,lr=0.1]``."""
    if not point:
        return method
    return f"{method}[{','.join(f'{k}={v!r}' if isinstance(v, str) else f'{k}={v}' for k, v in point.items())}]"
