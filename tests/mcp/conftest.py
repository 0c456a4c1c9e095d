"""A live ironbridge on loopback (uvicorn in a thread, with its lifespan, so `/mcp` runs) and
the `mcp` SDK's own client speaking streamable HTTP to it, on each supported store: SQLite, and
PostgreSQL with Redis (rate limits, breakers) as a deployment of several processes runs.

One server per store serves the whole session; each test gets an account and a synced sandbox
connection of its own on it."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult
from redis import Redis

from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap

from ..conftest import (
    REDIS_URL,
    AccountFixture,
    ConnectionFixture,
    make_settings,
    new_account,
    new_sandbox_connection,
)

T = TypeVar("T")


@dataclass
class Live:
    url: str
    container: Container
    account: AccountFixture
    sandbox: ConnectionFixture

    def rest(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def agent(
        self, token: str, scenario: Callable[[Client], Awaitable[T]], mode: str = "auto"
    ) -> T:
        """Run `scenario` with an MCP client connected to `/mcp` with `token` as its bearer
        (`mode` "legacy": the initialize handshake of the 2025 protocol versions)."""

        async def run() -> T:
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
                transport = streamable_http_client(f"{self.url}/mcp", http_client=http)
                async with Client(transport, mode=mode) as client:
                    return await scenario(client)

        return anyio.run(run)

    def post(self, token: str | None, message: dict[str, Any]) -> httpx.Response:
        """One JSON-RPC message posted to `/mcp` as plain HTTP, to see the HTTP answer."""
        headers = {"Accept": "application/json, text/event-stream"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.post(f"{self.url}/mcp", json=message, headers=headers, timeout=30)

    def call(self, token: str, tool: str, arguments: dict[str, Any]) -> CallToolResult:
        async def scenario(client: Client) -> CallToolResult:
            return await client.call_tool(tool, arguments)

        return self.agent(token, scenario)


def answer(result: CallToolResult) -> Any:
    """A tool's JSON answer, from its text (what an agent reads)."""
    assert len(result.content) == 1
    text = result.content[0].text  # type: ignore[union-attr]
    return json.loads(text)


@dataclass
class Served:
    url: str
    container: Container

    def live(self) -> Live:
        """A new account with a synced sandbox connection on this server."""
        account = new_account(self.container)
        return Live(
            self.url, self.container, account, new_sandbox_connection(self.container, account)
        )


@contextmanager
def server(data: Path, **settings: object) -> Iterator[Served]:
    """ironbridge on a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    container = bootstrap(make_settings(data, port=port, **settings))
    running = uvicorn.Server(
        uvicorn.Config(create_app(container), log_level="warning", access_log=False, lifespan="on")
    )
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield Served(f"http://127.0.0.1:{port}", container)
    finally:
        running.should_exit = True
        thread.join(timeout=10)
        sock.close()
        container.close()


@contextmanager
def serving(data: Path, **settings: object) -> Iterator[Live]:
    """ironbridge on a free loopback port with an account and a synced sandbox connection."""
    with server(data, **settings) as served:
        yield served.live()


@pytest.fixture(scope="session", params=["sqlite", "postgresql-redis"])
def store(request: pytest.FixtureRequest) -> Iterator[dict[str, object]]:
    """The settings of a store: the embedded one, or PostgreSQL (the session's database) with
    Redis, under a key prefix of the session's own, removed afterwards."""
    if request.param == "sqlite":
        yield {}
        return
    prefix = f"ib-test:{uuid.uuid4().hex}"
    yield {
        "database_url": request.getfixturevalue("postgres_url"),
        "redis_url": REDIS_URL,
        "breaker_key_prefix": prefix,
    }
    with Redis.from_url(REDIS_URL) as redis:
        keys = list(redis.scan_iter(f"{prefix}:*"))
        if keys:
            redis.delete(*keys)


@pytest.fixture(scope="session")
def shared_server(
    store: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    with server(tmp_path_factory.mktemp("mcp"), **store) as served:
        yield served


@pytest.fixture
def live(shared_server: Served) -> Live:
    return shared_server.live()
