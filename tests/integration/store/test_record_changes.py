"""What an upsert tells the sync engine: a change integrators see is an event; a change only in
source fields ironbridge does not map is kept (remote_data stays current) without one."""

from __future__ import annotations

import json
from dataclasses import replace

from ironbridge.bootstrap import Container
from ironbridge.connectors import RawRecord
from ironbridge.connectors.sandbox.connector import SandboxConnector
from ironbridge.model import Entity, record_id
from ironbridge.store.records import RecordQuery, RecordRepository, same_unified
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
    # A field the sandbox mapping does not read: the unified record is the same.
    noted = replace(original, data={**original.data, "InternalNote": "call before delivery"})
    renamed = replace(noted, data={**noted.data, "VendorName": "Renamed Supplies"})

    def upsert(raw: RawRecord) -> list[str]:
        with any_container.uow() as uow:
            repo = RecordRepository(uow.connection, connection.id)
            changes = repo.upsert(Entity.VENDORS.value, [projector.write(raw)])
            uow.commit()
        return [change.change for change in changes]

    def stored_raw() -> dict[str, object]:
        with any_container.uow(readonly=True) as uow:
            rows = RecordRepository(uow.connection, connection.id).page(
                Entity.VENDORS.value, RecordQuery(limit=10_000)
            )
        (row,) = [row for row in rows if row.remote_id == "V99999"]
        loaded: dict[str, object] = json.loads(row.raw)
        return loaded

    assert upsert(original) == ["created"]
    assert upsert(original) == [], "the same record again changes nothing"
    assert same_unified(projector.write(original).content_hash, projector.write(noted).content_hash)
    assert upsert(noted) == []
    assert stored_raw()["InternalNote"] == "call before delivery"
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
