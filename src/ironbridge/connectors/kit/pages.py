"""Pages of a record stream: what every session's `list_changes` yields."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["pages"]

T = TypeVar("T")


def pages(records: Iterable[T], size: int) -> Iterator[list[T]]:
    """`records` in lists of `size`, the last one shorter; no list when there are no records.

    A page is yielded as soon as it is full, before the next record is asked for, so a
    stream that reads its source lazily fetches no more than the caller consumes.

    Raises:
        ValueError: `size` is below 1.
    """
    if size < 1:
        raise ValueError("page_size must be at least 1")
    page: list[T] = []
    for record in records:
        page.append(record)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page
