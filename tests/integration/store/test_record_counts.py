"""The live record count the store keeps (what `GET /v1/sync` reports per entity) stays equal to
counting the records, whatever wrote them, and an upgraded store starts from its true count."""

from __future__ import annotations

from dataclasses import replace

from alembic import command

from ironbridge.bootstrap import Container
from ironbridge.connectors import RawRecord
from ironbridge.connectors.sandbox.connector import SandboxConnector
from ironbridge.model import Entity
from ironbridge.store import upgrade
from ironbridge.store.migrate import alembic_config
from ironbridge.store.records import RecordRepository, erase_synced_history
from ironbridge.unified import Projector

from ...conftest import new_account, new_sandbox_connection

CONNECTOR = SandboxConnector()
ENTITY = Entity.VENDORS


def counts(container: Container, connection_id: str) -> tuple[int, int]:
    """(kept count, counted) of the connection's live vendors."""
    with container.uow(readonly=True) as uow:
        repo = RecordRepository(uow.connection, connection_id)
        return repo.live_count(ENTITY.value), repo.count(ENTITY.value)


def test_kept_count_follows_creates_deletes_revivals_and_erasure(any_container: Container) -> None:
    connection = new_sandbox_connection(any_container, new_account(any_container))
    projector = Projector(CONNECTOR, connection.id, ENTITY)
    synced, counted = counts(any_container, connection.id)
    assert synced == counted > 0, "the initial sync counted what it stored"
    with CONNECTOR.session({}) as session:
        sample = next(iter(session.list_changes(ENTITY, None)))[0]
    fresh = [
        replace(sample, remote_id=f"V9{i:04d}", data={**sample.data, "VendorCode": f"V9{i:04d}"})
        for i in range(3)
    ]

    def upsert(raws: list[RawRecord], *, deleted: bool = False) -> None:
        with any_container.uow() as uow:
            RecordRepository(uow.connection, connection.id).upsert(
                ENTITY.value, [projector.write(raw, deleted=deleted) for raw in raws]
            )
            uow.commit()

    upsert(fresh + fresh[:1])  # a page may repeat a record
    assert counts(any_container, connection.id) == (synced + 3, synced + 3)
    upsert(fresh[:2], deleted=True)
    upsert(fresh[:1], deleted=True)  # deleted again: nothing more to take away
    assert counts(any_container, connection.id) == (synced + 1, synced + 1)
    upsert(fresh[:1])  # back in the source
    assert counts(any_container, connection.id) == (synced + 2, synced + 2)
    with any_container.uow() as uow:
        RecordRepository(uow.connection, connection.id).mark_deleted(
            ENTITY.value, [fresh[0].remote_id, fresh[1].remote_id, fresh[2].remote_id]
        )
        uow.commit()
    assert counts(any_container, connection.id) == (synced, synced)
    with any_container.uow() as uow:
        erase_synced_history(uow.connection, connection.id)
        uow.commit()
    assert counts(any_container, connection.id) == (0, 0)


def test_upgrade_counts_an_existing_store(any_container: Container) -> None:
    connection = new_sandbox_connection(any_container, new_account(any_container))
    synced, _ = counts(any_container, connection.id)
    command.downgrade(alembic_config(any_container.engine), "0007")
    upgrade(any_container.engine)
    assert counts(any_container, connection.id) == (synced, synced)
