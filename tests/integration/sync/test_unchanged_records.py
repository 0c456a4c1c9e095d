"""A record changes, for integrators, only when what ironbridge maps of it changes.

Some sources keep no change time for some records (SAP's stock, plants and storage locations):
they are read whole on every sync. Others stamp a record again when nothing ironbridge maps
changed (a save without changes, an unmapped field). Neither is an event, and neither moves
the record's `updated_at`; a real change is one event, dated by the source's change time or,
where there is none, by when ironbridge first saw the new content.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ironbridge.bootstrap import Container
from ironbridge.model import Entity
from ironbridge.store.events import EventQuery, EventRepository
from ironbridge.store.records import RecordQuery, RecordRepository, StoredRecord
from ironbridge.store.sync import SyncRepository, SyncRunRow
from ironbridge.testing.source import purchase_order

from ...conftest import new_account, sync_clock
from .conftest import SourceConnection, open_connection

PO = Entity.PURCHASE_ORDERS
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def snapshot_source(container: Container, tmp_path: Path, **settings: object) -> SourceConnection:
    """A connection to a source that keeps no change times, holding 250 orders."""
    connection = open_connection(
        container, new_account(container), tmp_path / "source.db", **settings
    )
    connection.source.set("unstamped", "1")
    connection.source.put_many(
        PO, [(f"P{i:05d}", purchase_order(i), START - timedelta(days=400)) for i in range(250)]
    )
    return connection


def run(connection: SourceConnection, **options: object) -> SyncRunRow:
    (run_id,) = connection.sync(**options)  # type: ignore[arg-type]
    with connection.container.uow(readonly=True) as uow:
        row = SyncRepository(uow.connection, connection.id).run(run_id)
    assert row is not None and row.status == "succeeded", row
    return row


def records(
    connection: SourceConnection, *, include_deleted: bool = False
) -> dict[str, StoredRecord]:
    with connection.container.uow(readonly=True) as uow:
        rows = RecordRepository(uow.connection, connection.id).page(
            PO.value, RecordQuery(limit=100_000, include_deleted=include_deleted)
        )
    return {row.remote_id: row for row in rows}


def updated_at(record: StoredRecord) -> datetime:
    return datetime.fromisoformat(json.loads(record.unified)["updated_at"])


def events(connection: SourceConnection) -> Counter[str]:
    with connection.container.uow(readonly=True) as uow:
        rows = EventRepository(uow.connection, connection.account.id).find(
            EventQuery(connection_id=connection.id, limit=100_000)
        )
    return Counter(row.type for row in rows if row.type.startswith("purchase_order."))


def test_records_without_a_change_time_synced_again_unchanged_emit_nothing(
    source_container: Container, tmp_path: Path
) -> None:
    connection = snapshot_source(source_container, tmp_path, history_days=None)
    clock = sync_clock(source_container, START)
    first = run(connection)
    assert first.created == 250
    assert events(connection) == Counter({"purchase_order.created": 250})
    loaded = records(connection)
    # Dated by when ironbridge first saw them: the source says nothing.
    assert {(row.modified_at, updated_at(row)) for row in loaded.values()} == {(START, START)}

    clock.advance(timedelta(hours=1))
    again = run(connection)
    clock.advance(timedelta(hours=1))
    full = run(connection, full=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 250)
    assert (full.created, full.updated, full.deleted, full.unchanged) == (0, 0, 0, 250)
    assert events(connection) == Counter({"purchase_order.created": 250})
    assert records(connection) == loaded, "nothing stored changed, its dates included"


def test_a_changed_record_without_a_change_time_is_one_event_dated_when_first_seen(
    source_container: Container, tmp_path: Path
) -> None:
    connection = snapshot_source(source_container, tmp_path, history_days=None)
    clock = sync_clock(source_container, START)
    run(connection)
    connection.source.put(PO, "P00042", purchase_order(42, total="175.00"))
    seen = clock.advance(timedelta(hours=1))
    changed = run(connection)
    assert (changed.created, changed.updated) == (0, 1)
    assert events(connection)["purchase_order.updated"] == 1
    clock.advance(timedelta(hours=1))
    assert run(connection).updated == 0
    stored = records(connection)
    assert (stored["P00042"].modified_at, updated_at(stored["P00042"])) == (seen, seen)
    assert json.loads(stored["P00042"].unified)["total"] == "175.00"
    assert {row.modified_at for key, row in stored.items() if key != "P00042"} == {START}
    # The change is found by modified_after, the unchanged rest is not.
    with source_container.uow(readonly=True) as uow:
        later = RecordRepository(uow.connection, connection.id).page(
            PO.value, RecordQuery(modified_after=seen)
        )
    assert [row.remote_id for row in later] == ["P00042"]
    assert events(connection)["purchase_order.updated"] == 1


def test_a_new_change_time_without_a_content_change_is_no_event(
    source_connection: SourceConnection,
) -> None:
    source_connection.sync(trigger="initial")
    before = records(source_connection)["P00007"]
    # The source saved the record again without changing it (or changed a field not mapped).
    source_connection.source.put(PO, "P00007", purchase_order(7))
    (run_id,) = source_connection.sync()
    with source_connection.container.uow(readonly=True) as uow:
        row = SyncRepository(uow.connection, source_connection.id).run(run_id)
    assert row is not None and (row.created, row.updated) == (0, 0)
    assert events(source_connection) == Counter()
    after = records(source_connection)["P00007"]
    assert (after.modified_at, after.unified) == (before.modified_at, before.unified)


def test_a_full_sync_deletes_a_vanished_record_without_a_change_time_seen_long_ago(
    source_container: Container, tmp_path: Path
) -> None:
    # A 30-day window bounds what a full sync reads of stamped records; records without a
    # change time are read whole whatever the window, so their absence is a deletion.
    connection = snapshot_source(source_container, tmp_path, history_days=30)
    clock = sync_clock(source_container, START)
    run(connection, trigger="initial")
    connection.source.delete(PO, "P00100")
    clock.advance(timedelta(days=90))
    deleted = run(connection, full=True)
    assert (deleted.updated, deleted.deleted) == (0, 1)
    assert events(connection) == Counter({"purchase_order.deleted": 1})
    assert "P00100" not in records(connection)
    assert len(records(connection)) == 249
