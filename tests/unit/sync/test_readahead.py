"""Reading a source's pages ahead of the writer: order, bounds, failures and stopping."""

from __future__ import annotations

import contextvars
import gc
import threading
from collections.abc import Iterator

import pytest

from ironbridge.sync.readahead import read_ahead
from tests.waiting import wait_for

request = contextvars.ContextVar("request", default="-")


class Source:
    """A page iterator that records who read it, how far, and whether it was closed."""

    def __init__(self, pages: int, fail_after: int | None = None) -> None:
        self.pages = pages
        self.fail_after = fail_after
        self.read = 0
        self.threads: set[str] = set()
        self.closed_in: str | None = None
        self.consumed = 0
        #: For each page read: how many pages the consumer had taken by then.
        self.consumed_at_read: list[int] = []
        self.collector_on: list[bool] = []
        self.contexts: list[str] = []

    def __iter__(self) -> Iterator[list[int]]:
        try:
            for number in range(self.pages):
                if self.fail_after is not None and number == self.fail_after:
                    raise ConnectionError(f"the source failed on page {number}")
                self.threads.add(threading.current_thread().name)
                self.consumed_at_read.append(self.consumed)
                self.collector_on.append(gc.isenabled())
                self.contexts.append(request.get())
                self.read += 1
                yield [number]
        finally:
            self.closed_in = threading.current_thread().name


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_pages_arrive_in_order_and_complete(depth: int) -> None:
    source = Source(7)
    with read_ahead(iter(source), depth) as pages:
        got = [page[0] for page in pages]
    assert got == list(range(7))
    assert source.closed_in is not None


def test_pages_are_read_in_another_thread_within_the_depth() -> None:
    source = Source(12)
    depth = 2
    with read_ahead(iter(source), depth) as pages:
        for page in pages:
            source.consumed += 1
            # Give the reader every chance to run ahead as far as it may.
            wait_for(lambda: source.read >= min(12, page[0] + 1 + depth), what="the reader")
    assert source.threads == {"ironbridge-read-ahead"}
    # A page is read only once the consumer is at most depth + 1 pages behind it: `depth`
    # waiting to be taken and the one the reader holds while it waits for room.
    for number, consumed in enumerate(source.consumed_at_read):
        assert number - consumed <= depth + 1, source.consumed_at_read
    # And it did read ahead: some page was read before the one before it was consumed.
    assert any(number - consumed >= 1 for number, consumed in enumerate(source.consumed_at_read))


def test_inline_reading_stays_in_the_callers_thread() -> None:
    source = Source(3)
    with read_ahead(iter(source), 0) as pages:
        assert [page[0] for page in pages] == [0, 1, 2]
    assert source.threads == {threading.current_thread().name}


def test_a_source_failure_comes_after_the_pages_before_it() -> None:
    source = Source(9, fail_after=4)
    got: list[int] = []
    with pytest.raises(ConnectionError, match="page 4"), read_ahead(iter(source), 2) as pages:
        for page in pages:
            got.append(page[0])
    assert got == [0, 1, 2, 3]


def test_leaving_early_stops_the_reader_and_closes_the_source_in_its_thread() -> None:
    source = Source(1_000)
    with read_ahead(iter(source), 1) as pages:
        for page in pages:
            if page[0] == 2:
                break
    # The block waited for the reader: the source is closed, by the reading thread, and was
    # read no further than the pages it may hold ahead.
    assert source.closed_in == "ironbridge-read-ahead"
    assert source.read <= 5
    assert not any(t.name == "ironbridge-read-ahead" for t in threading.enumerate())


def test_a_consumer_failure_stops_the_reader() -> None:
    source = Source(1_000)
    with pytest.raises(RuntimeError), read_ahead(iter(source), 1) as pages:
        for _page in pages:
            raise RuntimeError("the store refused the page")
    assert source.closed_in == "ironbridge-read-ahead"
    assert source.read <= 3


def test_the_reader_runs_in_the_callers_context_with_the_collector_paused() -> None:
    source = Source(4)
    was = gc.isenabled()
    gc.enable()
    token = request.set("req_42")
    try:
        with read_ahead(iter(source), 1) as pages:
            list(pages)
        assert gc.isenabled()
    finally:
        request.reset(token)
        if not was:
            gc.disable()
    assert source.contexts == ["req_42"] * 4
    assert source.collector_on == [False] * 4
