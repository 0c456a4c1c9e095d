"""Management API: flows, their versions, tests and runs; the inbound trigger."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from ... import flows
from ...flows import management
from ..deps import AdminPrincipal, ContainerDep
from ..openapi import error_responses
from ..params import PageCursor, PageLimit

router = APIRouter(tags=["flows"])
FlowId = Annotated[str, Path(max_length=64, description="Flow id (`flow_…`).")]
RunId = Annotated[str, Path(max_length=64, description="Run id (`frun_…`).")]
StepId = Annotated[str, Path(max_length=40, description="The step's id in the flow.")]


class FlowList(BaseModel):
    data: list[flows.FlowView]
    next_cursor: str | None


class VersionList(BaseModel):
    data: list[flows.VersionView]


class RunList(BaseModel):
    data: list[flows.RunView]
    next_cursor: str | None


class TestRequest(BaseModel):
    """Trigger data for the test (the flow's pinned `sample` when absent) and the connection
    it reads (the first live one the flow selects when absent)."""

    model_config = ConfigDict(extra="forbid")
    trigger: dict[str, Any] | None = None
    connection_id: str | None = Field(default=None, max_length=64)


class StepTestRequest(BaseModel):
    """The data the step sees: `trigger`, `steps` (earlier outputs), `item` in a for-each."""

    model_config = ConfigDict(extra="forbid")
    input: dict[str, Any]
    connection_id: str | None = Field(default=None, max_length=64)


class StepTestResult(BaseModel):
    output: Any
    error: dict[str, Any] | None


class RetryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Literal["original", "current"] = "original"


class InboundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: dict[str, Any] = Field(default_factory=dict, description="Becomes `trigger.data`.")
    connection_id: str | None = Field(
        default=None, max_length=64, description="Run on this connection only."
    )


class Triggered(BaseModel):
    run_ids: list[str]


@router.get("/v1/flow-schema", summary="The JSON Schema of a flow definition")
def flow_schema(principal: AdminPrincipal) -> dict[str, Any]:
    return flows.flow_json_schema()


@router.get("/v1/flows", response_model=FlowList, summary="The account's flows")
def list_flows(
    principal: AdminPrincipal,
    container: ContainerDep,
    limit: PageLimit = 100,
    cursor: PageCursor = None,
) -> FlowList:
    data, next_cursor = management.flow_page(
        container.uow, container.cipher, principal.account_id, cursor=cursor, limit=limit
    )
    return FlowList(data=data, next_cursor=next_cursor)


@router.post(
    "/v1/flows",
    status_code=201,
    response_model=flows.FlowView,
    summary="Add a flow; its inbound trigger secret is returned this once",
)
def create_flow(
    principal: AdminPrincipal, container: ContainerDep, body: Annotated[flows.FlowIn, Body()]
) -> flows.FlowView:
    return management.add_flow(container.uow, container.cipher, principal.account_id, body)


@router.get(
    "/v1/flows/{flow_id}",
    response_model=flows.FlowView,
    responses=error_responses(403),
    summary="One flow",
)
def get_flow(flow_id: FlowId, principal: AdminPrincipal, container: ContainerDep) -> flows.FlowView:
    return management.read_flow(container.uow, container.cipher, principal.account_id, flow_id)


@router.patch(
    "/v1/flows/{flow_id}",
    response_model=flows.FlowView,
    responses=error_responses(403),
    summary="Change a flow; a change of its definition makes a new version",
)
def update_flow(
    flow_id: FlowId,
    principal: AdminPrincipal,
    container: ContainerDep,
    body: Annotated[flows.FlowPatch, Body()],
) -> flows.FlowView:
    return management.change_flow(
        container.uow, container.cipher, principal.account_id, flow_id, body
    )


@router.delete(
    "/v1/flows/{flow_id}",
    status_code=204,
    responses=error_responses(403),
    summary="Remove a flow (its runs stay readable until their retention ends)",
)
def delete_flow(flow_id: FlowId, principal: AdminPrincipal, container: ContainerDep) -> Response:
    management.remove_flow(container.uow, principal.account_id, flow_id)
    return Response(status_code=204)


@router.get(
    "/v1/flows/{flow_id}/versions",
    response_model=VersionList,
    responses=error_responses(403),
    summary="The flow's versions, newest first",
)
def list_versions(
    flow_id: FlowId, principal: AdminPrincipal, container: ContainerDep
) -> VersionList:
    return VersionList(data=management.version_list(container.uow, principal.account_id, flow_id))


@router.post(
    "/v1/flows/{flow_id}/test",
    response_model=flows.RunView,
    responses=error_responses(403),
    summary="Run the flow now in test mode: writes are dry runs, emitted events are marked test",
)
def test_flow(
    flow_id: FlowId,
    principal: AdminPrincipal,
    container: ContainerDep,
    body: Annotated[TestRequest | None, Body()] = None,
) -> flows.RunView:
    body = body or TestRequest()
    return management.test_flow(
        container.uow,
        container.flows,
        principal.account_id,
        flow_id,
        trigger=body.trigger,
        connection_id=body.connection_id,
    )


@router.post(
    "/v1/flows/{flow_id}/steps/{step_id}/test",
    response_model=StepTestResult,
    responses=error_responses(403),
    summary="Run one step on the given input, in test mode",
)
def test_step(
    flow_id: FlowId,
    step_id: StepId,
    principal: AdminPrincipal,
    container: ContainerDep,
    body: Annotated[StepTestRequest, Body()],
) -> StepTestResult:
    result = management.test_step(
        container.uow,
        container.flows,
        principal.account_id,
        flow_id,
        step_id,
        data={"trigger": {}, "steps": {}, **body.input},
        connection_id=body.connection_id,
    )
    return StepTestResult(**result)


@router.get(
    "/v1/flows/{flow_id}/runs",
    response_model=RunList,
    responses=error_responses(403),
    summary="The flow's runs, newest first",
)
def list_runs(
    flow_id: FlowId,
    principal: AdminPrincipal,
    container: ContainerDep,
    limit: PageLimit = 100,
    cursor: PageCursor = None,
) -> RunList:
    data, next_cursor = management.run_page(
        container.uow, principal.account_id, flow_id, cursor=cursor, limit=limit
    )
    return RunList(data=data, next_cursor=next_cursor)


@router.get(
    "/v1/flows/{flow_id}/runs/{run_id}",
    response_model=flows.RunView,
    responses=error_responses(403),
    summary="One run with each step's input, output, timing and error (secrets redacted)",
)
def get_run(
    flow_id: FlowId, run_id: RunId, principal: AdminPrincipal, container: ContainerDep
) -> flows.RunView:
    return management.read_run(container.uow, principal.account_id, run_id, flow_id)


@router.post(
    "/v1/flow-runs/{run_id}/retry",
    status_code=202,
    response_model=flows.RunView,
    responses=error_responses(403, 409, _409="The run has not failed (`CONFLICT`)."),
    summary="Retry a failed run from its failed step, with the original or the current version",
)
def retry_run(
    run_id: RunId,
    principal: AdminPrincipal,
    container: ContainerDep,
    body: Annotated[RetryRequest | None, Body()] = None,
) -> flows.RunView:
    body = body or RetryRequest()
    return management.retry_failed_run(
        container.uow, container.flows, principal.account_id, run_id, version=body.version
    )


@router.post(
    "/v1/flows/{flow_id}/trigger",
    status_code=202,
    response_model=Triggered,
    responses=error_responses(401, 409, _409="The flow has no inbound trigger or is disabled."),
    summary="Inbound trigger: starts the flow, authenticated by the flow's own secret",
)
def trigger_flow(
    flow_id: FlowId,
    container: ContainerDep,
    x_flow_secret: Annotated[
        str | None, Header(max_length=200, description="The flow's trigger secret.")
    ] = None,
    body: Annotated[InboundRequest | None, Body()] = None,
) -> Triggered:
    body = body or InboundRequest()
    run_ids = management.trigger_inbound(
        container.uow,
        container.flows,
        flow_id,
        x_flow_secret,
        data=body.data,
        connection_id=body.connection_id,
    )
    return Triggered(run_ids=run_ids)
