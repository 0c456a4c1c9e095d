"""A live ironbridge on loopback (uvicorn, SQLite, the sandbox connector) and SDK clients of it."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ironbridge.client import Client
from ironbridge.connectors import ConnectorRegistry
from ironbridge.connectors.sandbox import connector as sandbox_connector

from ..conftest import ConnectionFixture, new_sandbox_connection
from ..e2e.conftest import LiveServer, live_server

GENERATOR = Path(__file__).resolve().parents[2] / "scripts" / "generate-client-models"


@dataclass
class Served:
    server: LiveServer
    plant: ConnectionFixture
    other: ConnectionFixture

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server per test module, with two sandbox connections of one account."""
    registry = ConnectorRegistry([sandbox_connector])
    with live_server(
        tmp_path_factory.mktemp("sdk"),
        registry,
        rate_limit_per_minute=1_000_000,
        allow_private_urls=True,
    ) as server:
        plant = new_sandbox_connection(server.container, server.account, "plant-7")
        other = new_sandbox_connection(server.container, server.account, "plant-9")
        yield Served(server, plant, other)


@pytest.fixture
def admin(served: Served) -> Iterator[Client]:
    """The SDK with the account's admin key."""
    with Client(served.server.account.admin_key, base_url=served.url) as client:
        yield client


@pytest.fixture
def plant(served: Served) -> Iterator[Client]:
    """The SDK with the first sandbox connection's token."""
    with Client(served.plant.token, base_url=served.url) as client:
        yield client


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    """The server's current OpenAPI document, as `/openapi.json` serves it."""
    return load_generator().server_openapi()  # type: ignore[no-any-return]


def load_generator() -> ModuleType:
    """`scripts/generate-client-models` as a module."""
    loader = SourceFileLoader("generate_client_models", str(GENERATOR))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
