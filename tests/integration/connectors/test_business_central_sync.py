"""Business Central through the API, the connect flow and the sync engine, against the emulator:
connecting, initial, incremental and full syncs, and the platform's resilience to its faults."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.model import Entity
from ironbridge.store import utcnow
from ironbridge.store.sync import SyncRepository
from ironbridge.testing.emulators.business_central import RunningEmulator

from ...conftest import AccountFixture, StepClock, make_settings, new_account
from .linking import link, only

PURCHASE_ORDERS = Entity.PURCHASE_ORDERS
SYSTEM = "business_central"


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    built = bootstrap(
        make_settings(
            tmp_path,
            allow_private_urls=True,
            sync_page_size=100,
            breaker_fail_max=3,
            breaker_reset_seconds=1,
        )
    )
    built.breakers.clock = StepClock.ahead(hours=1)  # the circuit half-opens when the test says
    yield built
    built.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container)) as test_client:
        yield test_client


@pytest.fixture
def account(container: Container) -> AccountFixture:
    return new_account(container)


# --- connecting ----------------------------------------------------------------------------------


def test_post_connections_connects_and_every_entity_is_available(
    client: TestClient, account: AccountFixture, bc: RunningEmulator
) -> None:
    body = {
        "system": SYSTEM,
        "end_customer_id": "cronus",
        "end_customer_name": "Cronus",
        "credentials": bc.credentials(),
    }
    response = client.post("/v1/connections", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    availability = response.json()["availability"]
    assert set(availability) == {
        "purchase-orders",
        "vendors",
        "inventory-items",
        "locations",
        "assets",
    }
    assert all(item["status"] == "available" for item in availability.values())


def test_post_connections_without_a_company_lists_the_companies(
    client: TestClient, account: AccountFixture, bc: RunningEmulator
) -> None:
    body = {
        "system": SYSTEM,
        "end_customer_id": "cronus",
        "end_customer_name": "Cronus",
        "credentials": bc.credentials(company=""),
    }
    response = client.post("/v1/connections", json=body, headers=account.headers)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "CONNECTION_CHECK_FAILED"
    assert "My Company" in error["message"] and "CRONUS USA, Inc." in error["message"]


def test_the_connect_flow_connects(
    client: TestClient, account: AccountFixture, bc: RunningEmulator
) -> None:
    created = client.post(
        "/v1/link-tokens",
        json={"end_customer_id": "cronus", "end_customer_name": "Cronus", "systems": [SYSTEM]},
        headers=account.headers,
    )
    assert created.status_code == 201, created.text
    token = created.json()["link_token"]
    page = client.get(f"/connect/{SYSTEM}", params={"token": token})
    assert page.status_code == 200, page.text
    assert 'name="c.tenant"' in page.text and 'name="c.company"' in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    data = {"token": token, "csrf": csrf.group(1)}
    data.update({f"c.{name}": value for name, value in bc.credentials().items()})
    done = client.post(f"/connect/{SYSTEM}", data=data)
    assert done.status_code == 200, done.text
    assert "Connected" in done.text


# --- syncing -------------------------------------------------------------------------------------


def test_initial_incremental_and_full_syncs(container: Container, bc: RunningEmulator) -> None:
    linked = link(container, SYSTEM, bc.credentials(), history_days=None)
    first = only(linked.sync(PURCHASE_ORDERS))
    assert first.created == len(linked.stored(PURCHASE_ORDERS)) == 300

    cronus = bc.emulator.company()
    changed = next(r for r in cronus.rows("purchaseOrders") if r["status"] == "Draft")
    cronus.touch("purchaseOrders", changed["id"], purchaser="ZZ")
    again = only(linked.sync(PURCHASE_ORDERS))
    assert (again.created, again.updated) == (0, 1)
    assert json.loads(linked.stored(PURCHASE_ORDERS)[changed["id"]].unified)["buyer"] == "ZZ"

    # The API has no tombstones: a posted (or deleted) order is found gone by a full sync.
    gone = cronus.rows("purchaseOrders").pop()
    incremental = only(linked.sync(PURCHASE_ORDERS))
    assert incremental.deleted == 0
    full = only(linked.sync(PURCHASE_ORDERS, full=True))
    assert full.deleted == 1
    stored = linked.stored(PURCHASE_ORDERS, include_deleted=True)
    assert stored[gone["id"]].deleted


def test_the_default_history_window_reads_recent_orders_only(
    container: Container, bc: RunningEmulator
) -> None:
    linked = link(container, SYSTEM, bc.credentials())
    run = only(linked.sync(PURCHASE_ORDERS))
    since = utcnow() - timedelta(days=90)
    recent = [
        r
        for r in bc.emulator.company().rows("purchaseOrders")
        if r["lastModifiedDateTime"] >= since
    ]
    assert 0 < run.created == len(recent) < 300


# --- resilience ----------------------------------------------------------------------------------


def test_a_429_ends_the_run_partial_and_the_next_run_waits_for_retry_after(
    container: Container, bc: RunningEmulator
) -> None:
    linked = link(container, SYSTEM, bc.credentials(), history_days=None)
    bc.emulator.faults.rate_limit_requests = 1
    bc.emulator.faults.retry_after = 120
    before = utcnow()
    (limited,) = linked.sync(PURCHASE_ORDERS)
    assert limited.status == "partial" and limited.error is not None
    assert limited.error["code"] == "RATE_LIMIT_EXCEEDED"
    with container.uow(readonly=True) as uow:
        state = SyncRepository(uow.connection, linked.id).state(PURCHASE_ORDERS.value)
    assert state is not None and state.next_run_at is not None
    assert state.next_run_at >= before + timedelta(seconds=119)
    assert linked.status() == "active", "a rate limit is not an outage"
    resumed = only(linked.sync(PURCHASE_ORDERS))
    assert len(linked.stored(PURCHASE_ORDERS)) == resumed.created == 300


def test_a_burst_of_503s_opens_the_circuit_and_recovery_closes_it(
    container: Container, bc: RunningEmulator
) -> None:
    linked = link(container, SYSTEM, bc.credentials(), history_days=None)
    bc.emulator.faults.fail_requests = 1000
    failed = [run for _ in range(3) for run in linked.sync(PURCHASE_ORDERS)]
    assert [run.status for run in failed] == ["failed"] * 3
    assert {run.error["code"] for run in failed if run.error} == {"CONNECTION_UNAVAILABLE"}
    assert linked.status() == "offline"
    reached = len(bc.emulator.requests)
    (postponed,) = linked.sync(PURCHASE_ORDERS)
    assert postponed.status == "queued", "it waits for the circuit"
    assert len(bc.emulator.requests) == reached, "nothing reached Business Central while open"

    bc.emulator.faults.fail_requests = 0
    clock = container.breakers.clock
    assert isinstance(clock, StepClock)
    clock.advance(seconds=1.1)
    recovered = only(linked.sync(PURCHASE_ORDERS))
    assert recovered.created == len(linked.stored(PURCHASE_ORDERS)) == 300
    assert linked.status() == "active"


def test_an_expired_secret_moves_the_connection_to_auth_required(
    container: Container, bc: RunningEmulator
) -> None:
    linked = link(container, SYSTEM, bc.credentials(), history_days=None)
    bc.emulator.expire_secret()
    (run,) = linked.sync(PURCHASE_ORDERS)
    assert run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_REAUTH_REQUIRED"
    assert linked.status() == "auth_required"


# --- writes through the unified API --------------------------------------------------------------


def test_orders_and_vendors_are_written_through_the_unified_api(
    container: Container, bc: RunningEmulator
) -> None:
    entities = (PURCHASE_ORDERS, Entity.VENDORS, Entity.INVENTORY_ITEMS, Entity.LOCATIONS)
    linked = link(container, SYSTEM, bc.credentials(), entities=entities, history_days=None)
    assert all(run.status == "succeeded" for run in linked.sync(trigger="initial"))
    cronus = bc.emulator.company()
    vendor = next(v for v in cronus.rows("vendors") if v["blocked"] == " ")
    item = next(i for i in cronus.rows("items") if i["type"] == "Inventory")
    released = next(o for o in cronus.rows("purchaseOrders") if o["status"] == "Open")
    with TestClient(create_app(container)) as client:
        created = client.post(
            "/v1/purchase-orders",
            headers=linked.headers,
            json={
                "vendor_id": linked.ids(Entity.VENDORS, vendor["id"]),
                "buyer": "JR",
                "lines": [
                    {"item_id": linked.ids(Entity.INVENTORY_ITEMS, item["id"]), "quantity": "4"}
                ],
            },
        )
        assert created.status_code == 201, created.text
        order = created.json()
        assert order["status"] == "draft" and order["vendor"]["remote_id"] == vendor["id"]
        assert [line["item"]["remote_id"] for line in order["lines"]] == [item["id"]]
        changed = client.patch(
            f"/v1/purchase-orders/{order['id']}", json={"buyer": "MH"}, headers=linked.headers
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["buyer"] == "MH"
        locked = client.patch(
            f"/v1/purchase-orders/{linked.ids(PURCHASE_ORDERS, released['id'])}",
            json={"buyer": "MH"},
            headers=linked.headers,
        )
        assert locked.status_code == 409
        assert locked.json()["error"]["code"] == "RECORD_LOCKED"
        made = client.post(
            "/v1/vendors",
            json={"name": "Unified Supplies", "phone": "+1 555 0142"},
            headers=linked.headers,
        )
        assert made.status_code == 201, made.text
        assert made.json()["status"] == "active" and made.json()["code"]
        work = client.post("/v1/work-orders", json={"title": "Fix it"}, headers=linked.headers)
        assert work.json()["error"]["code"] == "OPERATION_NOT_SUPPORTED", work.text
