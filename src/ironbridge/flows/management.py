"""What the management API does with flows, each operation opening its own unit of work.

The functions of `service.py` work inside a unit of work their caller holds (the engine, the
worker's dispatch); these wrap them for the HTTP edge, which parses, authorizes, calls one of
them and renders.
"""

from __future__ import annotations

from typing import Any, Literal

from ..errors import Conflict, NotFound, ValidationFailed
from ..security import CredentialCipher
from ..store import ConnectionRow, UnitOfWorkFactory
from ..store.flows import FlowRow
from . import service
from .engine import FlowEngine
from .service import FlowIn, FlowPatch, FlowView, RunView, VersionView

__all__ = [
    "add_flow",
    "change_flow",
    "flow_page",
    "read_flow",
    "read_run",
    "remove_flow",
    "retry_failed_run",
    "run_page",
    "test_flow",
    "test_step",
    "trigger_inbound",
    "version_list",
]


def flow_page(
    uows: UnitOfWorkFactory,
    cipher: CredentialCipher,
    account_id: str,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[FlowView], str | None]:
    """One page of the account's flows and the next page's cursor."""
    with uows(readonly=True) as uow:
        return service.list_flows(uow, cipher, account_id, cursor=cursor, limit=limit)


def add_flow(
    uows: UnitOfWorkFactory, cipher: CredentialCipher, account_id: str, body: FlowIn
) -> FlowView:
    """A new flow; its inbound trigger secret is in the answer this once."""
    with uows() as uow:
        return service.create_flow(uow, cipher, account_id, body)


def read_flow(
    uows: UnitOfWorkFactory, cipher: CredentialCipher, account_id: str, flow_id: str
) -> FlowView:
    """The account's flow `flow_id`."""
    with uows(readonly=True) as uow:
        return service.get_flow(uow, cipher, account_id, flow_id)


def change_flow(
    uows: UnitOfWorkFactory,
    cipher: CredentialCipher,
    account_id: str,
    flow_id: str,
    body: FlowPatch,
) -> FlowView:
    """The flow after `body`; a change of its definition makes a new version."""
    with uows() as uow:
        return service.update_flow(uow, cipher, account_id, flow_id, body)


def remove_flow(uows: UnitOfWorkFactory, account_id: str, flow_id: str) -> None:
    """Remove a flow; its runs stay readable until their retention ends."""
    with uows() as uow:
        service.delete_flow(uow, account_id, flow_id)


def version_list(uows: UnitOfWorkFactory, account_id: str, flow_id: str) -> list[VersionView]:
    """The flow's versions, newest first."""
    with uows(readonly=True) as uow:
        return service.list_versions(uow, account_id, flow_id)


def run_page(
    uows: UnitOfWorkFactory, account_id: str, flow_id: str, *, cursor: str | None, limit: int
) -> tuple[list[RunView], str | None]:
    """One page of the flow's runs, newest first, and the next page's cursor."""
    with uows(readonly=True) as uow:
        return service.list_runs(uow, account_id, flow_id, cursor=cursor, limit=limit)


def read_run(
    uows: UnitOfWorkFactory, account_id: str, run_id: str, flow_id: str | None = None
) -> RunView:
    """One run with each step's input, output, timing and error (secrets redacted)."""
    with uows(readonly=True) as uow:
        return service.get_run(uow, account_id, run_id, flow_id)


def _flow_row(uows: UnitOfWorkFactory, account_id: str, flow_id: str) -> FlowRow:
    with uows(readonly=True) as uow:
        return service.flow_row(uow, account_id, flow_id)


def _connection_for(
    uows: UnitOfWorkFactory, flow: FlowRow, connection_id: str | None
) -> ConnectionRow | None:
    """The connection a test reads: the one named, or the first live one the flow selects."""
    with uows(readonly=True) as uow:
        if connection_id is not None:
            connection = uow.connections.get(flow.account_id, connection_id)
            if connection is None:
                raise ValidationFailed({"connection_id": "no such connection in this account"})
            return connection
        for candidate in uow.connections.list_all_active():
            if candidate.account_id == flow.account_id and service.selects(
                flow.definition["connections"], candidate
            ):
                return candidate
    return None


def test_flow(
    uows: UnitOfWorkFactory,
    engine: FlowEngine,
    account_id: str,
    flow_id: str,
    *,
    trigger: dict[str, Any] | None,
    connection_id: str | None,
) -> RunView:
    """Run the flow now in test mode (writes are dry runs, emitted events marked test)."""
    flow = _flow_row(uows, account_id, flow_id)
    data = service.sample_trigger(flow, trigger)
    connection = _connection_for(uows, flow, connection_id)
    with uows() as uow:
        run_id = service.new_run(
            uow, flow, connection_id=connection.id if connection else None, trigger=data, test=True
        )
        uow.commit()
    assert run_id is not None, "a test run is always started"
    engine.run_inline(run_id)
    return read_run(uows, account_id, run_id)


def test_step(
    uows: UnitOfWorkFactory,
    engine: FlowEngine,
    account_id: str,
    flow_id: str,
    step_id: str,
    *,
    data: dict[str, Any],
    connection_id: str | None,
) -> dict[str, Any]:
    """One step run on `data`, in test mode: its output and error."""
    flow = _flow_row(uows, account_id, flow_id)
    if step_id not in {step["id"] for step in flow.definition["steps"]}:
        raise NotFound(f"No step {step_id} in this flow.")
    connection = _connection_for(uows, flow, connection_id)
    result: dict[str, Any] = engine.test_step(flow, step_id, data, connection)
    return result


def retry_failed_run(
    uows: UnitOfWorkFactory,
    engine: FlowEngine,
    account_id: str,
    run_id: str,
    *,
    version: Literal["original", "current"],
) -> RunView:
    """A new run from the failed run's failed step, with the original or the current version."""
    with uows() as uow:
        new = service.retry_run(uow, account_id, run_id, version=version)
    engine.submit([new])
    return read_run(uows, account_id, new)


def trigger_inbound(
    uows: UnitOfWorkFactory,
    engine: FlowEngine,
    flow_id: str,
    secret: str | None,
    *,
    data: dict[str, Any],
    connection_id: str | None,
) -> list[str]:
    """Start the flow on each live connection it selects (or the one named); the run ids."""
    with uows(readonly=True) as uow:
        flow = service.verify_trigger_secret(uow, flow_id, secret)
    if flow.trigger_type != "inbound" or not flow.enabled:
        raise Conflict("This flow is not enabled with an inbound trigger.")
    run_ids: list[str] = []
    with uows() as uow:
        for connection in uow.connections.list_all_active():
            if connection.account_id != flow.account_id:
                continue
            if connection_id is not None and connection.id != connection_id:
                continue
            if not service.selects(flow.definition["connections"], connection):
                continue
            run_id = service.new_run(
                uow, flow, connection_id=connection.id, trigger={"type": "inbound", "data": data}
            )
            if run_id:
                run_ids.append(run_id)
        uow.commit()
    engine.submit(run_ids)
    return run_ids
