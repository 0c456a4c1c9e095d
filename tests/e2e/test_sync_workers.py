"""Sync with real worker processes: a SIGKILL mid-sync loses and duplicates nothing, and two
workers on PostgreSQL + Redis never run one connection twice at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ironbridge.bootstrap import Container, bootstrap
from ironbridge.model import Entity
from ironbridge.settings import Settings
from ironbridge.store.events import EventQuery, EventRepository
from ironbridge.store.locks import is_locked
from ironbridge.store.records import RecordQuery, RecordRepository
from ironbridge.store.sync import SyncRepository
from ironbridge.sync import sync_lock_name
from ironbridge.testing.source import purchase_order

from ..conftest import REDIS_URL, new_account
from ..integration.sync.conftest import SourceConnection, open_connection
from ..waiting import wait_for

RECORDS = 2000


def _settings(tmp_path: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "log_level": "WARNING",
        "connectors": ["ironbridge.testing.source:connector"],
        "sync_page_size": 100,
        "sync_lock_lease_seconds": 2,
        "queue_name": f"ib-test-{uuid.uuid4().hex[:8]}",
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


def _env(settings: Settings) -> dict[str, str]:
    env = {
        **os.environ,
        "IRONBRIDGE_DATA_DIR": str(settings.data_dir),
        "IRONBRIDGE_LOG_LEVEL": "WARNING",
        "IRONBRIDGE_CONNECTORS": ",".join(settings.connectors),
        "IRONBRIDGE_SYNC_PAGE_SIZE": str(settings.sync_page_size),
        "IRONBRIDGE_SYNC_LOCK_LEASE_SECONDS": "2",
        "IRONBRIDGE_QUEUE_NAME": settings.queue_name,
    }
    if settings.database_url:
        env["IRONBRIDGE_DATABASE_URL"] = settings.database_url
    if settings.redis_url:
        env["IRONBRIDGE_REDIS_URL"] = settings.redis_url
    return env


def _worker(settings: Settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ironbridge", "worker", "--threads", "2"], env=_env(settings)
    )


def _runs(container: Container, connection_id: str):  # type: ignore[no-untyped-def]
    with container.uow() as uow:
        return SyncRepository(uow.connection, connection_id).runs(limit=100)


def _assert_exactly_once(conn: SourceConnection) -> None:
    with conn.container.uow() as uow:
        rows = RecordRepository(uow.connection, conn.id).page(
            "purchase-orders", RecordQuery(limit=100_000)
        )
        events = EventRepository(uow.connection, conn.account.id).find(EventQuery(limit=100_000))
    assert sorted(r.remote_id for r in rows) == [f"P{i:05d}" for i in range(RECORDS)]
    created = Counter(e.data["remote_id"] for e in events if e.type == "purchase_order.created")
    assert len(created) == RECORDS and set(created.values()) == {1}, "each event exactly once"
    sequences = [e.sequence for e in events if e.connection_id == conn.id]
    assert len(sequences) == len(set(sequences))


@pytest.fixture
def stop_all() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_a_worker_killed_mid_sync_resumes_without_loss_or_duplicates(
    tmp_path: Path, stop_all: list[subprocess.Popen[bytes]]
) -> None:
    settings = _settings(tmp_path)
    container = bootstrap(settings)
    account = new_account(container)
    conn = open_connection(container, account, tmp_path / "source.db", history_days=None)
    start = datetime.now(UTC) - timedelta(days=5)
    conn.source.put_many(
        Entity.PURCHASE_ORDERS,
        [(f"P{i:05d}", purchase_order(i), start + timedelta(seconds=i)) for i in range(RECORDS)],
    )
    conn.source.set("page_delay", "0.1")
    worker = _worker(settings)
    stop_all.append(worker)
    conn.sync()
    wait_for(lambda: _runs(container, conn.id)[0].pages >= 5, timeout=90)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    interrupted = _runs(container, conn.id)[0]
    assert interrupted.status == "running" and 0 < interrupted.pages < RECORDS // 100
    conn.source.set("page_delay", None)
    # The killed worker's lease runs out (it is never renewed again).
    wait_for(lambda: not is_locked(container.engine, sync_lock_name(conn.id)), timeout=30)
    restarted = _worker(settings)
    stop_all.append(restarted)
    # The restarted worker sweeps at start; a tick from here may hand the run over too, and
    # the run's lock makes sure only one worker resumes it.
    container.worker.tick()
    wait_for(lambda: _runs(container, conn.id)[0].status == "succeeded", timeout=90)
    _assert_exactly_once(conn)
    container.close()


def test_two_workers_on_postgres_and_redis_never_overlap_one_connection(
    tmp_path: Path, postgres_url: str, stop_all: list[subprocess.Popen[bytes]]
) -> None:
    settings = _settings(tmp_path, database_url=postgres_url, redis_url=REDIS_URL)
    container = bootstrap(settings)
    account = new_account(container, "Two workers")
    conn = open_connection(container, account, tmp_path / "source.db", history_days=None)
    start = datetime.now(UTC) - timedelta(days=5)
    conn.source.put_many(
        Entity.PURCHASE_ORDERS,
        [(f"P{i:05d}", purchase_order(i), start + timedelta(seconds=i)) for i in range(RECORDS)],
    )
    conn.source.set("page_delay", "0.02")
    stop_all.extend([_worker(settings), _worker(settings)])
    first = conn.sync()
    second = container.worker.start_sync(conn.id, [Entity.PURCHASE_ORDERS], full=True)
    for run_id in first:  # a duplicate wake-up must not start a second copy
        container.worker.enqueue_sync(conn.id, run_id)
    wait_for(lambda: all(r.status == "succeeded" for r in _runs(container, conn.id)), timeout=120)
    runs = sorted(_runs(container, conn.id), key=lambda r: r.started_at)
    assert len(runs) == 2 and second[0].id in {r.id for r in runs}
    assert runs[0].finished_at <= runs[1].started_at, "runs of one connection never overlap"
    _assert_exactly_once(conn)
    container.close()
