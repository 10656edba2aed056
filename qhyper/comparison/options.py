"""What a method accepts: every option is checked before any run starts.

An adapter declares ``preflight(options)``: it rejects keys its trainer does not take
(naming the valid ones, with a did-you-mean) and builds the trainer once, without training,
so that bad values fail with the trainer's own message before the first run. A method
registered without a ``preflight`` is not checked.
"""
from __future__ import annotations

import difflib
import inspect
from typing import Callable, Iterable

from .._checks import InputTypeError

__all__ = ["keywords", "check_keys", "preflight", "accepted_options"]

#: an option name no method takes: :func:`accepted_options` passes it to learn what a method takes
_PROBE = "\0which options?"


class _Accepted(Exception):
    """Raised by :func:`check_keys` for the probe key, carrying the accepted names (not a
    ValueError, so that :func:`preflight` lets it through)."""

    def __init__(self, accepted):
        super().__init__("accepted options")
        self.accepted = accepted


def keywords(fn: Callable, drop: Iterable[str] = ()) -> tuple[str, ...]:
    """The keyword parameters of ``fn`` (a function or a class's ``__init__``), minus ``drop``."""
    skip = {"self", *drop}
    return tuple(name for name, p in inspect.signature(fn).parameters.items()
                 if name not in skip and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def check_keys(method: str, options: dict, accepted: Iterable[str]) -> None:
    """Raise a ``ValueError`` for the first key of ``options`` not in ``accepted``."""
    accepted = sorted(set(accepted))
    if _PROBE in options:
        raise _Accepted(accepted)
    for key in options:
        if not isinstance(key, str):
            raise InputTypeError(f"options: method {method!r} takes options by name (strings); got the key "
                                 f"{key!r}; it accepts: {', '.join(accepted)}")
        if key not in accepted:
            close = difflib.get_close_matches(key, accepted, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"options: method {method!r} has no option {key!r}{hint}; it accepts: {', '.join(accepted)}")


def preflight(method: str, runner, options: dict) -> None:
    """Run ``runner.preflight(options)`` if the runner declares one; its ``ValueError`` /
    ``TypeError`` is raised again naming the method: a ``TypeError`` (an option of the wrong
    type) as an :class:`~qhyper._checks.InputTypeError`, which is a ``ValueError`` too."""
    check = getattr(runner, "preflight", None)
    if check is None:
        return
    try:
        check(dict(options))
    except (ValueError, TypeError) as err:
        text = str(err)
        text = text if text.startswith("options:") else f"options for {method!r}: {text}"
        raise (InputTypeError if isinstance(err, TypeError) else ValueError)(text) from err


def accepted_options(method: str, runner) -> list[str] | None:
    """The option names ``runner`` accepts (what ``--set METHOD.OPTION=...`` takes), or
    ``None`` for a runner whose ``preflight`` does not list them."""
    try:
        preflight(method, runner, {_PROBE: None})
    except _Accepted as found:
        return found.accepted
    except ValueError:
        return None
    return None
