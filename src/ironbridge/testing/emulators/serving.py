"""Serving an emulator's ASGI app over real HTTP on 127.0.0.1, in a background thread.

Every emulator is one ASGI app plus the state tests change; this module is the one place that
turns such an app into a server a connector can reach, and stops it again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Final, Generic, ParamSpec, Protocol, TypeVar

import uvicorn
from starlette.types import ASGIApp

from ironbridge.testing.json_server import LOOPBACK

__all__ = [
    "LOOPBACK",
    "Running",
    "ServedApp",
    "ServedEmulator",
    "runner",
    "running",
    "serve_app",
]

_START_TIMEOUT: Final = 10.0


@dataclass
class ServedApp:
    """An app being served: its root URL and the means to stop it."""

    base_url: str
    port: int
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and wait for the server thread; safe to call twice."""
        self._server.should_exit = True
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=_START_TIMEOUT)


def serve_app(app: ASGIApp, *, name: str, port: int = 0) -> ServedApp:
    """Serve `app` on 127.0.0.1 and return once it accepts connections.

    Args:
        app: the emulator's ASGI application.
        name: what is being served, for the thread's name and the start-up error.
        port: the TCP port; 0 picks a free one (see `ServedApp.port`).

    Raises:
        RuntimeError: the server did not start within ten seconds (port taken, ...).
    """
    config = uvicorn.Config(
        app, host=LOOPBACK, port=port, log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"{name}-emulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT
    # A condition, not a sleep: uvicorn flips `started` once its sockets listen.
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the {name} emulator did not start on port {port}")
        time.sleep(0.01)
    bound = int(server.servers[0].sockets[0].getsockname()[1])
    return ServedApp(f"http://{LOOPBACK}:{bound}", bound, server, thread)


_State = TypeVar("_State")


@dataclass
class ServedEmulator(Generic[_State]):
    """An emulator being served to one user: where, the user's name and password, and the
    state tests change (`emulator`)."""

    base_url: str
    username: str
    password: str
    emulator: _State
    _served: ServedApp

    def stop(self) -> None:
        """Stop serving and wait for the server thread; safe to call twice."""
        self._served.stop()


class Running(Protocol):
    """What an emulator's `start_emulator` returns: where it listens and how to stop it."""

    @property
    def base_url(self) -> str: ...

    def stop(self) -> None: ...


_Options = ParamSpec("_Options")
_Started = TypeVar("_Started", bound=Running)


def running(
    start: Callable[_Options, _Started],
) -> Callable[_Options, AbstractContextManager[_Started]]:
    """`start` as a context manager that stops the server on exit, taking the same options.

    running_emulator = running(start_emulator)

    with running_emulator(faults="timeout_requests=1") as sap:
        ...
    """

    @contextmanager
    def started(*args: _Options.args, **kwargs: _Options.kwargs) -> Iterator[_Started]:
        served = start(*args, **kwargs)
        try:
            yield served
        finally:
            served.stop()

    started.__doc__ = f"`{start.__name__}` as a context manager that stops the server on exit."
    return started


def runner(
    start: Callable[_Options, Running],
) -> Callable[_Options, tuple[str, Callable[[], None]]]:
    """`start` for the command line (`ironbridge emulate`): it returns the server's base URL and
    a function that stops it, so the caller needs to know nothing of the emulator's state."""

    def run(*args: _Options.args, **kwargs: _Options.kwargs) -> tuple[str, Callable[[], None]]:
        served = start(*args, **kwargs)
        return served.base_url, served.stop

    run.__doc__ = f"`{start.__name__}` for the command line: its base URL and its stop function."
    return run
