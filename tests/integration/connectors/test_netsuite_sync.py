"""NetSuite through the sync engine: connected with `connections.connect`, synced with
`Worker.start_sync` on a fresh container (SQLite store, inline queue), changed in the
emulator, and checked in what the engine stored and announced."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from ironbridge.api import create_app
from ironbridge.bootstrap import Container
from ironbridge.model import Entity
from ironbridge.store.records import RecordQuery, RecordRepository
from ironbridge.store.sync import SyncRepository
from ironbridge.testing.emulators.netsuite import (
    NetSuiteEmulator,
    RunningEmulator,
    running_emulator,
)

from .linking import Linked, link, only

ORDERS = Entity.PURCHASE_ORDERS


def link_netsuite(container: Container, netsuite: RunningEmulator) -> Linked:
    credentials = {**netsuite.tba, "auth_method": "oauth1_hmac_sha256",
                   "base_url": netsuite.base_url}  # fmt: skip
    return link(container, "netsuite", credentials, history_days=None, entities=(ORDERS,))


def test_initial_incremental_and_full_syncs_of_purchase_orders(
    container: Container, netsuite: RunningEmulator
) -> None:
    linked = link_netsuite(container, netsuite)
    initial = only(linked.sync(ORDERS, trigger="initial"))
    assert initial.created == 300 and initial.pages >= 3
    assert len(linked.stored(ORDERS)) == 300
    # One order changed on a line only, one on its header: exactly those two are updated.
    netsuite.emulator.change_line(1030, 1)
    netsuite.emulator.change_order(1031)
    incremental = only(linked.sync(ORDERS))
    assert (incremental.created, incremental.updated) == (0, 2)
    assert incremental.unchanged <= 10, "an incremental run reads the changes, not every order"
    assert linked.event_types()["purchase_order.updated"] == 2
    # Nothing changed since: the overlap is read again and nothing is new.
    again = only(linked.sync(ORDERS))
    assert (again.created, again.updated) == (0, 0)
    full = only(linked.sync(ORDERS, full=True))
    assert (full.created, full.updated, full.deleted, full.unchanged) == (0, 0, 0, 300)


def test_revoked_tokens_move_the_connection_to_auth_required(
    container: Container, netsuite: RunningEmulator
) -> None:
    linked = link_netsuite(container, netsuite)
    netsuite.emulator.faults.expire_credentials_after = 0
    (view,) = container.worker.start_sync(linked.id, [ORDERS])
    with container.uow(readonly=True) as uow:
        run = SyncRepository(uow.connection, linked.id).run(view.id)
        connection = uow.connections.get_for_token(linked.id)
    assert run is not None and run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_REAUTH_REQUIRED"
    assert connection is not None and connection.status == "auth_required"


def test_an_unavailable_account_fails_the_run_to_be_retried(
    container: Container, netsuite: RunningEmulator
) -> None:
    linked = link_netsuite(container, netsuite)
    netsuite.emulator.faults.fail_requests = 50
    (view,) = container.worker.start_sync(linked.id, [ORDERS])
    with container.uow(readonly=True) as uow:
        run = SyncRepository(uow.connection, linked.id).run(view.id)
    assert run is not None and run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_UNAVAILABLE"
    netsuite.emulator.faults.fail_requests = 0
    assert only(linked.sync(ORDERS)).created == 300


def test_a_change_just_before_the_accounts_midnight_is_synced(container: Container) -> None:
    # The account's day: it is 00:30 in Los Angeles, and an order changed at 23:59:50, which
    # is already the next day in UTC; a bound written in UTC would pass it by.
    zone = ZoneInfo("America/Los_Angeles")
    now = datetime(2026, 12, 3, 0, 30, tzinfo=zone).astimezone(UTC)
    with running_emulator(emulator=NetSuiteEmulator(clock=lambda: now)) as netsuite:
        linked = link_netsuite(container, netsuite)
        assert only(linked.sync(ORDERS, trigger="initial")).created == 300
        moment = datetime(2026, 12, 2, 23, 59, 50, tzinfo=zone)
        netsuite.emulator.change_order(1040, at=moment)
        run = only(linked.sync(ORDERS))
        assert (run.created, run.updated) == (0, 1)
        with container.uow(readonly=True) as uow:
            rows = RecordRepository(uow.connection, linked.id).page(
                ORDERS.value, RecordQuery(limit=100_000)
            )
        stored = {row.remote_id: row for row in rows}
        assert stored["1040"].modified_at == moment.astimezone(UTC)


def test_an_order_whose_answer_was_lost_is_created_once_on_retry(
    container: Container, netsuite: RunningEmulator
) -> None:
    linked = link_netsuite(container, netsuite)
    before = len(netsuite.emulator.orders_in("B"))
    order = {"vendor_remote_id": "102", "notes": "Retried",
             "lines": [{"item_remote_id": "502", "quantity": "2"}]}  # fmt: skip
    keyed = {**linked.headers, "Idempotency-Key": "po-2026-0042"}
    netsuite.emulator.faults.lose_answers = 1
    with TestClient(create_app(container)) as client:
        lost = client.post("/v1/purchase-orders", json=order, headers=keyed)
        assert lost.status_code >= 500
        retried = client.post("/v1/purchase-orders", json=order, headers=keyed)
        assert retried.status_code == 201, retried.text
        # NetSuite knew the key: the order it created before losing the answer came back.
        assert len(netsuite.emulator.orders_in("B")) == before + 1
        # Another key with the same body is another order.
        other = {**linked.headers, "Idempotency-Key": "po-2026-0043"}
        second = client.post("/v1/purchase-orders", json=order, headers=other)
    assert second.status_code == 201
    assert second.json()["remote_id"] != retried.json()["remote_id"]
    assert len(netsuite.emulator.orders_in("B")) == before + 2


def test_passthrough_runs_a_suiteql_statement_through_the_api(
    container: Container, netsuite: RunningEmulator
) -> None:
    linked = link_netsuite(container, netsuite)
    request = {
        "method": "POST",
        "path": "/services/rest/query/v1/suiteql",
        "headers": {"Prefer": "transient"},
        "body": {"q": "SELECT id, fullname FROM location WHERE locationtype = 1"},
    }
    with TestClient(create_app(container)) as client:
        answer = client.post("/v1/passthrough", json=request, headers=linked.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == 200
    (row,) = answer.json()["body"]["items"]
    assert (row["id"], row["fullname"]) == ("6", "Downtown Store")
