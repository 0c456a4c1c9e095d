"""The keyset pager against an in-memory source that filters and orders at full precision."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ironbridge import errors
from ironbridge.connectors.kit import KeysetPager, Seek, truncate

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
MS = timedelta(milliseconds=1)
SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Row:
    key: int
    changed: datetime  # as the source stores it


class Source:
    """Answers seeks as a server would: it filters and sorts by the full-precision change time,
    and shows each row's change time truncated to `shown` (what `/Date(ms)/` does)."""

    def __init__(self, rows: Sequence[Row], shown: timedelta) -> None:
        self.rows = list(rows)
        self.shown = shown
        self.seeks: list[Seek[int]] = []

    def _matches(self, row: Row, seek: Seek[int]) -> bool:
        if seek.by_key:
            assert seek.start is not None and seek.end is not None
            inside = seek.start <= row.changed < seek.end
            return inside and (seek.after_key is None or row.key > seek.after_key)
        if seek.start is None:
            return True
        if seek.after_key is None:
            return row.changed >= seek.start
        return row.changed > seek.start or (row.changed == seek.start and row.key > seek.after_key)

    def query(self, seek: Seek[int], limit: int) -> list[dict[str, Any]]:
        self.seeks.append(seek)
        found = [row for row in self.rows if self._matches(row, seek)]
        found.sort(key=(lambda r: r.key) if seek.by_key else (lambda r: (r.changed, r.key)))
        return [
            {"id": row.key, "changed": truncate(row.changed, self.shown)} for row in found[:limit]
        ]


def pager(
    query: Callable[[Seek[int], int], Sequence[dict[str, Any]]], granularity: timedelta
) -> KeysetPager[dict[str, Any], int]:
    return KeysetPager(
        query,
        change=lambda row: row.get("changed"),
        key=lambda row: row.get("id"),
        granularity=granularity,
        source="The test source",
    )


def read(
    source: Source, granularity: timedelta, since: datetime | None, page_size: int
) -> list[list[tuple[datetime, int]]]:
    pages = pager(source.query, granularity).pages(since, page_size=page_size)
    return [[(row.modified_at, row.key) for row in page] for page in pages]


def expected(rows: Sequence[Row], granularity: timedelta, since: datetime | None) -> list[Any]:
    floor = None if since is None else truncate(since, granularity)
    wanted = [
        (truncate(row.changed, granularity), row.key)
        for row in rows
        if floor is None or truncate(row.changed, granularity) >= floor
    ]
    return sorted(wanted)


# -- every granularity ---------------------------------------------------------------------------

_stamps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),  # which second: few, so many collide
        st.integers(min_value=0, max_value=2),  # which millisecond in it
        st.sampled_from([0, 1, 999]),  # microseconds: invisible at 1 ms
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(
    _stamps,
    st.sampled_from([timedelta(0), MS, SECOND]),
    st.integers(min_value=1, max_value=6),
    st.none() | st.integers(min_value=0, max_value=3_999_000),
)
def test_every_row_since_is_read_once_in_keyset_order(
    stamps: list[tuple[int, int, int]],
    granularity: timedelta,
    page_size: int,
    since_micros: int | None,
) -> None:
    rows = [
        Row(index, T0 + timedelta(seconds=s, milliseconds=m, microseconds=u))
        for index, (s, m, u) in enumerate(stamps)
    ]
    source = Source(rows, shown=granularity)
    since = None if since_micros is None else T0 + timedelta(microseconds=since_micros)
    pages = read(source, granularity, since, page_size)
    assert all(0 < len(page) <= page_size for page in pages)
    assert [row for page in pages for row in page] == expected(rows, granularity, since)
    # Not read forever: every query but the last few brings something new.
    assert len(source.seeks) <= 2 * len(rows) + 3


# -- exact stamps --------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [1, 2, 3, 7, 50])
def test_exact_stamps_shared_across_page_boundaries_are_neither_skipped_nor_repeated(
    page_size: int,
) -> None:
    rows = [Row(key, T0 + timedelta(microseconds=key % 3)) for key in range(1, 24)]
    pages = read(Source(rows, shown=timedelta(0)), timedelta(0), None, page_size)
    assert [row for page in pages for row in page] == expected(rows, timedelta(0), None)


def test_exact_stamps_continue_after_the_last_row_read() -> None:
    rows = [Row(key, T0) for key in range(1, 6)]
    source = Source(rows, shown=timedelta(0))
    read(source, timedelta(0), T0, 2)
    assert source.seeks[0] == Seek(T0)
    assert source.seeks[1] == Seek(T0, after_key=2)
    assert source.seeks[2] == Seek(T0, after_key=4)


# -- buckets -------------------------------------------------------------------------------------


def test_a_bucket_bigger_than_a_page_is_read_whole_by_key() -> None:
    # 25 records in one millisecond, microseconds apart: the server orders them by a time the
    # payload does not show, so only reading the bucket by key can page through them.
    rows = [Row(key, T0 + timedelta(microseconds=(key * 37) % 1000)) for key in range(25)]
    rows.append(Row(100, T0 + 5 * MS))
    source = Source(rows, shown=MS)
    pages = read(source, MS, None, 4)
    assert [row for page in pages for row in page] == expected(rows, MS, None)
    bucket_seeks = [seek for seek in source.seeks if seek.by_key]
    assert bucket_seeks[0] == Seek(T0, T0 + MS, None, by_key=True)
    assert bucket_seeks[1] == Seek(T0, T0 + MS, 3, by_key=True)
    assert len(source.seeks) < 15


def test_one_second_granularity_reads_the_whole_second_of_since() -> None:
    early = Row(1, T0 + timedelta(milliseconds=100))
    later = Row(2, T0 + timedelta(milliseconds=900))
    before = Row(3, T0 - MS)
    source = Source([early, later, before], shown=SECOND)
    pages = read(source, SECOND, T0 + timedelta(milliseconds=500), 10)
    assert pages == [[(T0, 1), (T0, 2)]]


def test_a_naive_since_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        list(pager(Source([], MS).query, MS).pages(datetime(2025, 1, 1), page_size=2))


# -- a source that breaks the order --------------------------------------------------------------


@pytest.mark.parametrize("granularity", [timedelta(0), MS])
def test_rows_out_of_order_are_an_upstream_error(granularity: timedelta) -> None:
    rows = [{"id": key, "changed": T0 + key * SECOND} for key in range(3)]

    def backwards(seek: Seek[int], limit: int) -> list[dict[str, Any]]:
        return list(reversed(rows))[:limit]

    with pytest.raises(errors.UpstreamError, match="out of"):
        list(pager(backwards, granularity).pages(None, page_size=5))


@pytest.mark.parametrize("granularity", [timedelta(0), MS])
def test_a_source_ignoring_the_filter_is_an_upstream_error_not_an_endless_read(
    granularity: timedelta,
) -> None:
    rows = [{"id": key, "changed": T0 + key * SECOND} for key in range(10)]

    def same_page(seek: Seek[int], limit: int) -> list[dict[str, Any]]:
        return rows[:limit]

    with pytest.raises(errors.UpstreamError, match=r"outside the range|out of"):
        list(pager(same_page, granularity).pages(None, page_size=3))


def test_a_bucket_answered_out_of_key_order_is_an_upstream_error() -> None:
    def shuffled(seek: Seek[int], limit: int) -> list[dict[str, Any]]:
        keys = [2, 1, 3, 4, 5] if seek.by_key else [1, 2, 3]
        return [{"id": key, "changed": T0} for key in keys][:limit]

    with pytest.raises(errors.UpstreamError, match="out of"):
        list(pager(shuffled, MS).pages(None, page_size=3))


def test_a_row_without_a_key_or_change_time_is_an_upstream_error() -> None:
    def keyless(seek: Seek[int], limit: int) -> list[dict[str, Any]]:
        return [{"changed": T0}]

    with pytest.raises(errors.UpstreamError, match="without a change time or key"):
        list(pager(keyless, timedelta(0)).pages(None, page_size=3))


def test_keys_follow_the_sources_own_order() -> None:
    # A source that sorts its string keys as numbers: "10" comes after "9".
    rows = [{"id": key, "changed": T0} for key in ["8", "9", "10"]]

    def numeric(seek: Seek[str], limit: int) -> list[dict[str, Any]]:
        after = -1 if seek.after_key is None else int(seek.after_key)
        return [row for row in rows if int(row["id"]) > after][:limit]

    numeric_pager: KeysetPager[dict[str, Any], str] = KeysetPager(
        numeric, change=lambda row: row["changed"], key=lambda row: row["id"], key_order=int
    )
    pages = list(numeric_pager.pages(None, page_size=2))
    assert [row.key for page in pages for row in page] == ["8", "9", "10"]


def test_page_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="page_size"):
        list(pager(Source([], MS).query, MS).pages(None, page_size=0))


@pytest.mark.parametrize(
    ("moment", "granularity", "expected"),
    [
        (T0 + timedelta(microseconds=1999), MS, T0 + MS),
        (T0 + timedelta(microseconds=1999), timedelta(0), T0 + timedelta(microseconds=1999)),
        (T0 + timedelta(seconds=59, microseconds=999_999), SECOND, T0 + 59 * SECOND),
        (T0 + timedelta(minutes=13), timedelta(minutes=5), T0 + timedelta(minutes=10)),
        (
            datetime(2025, 3, 1, 9, 0, 0, 500, tzinfo=timezone(timedelta(hours=1))),
            MS,
            T0,
        ),
    ],
)
def test_truncate_rounds_down_in_utc(
    moment: datetime, granularity: timedelta, expected: datetime
) -> None:
    result = truncate(moment, granularity)
    assert result == expected and result.utcoffset() == timedelta(0)
