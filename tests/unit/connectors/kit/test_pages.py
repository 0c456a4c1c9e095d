"""Chunking a record stream into the pages `list_changes` yields."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironbridge.connectors.kit import pages


@given(st.lists(st.integers(), max_size=60), st.integers(min_value=1, max_value=12))
def test_pages_keep_every_record_in_order_and_only_the_last_is_short(
    records: list[int], size: int
) -> None:
    chunked = list(pages(records, size))
    assert [record for page in chunked for record in page] == records
    assert all(len(page) == size for page in chunked[:-1])
    assert all(0 < len(page) <= size for page in chunked)


def test_a_full_page_is_yielded_before_the_next_record_is_read() -> None:
    read: list[int] = []

    def stream() -> Iterator[int]:
        for number in range(10):
            read.append(number)
            yield number

    first = next(pages(stream(), 3))
    assert first == [0, 1, 2]
    assert read == [0, 1, 2]


def test_a_page_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="page_size"):
        next(pages([1], 0))
