"""While a circuit is open, syncs wait for it instead of failing: the tick queues nothing, a run
that would start is postponed to when the circuit lets a probe through (no `sync.failed`, no
failed run), and then it runs. The clock is injected: ticks and the breakers share it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from ironbridge.api import create_app
from ironbridge.connections import disconnect
from ironbridge.model import Entity
from ironbridge.store.sync import SyncRepository

from ...conftest import REDIS_URL, StepClock, new_account
from .conftest import FlakySource, Linked, flaky_container, link_flaky

PING = {"method": "GET", "path": "/ping"}
RESET = 300.0


@pytest.fixture(params=["sqlite-memory", "postgresql-redis"])
def postponing(
    request: pytest.FixtureRequest, tmp_path: Path, flaky: FlakySource
) -> Iterator[tuple[Linked, StepClock, TestClient]]:
    """A linked flaky source whose breakers open for five minutes, on a clock of the test's:
    breaker state in memory on SQLite, shared through Redis on PostgreSQL."""
    prefix = f"ib-test:{uuid.uuid4().hex}"
    extra: dict[str, object] = {"breaker_reset_seconds": RESET, "breaker_key_prefix": prefix}
    if request.param == "postgresql-redis":
        extra["database_url"] = request.getfixturevalue("own_postgres")
        extra["redis_url"] = REDIS_URL
    container = flaky_container(tmp_path, flaky, **extra)
    account = new_account(container)
    linked = link_flaky(container, account, tmp_path / "source.db", flaky)
    # Two hours on: the hourly schedule is due.
    clock = StepClock.ahead(hours=2)
    container.breakers.clock = clock
    with TestClient(create_app(container), raise_server_exceptions=False) as api:
        yield linked, clock, api
    with container.uow() as uow:
        disconnect(uow, account.id, linked.id)
    container.close()
    if request.param == "postgresql-redis":
        redis = Redis.from_url(REDIS_URL)
        keys = list(redis.scan_iter(f"{prefix}:*"))
        if keys:
            redis.delete(*keys)
        redis.close()


def _trip(linked: Linked, api: TestClient) -> None:
    linked.source.set("fail", "upstream")
    answers = [api.post("/v1/passthrough", json=PING, headers=linked.headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [502, 502, 502]
    assert linked.container.breakers.is_open(linked.id)


def _runs(linked: Linked) -> list[Any]:
    with linked.container.uow(readonly=True) as uow:
        return list(SyncRepository(uow.connection, linked.id).runs(limit=100))


def _next_run_at(api: TestClient, linked: Linked, entity: Entity) -> datetime | None:
    data = api.get("/v1/sync", headers=linked.headers).json()["data"]
    (status,) = [s for s in data if s["entity"] == entity.value]
    return None if status["next_run_at"] is None else datetime.fromisoformat(status["next_run_at"])


def test_ticks_while_the_circuit_is_open_postpone_syncs_until_the_probe(
    postponing: tuple[Linked, StepClock, TestClient],
) -> None:
    linked, clock, api = postponing
    worker = linked.container.worker
    _trip(linked, api)
    probe_at = linked.container.breakers.probe_at(linked.id)
    assert probe_at is not None
    # Redis keeps the opening time in whole seconds.
    assert clock.now - timedelta(seconds=1) <= probe_at - timedelta(seconds=RESET) <= clock.now
    before = _runs(linked)
    reached = linked.reached()

    for _ in range(4):
        clock.advance(minutes=1)
        assert worker.tick(now=clock.now)["queued"] == 0
    # A sync asked for while the circuit is open waits too.
    (asked,) = linked.sync()
    for _ in range(3):
        clock.advance(seconds=10)
        worker.tick(now=clock.now)

    assert linked.events("sync.failed") == []
    runs = _runs(linked)
    assert [r.id for r in runs[1:]] == [r.id for r in before]
    assert runs[0].id == asked and runs[0].status == "queued" and runs[0].error is None
    assert _next_run_at(api, linked, Entity.PURCHASE_ORDERS) == probe_at
    assert linked.reached() == reached, "nothing reached the source while open"

    linked.source.set("fail", None)
    clock.now = probe_at
    worker.tick(now=clock.now)
    runs = _runs(linked)
    assert runs[0].id == asked and runs[0].status == "succeeded"
    assert [r.id for r in runs[1:]] == [r.id for r in before], "one run, not one per tick"
    assert linked.events("sync.failed") == []
    assert linked.container.breakers.state(linked.id) == "closed"
    assert linked.status() == "active"


def test_only_the_probe_fails_while_the_source_stays_down(
    postponing: tuple[Linked, StepClock, TestClient],
) -> None:
    linked, clock, api = postponing
    worker = linked.container.worker
    entities = [Entity.PURCHASE_ORDERS, Entity.VENDORS, Entity.ASSETS]
    with linked.container.uow() as uow:
        row = uow.connections.get_for_token(linked.id)
        settings = {**row.settings, "entities": [e.value for e in entities]}
        uow.connections.update(linked.account.id, linked.id, settings=settings)
        uow.commit()
    _trip(linked, api)
    first_probe = linked.container.breakers.probe_at(linked.id)
    assert first_probe is not None

    # Three reset periods, a tick a minute: one probe per period reaches the source.
    for _ in range(int(3 * RESET / 60)):
        clock.advance(minutes=1)
        worker.tick(now=clock.now)

    failed = linked.events("sync.failed")
    assert len(failed) == 3, [e.data["entity"] for e in failed]
    assert all(e.data["error"]["code"] == "UPSTREAM_ERROR" for e in failed), "real failures only"
    assert all(r.status in {"succeeded", "queued", "failed"} for r in _runs(linked))
    assert sum(r.status == "failed" for r in _runs(linked)) == 3
    assert linked.container.breakers.is_open(linked.id)
    probe_at = linked.container.breakers.probe_at(linked.id)
    assert probe_at is not None and probe_at > first_probe
    # Every entity waits for the next probe (or later, after its own failures).
    for entity in entities:
        next_run = _next_run_at(api, linked, entity)
        assert next_run is not None and next_run >= probe_at
