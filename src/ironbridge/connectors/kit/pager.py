"""One keyset pager for every protocol family: what to read next, as a small declarative value.

A change stream reads the records of one resource in (change time, key) order, from a `since`
on, one bounded query at a time, so a crash resumes where it stopped and rows written while
paging never shift later pages. The pager decides *what* to read next as a `Seek`; the protocol
family translates a seek into its own filter language (a Tryton domain, an OData `$filter`)
and runs it; the pager checks what came back and yields it.

Change times come with a `granularity`, the resolution a row's change time is shown at:

- `timedelta(0)`: exact stamps (Tryton keeps microseconds and compares them exactly). Pages
  continue after the last row read: `(change, key) > (t, last)`, one query per page.
- 1 ms (OData V2's `/Date(ms)/`), 1 s (systems that store seconds), ...: the server orders by
  its full precision, so rows that show the same time may come back in any key order, and
  "after (t, last)" cannot be asked. The pager reads by *buckets* of one granule instead: all
  rows of a page but those of its last bucket are complete and yielded; the next query starts
  at that last bucket again. A page holding one bucket only is read whole by key (`start <=
  change < end and key > last`), so records sharing one change time are neither skipped nor
  read forever, however many there are.

Results the source sends out of the requested order, outside the seek, twice, or without a
change time or key are an `errors.UpstreamError`: a keyset trusting them would skip records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any, Final, Generic, TypeVar

from ironbridge import errors

__all__ = ["KeyedRow", "KeysetPager", "RowQuery", "Seek", "truncate"]

R = TypeVar("R")
K = TypeVar("K")

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_NONE: Final = timedelta(0)
_MICROSECOND: Final = timedelta(microseconds=1)
_SECOND: Final = 1_000_000


def truncate(moment: datetime, granularity: timedelta) -> datetime:
    """`moment` in UTC rounded down to a whole `granularity` since the epoch (unchanged for 0).

    Raises:
        ValueError: `moment` is naive; its zone would be a guess.
    """
    if moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone")
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    if granularity <= _NONE:
        return moment
    step = granularity // _MICROSECOND
    if _SECOND % step == 0:
        # Steps that divide a second (1 ms, 1 s) stay within the microsecond field: one call
        # per row instead of datetime arithmetic, since every row read is truncated.
        return moment.replace(microsecond=moment.microsecond - moment.microsecond % step)
    micros = (moment - _EPOCH) // _MICROSECOND
    return _EPOCH + timedelta(microseconds=micros - micros % step)


def _same(key: Any) -> Any:
    return key


@dataclass(frozen=True, slots=True)
class Seek(Generic[K]):
    """What one query reads: a range of (change time, key), and the order to return it in.

    The three forms the pager asks for, and what each means:

    - `Seek(start)`: rows with `change >= start` (every row when `start` is None), ordered by
      (change, key).
    - `Seek(start, after_key=k)`: rows after (`start`, k) in (change, key) order, i.e.
      `change > start or (change = start and key > k)`, ordered by (change, key). Asked only
      for exact stamps (granularity 0), where `start` is the change time of the last row read.
    - `Seek(start, end, after_key, by_key=True)`: one bucket, `start <= change < end` (and
      `key > after_key` when given), ordered by key. Asked only for a granularity above 0;
      `start` and `end` are whole granules.

    `start` and `end` are aware UTC datetimes on the granularity, so a family may print them
    at that precision.
    """

    start: datetime | None = None
    end: datetime | None = None
    after_key: K | None = None
    by_key: bool = False

    def admits(self, change: datetime, key: K, *, key_order: Callable[[K], Any] = _same) -> bool:
        """Whether a row with this (truncated) change time and key is inside the seek.

        The meaning of a seek on change times as the source shows them: the pager checks every
        answer with it.
        """
        if self.start is not None and change < self.start:
            return False
        if self.end is not None and change >= self.end:
            return False
        if self.after_key is None:
            return True
        after = key_order(self.after_key)
        if self.by_key or change == self.start:
            return bool(key_order(key) > after)
        return True


#: Runs one seek: `(seek, limit)` → at most `limit` rows in the seek's order
#: (`RowQuery[K, R]` for keys of type K and rows of type R).
RowQuery = Callable[[Seek[K], int], Sequence[R]]


@dataclass(frozen=True, slots=True)
class KeyedRow(Generic[R, K]):
    """One row as the pager read it: its change time (truncated to the granularity) and key."""

    modified_at: datetime
    key: K
    row: R


@dataclass(frozen=True)
class KeysetPager(Generic[R, K]):
    """Pages of a change stream in (change time, key) order, over a family's query callable.

    Attributes:
        query: runs a `Seek` (see its forms) and returns at most `limit` rows in its order.
        change: a row's change time as the source shows it (aware), or None when missing.
        key: a row's unique key (its remote id), or None when missing.
        granularity: the resolution of shown change times; 0 for exact stamps.
        key_order: maps a key to a value that sorts as the source sorts keys (identity by
            default; a source that orders keys its own way, such as SQL Server GUIDs, says so).
        source: who answers, for error messages ("Tryton", "purchaseOrders").
    """

    query: RowQuery[K, R]
    change: Callable[[R], datetime | None]
    key: Callable[[R], K | None]
    granularity: timedelta = field(default=_NONE)
    key_order: Callable[[K], Any] = field(default=_same)
    source: str = "The source"

    def pages(self, since: datetime | None, *, page_size: int) -> Iterator[list[KeyedRow[R, K]]]:
        """Every row changed at or after `since` (all when None), in pages, in keyset order.

        With a granularity, `since` is first truncated to it: rows of its granule that changed
        slightly before it are read again, since the source cannot tell them apart and a
        re-read is harmless where a skip is not.

        Yields:
            Non-empty pages of at most `page_size` rows, ascending by (modified_at, key); each
            row once.

        Raises:
            ValueError: `page_size` below 1, or a naive `since`.
            errors.UpstreamError: the source answered rows out of order, outside the seek,
                twice, or without a change time or key.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        start = None if since is None else truncate(since, self.granularity)
        stream = _Stream(self)
        if self.granularity <= _NONE:
            yield from stream.exact(start, page_size)
        else:
            yield from stream.buckets(start, page_size)


class _Stream(Generic[R, K]):
    """One run of a pager: the queries it makes and the order it has promised so far."""

    def __init__(self, pager: KeysetPager[R, K]) -> None:
        self.pager = pager
        self.last: tuple[datetime, Any] | None = None

    def _read(self, seek: Seek[K], limit: int) -> list[KeyedRow[R, K]]:
        pager = self.pager
        out: list[KeyedRow[R, K]] = []
        for row in pager.query(seek, limit):
            moment, key = pager.change(row), pager.key(row)
            if moment is None or key is None:
                raise errors.UpstreamError(
                    f"{pager.source} sent a record without a change time or key."
                )
            keyed = KeyedRow(truncate(moment, pager.granularity), key, row)
            if not seek.admits(keyed.modified_at, key, key_order=pager.key_order):
                raise errors.UpstreamError(
                    f"{pager.source} returned a record outside the range asked for."
                )
            out.append(keyed)
        if len(out) > limit:
            raise errors.UpstreamError(f"{pager.source} returned more records than asked for.")
        return out

    def _position(self, row: KeyedRow[R, K]) -> tuple[datetime, Any]:
        return row.modified_at, self.pager.key_order(row.key)

    def _emit(self, rows: list[KeyedRow[R, K]]) -> list[KeyedRow[R, K]]:
        # Every row handed out must come strictly after the one before: a source that ignores
        # part of a filter or an order would otherwise make the keyset skip or repeat records.
        for row in rows:
            position = self._position(row)
            if self.last is not None and position <= self.last:
                raise errors.UpstreamError(
                    f"{self.pager.source} returned records out of (change time, key) order."
                )
            self.last = position
        return rows

    def exact(self, start: datetime | None, page_size: int) -> Iterator[list[KeyedRow[R, K]]]:
        seek: Seek[K] = Seek(start)
        while True:
            rows = self._read(seek, page_size)
            if not rows:
                return
            yield self._emit(rows)
            if len(rows) < page_size:
                return
            last = rows[-1]
            seek = Seek(last.modified_at, after_key=last.key)

    def buckets(self, start: datetime | None, page_size: int) -> Iterator[list[KeyedRow[R, K]]]:
        granule = self.pager.granularity
        cursor = start
        while True:
            page = self._read(Seek(cursor), page_size)
            if any(a.modified_at > b.modified_at for a, b in pairwise(page)):
                raise errors.UpstreamError(
                    f"{self.pager.source} returned records out of change time order."
                )
            if len(page) < page_size:
                if page:
                    yield self._emit(sorted(page, key=self._position))
                return
            last = page[-1].modified_at
            complete = [row for row in page if row.modified_at < last]
            if complete:
                yield self._emit(sorted(complete, key=self._position))
                cursor = last
                continue
            yield from self._bucket(last, last + granule, page_size)
            cursor = last + granule

    def _bucket(
        self, start: datetime, end: datetime, page_size: int
    ) -> Iterator[list[KeyedRow[R, K]]]:
        after: K | None = None
        while True:
            # One row more than a page: a bucket holding exactly a page (the usual case, since a
            # full page of one bucket led here) ends without a further, empty query.
            rows = self._read(Seek(start, end, after, by_key=True), page_size + 1)
            if len(rows) <= page_size:
                if rows:
                    yield self._emit(rows)
                return
            page = rows[:page_size]
            yield self._emit(page)
            after = page[-1].key
