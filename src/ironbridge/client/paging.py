"""Walking a list across pages by `next_cursor`, fetching each page only when it is reached."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any, Protocol

from .calls import Call
from .transport import AsyncTransport, SyncTransport

__all__ = ["PageModel", "apages", "pages"]


class PageModel(Protocol):
    """A list answer: the page's items and the cursor of the next page (None at the end)."""

    @property
    def data(self) -> Any: ...

    @property
    def next_cursor(self) -> str | None: ...


def _at_end(page: Any, sent_cursor: str | None) -> bool:
    """Whether `page` is the last one. The event feed never ends (its cursor is where to poll
    next), so an empty page or a cursor that did not move ends a walk too."""
    return not page.next_cursor or not page.data or page.next_cursor == sent_cursor


def pages(
    transport: SyncTransport,
    build: Callable[..., Call[Any]],
    params: Mapping[str, Any],
) -> Iterator[Any]:
    """Every item of every page `build(**params, cursor=…)` answers, in order."""
    arguments = dict(params)
    while True:
        page = transport.run(build(**arguments))
        yield from page.data
        if _at_end(page, arguments.get("cursor")):
            return
        arguments["cursor"] = page.next_cursor


async def apages(
    transport: AsyncTransport,
    build: Callable[..., Call[Any]],
    params: Mapping[str, Any],
) -> AsyncIterator[Any]:
    """`pages` for the async client."""
    arguments = dict(params)
    while True:
        page = await transport.run(build(**arguments))
        for item in page.data:
            yield item
        if _at_end(page, arguments.get("cursor")):
            return
        arguments["cursor"] = page.next_cursor
