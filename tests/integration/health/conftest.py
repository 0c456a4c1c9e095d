"""A test source that can go down, refuse its credentials and recover, and a container on it.

`FlakySource` is the SQLite-backed test source with what the health tests need on top: a check
whose stages follow the `fail` switch (an outage fails `reach`, refused credentials fail
`authenticate`), passthrough, purchase-order updates, and a count of the calls that reached each
source file, so a test can tell a fast failure from a failing source (on PostgreSQL the test
session shares one database, and other tests' connections may be checked too).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ironbridge import errors
from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.connections import ConnectionCreate, ConnectionSettings, connect, disconnect
from ironbridge.connectors import (
    Capability,
    CheckResult,
    CheckStage,
    ConnectorRegistry,
    ConnectorSession,
    PassthroughRequest,
    PassthroughResponse,
    RawRecord,
    SessionOptions,
)
from ironbridge.model import Entity
from ironbridge.store.events import EventQuery, EventRepository
from ironbridge.testing.source import SPEC, SourceDB, TestSourceConnector, purchase_order

from ...conftest import AccountFixture, StepClock, make_settings, new_account

FLAKY_SPEC = dataclasses.replace(
    SPEC,
    id="flakysource",
    name="Flaky source",
    capabilities={
        entity: Capability(
            read=True,
            create=False,
            update=entity is Entity.PURCHASE_ORDERS,
            delete=False,
        )
        for entity in Entity
    },
    passthrough=True,
)

_FAILURES: dict[str, type[errors.IronbridgeError]] = {
    "reauth": errors.ConnectionReauthRequired,
    "unavailable": errors.ConnectionUnavailable,
    "upstream": errors.UpstreamError,
    "locked": errors.RecordLocked,
}


class _FlakySession(ConnectorSession):
    def __init__(self, source: FlakySource, db: SourceDB, options: SessionOptions | None) -> None:
        super().__init__(FLAKY_SPEC, options)
        self.source = source
        self.db = db

    def _count(self, operation: str) -> None:
        self.source.calls[(self.db.path, operation)] += 1

    def _call(self, operation: str) -> None:
        self._count(operation)
        mode = self.db.setting("fail")
        if mode is not None:
            raise _FAILURES[mode](f"Flaky source failing: {mode}.")

    def check(self) -> Iterator[CheckResult]:
        self._count("check")
        if self.source.on_check is not None:
            self.source.on_check(self.db.path)
        mode = self.db.setting("fail")
        if mode in {"unavailable", "upstream"}:
            yield CheckResult(CheckStage.REACH, False, "Nothing answers.", fix="Start it.")
            return
        yield CheckResult(CheckStage.REACH, True, "The source answers.")
        if mode == "reauth":
            yield CheckResult(CheckStage.AUTHENTICATE, False, "Password expired.", fix="Renew.")
            return
        yield CheckResult(CheckStage.AUTHENTICATE, True, "Signed in.")
        yield CheckResult(CheckStage.PERMISSIONS, True, "Every entity is readable.")

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        self._call("list")
        yield from self.db.changes(entity, since, page_size)

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        self._call("get")
        found = self.db.get(entity, remote_id)
        if found is None:
            raise errors.NotFound(f"No {entity.label} {remote_id!r}.")
        return found

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        self._call("update")
        current = self.db.get(entity, remote_id)
        if current is None:
            raise errors.NotFound(f"No {entity.label} {remote_id!r}.")
        self.db.put(entity, remote_id, {**current.data, **changes})
        updated = self.db.get(entity, remote_id)
        assert updated is not None
        return updated

    def passthrough(self, request: PassthroughRequest) -> PassthroughResponse:
        self._call("passthrough")
        return PassthroughResponse(200, {}, {"path": request.path})


class FlakySource(TestSourceConnector):
    """The test source with passthrough, purchase-order updates and a staged check."""

    spec = FLAKY_SPEC

    def __init__(self) -> None:
        #: Calls that reached the source, by (source file, operation).
        self.calls: Counter[tuple[str, str]] = Counter()
        #: Runs inside each check (given the source file), while the source is contacted.
        self.on_check: Callable[[str], None] | None = None

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> ConnectorSession:
        clean = self.validate_credentials(credentials)
        return _FlakySession(self, SourceDB(clean["path"]), options)

    def reached(self, path: str, operation: str | None = None) -> int:
        """Calls that reached the source file `path` (all operations, or one)."""
        return sum(
            count
            for (where, op), count in self.calls.items()
            if where == path and operation in {None, op}
        )


@dataclass
class Linked:
    """One connection to a flaky source, with helpers to look at it."""

    container: Container
    account: AccountFixture
    id: str
    token: str
    source: SourceDB
    connector: FlakySource

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def breaker_clock(self) -> StepClock:
        """The breakers' clock (see `flaky_container`): advance it to let a probe through."""
        clock = self.container.breakers.clock
        assert isinstance(clock, StepClock)
        return clock

    def row(self) -> Any:
        with self.container.uow(readonly=True) as uow:
            return uow.connections.get_for_token(self.id)

    def status(self) -> str:
        return str(self.row().status)

    def events(self, *types: str) -> list[Any]:
        with self.container.uow(readonly=True) as uow:
            found = EventRepository(uow.connection, self.account.id).find(
                EventQuery(types=list(types) or None, connection_id=self.id, limit=10_000)
            )
        return list(found)

    def transitions(self) -> list[tuple[str, str]]:
        return [
            (e.data["previous_status"], e.data["status"])
            for e in self.events("connection.status_changed")
        ]

    def reached(self, operation: str | None = None) -> int:
        """Calls that reached this connection's source (all operations, or one)."""
        return self.connector.reached(self.source.path, operation)

    def sync(self) -> list[str]:
        runs = self.container.worker.start_sync(self.id, [Entity.PURCHASE_ORDERS])
        return [r.id for r in runs]


def link_flaky(
    container: Container, account: AccountFixture, path: Path, connector: FlakySource
) -> Linked:
    """Connect `path` through the flaky source, with a few purchase orders synced."""
    source = SourceDB(str(path))
    start = datetime.now(UTC) - timedelta(days=1)
    source.put_many(
        Entity.PURCHASE_ORDERS,
        [(f"P{i:03d}", purchase_order(i), start + timedelta(minutes=i)) for i in range(5)],
    )
    with container.uow() as uow:
        view, issued = connect(
            uow,
            container.cipher,
            container.registry,
            account.id,
            ConnectionCreate(
                system="flakysource",
                end_customer_id="plant-7",
                end_customer_name="Plant 7",
                credentials={"path": str(path)},
                settings=ConnectionSettings(entities=[Entity.PURCHASE_ORDERS], history_days=None),  # type: ignore[call-arg]
            ),
            options=container.session_options,
        )
    container.worker.start_sync(view.id, trigger="initial")
    return Linked(container, account, view.id, issued.token, source, connector)


def flaky_container(tmp_path: Path, connector: FlakySource, **settings: object) -> Container:
    values: dict[str, object] = {
        "breaker_fail_max": 3,
        "breaker_reset_seconds": 1.0,
        "breaker_key_prefix": f"ib-test:{uuid.uuid4().hex}",
    }
    values.update(settings)
    container = bootstrap(
        make_settings(tmp_path, **values), registry=ConnectorRegistry([connector])
    )
    # The breakers' time stands still unless a test moves it: a slow machine cannot let a
    # circuit half-open behind a test's back.
    container.breakers.clock = StepClock.ahead(hours=1)
    return container


@pytest.fixture
def flaky() -> FlakySource:
    return FlakySource()


@pytest.fixture(params=["sqlite", "postgresql"])
def health_container(
    request: pytest.FixtureRequest, tmp_path: Path, flaky: FlakySource
) -> Iterator[Container]:
    """The health tests on the embedded store and on PostgreSQL."""
    extra: dict[str, object] = {}
    if request.param == "postgresql":
        extra["database_url"] = request.getfixturevalue("postgres_url")
    container = flaky_container(tmp_path, flaky, **extra)
    yield container
    container.close()


@pytest.fixture
def linked(health_container: Container, tmp_path: Path, flaky: FlakySource) -> Iterator[Linked]:
    account = new_account(health_container)
    connection = link_flaky(health_container, account, tmp_path / "source.db", flaky)
    yield connection
    # PostgreSQL keeps one database for the test session: leave no live connection behind for
    # other tests' schedulers to look at.
    with health_container.uow() as uow:
        disconnect(uow, account.id, connection.id)


@pytest.fixture
def api(health_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(health_container), raise_server_exceptions=False) as client:
        yield client
