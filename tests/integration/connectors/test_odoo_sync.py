"""Odoo through the sync engine, as 18.0 and 19.0: connected with `connections.connect`,
synced with `Worker.start_sync` on a fresh container (SQLite store, inline queue), changed in
the emulator, and checked in what the engine stored and announced."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from ironbridge.bootstrap import Container, bootstrap
from ironbridge.connections import ConnectionCreate, ConnectionSettings, connect
from ironbridge.model import Entity
from ironbridge.store.events import EventQuery, EventRepository
from ironbridge.store.records import RecordQuery, RecordRepository
from ironbridge.store.sync import SyncRepository, SyncRunRow
from ironbridge.testing.emulators.odoo import ORDER_COUNT, RunningEmulator, running_emulator

from ...conftest import make_settings, new_account

ORDERS = Entity.PURCHASE_ORDERS


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    built = bootstrap(make_settings(tmp_path, allow_private_urls=True, sync_page_size=50))
    yield built
    built.close()


@pytest.fixture(params=[18, 19], ids=["odoo18", "odoo19"])
def odoo(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    with running_emulator(version=request.param) as running:
        yield running


class Linked:
    def __init__(self, container: Container, odoo: RunningEmulator) -> None:
        self.container = container
        self.account = new_account(container)
        with container.uow() as uow:
            view, _ = connect(
                uow, container.cipher, container.registry, self.account.id,
                ConnectionCreate(
                    system="odoo", end_customer_id="plant-9", end_customer_name="Plant 9",
                    credentials=odoo.credentials(companies="1,2"),
                    settings=ConnectionSettings(entities=[ORDERS], history_days=None),
                ),
                options=container.session_options,
            )  # fmt: skip
        self.id = view.id

    def run(self, *, full: bool = False, trigger: str = "api") -> SyncRunRow:
        (view,) = self.container.worker.start_sync(self.id, [ORDERS], full=full, trigger=trigger)
        with self.container.uow(readonly=True) as uow:
            run = SyncRepository(uow.connection, self.id).run(view.id)
        assert run is not None
        return run

    def sync(self, *, full: bool = False, trigger: str = "api") -> SyncRunRow:
        run = self.run(full=full, trigger=trigger)
        assert run.status == "succeeded", run.error
        return run

    def stored(self) -> dict[str, bool]:
        with self.container.uow(readonly=True) as uow:
            rows = RecordRepository(uow.connection, self.id).page(
                ORDERS.value, RecordQuery(limit=100_000, include_deleted=True)
            )
        return {row.remote_id: row.deleted for row in rows}

    def events(self) -> Counter[str]:
        with self.container.uow(readonly=True) as uow:
            rows = EventRepository(uow.connection, self.account.id).find(
                EventQuery(connection_id=self.id, limit=100_000)
            )
        return Counter(row.type for row in rows)


def test_initial_incremental_and_full_syncs_of_purchase_orders(
    container: Container, odoo: RunningEmulator
) -> None:
    linked = Linked(container, odoo)
    initial = linked.sync(trigger="initial")
    # Orders share seconds: pages of 50 must still bring each order exactly once.
    assert initial.created == ORDER_COUNT and initial.pages >= ORDER_COUNT // 50
    assert len(linked.stored()) == ORDER_COUNT
    # One order changed on a line only, one on its header: exactly those two are updated.
    line = odoo.emulator.db().children("purchase.order.line", "order_id", 30)[0]
    odoo.emulator.change("purchase.order.line", line, {"price_unit": 77.0})
    odoo.emulator.change("purchase.order", 31, {"partner_ref": "CHANGED"})
    incremental = linked.sync()
    assert (incremental.created, incremental.updated) == (0, 2)
    # The overlap re-reads the last few bursts of orders, not every order.
    assert incremental.unchanged <= ORDER_COUNT // 20
    assert linked.events()["purchase_order.updated"] == 2
    # Nothing changed since: the overlap is read again and nothing is new.
    again = linked.sync()
    assert (again.created, again.updated) == (0, 0)
    # A deleted order is found by the full sync's reconciliation of ids.
    odoo.emulator.delete("purchase.order", 1)
    full = linked.sync(full=True)
    assert (full.created, full.updated, full.deleted) == (0, 0, 1)
    assert linked.stored()["1"] is True


def test_an_expired_api_key_moves_the_connection_to_auth_required(
    container: Container, odoo: RunningEmulator
) -> None:
    linked = Linked(container, odoo)
    odoo.emulator.expire_keys()
    run = linked.run()
    with container.uow(readonly=True) as uow:
        connection = uow.connections.get_for_token(linked.id)
    assert run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_REAUTH_REQUIRED"
    assert connection is not None and connection.status == "auth_required"


def test_an_unavailable_server_fails_the_run_to_be_retried(
    container: Container, odoo: RunningEmulator
) -> None:
    linked = Linked(container, odoo)
    odoo.emulator.faults.fail_requests = 50
    run = linked.run()
    assert run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_UNAVAILABLE"
    odoo.emulator.faults.fail_requests = 0
    assert linked.sync().created == ORDER_COUNT
