"""Which events start flow runs, and what a run's trigger carries, on each database."""

from __future__ import annotations

from typing import Any

from ironbridge.bootstrap import Container
from ironbridge.connections import ConnectionCreate, connect
from ironbridge.flows import FlowIn, create_flow, dispatch_events
from ironbridge.ids import new_id
from ironbridge.store import utcnow
from ironbridge.store.events import EventRepository
from ironbridge.store.flows import RunRepository

from ...conftest import new_account

ORDER = {"id": "po_1", "remote_id": "1", "status": "approved", "total": "12000.00"}


def test_a_record_event_a_flow_listens_to_starts_a_run_with_the_record(
    any_container: Container,
) -> None:
    account = new_account(any_container)
    with any_container.uow() as uow:
        view, _ = connect(
            uow,
            any_container.cipher,
            any_container.registry,
            account.id,
            ConnectionCreate(system="sandbox", end_customer_id="c", end_customer_name="C"),
            options=any_container.session_options,
        )
        flow = create_flow(
            uow,
            any_container.cipher,
            account.id,
            FlowIn.model_validate(
                {
                    "name": "Approved orders",
                    "trigger": {"type": "record_event", "events": ["purchase_order.updated"]},
                    "connections": {"all": True},
                    "steps": [{"id": "check", "type": "condition", "expression": "true"}],
                }
            ),
        )
    events: list[dict[str, Any]] = [
        {"type": "purchase_order.updated", "data": ORDER},
        {"type": "vendor.created", "data": {"id": "vnd_1", "remote_id": "V1"}},
        {"type": "purchase_order.created", "data": ORDER},
    ]
    rows = [
        {
            "id": new_id("evt"),
            "connection_id": view.id,
            "sequence": n,
            "created_at": utcnow(),
            **event,
        }
        for n, event in enumerate(events, 1)
    ]
    with any_container.uow() as uow:
        # Written without announcing them, so only the dispatch below starts runs.
        EventRepository(uow.connection, account.id).insert(rows)
        uow.commit()
    with any_container.uow() as uow:
        started = dispatch_events(uow, [row["id"] for row in rows])
        runs = RunRepository(uow.connection, account.id)
        stored = [runs.get(run_id) for run_id in started]
        uow.commit()
    assert len(started) == 1
    (run,) = stored
    assert run is not None and run.flow_id == flow.id and run.connection_id == view.id
    assert run.trigger_key == rows[0]["id"]
    assert run.trigger == {
        "type": "event",
        "event_id": rows[0]["id"],
        "event_type": "purchase_order.updated",
        "connection_id": view.id,
        "record": ORDER,
    }
