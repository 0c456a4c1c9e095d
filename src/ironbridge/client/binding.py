"""Turning an operation (a function building a `Call`) into a method of either client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from .calls import Call
from .paging import apages, pages
from .transport import AsyncTransport, SyncTransport

__all__ = ["AsyncResource", "SyncResource", "async_op", "async_pages", "sync_op", "sync_pages"]

P = ParamSpec("P")
T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type of a page


class SyncResource:
    """A group of operations of `Client`."""

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport


class AsyncResource:
    """A group of operations of `AsyncClient`."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport


class _Page(Protocol[I]):
    @property
    def data(self) -> list[I]: ...

    @property
    def next_cursor(self) -> str | None: ...


def _described(method: Any, build: Callable[..., Any], doc: str | None = None) -> None:
    method.__doc__ = doc or build.__doc__
    method.__name__ = build.__name__
    method.__qualname__ = build.__qualname__


def sync_op(build: Callable[P, Call[T]]) -> Callable[Concatenate[Any, P], T]:
    """A blocking method sending the call `build` makes."""

    def method(self: SyncResource, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._transport.run(build(*args, **kwargs))

    _described(method, build)
    return method


def async_op(build: Callable[P, Call[T]]) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, T]]:
    """An awaitable method sending the call `build` makes."""

    async def method(self: AsyncResource, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._transport.run(build(*args, **kwargs))

    _described(method, build)
    return method


def sync_pages(
    build: Callable[P, Call[_Page[I]]],
) -> Callable[Concatenate[Any, P], Iterator[I]]:
    """A blocking method iterating over every item of every page `build` lists."""

    def method(self: SyncResource, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[I]:
        def build_page(**arguments: Any) -> Call[Any]:
            return build(*args, **arguments)

        return pages(self._transport, build_page, kwargs)

    _described(
        method,
        build,
        f"{build.__doc__}\n\nIterates over every item of every page, by `next_cursor`.",
    )
    return method


def async_pages(
    build: Callable[P, Call[_Page[I]]],
) -> Callable[Concatenate[Any, P], AsyncIterator[I]]:
    """An async-iterator method over every item of every page `build` lists."""

    def method(self: AsyncResource, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[I]:
        def build_page(**arguments: Any) -> Call[Any]:
            return build(*args, **arguments)

        return apages(self._transport, build_page, kwargs)

    _described(
        method,
        build,
        f"{build.__doc__}\n\nIterates (`async for`) over every item of every page.",
    )
    return method
