"""Flows over the API: definitions and versions, test runs, event-triggered durable runs."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from ironbridge.bootstrap import Container
from ironbridge.events import record_event

from ...conftest import AccountFixture, ConnectionFixture
from .conftest import LARGE_PO


def _po(client: TestClient, sandbox: ConnectionFixture, **changes: Any) -> dict[str, Any]:
    page = client.get("/v1/purchase-orders?limit=1", headers=sandbox.headers).json()
    return {**page["data"][0], **changes}


def test_a_flow_is_created_versioned_and_listed(
    client: TestClient, account: AccountFixture
) -> None:
    created = client.post("/v1/flows", json=LARGE_PO, headers=account.headers)
    assert created.status_code == 201, created.text
    flow = created.json()
    assert flow["version"] == 1 and flow["trigger_secret"].startswith("ib_flowsecret_")
    changed = copy.deepcopy(LARGE_PO["steps"])
    changed[0]["expression"] = "double(trigger.record.total) > 20000.0"
    patched = client.patch(
        f"/v1/flows/{flow['id']}", json={"steps": changed}, headers=account.headers
    )
    assert patched.json()["version"] == 2
    # enabling or disabling is no new version
    client.patch(f"/v1/flows/{flow['id']}", json={"enabled": False}, headers=account.headers)
    versions = client.get(f"/v1/flows/{flow['id']}/versions", headers=account.headers).json()
    assert [v["version"] for v in versions["data"]] == [2, 1]
    first = versions["data"][1]["definition"]["steps"][0]
    assert first["expression"] == LARGE_PO["steps"][0]["expression"]
    listed = client.get("/v1/flows", headers=account.headers).json()
    assert [f["id"] for f in listed["data"]] == [flow["id"]]
    assert listed["data"][0]["trigger_secret"] is None
    assert client.delete(f"/v1/flows/{flow['id']}", headers=account.headers).status_code == 204
    assert client.get(f"/v1/flows/{flow['id']}", headers=account.headers).status_code == 404


def test_a_flow_with_a_broken_expression_is_refused(
    client: TestClient, account: AccountFixture
) -> None:
    broken = copy.deepcopy(LARGE_PO)
    broken["steps"][0]["expression"] = "trigger.record.total >"
    answer = client.post("/v1/flows", json=broken, headers=account.headers)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "VALIDATION_FAILED"


def test_a_test_run_dry_runs_writes_and_marks_emits(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    flow = client.post(
        "/v1/flows",
        json={**LARGE_PO, "connections": {"all": True}},
        headers=account.headers,
    ).json()
    record = _po(client, sandbox, status="approved", total="12500.00", number="PO-9")
    run = client.post(
        f"/v1/flows/{flow['id']}/test",
        json={"trigger": {"record": record}},
        headers=account.headers,
    )
    assert run.status_code == 200, run.text
    body = run.json()
    assert body["status"] == "succeeded" and body["test"] is True
    steps = {s["step_id"]: s for s in body["steps"]}
    assert steps["create_wo"]["output"]["dry_run"] is True
    assert steps["create_wo"]["output"]["body"]["title"] == "Receive and inspect PO-9"
    events = client.get("/v1/events?types=flow.large_po", headers=account.headers)
    del events  # settled events only; the run's own record says what was emitted
    assert steps["notify"]["output"]["data"]["test"] is True


def test_one_step_runs_alone_on_a_given_input(client: TestClient, account: AccountFixture) -> None:
    flow = client.post("/v1/flows", json=LARGE_PO, headers=account.headers).json()
    answer = client.post(
        f"/v1/flows/{flow['id']}/steps/is_large/test",
        json={"input": {"trigger": {"record": {"status": "approved", "total": "10000.01"}}}},
        headers=account.headers,
    )
    assert answer.json() == {"output": {"passed": True}, "error": None}
    failing = client.post(
        f"/v1/flows/{flow['id']}/steps/is_large/test",
        json={"input": {"trigger": {}}},
        headers=account.headers,
    )
    assert failing.json()["error"]["code"] == "VALIDATION_FAILED"


def test_a_record_event_starts_a_durable_run_on_matching_connections(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    client.patch(
        f"/v1/connections/{sandbox.id}", json={"metadata": {"plant": "7"}}, headers=account.headers
    )
    flow = client.post("/v1/flows", json=LARGE_PO, headers=account.headers).json()
    record = _po(client, sandbox, status="approved", total="15000.00")
    with container.uow() as uow:
        event = record_event(
            uow,
            account_id=account.id,
            connection_id=sandbox.id,
            type="purchase_order.updated",
            data=record,
        )
        uow.commit()
    runs = client.get(f"/v1/flows/{flow['id']}/runs", headers=account.headers).json()["data"]
    assert len(runs) == 1 and runs[0]["trigger"]["event_id"] == event.id
    assert container.worker.flows.wait(runs[0]["id"]) == "succeeded"
    run = client.get(f"/v1/flows/{flow['id']}/runs/{runs[0]['id']}", headers=account.headers)
    steps = {s["step_id"]: s for s in run.json()["steps"]}
    assert steps["create_wo"]["output"]["title"].startswith("Receive and inspect")
    assert steps["notify"]["output"]["type"] == "flow.large_po"
    # The same event dispatched again (the sweep after the announcement) starts nothing new.
    assert container.worker.flows.dispatch([event.id]) == 0
