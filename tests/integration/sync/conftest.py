"""A container that offers the SQLite-backed test source, and a connection to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ironbridge.bootstrap import Container, bootstrap
from ironbridge.connections import ConnectionCreate, ConnectionSettings, connect
from ironbridge.connectors import ConnectorRegistry
from ironbridge.connectors.sandbox import connector as sandbox
from ironbridge.model import Entity
from ironbridge.testing.source import SourceDB, purchase_order
from ironbridge.testing.source import connector as testsource

from ...conftest import AccountFixture, make_settings, new_account


@dataclass
class SourceConnection:
    container: Container
    account: AccountFixture
    id: str
    token: str
    source: SourceDB

    def sync(self, *, full: bool = False, trigger: str = "api") -> list[str]:
        runs = self.container.worker.start_sync(
            self.id, [Entity.PURCHASE_ORDERS], full=full, trigger=trigger
        )
        return [r.id for r in runs]


def seed(source: SourceDB, count: int, *, start: datetime, step: timedelta) -> None:
    source.put_many(
        Entity.PURCHASE_ORDERS,
        [(f"P{i:05d}", purchase_order(i), start + step * i) for i in range(count)],
    )


def open_connection(
    container: Container, account: AccountFixture, path: Path, **settings: object
) -> SourceConnection:
    with container.uow() as uow:
        view, issued = connect(
            uow,
            container.cipher,
            container.registry,
            account.id,
            ConnectionCreate(
                system="testsource",
                end_customer_id="plant-9",
                end_customer_name="Plant 9",
                credentials={"path": str(path)},
                settings=ConnectionSettings(entities=[Entity.PURCHASE_ORDERS], **settings),  # type: ignore[arg-type]
            ),
            options=container.session_options,
        )
    return SourceConnection(container, account, view.id, issued.token, SourceDB(str(path)))


@pytest.fixture(params=["sqlite", "postgresql"])
def source_container(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    """The same sync tests on the embedded store and on PostgreSQL. A test marked `alone` gets
    a PostgreSQL database of its own (the schedule tick looks at every connection stored)."""
    extra: dict[str, object] = {}
    if request.param == "postgresql":
        alone = request.node.get_closest_marker("alone") is not None
        extra["database_url"] = request.getfixturevalue("own_postgres" if alone else "postgres_url")
    container = bootstrap(
        make_settings(tmp_path, sync_page_size=100, **extra),
        registry=ConnectorRegistry([sandbox, testsource]),
    )
    yield container
    container.close()


@pytest.fixture
def source_connection(source_container: Container, tmp_path: Path) -> SourceConnection:
    account = new_account(source_container)
    connection = open_connection(
        source_container, account, tmp_path / "source.db", history_days=None
    )
    seed(
        connection.source,
        300,
        start=datetime.now(UTC) - timedelta(days=30),
        step=timedelta(minutes=5),
    )
    return connection
