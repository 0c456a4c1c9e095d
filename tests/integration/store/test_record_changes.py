"""What an upsert tells the sync engine: a change integrators see is an event; a change only in
source fields ironbridge does not map is kept (remote_data stays current) without one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import timedelta

from alembic import command
from sqlalchemy import bindparam, select, update

from ironbridge.bootstrap import Container
from ironbridge.connectors import RawRecord
from ironbridge.connectors.sandbox.connector import SandboxConnector
from ironbridge.model import Entity, record_id
from ironbridge.store import upgrade
from ironbridge.store.events import EventQuery, EventRepository
from ironbridge.store.migrate import alembic_config
from ironbridge.store.records import (
    RecordQuery,
    RecordRepository,
    StoredRecord,
    content_hash,
    same_unified,
)
from ironbridge.store.sync import SyncRepository
from ironbridge.store.tables import records
from ironbridge.unified import Projector

from ...conftest import new_account, new_sandbox_connection

CONNECTOR = SandboxConnector()


def new_vendor() -> RawRecord:
    """A sandbox vendor under a code the connection's own sync has not stored."""
    with CONNECTOR.session({}) as session:
        sample = next(iter(session.list_changes(Entity.VENDORS, None)))[0]
    return replace(sample, remote_id="V99999", data={**sample.data, "VendorCode": "V99999"})


def test_unmapped_source_changes_are_stored_without_an_event(any_container: Container) -> None:
    connection = new_sandbox_connection(any_container, new_account(any_container))
    projector = Projector(CONNECTOR, connection.id, Entity.VENDORS)
    original = new_vendor()
    # A field the sandbox mapping does not read, saved later: the unified record is the same.
    noted = replace(
        original,
        modified_at=original.modified_at + timedelta(hours=1),
        data={**original.data, "InternalNote": "call before delivery"},
    )
    renamed = replace(noted, data={**noted.data, "VendorName": "Renamed Supplies"})

    def upsert(raw: RawRecord) -> list[str]:
        with any_container.uow() as uow:
            repo = RecordRepository(uow.connection, connection.id)
            changes = repo.upsert(Entity.VENDORS.value, [projector.write(raw)])
            uow.commit()
        return [change.change for change in changes]

    def stored() -> StoredRecord:
        with any_container.uow(readonly=True) as uow:
            rows = RecordRepository(uow.connection, connection.id).page(
                Entity.VENDORS.value, RecordQuery(limit=10_000)
            )
        (row,) = [row for row in rows if row.remote_id == "V99999"]
        return row

    def stored_raw() -> dict[str, object]:
        loaded: dict[str, object] = json.loads(stored().raw)
        return loaded

    assert upsert(original) == ["created"]
    assert upsert(original) == [], "the same record again changes nothing"
    assert same_unified(projector.write(original).content_hash, projector.write(noted).content_hash)
    first = stored()
    assert upsert(noted) == []
    assert stored_raw()["InternalNote"] == "call before delivery"
    # Not a change for integrators: the record keeps its date.
    assert (stored().modified_at, stored().unified) == (first.modified_at, first.unified)
    assert upsert(noted) == []
    assert upsert(renamed) == ["updated"]
    assert stored_raw()["VendorName"] == "Renamed Supplies"


def test_a_renamed_vendor_changes_the_vendor_alone(any_container: Container) -> None:
    # The sandbox, like SAP and Tryton, shows the vendor's name beside the vendor's code in an
    # order. After a rename, orders re-read (say, within an incremental sync's overlap) carry
    # the new name, though nothing about them changed: only the vendor announces a change.
    connection = new_sandbox_connection(any_container, new_account(any_container))
    with CONNECTOR.session({}) as session:
        order = next(iter(session.list_changes(Entity.PURCHASE_ORDERS, None)))[0]
        vendor = session.get(Entity.VENDORS, order.data["VendorCode"])
    new_name = f"{vendor.data['VendorName']} Holdings"
    renamed_vendor = replace(vendor, data={**vendor.data, "VendorName": new_name})
    reread_order = replace(order, data={**order.data, "VendorName": new_name})

    def upsert(entity: Entity, raw: RawRecord) -> list[str]:
        projector = Projector(CONNECTOR, connection.id, entity)
        with any_container.uow() as uow:
            repo = RecordRepository(uow.connection, connection.id)
            changes = repo.upsert(entity.value, [projector.write(raw)])
            uow.commit()
        return [change.change for change in changes]

    assert upsert(Entity.VENDORS, renamed_vendor) == ["updated"]
    assert upsert(Entity.PURCHASE_ORDERS, reread_order) == []
    with any_container.uow(readonly=True) as uow:
        stored = RecordRepository(uow.connection, connection.id).get(
            Entity.PURCHASE_ORDERS.value,
            record_id(connection.id, Entity.PURCHASE_ORDERS, order.remote_id),
        )
    assert stored is not None
    assert json.loads(stored.raw)["VendorName"] == new_name, "remote_data stays current"
    assert new_name not in stored.unified


def test_stored_hashes_are_taken_again_on_upgrade_so_the_next_sync_emits_nothing(
    any_container: Container,
) -> None:
    # A store written before hashes left out updated_at: its hashes are a whole SHA-256 of
    # the unified text, updated_at included.
    connection = new_sandbox_connection(any_container, new_account(any_container))
    command.downgrade(alembic_config(any_container.engine), "0004")
    with any_container.engine.begin() as conn:
        rows = conn.execute(select(records.c.id, records.c.unified)).all()
        conn.execute(
            update(records)
            .where(records.c.id == bindparam("b_id"))
            .values(content_hash=bindparam("content_hash")),
            [
                {"b_id": row.id, "content_hash": hashlib.sha256(row.unified.encode()).hexdigest()}
                for row in rows
            ],
        )
    upgrade(any_container.engine)
    with any_container.engine.connect() as conn:
        stored = conn.execute(
            select(records.c.unified, records.c.raw, records.c.content_hash, records.c.snapshot)
        ).all()
    assert len(stored) == len(rows) > 100
    assert all(row.content_hash == content_hash(row.unified, row.raw) for row in stored)
    assert not any(row.snapshot for row in stored)
    events_before = event_count(any_container, connection.account.id)
    views = any_container.worker.start_sync(connection.id, full=True)
    with any_container.uow(readonly=True) as uow:
        runs = [SyncRepository(uow.connection, connection.id).run(view.id) for view in views]
    assert [(run.status, run.updated) for run in runs if run is not None] == [("succeeded", 0)] * 6
    # One sync.completed per run, and nothing else.
    assert event_count(any_container, connection.account.id) == events_before + len(runs)


def event_count(container: Container, account_id: str) -> int:
    """Events of the account: the runs' `sync.completed` and any change events."""
    with container.uow(readonly=True) as uow:
        return len(EventRepository(uow.connection, account_id).find(EventQuery(limit=100_000)))
