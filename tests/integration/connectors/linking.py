"""A connection made through the service layer on a fresh container, and what the sync engine
recorded for it: the one way the sync tests of every connector connect and read back."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from types import EllipsisType
from typing import Any

from ironbridge.bootstrap import Container
from ironbridge.connections import ConnectionCreate, ConnectionSettings, connect
from ironbridge.model import Entity, record_id
from ironbridge.store.events import EventQuery, EventRepository
from ironbridge.store.records import RecordQuery, RecordRepository, StoredRecord
from ironbridge.store.sync import SyncRepository, SyncRunRow

from ...conftest import AccountFixture, new_account

__all__ = ["Linked", "link", "only"]


@dataclass
class Linked:
    """A connection made through the service layer, and what the engine recorded for it."""

    container: Container
    account: AccountFixture
    id: str
    token: str

    def sync(self, *entities: Entity, full: bool = False, trigger: str = "api") -> list[SyncRunRow]:
        """Run syncs inline (the container's queue is immediate) and return the finished runs."""
        views = self.container.worker.start_sync(
            self.id, list(entities) or None, full=full, trigger=trigger
        )
        with self.container.uow(readonly=True) as uow:
            runs = SyncRepository(uow.connection, self.id)
            finished = [runs.run(view.id) for view in views]
        assert all(run is not None for run in finished)
        return [run for run in finished if run is not None]

    def stored(self, entity: Entity, *, include_deleted: bool = False) -> dict[str, StoredRecord]:
        """Remote id → stored record."""
        with self.container.uow(readonly=True) as uow:
            rows = RecordRepository(uow.connection, self.id).page(
                entity.value, RecordQuery(limit=100_000, include_deleted=include_deleted)
            )
        return {row.remote_id: row for row in rows}

    def unified(self, entity: Entity) -> dict[str, dict[str, Any]]:
        """Remote id → the stored unified record."""
        return {key: json.loads(row.unified) for key, row in self.stored(entity).items()}

    def event_types(self) -> Counter[str]:
        with self.container.uow(readonly=True) as uow:
            rows = EventRepository(uow.connection, self.account.id).find(
                EventQuery(connection_id=self.id, limit=100_000)
            )
        return Counter(row.type for row in rows)

    def events(self) -> list[tuple[str, dict[str, Any]]]:
        """(type, data) of every event of the connection, oldest first."""
        with self.container.uow(readonly=True) as uow:
            rows = EventRepository(uow.connection, self.account.id).find(
                EventQuery(connection_id=self.id, limit=100_000)
            )
        return [(row.type, row.data) for row in rows]

    def status(self) -> str:
        with self.container.uow(readonly=True) as uow:
            row = uow.connections.get_for_token(self.id)
        assert row is not None
        return row.status

    def ids(self, entity: Entity, remote_id: str) -> str:
        return record_id(self.id, entity, remote_id)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def link(
    container: Container,
    system: str,
    credentials: dict[str, str],
    *,
    history_days: int | EllipsisType | None = ...,
    entities: tuple[Entity, ...] = (Entity.PURCHASE_ORDERS,),
) -> Linked:
    """Connect `system`; `history_days` left out takes the connector's default, as connect does."""
    account = new_account(container)
    chosen: dict[str, Any] = {} if history_days is ... else {"history_days": history_days}
    with container.uow() as uow:
        view, issued = connect(
            uow,
            container.cipher,
            container.registry,
            account.id,
            ConnectionCreate(
                system=system,
                end_customer_id="plant-7",
                end_customer_name="Plant 7",
                credentials=credentials,
                settings=ConnectionSettings(entities=list(entities), **chosen),
            ),
            options=container.session_options,
        )
    return Linked(container, account, view.id, issued.token)


def only(runs: list[SyncRunRow]) -> SyncRunRow:
    (run,) = runs
    assert run.status == "succeeded", run.error
    return run
