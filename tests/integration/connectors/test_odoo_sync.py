"""Odoo through the sync engine, as 18.0 and 19.0: connected with `connections.connect`,
synced with `Worker.start_sync` on a fresh container (SQLite store, inline queue), changed in
the emulator, and checked in what the engine stored and announced."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ironbridge.bootstrap import Container, bootstrap
from ironbridge.model import Entity
from ironbridge.testing.emulators.odoo import ORDER_COUNT, RunningEmulator

from ...conftest import make_settings
from .linking import Linked, link, only

ORDERS = Entity.PURCHASE_ORDERS


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    built = bootstrap(make_settings(tmp_path, allow_private_urls=True, sync_page_size=50))
    yield built
    built.close()


def link_odoo(container: Container, odoo: RunningEmulator) -> Linked:
    credentials = odoo.credentials(companies="1,2")
    return link(container, "odoo", credentials, history_days=None, entities=(ORDERS,))


def deleted(linked: Linked) -> dict[str, bool]:
    """Remote id → whether the stored order is marked deleted."""
    stored = linked.stored(ORDERS, include_deleted=True)
    return {remote_id: row.deleted for remote_id, row in stored.items()}


def test_initial_incremental_and_full_syncs_of_purchase_orders(
    container: Container, odoo: RunningEmulator
) -> None:
    linked = link_odoo(container, odoo)
    initial = only(linked.sync(ORDERS, trigger="initial"))
    # Orders share seconds: pages of 50 must still bring each order exactly once.
    assert initial.created == ORDER_COUNT and initial.pages >= ORDER_COUNT // 50
    assert len(deleted(linked)) == ORDER_COUNT
    # One order changed on a line only, one on its header: exactly those two are updated.
    line = odoo.emulator.db().children("purchase.order.line", "order_id", 30)[0]
    odoo.emulator.change("purchase.order.line", line, {"price_unit": 77.0})
    odoo.emulator.change("purchase.order", 31, {"partner_ref": "CHANGED"})
    incremental = only(linked.sync(ORDERS))
    assert (incremental.created, incremental.updated) == (0, 2)
    # The overlap re-reads the last few bursts of orders, not every order.
    assert incremental.unchanged <= ORDER_COUNT // 20
    assert linked.event_types()["purchase_order.updated"] == 2
    # Nothing changed since: the overlap is read again and nothing is new.
    again = only(linked.sync(ORDERS))
    assert (again.created, again.updated) == (0, 0)
    # A deleted order is found by the full sync's reconciliation of ids.
    odoo.emulator.delete("purchase.order", 1)
    full = only(linked.sync(ORDERS, full=True))
    assert (full.created, full.updated, full.deleted) == (0, 0, 1)
    assert deleted(linked)["1"] is True


def test_an_expired_api_key_moves_the_connection_to_auth_required(
    container: Container, odoo: RunningEmulator
) -> None:
    linked = link_odoo(container, odoo)
    odoo.emulator.expire_keys()
    (run,) = linked.sync(ORDERS)
    with container.uow(readonly=True) as uow:
        connection = uow.connections.get_for_token(linked.id)
    assert run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_REAUTH_REQUIRED"
    assert connection is not None and connection.status == "auth_required"


def test_an_unavailable_server_fails_the_run_to_be_retried(
    container: Container, odoo: RunningEmulator
) -> None:
    linked = link_odoo(container, odoo)
    odoo.emulator.faults.fail_requests = 50
    (run,) = linked.sync(ORDERS)
    assert run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_UNAVAILABLE"
    odoo.emulator.faults.fail_requests = 0
    assert only(linked.sync(ORDERS)).created == ORDER_COUNT
