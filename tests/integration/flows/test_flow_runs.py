"""Runs: retry from the failed step, and a connection's status pausing or stopping its runs."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from ironbridge.bootstrap import Container
from ironbridge.flows import new_run
from ironbridge.store.flows import FlowRepository
from ironbridge.store.tables import connections

from ...conftest import AccountFixture, ConnectionFixture


def _start(container: Container, flow_id: str, connection_id: str) -> str:
    with container.uow() as uow:
        flow = FlowRepository(uow.connection, None).get_any(flow_id)
        assert flow is not None
        run_id = new_run(uow, flow, connection_id=connection_id, trigger={"type": "manual"})
        uow.commit()
    assert run_id is not None
    container.worker.flows.submit([run_id])
    return run_id


def _status(container: Container, connection_id: str, status: str) -> None:
    with container.uow() as uow:
        uow.connection.execute(
            update(connections).where(connections.c.id == connection_id).values(status=status)
        )
        uow.commit()


def _flow(client: TestClient, account: AccountFixture, steps: list[dict[str, Any]]) -> str:
    body = {
        "name": "runs",
        "trigger": {"type": "manual"},
        "connections": {"all": True},
        "steps": steps,
    }
    answer = client.post("/v1/flows", json=body, headers=account.headers)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_a_failed_run_is_retried_from_its_failed_step_with_the_current_version(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    steps = [
        {"id": "first", "type": "emit", "name": "first"},
        {"id": "check", "type": "condition", "expression": "trigger.missing.value > 1"},
        {"id": "done", "type": "map", "expression": "steps.first.type"},
    ]
    flow_id = _flow(client, account, steps)
    run_id = _start(container, flow_id, sandbox.id)
    assert container.worker.flows.wait(run_id) == "failed"
    failed = client.get(f"/v1/flows/{flow_id}/runs/{run_id}", headers=account.headers).json()
    assert failed["error"]["code"] == "VALIDATION_FAILED"
    assert [s["step_id"] for s in failed["steps"]] == ["first", "check"]
    steps[1]["expression"] = "true"
    client.patch(f"/v1/flows/{flow_id}", json={"steps": steps}, headers=account.headers)
    retried = client.post(
        f"/v1/flow-runs/{run_id}/retry", json={"version": "current"}, headers=account.headers
    )
    assert retried.status_code == 202, retried.text
    new = retried.json()
    assert new["retry_of"] == run_id and new["version"] == 2
    status = container.worker.flows.wait(new["id"])
    assert status == "succeeded"
    detail = client.get(f"/v1/flows/{flow_id}/runs/{new['id']}", headers=account.headers).json()
    # The emit before the failed step is not run again: its output is carried over.
    assert [s["step_id"] for s in detail["steps"]] == ["check", "done"]
    assert detail["steps"][1]["output"] == "flow.first"
    again = client.post(f"/v1/flow-runs/{new['id']}/retry", headers=account.headers)
    assert again.status_code == 409


def test_a_run_pauses_while_its_connection_needs_reauthorization_and_resumes_after(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    flow_id = _flow(client, account, [{"id": "vendors", "type": "read", "entity": "vendors"}])
    _status(container, sandbox.id, "auth_required")
    run_id = _start(container, flow_id, sandbox.id)
    flows = container.worker.flows

    def run_status() -> str:
        return str(
            client.get(f"/v1/flows/{flow_id}/runs/{run_id}", headers=account.headers).json()[
                "status"
            ]
        )

    deadline = time.monotonic() + 30
    while run_status() != "paused" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert run_status() == "paused"
    _status(container, sandbox.id, "active")
    flows.tick()
    assert flows.wait(run_id) == "succeeded"


def test_disconnecting_a_connection_stops_its_runs(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    flow_id = _flow(client, account, [{"id": "vendors", "type": "read", "entity": "vendors"}])
    client.post(f"/v1/connections/{sandbox.id}/disconnect", headers=account.headers)
    run_id = _start(container, flow_id, sandbox.id)
    assert container.worker.flows.wait(run_id) == "cancelled"


def test_the_account_error_flow_receives_a_failed_run_with_its_step_error_and_input(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    error_flow = client.post(
        "/v1/flows",
        json={
            "name": "errors",
            "trigger": {"type": "run_failed"},
            "connections": {"all": True},
            "steps": [{"id": "tell", "type": "emit", "name": "run_failed"}],
        },
        headers=account.headers,
    ).json()
    failing = _flow(
        client, account, [{"id": "check", "type": "condition", "expression": "trigger.x > 1"}]
    )
    run_id = _start(container, failing, sandbox.id)
    assert container.worker.flows.wait(run_id) == "failed"
    runs = client.get(f"/v1/flows/{error_flow['id']}/runs", headers=account.headers).json()
    (handled,) = runs["data"]
    assert container.worker.flows.wait(handled["id"]) == "succeeded"
    trigger = handled["trigger"]
    assert (trigger["flow_id"], trigger["run_id"], trigger["step"]) == (failing, run_id, "check")
    assert trigger["error"]["code"] == "VALIDATION_FAILED"
    assert trigger["input"]["trigger"] == {"type": "manual"}
