"""Turning an operation (a function building a `Call`) into a method of either client.

A resource's operations are declared once, as `operation(build)` or `listing(build)` in a class
both of its flavours inherit; the flavour's base (`SyncResource` or `AsyncResource`) decides
whether a method blocks or is awaited, and type checkers see the method each flavour has.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Generic, ParamSpec, Protocol, TypeVar, overload

from .calls import Call
from .paging import apages, pages
from .transport import AsyncTransport, SyncTransport

__all__ = ["AsyncResource", "Listing", "Operation", "SyncResource", "listing", "operation"]

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


def _described(method: Any, build: Callable[..., Any], doc: str | None = None) -> Any:
    method.__doc__ = doc or build.__doc__
    method.__name__ = build.__name__
    method.__qualname__ = build.__qualname__
    return method


class Operation(Generic[P, T]):
    """A method sending the call `build` makes: blocking on a `SyncResource`, awaitable on an
    `AsyncResource`."""

    def __init__(self, build: Callable[P, Call[T]]) -> None:
        def blocking(self: SyncResource, /, *args: P.args, **kwargs: P.kwargs) -> T:
            return self._transport.run(build(*args, **kwargs))

        async def awaited(self: AsyncResource, /, *args: P.args, **kwargs: P.kwargs) -> T:
            return await self._transport.run(build(*args, **kwargs))

        self._blocking = _described(blocking, build)
        self._awaited = _described(awaited, build)
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, resource: None, owner: type) -> Operation[P, T]: ...
    @overload
    def __get__(self, resource: SyncResource, owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, resource: AsyncResource, owner: type
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    def __get__(self, resource: object, owner: type) -> Any:
        if resource is None:
            return self
        method = self._awaited if isinstance(resource, AsyncResource) else self._blocking
        return method.__get__(resource, owner)


class Listing(Generic[P, I]):
    """A method iterating over every item of every page `build` lists, by `next_cursor`:
    `for` on a `SyncResource`, `async for` on an `AsyncResource`."""

    def __init__(self, build: Callable[P, Call[_Page[I]]]) -> None:
        def blocking(self: SyncResource, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[I]:
            return pages(self._transport, functools.partial(build, *args), kwargs)

        def awaited(self: AsyncResource, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[I]:
            return apages(self._transport, functools.partial(build, *args), kwargs)

        more = "Iterates over every item of every page, by `next_cursor`."
        self._blocking = _described(blocking, build, f"{build.__doc__}\n\n{more}")
        more = "Iterates (`async for`) over every item of every page."
        self._awaited = _described(awaited, build, f"{build.__doc__}\n\n{more}")
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, resource: None, owner: type) -> Listing[P, I]: ...
    @overload
    def __get__(self, resource: SyncResource, owner: type) -> Callable[P, Iterator[I]]: ...
    @overload
    def __get__(self, resource: AsyncResource, owner: type) -> Callable[P, AsyncIterator[I]]: ...
    def __get__(self, resource: object, owner: type) -> Any:
        if resource is None:
            return self
        method = self._awaited if isinstance(resource, AsyncResource) else self._blocking
        return method.__get__(resource, owner)


def operation(build: Callable[P, Call[T]]) -> Operation[P, T]:
    """The method of both flavours of a resource that sends the call `build` makes."""
    return Operation(build)


def listing(build: Callable[P, Call[_Page[I]]]) -> Listing[P, I]:
    """The method of both flavours of a resource that walks every page `build` lists."""
    return Listing(build)
