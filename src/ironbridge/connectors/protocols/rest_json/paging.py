"""How a REST-JSON collection is paged, as small declarations.

Two strategies cover the systems we speak:

- `OffsetPaging`: the client counts (`limit` and `offset` parameters) and the page says whether
  more follow (`hasMore`). NetSuite's record collections and SuiteQL answer
  `{links, count, hasMore, offset, totalResults, items}` (NetSuite REST web services,
  "Collection Paging").
- `NextLinkPaging`: the server hands out the next page's address (Maximo's
  `responseInfo.nextPage.href`, with `oslc.pageSize` asking for the page size), and the client
  follows it as written, after the client has checked it stays on the instance's origin.

Paths into a payload are dotted (`responseInfo.nextPage.href`); a strategy never sends a
request itself, it only says what to ask for next.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ironbridge import errors

__all__ = ["NextLinkPaging", "OffsetPaging", "Paging", "lookup"]


def lookup(payload: Any, path: str) -> Any:
    """The value at the dotted `path` in `payload`; None when a step is missing.

    A numeric step indexes a list (`o:errorDetails.0.detail`).
    """
    value = payload
    for step in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def _rows(payload: Any, path: str, source: str) -> list[dict[str, Any]]:
    rows = lookup(payload, path)
    if rows is None and isinstance(payload, Mapping):
        # Both NetSuite and Maximo leave the member array out of an empty page.
        return []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise errors.UpstreamError(f"{source} answered a page without a `{path}` list.")
    return rows


@dataclass(frozen=True)
class OffsetPaging:
    """Pages counted by the client: `limit`/`offset` parameters and a "more follow" flag.

    `max_page_size` is the most the server serves in one page (NetSuite: 1000); a larger page
    size is asked as that many, since the server would refuse it.
    """

    items: str = "items"
    has_more: str = "hasMore"
    limit_param: str = "limit"
    offset_param: str = "offset"
    max_page_size: int = 1000

    def first(self, page_size: int) -> dict[str, str]:
        """The query parameters of the first page."""
        return {self.limit_param: str(self.size(page_size)), self.offset_param: "0"}

    def size(self, page_size: int) -> int:
        """The page size the server is asked for."""
        return min(page_size, self.max_page_size)

    def rows(self, payload: Any, source: str) -> list[dict[str, Any]]:
        """The records of one page."""
        return _rows(payload, self.items, source)

    def next(
        self, payload: Any, params: Mapping[str, str], read: int
    ) -> tuple[str | None, dict[str, str]] | None:
        """What to read after a page of `read` rows asked with `params`; None at the end.

        Returns (None, params): the same path again with new parameters.
        """
        if lookup(payload, self.has_more) is not True or read == 0:
            return None
        offset = int(params.get(self.offset_param, "0")) + read
        return None, {**params, self.offset_param: str(offset)}


@dataclass(frozen=True)
class NextLinkPaging:
    """Pages linked by the server: the next page's URL sits at a path in each page.

    `page_size_param` asks for the page size on the first request; the link carries it on.
    """

    items: str = "member"
    next_link: str = "responseInfo.nextPage.href"
    page_size_param: str = "oslc.pageSize"
    max_page_size: int | None = None

    def first(self, page_size: int) -> dict[str, str]:
        """The query parameters of the first page."""
        return {self.page_size_param: str(self.size(page_size))}

    def size(self, page_size: int) -> int:
        """The page size the server is asked for."""
        return page_size if self.max_page_size is None else min(page_size, self.max_page_size)

    def rows(self, payload: Any, source: str) -> list[dict[str, Any]]:
        """The records of one page."""
        return _rows(payload, self.items, source)

    def next(
        self, payload: Any, params: Mapping[str, str], read: int
    ) -> tuple[str | None, dict[str, str]] | None:
        """What to read after a page: (the link, no parameters), or None at the end."""
        link = lookup(payload, self.next_link)
        if not isinstance(link, str) or not link or read == 0:
            return None
        return link, {}


#: A paging strategy.
Paging = OffsetPaging | NextLinkPaging
