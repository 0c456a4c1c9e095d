"""What an upsert tells the sync engine: a change integrators see is an event; a change only in
source fields ironbridge does not map is kept (remote_data stays current) without one."""

from __future__ import annotations

import json
from dataclasses import replace

from ironbridge.bootstrap import Container
from ironbridge.connectors import RawRecord
from ironbridge.connectors.sandbox.connector import SandboxConnector
from ironbridge.model import Entity
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
