"""The three example flows of docs/flows.md on a connection to SAP S/4HANA (the emulator, over
HTTP), triggered the way production triggers them: by a real sync's change event, by the
schedule, and by SAP refusing the connection's credentials."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.flows import new_run
from ironbridge.model import Entity, record_id
from ironbridge.store.flows import FlowRepository, RunRepository
from ironbridge.store.tables import events
from ironbridge.testing.emulators.sap import RunningEmulator, running_emulator

from ...conftest import AccountFixture, make_settings, new_account
from .conftest import LARGE_PO, NIGHTLY_REORDER, REAUTH_NOTICE


@pytest.fixture
def sap() -> Iterator[RunningEmulator]:
    with running_emulator() as running:
        yield running


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    built = bootstrap(make_settings(tmp_path, allow_private_urls=True, sync_page_size=200))
    yield built
    built.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container)) as test_client:
        yield test_client


@pytest.fixture
def account(container: Container) -> AccountFixture:
    return new_account(container)


@pytest.fixture
def connection(client: TestClient, account: AccountFixture, sap: RunningEmulator) -> str:
    """A connection to the emulator, made through the API, its initial sync done."""
    body = {
        "system": "sap_s4hana",
        "end_customer_id": "plant-7",
        "end_customer_name": "Plant Seven",
        "credentials": {
            "base_url": sap.base_url,
            "username": sap.username,
            "password": sap.password,
        },
        "metadata": {"plant": "7"},
    }
    created = client.post("/v1/connections", json=body, headers=account.headers)
    assert created.status_code == 201, created.text
    connection_id = str(created.json()["id"])
    runs = client.get(f"/v1/connections/{connection_id}/sync-runs", headers=account.headers)
    assert runs.json()["data"] and all(r["status"] == "succeeded" for r in runs.json()["data"])
    return connection_id


def _create(client: TestClient, account: AccountFixture, body: dict[str, Any]) -> str:
    answer = client.post("/v1/flows", json=body, headers=account.headers)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _runs(client: TestClient, account: AccountFixture, flow_id: str) -> list[dict[str, Any]]:
    page = client.get(f"/v1/flows/{flow_id}/runs", headers=account.headers).json()
    return list(page["data"])


def _steps(container: Container, run_id: str) -> dict[str, Any]:
    with container.uow(readonly=True) as uow:
        return {s.step_id: s for s in RunRepository(uow.connection, None).steps(run_id)}


def test_an_order_changed_in_sap_starts_the_large_po_flow_with_the_synced_record(
    client: TestClient,
    container: Container,
    account: AccountFixture,
    sap: RunningEmulator,
    connection: str,
) -> None:
    flow_id = _create(client, account, LARGE_PO)
    number = sap.emulator.purchase_order_ids()[0]
    sap.emulator.change_purchase_order(number, PurchasingProcessingStatus="03")
    container.worker.start_sync(connection, [Entity.PURCHASE_ORDERS])
    (run,) = _runs(client, account, flow_id)
    assert container.worker.flows.wait(run["id"]) == "succeeded"
    detail = client.get(f"/v1/flows/{flow_id}/runs/{run['id']}", headers=account.headers).json()
    assert detail["connection_id"] == connection
    assert detail["trigger"]["record"]["remote_id"] == number
    # SAP's purchase order API has no approval state and no gross total (only net prices),
    # so the condition is false on SAP's records: no work order is asked of SAP.
    steps = _steps(container, run["id"])
    assert steps["is_large"].output["passed"] is False
    assert set(steps) == {"is_large"}


def test_the_nightly_reorder_reads_sap_stock_on_schedule(
    client: TestClient, container: Container, account: AccountFixture, connection: str
) -> None:
    flow_id = _create(client, account, NIGHTLY_REORDER)
    flow = client.get(f"/v1/flows/{flow_id}", headers=account.headers).json()
    due = datetime.fromisoformat(flow["next_run_at"])
    assert container.worker.flows.tick(due + timedelta(seconds=1))["scheduled"] == 1
    (run,) = _runs(client, account, flow_id)
    assert container.worker.flows.wait(run["id"]) == "succeeded"
    steps = _steps(container, run["id"])
    items = steps["items"].output["data"]
    assert items and all(item["remote_id"] for item in items)
    assert steps["vendor"].output["data"][0]["id"].startswith("vnd_")
    # SAP's stock API carries no reorder points: nothing is below one, so no order is raised.
    assert steps["low"].output == [] and steps["raise_pos"].output == []


def test_credentials_sap_refuses_send_the_reauthorization_notice(
    client: TestClient,
    container: Container,
    account: AccountFixture,
    sap: RunningEmulator,
    connection: str,
) -> None:
    flow_id = _create(client, account, REAUTH_NOTICE)
    sap.emulator.expire_credentials()
    container.worker.start_sync(connection, [Entity.PURCHASE_ORDERS])
    view = client.get(f"/v1/connections/{connection}", headers=account.headers).json()
    assert view["status"] == "auth_required"
    (run,) = _runs(client, account, flow_id)
    assert container.worker.flows.wait(run["id"]) == "succeeded"
    with container.uow(readonly=True) as uow:
        rows = uow.connection.execute(
            select(events.c.data).where(events.c.type == "flow.reauth_needed")
        )
        (notice,) = [row[0] for row in rows]
    assert notice["payload"]["connection_id"] == connection
    assert notice["payload"]["reason"]


def test_a_write_steps_timeout_cuts_off_a_source_that_stops_answering(
    client: TestClient,
    container: Container,
    account: AccountFixture,
    sap: RunningEmulator,
    connection: str,
) -> None:
    order = {
        "vendor_id": record_id(connection, Entity.VENDORS, "17300001"),
        "custom_fields": {
            "CompanyCode": "1710",
            "PurchasingOrganization": "1710",
            "PurchasingGroup": "001",
        },
        "lines": [
            {
                "item_id": record_id(connection, Entity.INVENTORY_ITEMS, "TG0011"),
                "quantity": "5",
                "unit_price": "12.50",
                "location_id": record_id(connection, Entity.LOCATIONS, "1710/171A"),
            }
        ],
    }
    flow_id = _create(
        client,
        account,
        {
            "name": "Order",
            "trigger": {"type": "manual"},
            "connections": {"systems": ["sap_s4hana"]},
            "steps": [
                {
                    "id": "order",
                    "type": "write",
                    "entity": "purchase-orders",
                    "operation": "create",
                    "body": "trigger.order",
                    "timeout_seconds": 0.3,
                }
            ],
        },
    )
    before = len(sap.emulator.purchase_order_ids())
    # SAP answers, but only after a second: longer than the step allows, well within the
    # connector's own 30 s.
    sap.emulator.faults.delay = 1.0
    with container.uow() as uow:
        flow = FlowRepository(uow.connection, None).get_any(flow_id)
        assert flow is not None
        run_id = new_run(uow, flow, connection_id=connection, trigger={"order": order})
        uow.commit()
    assert run_id is not None
    container.worker.flows.submit([run_id])
    assert container.worker.flows.wait(run_id) == "failed"
    detail = client.get(f"/v1/flows/{flow_id}/runs/{run_id}", headers=account.headers).json()
    assert detail["error"]["code"] == "UPSTREAM_TIMEOUT", detail["error"]
    # The source comes back: a retry of the run writes the order once.
    sap.emulator.faults.delay = 0.0
    retried = client.post(f"/v1/flow-runs/{run_id}/retry", headers=account.headers).json()
    assert container.worker.flows.wait(retried["id"]) == "succeeded"
    written = _steps(container, retried["id"])["order"].output
    assert written["remote_id"] in sap.emulator.purchase_order_ids()
    assert len(sap.emulator.purchase_order_ids()) == before + 1
