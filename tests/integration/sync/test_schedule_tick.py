"""The schedule tick serves every connection: one whose scheduling fails (a stored schedule
that never fires, any error) is logged and recorded, and the others are scheduled all the same."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ironbridge.bootstrap import Container, bootstrap
from ironbridge.connectors import ConnectorRegistry
from ironbridge.store.errorlog import ErrorLogRepository
from ironbridge.store.sync import SyncRepository
from ironbridge.sync import scheduling as scheduling_module
from ironbridge.testing.source import connector as testsource

from ...conftest import POSTGRES_ADMIN_URL, make_settings, new_account
from .conftest import SourceConnection, open_connection, seed


@pytest.fixture(params=["sqlite", "postgresql"])
def tick_container(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    """A store of this test's own: the tick looks at every connection in it."""
    extra: dict[str, object] = {}
    name = f"ib_tick_{uuid.uuid4().hex[:12]}"
    if request.param == "postgresql":
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        extra["database_url"] = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    container = bootstrap(
        make_settings(tmp_path, **extra), registry=ConnectorRegistry([testsource])
    )
    yield container
    container.close()
    if request.param == "postgresql":
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _runs(conn: SourceConnection) -> list[Any]:
    with conn.container.uow(readonly=True) as uow:
        return list(SyncRepository(uow.connection, conn.id).runs(limit=100))


def _pair(container: Container, tmp_path: Path) -> tuple[SourceConnection, SourceConnection]:
    """Two connections, each synced once two hours before the tick's `now`."""
    account = new_account(container)
    pair = []
    for name in ("a", "b"):
        conn = open_connection(container, account, tmp_path / f"{name}.db", history_days=None)
        seed(conn.source, 3, start=datetime.now(UTC) - timedelta(days=1), step=timedelta(hours=1))
        conn.sync(trigger="initial")
        pair.append(conn)
    return pair[0], pair[1]


def _store_schedule(conn: SourceConnection, schedule: str) -> None:
    # As stored by a version that did not check schedules.
    with conn.container.uow() as uow:
        row = uow.connections.get_for_token(conn.id)
        assert row is not None
        settings = {**row.settings, "sync_schedule": schedule}
        uow.connections.update(conn.account.id, conn.id, settings=settings)
        uow.commit()


def test_a_stored_schedule_that_never_fires_does_not_stop_the_others(
    tick_container: Container, tmp_path: Path
) -> None:
    poisoned, healthy = _pair(tick_container, tmp_path)
    _store_schedule(poisoned, "0 0 31 2 *")
    later = datetime.now(UTC) + timedelta(hours=2)
    assert tick_container.worker.tick(now=later)["queued"] == 1
    assert [r.trigger for r in _runs(poisoned)] == ["initial"], "never due"
    scheduled = _runs(healthy)[0]
    assert scheduled.trigger == "schedule" and scheduled.status == "succeeded"
    # The next tick still serves both.
    tick_container.worker.tick(now=later + timedelta(hours=2))
    assert [r.trigger for r in _runs(healthy)] == ["schedule", "schedule", "initial"]


def test_a_connection_whose_scheduling_fails_is_recorded_and_the_others_go_on(
    tick_container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, healthy = _pair(tick_container, tmp_path)
    real = scheduling_module.due_entities

    def failing_for_one(uow: Any, connection: Any, *args: Any, **kwargs: Any) -> Any:
        if connection.id == broken.id:
            raise RuntimeError("state row unreadable")
        return real(uow, connection, *args, **kwargs)

    monkeypatch.setattr(scheduling_module, "due_entities", failing_for_one)
    later = datetime.now(UTC) + timedelta(hours=2)
    counts = tick_container.worker.tick(now=later)
    assert counts["failed"] == 1 and counts["queued"] == 1
    assert _runs(healthy)[0].trigger == "schedule"
    assert [r.trigger for r in _runs(broken)] == ["initial"]
    with tick_container.uow(readonly=True) as uow:
        logged = ErrorLogRepository(uow.connection, broken.id).newest(before=None, limit=10)
    assert [(e.operation, e.code) for e in logged] == [("sync", "INTERNAL_ERROR")]
    assert "state row unreadable" not in logged[0].message, "internals stay in the server log"
    # The same failure on the next tick is not logged again for the integrator.
    tick_container.worker.tick(now=later + timedelta(minutes=1))
    with tick_container.uow(readonly=True) as uow:
        again = ErrorLogRepository(uow.connection, broken.id).newest(before=None, limit=10)
    assert len(again) == 1
