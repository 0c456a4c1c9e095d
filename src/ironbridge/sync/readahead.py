"""Reading a source's next pages while the engine writes the last one.

A sync alternates two kinds of work: waiting for the source to answer a page (network,
the source's own work, decoding) and writing the page it got (projection, hashing, one
transaction). Done one after the other, a sync's pace is the sum of both; the source's
side is mostly waiting, which leaves the engine's process idle. `read_ahead` runs the
connector's page iterator in a thread of its own, at most `depth` pages ahead of the page
being written, so the sync's pace is that of the slower side instead.

What stays as it was: pages arrive in the source's order; a source failure surfaces where
the iterator raised it, after every page before it was handed over (so those pages are
written and the cursor stands behind them); memory holds a bounded number of pages; and
the iterator is closed, in its own thread, before the block ends, so the connector's session
is never used after it closes. The thread reads with the cyclic garbage collector paused,
as the runner does (see `collector`), and runs in a copy of the caller's context, so log
lines carry the same bound fields.
"""

from __future__ import annotations

import contextvars
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from .collector import collector_paused

__all__ = ["read_ahead"]

T = TypeVar("T")
_END = object()


class _Handoff(Generic[T]):
    """A bounded hand-over of pages from the reading thread, which stops when closed."""

    def __init__(self, depth: int) -> None:
        self._ready = threading.Condition()
        self._items: deque[tuple[T | None, BaseException | None, bool]] = deque()
        self._depth = depth
        self._closed = False

    def put(self, page: T | None, error: BaseException | None = None, end: bool = False) -> bool:
        """Hand over an item, waiting for room; False once the reader has gone."""
        with self._ready:
            while len(self._items) >= self._depth and not self._closed:
                self._ready.wait()
            if self._closed:
                return False
            self._items.append((page, error, end))
            self._ready.notify_all()
            return True

    def get(self) -> tuple[T | None, BaseException | None, bool]:
        with self._ready:
            while not self._items:
                self._ready.wait()
            item = self._items.popleft()
            self._ready.notify_all()
            return item

    def close(self) -> None:
        """The reader has gone: drop what is waiting and let the reading thread stop."""
        with self._ready:
            self._closed = True
            self._items.clear()
            self._ready.notify_all()


def _pages(handoff: _Handoff[T]) -> Iterator[T]:
    while True:
        page, error, end = handoff.get()
        if error is not None:
            raise error
        if end:
            return
        yield page  # type: ignore[misc]  # a page item always carries its page
        del page  # written by now: let it go before the next one arrives


def _paused(source: Iterator[T]) -> Iterator[T]:
    # Allocated while the collector ran, a page's objects would be walked and promoted by the
    # collections its reading triggers, then walked again by older ones.
    while True:
        with collector_paused():
            page = next(source, _END)
        if page is _END:
            return
        yield page  # type: ignore[misc]  # not the end marker
        del page


@contextmanager
def read_ahead(pages: Iterable[T], depth: int = 1) -> Iterator[Iterator[T]]:
    """The pages of `pages`, read by a thread up to `depth` pages ahead of the consumer.

    With `depth` 0 the pages are read inline, as a plain iterator would. Leaving the block
    (at the end, on an error, or early) stops the reading thread and waits for it: a page it
    is fetching then is fetched and dropped.
    """
    source = iter(pages)
    if depth <= 0:
        yield _paused(source)
        return
    handoff: _Handoff[T] = _Handoff(depth)

    def read() -> None:
        try:
            for page in _paused(source):
                if not handoff.put(page):
                    return
                del page  # handed over: the consumer alone holds it
            handoff.put(None, end=True)
        except BaseException as exc:  # handed to the consumer, which raises it
            handoff.put(None, error=exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(read,), name="ironbridge-read-ahead", daemon=True
    )
    thread.start()
    try:
        yield _pages(handoff)
    finally:
        handoff.close()
        thread.join()
