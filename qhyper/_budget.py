"""Time budgets of trainers (``max_time=``): a deadline checked between steps.

A trainer given ``max_time`` seconds checks its :class:`Deadline` at every step boundary
(an optimiser step, an epoch's mini-batch, an annealing segment) and, once it has passed,
stops as a Ctrl-C would: it scores what it has and returns it, with
``TrainResult.budget_hit`` set. The budget counts from the start of ``fit`` and includes
everything the fit does (setup, scoring), so a result arrives within about one step of it.
"""
from __future__ import annotations

import time

from ._checks import check_real

__all__ = ["BudgetExpired", "Deadline", "check_max_time", "stop_flags"]


class BudgetExpired(Exception):
    """Raised by :meth:`Deadline.check` once the budget has passed; trainers catch it."""


def check_max_time(value, name: str = "max_time") -> float | None:
    """``None`` (no budget) or a finite number of seconds > 0, as a float."""
    return check_real(value, name, 0, low_open=True, allow_none=True, fix="a time budget in seconds; None for none")


class Deadline:
    """``max_time`` seconds from now (``None``: never)."""

    def __init__(self, max_time: float | None):
        self.max_time = check_max_time(max_time)
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def expired(self) -> bool:
        return self.max_time is not None and self.elapsed() >= self.max_time

    def check(self) -> None:
        """Raise :class:`BudgetExpired` if the budget has passed."""
        if self.expired():
            raise BudgetExpired(f"the time budget of {self.max_time:g} s has passed")


def stop_flags(stop: BaseException | None) -> tuple[bool, bool]:
    """``(interrupted, budget_hit)`` of what stopped a fit: a Ctrl-C or the budget."""
    return isinstance(stop, KeyboardInterrupt), isinstance(stop, BudgetExpired)
