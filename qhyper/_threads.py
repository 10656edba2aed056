"""The one place torch's global thread count is touched.

Library code never changes the user's setting for good: :func:`threads` sets a count for
the duration of a ``with`` block (``None``: leave it) and always puts the caller's count
back on exit — also when something inside (numba's OpenMP layer) reset it.
"""
from __future__ import annotations

import contextlib

import torch

from ._checks import check_count

__all__ = ["threads", "check_threads", "set_worker_threads"]


def check_threads(n, name: str = "threads") -> int | None:
    """``None`` (leave the caller's setting) or an integer ≥ 1."""
    return check_count(n, name, allow_none=True,
                       fix="None leaves torch's thread count as it is; 1 is often fastest for small tensors")


@contextlib.contextmanager
def threads(n: int | None = None):
    """Run the block with ``n`` torch intra-op threads (``None``: as they are), then restore."""
    before = torch.get_num_threads()
    if n is not None and n != before:
        torch.set_num_threads(int(n))
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def set_worker_threads(n: int) -> None:
    """Set the thread count of a worker process this package owns (a Ray actor): there is
    no caller's setting to keep in a process that exists only to run one unit."""
    torch.set_num_threads(int(check_count(n, "threads")))
