"""Maximo through the sync engine: connected with `connections.connect`, synced with
`Worker.start_sync` on a fresh container (SQLite store, inline queue), changed in the
emulator, and checked in what the engine stored and announced."""

from __future__ import annotations

from ironbridge.bootstrap import Container
from ironbridge.model import Entity
from ironbridge.store.sync import SyncRepository
from ironbridge.testing.emulators.maximo import RunningEmulator

from .linking import Linked, link, only

WORK_ORDERS = Entity.WORK_ORDERS
ITEMS = Entity.INVENTORY_ITEMS


def link_maximo(container: Container, maximo: RunningEmulator) -> Linked:
    credentials = {"host": maximo.base_url, "api_key": maximo.password, "sites": "BEDFORD,NASHUA"}
    return link(container, "maximo", credentials, history_days=None, entities=(WORK_ORDERS, ITEMS))


def test_initial_incremental_and_full_syncs_of_work_orders(
    container: Container, maximo: RunningEmulator
) -> None:
    linked = link_maximo(container, maximo)
    initial = only(linked.sync(WORK_ORDERS, trigger="initial"))
    assert initial.created == 400 and initial.pages >= 4
    stored = linked.unified(WORK_ORDERS)
    assert len(stored) == 400
    member, row = maximo.emulator.find("mxapiwodetail", status="WAITPARTS")
    maximo.emulator.touch("mxapiwodetail", member, description="Parts ordered")
    incremental = only(linked.sync(WORK_ORDERS))
    assert (incremental.created, incremental.updated) == (0, 1)
    assert incremental.unchanged <= 10, "an incremental run reads the changes, not every order"
    changed = linked.unified(WORK_ORDERS)[f"NASHUA/{row['wonum']}"]
    assert (changed["title"], changed["status"]) == ("Parts ordered", "on_hold")
    assert linked.event_types()["work_order.updated"] == 1
    again = only(linked.sync(WORK_ORDERS))
    assert (again.created, again.updated) == (0, 0)
    full = only(linked.sync(WORK_ORDERS, full=True))
    assert (full.created, full.updated, full.deleted, full.unchanged) == (0, 0, 0, 400)


def test_inventory_without_change_dates_announces_only_real_changes(
    container: Container, maximo: RunningEmulator
) -> None:
    linked = link_maximo(container, maximo)
    assert only(linked.sync(ITEMS, trigger="initial")).created == 40
    assert only(linked.sync(ITEMS)).updated == 0, "a re-read of unchanged balances changes nothing"
    member, row = maximo.emulator.find("mxapiinventory", itemnum="BRG-0003", siteid="NASHUA")
    maximo.emulator.adjust_balance("mxapiinventory", member, {"newcurbal": 99})
    run = only(linked.sync(ITEMS))
    assert (run.created, run.updated) == (0, 1)
    levels = linked.unified(ITEMS)["BRG-0003"]["stock_levels"]
    nashua = [level for level in levels if level["location"]["remote_id"] == "NASHUA/NSTORE"]
    assert [level["on_hand"] for level in nashua] == [
        str(99 + sum(balance["curbal"] for balance in row["invbalances"][1:]))
    ]
    assert linked.event_types()["inventory_item.updated"] == 1


def test_an_unavailable_instance_fails_the_run_to_be_retried(
    container: Container, maximo: RunningEmulator
) -> None:
    linked = link_maximo(container, maximo)
    maximo.emulator.faults.fail_requests = 50
    (view,) = container.worker.start_sync(linked.id, [WORK_ORDERS])
    with container.uow(readonly=True) as uow:
        run = SyncRepository(uow.connection, linked.id).run(view.id)
    assert run is not None and run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_UNAVAILABLE"
    maximo.emulator.faults.fail_requests = 0
    assert only(linked.sync(WORK_ORDERS)).created == 400


def test_a_revoked_key_moves_the_connection_to_auth_required(
    container: Container, maximo: RunningEmulator
) -> None:
    linked = link_maximo(container, maximo)
    maximo.emulator.faults.expire_credentials_after = 0
    (view,) = container.worker.start_sync(linked.id, [WORK_ORDERS])
    with container.uow(readonly=True) as uow:
        run = SyncRepository(uow.connection, linked.id).run(view.id)
        connection = uow.connections.get_for_token(linked.id)
    assert run is not None and run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_REAUTH_REQUIRED"
    assert connection is not None and connection.status == "auth_required"
