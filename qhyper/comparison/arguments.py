"""The command line's comparison options as text: ``--set``, ``--grid`` and ``--seeds``.

Each parser refuses, with a ``ValueError`` naming the option, what it cannot read, an empty
value, and an option given twice (the last one would silently win).
"""
from __future__ import annotations

import ast

from .run import MAX_SEED_COUNT

__all__ = ["parse_set", "parse_grid", "parse_seeds", "literal"]


def literal(value: str):
    """A Python literal (``50``, ``1e-3``, ``'brick'``, ``[2, 4]``), else the text itself."""
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value


def _split(item: str, flag: str, form: str) -> tuple[str, str, str, str]:
    key, sep, value = item.partition("=")
    method, dot, option = key.partition(".")
    if not sep or not dot or not method or not option or not value.strip():
        raise ValueError(f"{flag} takes {form}; got {item!r}")
    return key, method, option, value


def parse_set(items: list[str]) -> dict[str, dict]:
    """``["ste.epochs=50", "qubo.num_reads=4"]`` → ``{"ste": {"epochs": 50}, "qubo": {"num_reads": 4}}``."""
    out: dict[str, dict] = {}
    for item in items:
        key, method, option, value = _split(item, "--set", "METHOD.OPTION=VALUE (e.g. ste.epochs=50)")
        if option in out.get(method, {}):
            raise ValueError(f"--set {key} is given twice ({out[method][option]!r} and {value!r}); give it once "
                             f"(to run several values, use --grid {key}=V1,V2)")
        out.setdefault(method, {})[option] = literal(value)
    return out


def parse_grid(items: list[str]) -> dict[str, dict[str, list]]:
    """``["mle.layers=2,4,6"]`` → ``{"mle": {"layers": [2, 4, 6]}}``."""
    out: dict[str, dict] = {}
    for item in items:
        key, method, option, values = _split(item, "--grid", "METHOD.OPTION=V1,V2,... (e.g. mle.layers=2,4,6)")
        if option in out.get(method, {}):
            raise ValueError(f"--grid {key} is given twice; list all its values once: --grid {key}=V1,V2,...")
        parts = [v.strip() for v in values.split(",")]
        if not all(parts):
            raise ValueError(f"--grid {item!r} has an empty value; list the values with single commas, "
                             f"e.g. {key}=2,4,6")
        out.setdefault(method, {})[option] = [literal(v) for v in parts]
    return out


def parse_seeds(text: str) -> int | list[int]:
    """``--seeds``: a count (``3``), an inclusive range (``0-9``) or a list (``0,4,7``); a count
    or range of at most :data:`~qhyper.comparison.run.MAX_SEED_COUNT` seeds."""
    expected = f"expected a count (3), a range (0-9) or a list (0,4,7); got {text!r}"
    sep = "-" if "-" in text else ","
    try:
        values = [int(t) for t in text.split(sep)]
    except ValueError:
        raise ValueError(expected) from None
    if sep == "-":
        if len(values) != 2 or values[0] > values[1]:
            raise ValueError(expected)
        if values[1] - values[0] + 1 > MAX_SEED_COUNT:
            raise ValueError(f"a range of at most {MAX_SEED_COUNT} seeds; got {text!r}")
        return list(range(values[0], values[1] + 1))
    if "," in text:
        return values
    if not 1 <= values[0] <= MAX_SEED_COUNT:
        raise ValueError(f"a seed count must be ≥ 1 and ≤ {MAX_SEED_COUNT}; got {text!r}")
    return values[0]
