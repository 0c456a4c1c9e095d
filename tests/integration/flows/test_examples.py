"""The three example flows of docs/flows.md, end to end against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from ironbridge.bootstrap import Container
from ironbridge.events import record_event
from ironbridge.store.flows import RunRepository
from ironbridge.store.tables import events

from ...conftest import AccountFixture, ConnectionFixture
from .conftest import LARGE_PO, NIGHTLY_REORDER, REAUTH_NOTICE


def _create(client: TestClient, account: AccountFixture, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/v1/flows", json=body, headers=account.headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _runs(client: TestClient, account: AccountFixture, flow_id: str) -> list[dict[str, Any]]:
    page = client.get(f"/v1/flows/{flow_id}/runs", headers=account.headers).json()
    return list(page["data"])


def _emitted(container: Container, type_: str) -> list[dict[str, Any]]:
    with container.uow(readonly=True) as uow:
        rows = uow.connection.execute(select(events.c.data).where(events.c.type == type_))
        return [row[0] for row in rows]


def test_large_approved_purchase_orders_at_plant_7_raise_a_work_order_and_an_event(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    client.patch(
        f"/v1/connections/{sandbox.id}", json={"metadata": {"plant": "7"}}, headers=account.headers
    )
    flow = _create(client, account, LARGE_PO)
    orders = client.get("/v1/purchase-orders?limit=2", headers=sandbox.headers).json()["data"]
    small = {**orders[0], "status": "approved", "total": "900.00"}
    large = {**orders[1], "status": "approved", "total": "25000.00"}
    for record in (small, large):
        with container.uow() as uow:
            record_event(
                uow,
                account_id=account.id,
                connection_id=sandbox.id,
                type="purchase_order.updated",
                data=record,
            )
            uow.commit()
    runs = _runs(client, account, flow["id"])
    assert len(runs) == 2
    for run in runs:
        assert container.worker.flows.wait(run["id"]) == "succeeded"
    emitted = _emitted(container, "flow.large_po")
    assert [e["payload"]["purchase_order"] for e in emitted] == [large["id"]]
    assert emitted[0]["payload"]["work_order"].startswith("wo_")


def test_the_nightly_reorder_raises_draft_orders_for_low_stock(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    flow = _create(client, account, NIGHTLY_REORDER)
    due = datetime.fromisoformat(flow["next_run_at"])
    assert (due.hour, due.minute) == (2, 0)
    flows = container.worker.flows
    assert flows.tick(due - timedelta(minutes=1))["scheduled"] == 0
    assert flows.tick(due + timedelta(seconds=1))["scheduled"] == 1
    assert flows.tick(due + timedelta(seconds=2))["scheduled"] == 0
    (run,) = _runs(client, account, flow["id"])
    status = flows.wait(run["id"])
    detail = client.get(f"/v1/flows/{flow['id']}/runs/{run['id']}", headers=account.headers)
    assert status == "succeeded", detail.json()["error"]
    with container.uow(readonly=True) as uow:
        steps = {s.step_id: s for s in RunRepository(uow.connection, None).steps(run["id"])}
    low = steps["low"].output
    assert low, "the sandbox has items below their reorder point"
    orders = [o for o in steps["raise_pos"].output if o is not None]
    assert len(orders) == min(3, len(low))
    assert all(o["status"] == "draft" for o in orders)
    assert datetime.fromisoformat(_create_next(client, account, flow["id"])) > due.astimezone(UTC)


def _create_next(client: TestClient, account: AccountFixture, flow_id: str) -> str:
    return str(client.get(f"/v1/flows/{flow_id}", headers=account.headers).json()["next_run_at"])


def test_a_connection_needing_reauthorization_sends_a_custom_event(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    flow = _create(client, account, REAUTH_NOTICE)
    with container.uow() as uow:
        record_event(
            uow,
            account_id=account.id,
            connection_id=sandbox.id,
            type="connection.auth_required",
            data={"reason": "credentials_rejected", "status": "auth_required"},
        )
        uow.commit()
    (run,) = _runs(client, account, flow["id"])
    assert container.worker.flows.wait(run["id"]) == "succeeded"
    (notice,) = _emitted(container, "flow.reauth_needed")
    assert notice["payload"] == {"connection_id": sandbox.id, "reason": "credentials_rejected"}


def test_the_examples_in_the_docs_are_the_flows_tested_here() -> None:
    import json
    import re
    from pathlib import Path

    text = (Path(__file__).parents[3] / "docs" / "flows.md").read_text()
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)\n```", text, re.S)]
    assert blocks == [LARGE_PO, NIGHTLY_REORDER, REAUTH_NOTICE]
