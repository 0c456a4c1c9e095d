"""Maximo through the sync engine: connected with `connections.connect`, synced with
`Worker.start_sync` on a fresh container (SQLite store, inline queue), changed in the
emulator, and checked in what the engine stored and announced."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ironbridge.bootstrap import Container, bootstrap
from ironbridge.connections import ConnectionCreate, ConnectionSettings, connect
from ironbridge.model import Entity
from ironbridge.store.events import EventQuery, EventRepository
from ironbridge.store.records import RecordQuery, RecordRepository
from ironbridge.store.sync import SyncRepository, SyncRunRow
from ironbridge.testing.emulators.maximo import RunningEmulator, running_emulator

from ...conftest import make_settings, new_account

WORK_ORDERS = Entity.WORK_ORDERS
ITEMS = Entity.INVENTORY_ITEMS


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    built = bootstrap(make_settings(tmp_path, allow_private_urls=True, sync_page_size=100))
    yield built
    built.close()


@pytest.fixture
def maximo() -> Iterator[RunningEmulator]:
    with running_emulator() as running:
        yield running


class Linked:
    def __init__(self, container: Container, maximo: RunningEmulator) -> None:
        self.container = container
        self.account = new_account(container)
        credentials = {
            "host": maximo.base_url,
            "api_key": maximo.password,
            "sites": "BEDFORD,NASHUA",
        }
        with container.uow() as uow:
            view, _ = connect(
                uow,
                container.cipher,
                container.registry,
                self.account.id,
                ConnectionCreate(
                    system="maximo",
                    end_customer_id="plant-9",
                    end_customer_name="Plant 9",
                    credentials=credentials,
                    settings=ConnectionSettings(entities=[WORK_ORDERS, ITEMS], history_days=None),
                ),
                options=container.session_options,
            )
        self.id = view.id

    def sync(self, entity: Entity, *, full: bool = False, trigger: str = "api") -> SyncRunRow:
        (view,) = self.container.worker.start_sync(self.id, [entity], full=full, trigger=trigger)
        with self.container.uow(readonly=True) as uow:
            run = SyncRepository(uow.connection, self.id).run(view.id)
        assert run is not None and run.status == "succeeded", run and run.error
        return run

    def stored(self, entity: Entity) -> dict[str, dict[str, Any]]:
        with self.container.uow(readonly=True) as uow:
            rows = RecordRepository(uow.connection, self.id).page(
                entity.value, RecordQuery(limit=100_000)
            )
        return {row.remote_id: json.loads(row.unified) for row in rows}

    def events(self) -> Counter[str]:
        with self.container.uow(readonly=True) as uow:
            rows = EventRepository(uow.connection, self.account.id).find(
                EventQuery(connection_id=self.id, limit=100_000)
            )
        return Counter(row.type for row in rows)


def test_initial_incremental_and_full_syncs_of_work_orders(
    container: Container, maximo: RunningEmulator
) -> None:
    linked = Linked(container, maximo)
    initial = linked.sync(WORK_ORDERS, trigger="initial")
    assert initial.created == 400 and initial.pages >= 4
    stored = linked.stored(WORK_ORDERS)
    assert len(stored) == 400
    member, row = maximo.emulator.find("mxapiwodetail", status="WAITPARTS")
    maximo.emulator.touch("mxapiwodetail", member, description="Parts ordered")
    incremental = linked.sync(WORK_ORDERS)
    assert (incremental.created, incremental.updated) == (0, 1)
    assert incremental.unchanged <= 10, "an incremental run reads the changes, not every order"
    changed = linked.stored(WORK_ORDERS)[f"NASHUA/{row['wonum']}"]
    assert (changed["title"], changed["status"]) == ("Parts ordered", "on_hold")
    assert linked.events()["work_order.updated"] == 1
    again = linked.sync(WORK_ORDERS)
    assert (again.created, again.updated) == (0, 0)
    full = linked.sync(WORK_ORDERS, full=True)
    assert (full.created, full.updated, full.deleted, full.unchanged) == (0, 0, 0, 400)


def test_inventory_without_change_dates_announces_only_real_changes(
    container: Container, maximo: RunningEmulator
) -> None:
    linked = Linked(container, maximo)
    assert linked.sync(ITEMS, trigger="initial").created == 40
    assert linked.sync(ITEMS).updated == 0, "a re-read of unchanged balances changes nothing"
    member, row = maximo.emulator.find("mxapiinventory", itemnum="BRG-0003", siteid="NASHUA")
    maximo.emulator.adjust_balance("mxapiinventory", member, {"newcurbal": 99})
    run = linked.sync(ITEMS)
    assert (run.created, run.updated) == (0, 1)
    levels = linked.stored(ITEMS)["BRG-0003"]["stock_levels"]
    nashua = [level for level in levels if level["location"]["remote_id"] == "NASHUA/NSTORE"]
    assert [level["on_hand"] for level in nashua] == [
        str(99 + sum(balance["curbal"] for balance in row["invbalances"][1:]))
    ]
    assert linked.events()["inventory_item.updated"] == 1


def test_an_unavailable_instance_fails_the_run_to_be_retried(
    container: Container, maximo: RunningEmulator
) -> None:
    linked = Linked(container, maximo)
    maximo.emulator.faults.fail_requests = 50
    (view,) = container.worker.start_sync(linked.id, [WORK_ORDERS])
    with container.uow(readonly=True) as uow:
        run = SyncRepository(uow.connection, linked.id).run(view.id)
    assert run is not None and run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_UNAVAILABLE"
    maximo.emulator.faults.fail_requests = 0
    assert linked.sync(WORK_ORDERS).created == 400


def test_a_revoked_key_moves_the_connection_to_auth_required(
    container: Container, maximo: RunningEmulator
) -> None:
    linked = Linked(container, maximo)
    maximo.emulator.faults.expire_credentials_after = 0
    (view,) = container.worker.start_sync(linked.id, [WORK_ORDERS])
    with container.uow(readonly=True) as uow:
        run = SyncRepository(uow.connection, linked.id).run(view.id)
        connection = uow.connections.get_for_token(linked.id)
    assert run is not None and run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_REAUTH_REQUIRED"
    assert connection is not None and connection.status == "auth_required"
