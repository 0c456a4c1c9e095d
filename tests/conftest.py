"""Shared fixtures: settings in a temporary folder, containers on SQLite or PostgreSQL, clients."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from ironbridge.accounts import create_account, create_admin_key
from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.connections import ConnectionCreate, connect
from ironbridge.logs import configure_logging
from ironbridge.settings import Settings

configure_logging("WARNING")

POSTGRES_ADMIN_URL = os.environ.get(
    "IRONBRIDGE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("IRONBRIDGE_TEST_REDIS", "redis://127.0.0.1:6379/0")


@dataclass
class StepClock:
    """A clock the test moves: injected where the product takes a `clock` (breakers, delivery,
    the receiver kit), so time-dependent behaviour is stepped through instead of slept through."""

    now: datetime

    @classmethod
    def ahead(cls, **delta: float) -> StepClock:
        """A clock standing `delta` after the present, in whole seconds.

        Breakers want one ahead: pybreaker stamps the system time first and the Redis storage
        keeps only a later opening time than the one stored, and it keeps whole seconds.
        """
        return cls(datetime.now(UTC).replace(microsecond=0) + timedelta(**delta))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "log_level": "WARNING",
        "queue_immediate": True,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    name = f"ib_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def own_postgres() -> Iterator[str]:
    """A PostgreSQL database of this test's own, for tests that look at every connection (the
    session's shared database holds the other tests' connections too)."""
    name = f"ib_health_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def any_container(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    """A migrated container on each supported database. On PostgreSQL a test marked `alone`
    gets a database of its own instead of the session's shared one."""
    if request.param == "sqlite":
        settings = make_settings(tmp_path)
    else:
        alone = request.node.get_closest_marker("alone") is not None
        url = request.getfixturevalue("own_postgres" if alone else "postgres_url")
        settings = make_settings(tmp_path, database_url=url)
    container = bootstrap(settings)
    yield container
    container.close()


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    container = bootstrap(make_settings(tmp_path))
    yield container
    container.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield client


@dataclass
class AccountFixture:
    id: str
    admin_key: str
    key_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}


@dataclass
class ConnectionFixture:
    id: str
    token: str
    account: AccountFixture

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class SyncClock:
    """The sync engine's clock, set by the test: when records are seen."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> datetime:
        self.at += by
        return self.at


def sync_clock(container: Container, at: datetime) -> SyncClock:
    """Make `container`'s sync runs see the time a `SyncClock` shows, starting at `at`."""
    clock = SyncClock(at)
    worker = container.worker
    worker.sync_context = replace(worker.sync_context, clock=clock)
    return clock


def new_account(container: Container, name: str = "Acme Integrations") -> AccountFixture:
    with container.uow() as uow:
        account = create_account(uow, name)
        key = create_admin_key(uow, account.id)
    return AccountFixture(account.id, key.token, key.id)


def new_sandbox_connection(
    container: Container, account: AccountFixture, customer: str = "cust-1"
) -> ConnectionFixture:
    with container.uow() as uow:
        view, issued = connect(
            uow,
            container.cipher,
            container.registry,
            account.id,
            ConnectionCreate(
                system="sandbox", end_customer_id=customer, end_customer_name=f"{customer} Inc."
            ),
            options=container.session_options,
        )
    container.worker.start_sync(view.id, trigger="initial")
    return ConnectionFixture(view.id, issued.token, account)


@pytest.fixture
def account(container: Container) -> AccountFixture:
    return new_account(container)


@pytest.fixture
def sandbox(container: Container, account: AccountFixture) -> ConnectionFixture:
    return new_sandbox_connection(container, account)
