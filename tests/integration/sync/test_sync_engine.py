"""The sync engine against a source whose data the tests change between runs."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ironbridge.bootstrap import Container
from ironbridge.connections import ConnectionStatus, StatusReason, change_status
from ironbridge.model import Entity
from ironbridge.store.events import EventQuery, EventRepository
from ironbridge.store.records import RecordQuery, RecordRepository
from ironbridge.store.sync import SyncRepository
from ironbridge.store.tables import sync_seen
from ironbridge.sync import execute_run, queue_runs
from ironbridge.testing.source import purchase_order

from ...conftest import new_account
from .conftest import SourceConnection, open_connection, seed


def events_of(conn: SourceConnection) -> list[tuple[str, int]]:
    with conn.container.uow() as uow:
        rows = EventRepository(uow.connection, conn.account.id).find(EventQuery(limit=100_000))
    return [(e.type, e.sequence) for e in rows if e.connection_id == conn.id]


def record_types(conn: SourceConnection) -> Counter[str]:
    return Counter(t for t, _ in events_of(conn) if t.startswith("purchase_order."))


def run_of(conn: SourceConnection, run_id: str):  # type: ignore[no-untyped-def]
    with conn.container.uow() as uow:
        return SyncRepository(uow.connection, conn.id).run(run_id)


def stored(conn: SourceConnection, *, include_deleted: bool = False) -> list[str]:
    with conn.container.uow() as uow:
        rows = RecordRepository(uow.connection, conn.id).page(
            "purchase-orders", RecordQuery(limit=100_000, include_deleted=include_deleted)
        )
    return [r.remote_id for r in rows]


def test_initial_sync_loads_everything_and_announces_only_completion(
    source_connection: SourceConnection,
) -> None:
    (run_id,) = source_connection.sync(trigger="initial")
    run = run_of(source_connection, run_id)
    assert run.status == "succeeded" and run.created == 300
    assert len(stored(source_connection)) == 300
    assert record_types(source_connection) == Counter()
    assert [t for t, _ in events_of(source_connection)] == ["connection.created", "sync.completed"]


def test_initial_window_is_respected(source_container: Container, tmp_path: Path) -> None:
    account = new_account(source_container)
    conn = open_connection(source_container, account, tmp_path / "old.db", history_days=90)
    seed(conn.source, 200, start=datetime.now(UTC) - timedelta(days=199), step=timedelta(days=1))
    conn.sync(trigger="initial")
    kept = stored(conn)
    assert 88 <= len(kept) <= 91
    assert all(int(rid[1:]) >= 108 for rid in kept)


def test_incremental_run_fetches_about_n_changes_and_emits_exactly_n_events(
    source_connection: SourceConnection,
) -> None:
    source_connection.sync(trigger="initial")
    now = datetime.now(UTC)
    for i in range(7):
        source_connection.source.put(
            Entity.PURCHASE_ORDERS, f"P{i * 40:05d}", purchase_order(i * 40, status="received"), now
        )
    for i in range(3):
        source_connection.source.put(Entity.PURCHASE_ORDERS, f"N{i}", purchase_order(9000 + i), now)
    (run_id,) = source_connection.sync()
    run = run_of(source_connection, run_id)
    assert (run.created, run.updated, run.deleted) == (3, 7, 0)
    assert run.created + run.updated + run.unchanged <= 10 + 5, "reads about N, not everything"
    assert record_types(source_connection) == Counter(
        {"purchase_order.updated": 7, "purchase_order.created": 3}
    )


def test_identical_rereads_emit_nothing(source_connection: SourceConnection) -> None:
    source_connection.sync(trigger="initial")
    source_connection.sync()
    (run_id,) = source_connection.sync(full=True)
    run = run_of(source_connection, run_id)
    assert run.status == "succeeded" and run.unchanged == 300
    assert record_types(source_connection) == Counter()


def test_full_sync_marks_vanished_records_deleted(source_connection: SourceConnection) -> None:
    source_connection.sync(trigger="initial")
    for rid in ("P00001", "P00100", "P00299"):
        source_connection.source.delete(Entity.PURCHASE_ORDERS, rid)
    (incremental,) = source_connection.sync()
    assert run_of(source_connection, incremental).deleted == 0, "only a full pass decides deletions"
    (full,) = source_connection.sync(full=True)
    assert run_of(source_connection, full).deleted == 3
    assert record_types(source_connection) == Counter({"purchase_order.deleted": 3})
    assert {"P00001", "P00100", "P00299"}.isdisjoint(stored(source_connection))
    assert len(stored(source_connection, include_deleted=True)) == 300


def _seen_rows(conn: SourceConnection) -> int:
    with conn.container.uow() as uow:
        return int(uow.connection.execute(select(func.count()).select_from(sync_seen)).scalar_one())


def test_a_full_pass_that_fails_deletes_nothing_and_what_it_read_is_forgotten(
    source_connection: SourceConnection,
) -> None:
    source_connection.sync(trigger="initial")
    source_connection.source.delete(Entity.PURCHASE_ORDERS, "P00002")
    source_connection.source.set("fail", "upstream")
    source_connection.source.set("fail_after_pages", "2")
    (failed,) = source_connection.sync(full=True)
    assert run_of(source_connection, failed).status == "failed"
    assert run_of(source_connection, failed).deleted == 0, "an incomplete pass decides nothing"
    assert len(stored(source_connection)) == 300
    # What a full run read is kept in the store while it runs, and only until it ends.
    assert _seen_rows(source_connection) == 0
    source_connection.source.set("fail", None)
    (full,) = source_connection.sync(full=True)
    assert run_of(source_connection, full).deleted == 1
    assert "P00002" not in stored(source_connection)
    assert _seen_rows(source_connection) == 0


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ConnectionStatus.AUTH_REQUIRED, StatusReason.CREDENTIALS_REJECTED),
        (ConnectionStatus.DISCONNECTED, StatusReason.DISCONNECTED),
    ],
)
def test_an_interrupted_full_pass_refused_on_resumption_forgets_what_it_read(
    source_connection: SourceConnection, status: ConnectionStatus, reason: StatusReason
) -> None:
    conn = source_connection
    conn.sync(trigger="initial")
    container = conn.container
    with container.uow() as uow:
        row = uow.connections.get(conn.account.id, conn.id)
        (run,) = queue_runs(uow, row, container.registry, [Entity.PURCHASE_ORDERS], full=True)
        # As a worker killed after committing a page leaves it: running, ids read so far kept.
        runs = SyncRepository(uow.connection, conn.id)
        runs.update_run(run.id, status="running", started_at=datetime.now(UTC))
        runs.add_seen(run.id, dict.fromkeys(["P00000", "P00001", "P00002"]))
        change_status(uow, conn.id, status, reason=reason)
        uow.commit()
    assert _seen_rows(conn) == 3
    outcome = execute_run(container.worker.sync_context, conn.id, run.id)
    assert outcome.status == "failed" and run_of(conn, run.id).status == "failed"
    assert _seen_rows(conn) == 0


def test_records_sharing_a_timestamp_across_pages_are_all_kept(
    source_container: Container, tmp_path: Path
) -> None:
    account = new_account(source_container)
    conn = open_connection(source_container, account, tmp_path / "ties.db", history_days=None)
    same = datetime(2026, 5, 1, tzinfo=UTC)
    conn.source.put_many(
        Entity.PURCHASE_ORDERS, [(f"T{i:03d}", purchase_order(i), same) for i in range(1234)]
    )
    conn.sync(trigger="initial")
    assert len(stored(conn)) == 1234
    conn.source.put_many(
        Entity.PURCHASE_ORDERS, [(f"U{i:03d}", purchase_order(i), same) for i in range(5)]
    )
    (run_id,) = conn.sync()
    assert run_of(conn, run_id).created == 5, "late records at the boundary time are not skipped"


def test_sequences_increase_per_connection(source_connection: SourceConnection) -> None:
    source_connection.sync(trigger="initial")
    source_connection.source.put(
        Entity.PURCHASE_ORDERS, "P00003", purchase_order(3, status="closed")
    )
    source_connection.sync()
    sequences = [s for _, s in events_of(source_connection)]
    assert sequences == sorted(sequences) == list(range(1, len(sequences) + 1))


def test_a_failed_page_keeps_what_was_committed_and_the_next_run_resumes(
    source_connection: SourceConnection,
) -> None:
    source_connection.source.set("fail", "upstream")
    source_connection.source.set("fail_after_pages", "2")
    (run_id,) = source_connection.sync(trigger="initial")
    failed = run_of(source_connection, run_id)
    assert failed.status == "failed" and failed.error["code"] == "UPSTREAM_ERROR"
    assert len(stored(source_connection)) == 200
    source_connection.source.set("fail", None)
    (again,) = source_connection.sync()
    run = run_of(source_connection, again)
    assert run.status == "succeeded"
    assert sorted(stored(source_connection)) == [f"P{i:05d}" for i in range(300)]
    assert run.created == 100


def test_auth_failure_moves_the_connection_to_auth_required_once(
    source_connection: SourceConnection,
) -> None:
    source_connection.source.set("fail", "reauth")
    source_connection.sync()
    source_connection.sync()
    with source_connection.container.uow() as uow:
        row = uow.connections.get_for_token(source_connection.id)
    assert row is not None and row.status == "auth_required"
    types = [t for t, _ in events_of(source_connection)]
    assert types.count("connection.auth_required") == 1
    assert types.count("sync.failed") == 2


def test_rate_limited_run_ends_partial_and_waits(source_connection: SourceConnection) -> None:
    source_connection.source.set("fail", "rate_limit")
    source_connection.source.set("fail_after_pages", "1")
    (run_id,) = source_connection.sync(trigger="initial")
    run = run_of(source_connection, run_id)
    assert run.status == "partial" and run.created == 100
    with source_connection.container.uow() as uow:
        state = SyncRepository(uow.connection, source_connection.id).state("purchase-orders")
    assert state is not None and state.next_run_at is not None
    assert state.next_run_at >= datetime.now(UTC) + timedelta(seconds=25)


def test_records_that_fail_mapping_are_logged_and_skipped(
    source_connection: SourceConnection,
) -> None:
    source_connection.source.put(
        Entity.PURCHASE_ORDERS, "BAD1", {**purchase_order(1), "status": "lost-in-space"}
    )
    (run_id,) = source_connection.sync(trigger="initial")
    run = run_of(source_connection, run_id)
    assert run.status == "partial" and run.failed == 1 and run.created == 300
    assert run.error["records"][0]["record"] == "BAD1"
    from ironbridge.store.errorlog import ErrorLogRepository

    with source_connection.container.uow() as uow:
        logged = ErrorLogRepository(uow.connection, source_connection.id).newest(
            before=None, limit=10
        )
    assert [(e.remote_id, e.operation) for e in logged] == [("BAD1", "sync")]


def test_repeated_failures_raise_one_system_error(source_connection: SourceConnection) -> None:
    source_connection.source.set("fail", "upstream")
    for _ in range(4):
        source_connection.sync()
    types = [t for t, _ in events_of(source_connection)]
    assert types.count("system.error") == 1
    assert types.count("sync.failed") == 4
