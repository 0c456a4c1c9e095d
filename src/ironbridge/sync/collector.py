"""Pausing Python's cyclic garbage collector while a page is read and projected.

Projecting a page builds tens of thousands of short-lived dicts, lists and models; with the
default thresholds the collector runs hundreds of times a page, each time walking the page's
live objects (and, when they are promoted, the whole heap). Measured on `bench/sync.py` this
was a third or more of an initial sync. None of these objects form cycles: reference counting
frees them as the page ends, and the collector, back on, finds the rest. The runner pauses it
from reading a page through writing it: objects a source allocates while the collector runs
are walked and promoted by the collections their reading triggers (another tenth of a sync).
Between pages the collector is on, so its generations still advance page by page.

The collector is process-wide, so pauses are counted: it is back on when the last concurrent
pause ends, and only if it was on when the first began. While pauses of several threads keep
overlapping, each one's end collects the youngest generation, so cyclic garbage made
meanwhile (by other threads) never outgrows a page's worth.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_lock = threading.Lock()
_holders = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (reentrant, thread-safe)."""
    global _holders, _resume
    with _lock:
        if _holders == 0:
            _resume = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                if _resume:
                    gc.enable()
            elif _resume:
                gc.collect(0)
