"""A run's conditions, maps and emits are worked out by the workflow and committed together:
each step's row shows its own input, and a replay of a run whose rows were committed repeats
no emit."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ironbridge.bootstrap import Container
from ironbridge.flows import interpret, new_run
from ironbridge.flows.engine import InlineRunner, deployment_key
from ironbridge.store.flows import FlowRepository, RunRepository
from ironbridge.store.tables import events

from ...conftest import AccountFixture, ConnectionFixture

STEPS = [
    {"id": "check", "type": "condition", "expression": "trigger.record.total > 100"},
    {"id": "shape", "type": "map", "expression": "{po: trigger.record.id}"},
    {"id": "announce", "type": "emit", "name": "replayed", "data": "steps.shape"},
]


def _emitted(container: Container) -> int:
    with container.uow(readonly=True) as uow:
        count = uow.connection.execute(
            select(func.count()).where(events.c.type == "flow.replayed")
        ).scalar()
    return int(count or 0)


def test_a_replayed_run_takes_its_recorded_steps_and_emits_nothing_again(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    body = {"name": "replay", "trigger": {"type": "manual"}, "connections": {"all": True}}
    created = client.post("/v1/flows", json={**body, "steps": STEPS}, headers=account.headers)
    assert created.status_code == 201, created.text
    with container.uow() as uow:
        flow = FlowRepository(uow.connection, None).get_any(created.json()["id"])
        assert flow is not None
        run_id = new_run(
            uow, flow, connection_id=sandbox.id, trigger={"record": {"id": "po_1", "total": 500}}
        )
        uow.commit()
    assert run_id is not None
    flows = container.worker.flows
    flows.submit([run_id])
    assert flows.wait(run_id) == "succeeded"
    with container.uow(readonly=True) as uow:
        runs = RunRepository(uow.connection, None)
        first = runs.get(run_id)
        rows = {s.step_id: s for s in runs.steps(run_id)}
    assert _emitted(container) == 1
    # Each row holds the data its step saw, not what later steps added.
    assert rows["check"].input["steps"] == {}
    assert rows["shape"].input["steps"] == {"check": {"passed": True}}
    assert rows["announce"].output["data"]["payload"] == {"po": "po_1"}

    # The workflow's body again, as a recovery after the run's last commit would run it.
    assert interpret(deployment_key(container), run_id, InlineRunner()) == "succeeded"
    with container.uow(readonly=True) as uow:
        runs = RunRepository(uow.connection, None)
        again = runs.get(run_id)
        after = {s.step_id: s for s in runs.steps(run_id)}
    assert _emitted(container) == 1
    assert again == first
    assert {k: (r.attempts, r.finished_at) for k, r in after.items()} == {
        k: (r.attempts, r.finished_at) for k, r in rows.items()
    }
