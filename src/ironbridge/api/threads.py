"""Worker threads of their own for unified reads, as many at once as `Settings.read_threads`.

Reads run in threads because the store's drivers block. Sharing the general pool (forty
threads) with everything else did two harms: on SQLite, whose driver hands the interpreter lock
back for every row it steps, forty reads at once mostly took turns at the lock (`bench/
api_read.py`, 20k orders, 32 connections: 145 pages/s with forty threads, 783 with two); and a
burst of slow calls to source systems (writes, passthrough) could hold every thread while
reads waited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar

__all__ = ["read_limiter", "run_read"]

T = TypeVar("T")

#: One limiter per size and event loop (a limiter belongs to the loop it was made in).
_LIMITERS: RunVar[dict[int, CapacityLimiter]] = RunVar("ironbridge_read_limiters")


def read_limiter(size: int) -> CapacityLimiter:
    """This event loop's limiter of `size` threads, made on first use."""
    try:
        limiters = _LIMITERS.get()
    except LookupError:
        limiters = {}
        _LIMITERS.set(limiters)
    limiter = limiters.get(size)
    if limiter is None:
        limiter = limiters[size] = CapacityLimiter(size)
    return limiter


async def run_read(size: int, read: Callable[[], T]) -> T:
    """`read()` in a worker thread, at most `size` of them at once in this event loop."""
    return await to_thread.run_sync(read, limiter=read_limiter(size))
