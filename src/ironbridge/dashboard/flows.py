"""Flows: the account's flows, one flow's versions and runs, a run's steps, and the actions an
operator takes on them (enable or disable, test run, retry a failed run), each through the same
management functions as `/v1/flows`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from ..errors import IronbridgeError, ValidationFailed
from ..flows import FlowPatch, management
from .pages import Form, Notice, Operator, OperatorDep, error_notice, in_thread, render, text

__all__ = ["router"]

router = APIRouter()

FlowId = Annotated[str, Path(max_length=64)]
RunId = Annotated[str, Path(max_length=64)]
Cursor = Annotated[str | None, Query(max_length=512)]
_PAGE = 50
_VERSIONS: dict[str, Literal["original", "current"]] = {
    "original": "original",
    "current": "current",
}


@router.get("/flows", response_class=HTMLResponse)
def flows_page(request: Request, operator: OperatorDep, cursor: Cursor = None) -> HTMLResponse:
    container = operator.container
    rows, next_cursor = management.flow_page(
        container.uow, container.cipher, operator.account_id, cursor=cursor, limit=_PAGE
    )
    return render(request, "flows.html", operator, flows=rows, next_cursor=next_cursor)


def _flow_page(
    request: Request,
    operator: Operator,
    flow_id: str,
    *,
    cursor: str | None = None,
    notice: Notice | None = None,
    pushed: bool = False,
) -> HTMLResponse:
    container = operator.container
    flow = management.read_flow(container.uow, container.cipher, operator.account_id, flow_id)
    versions = management.version_list(container.uow, operator.account_id, flow_id)
    runs, next_cursor = management.run_page(
        container.uow, operator.account_id, flow_id, cursor=cursor, limit=_PAGE
    )
    return render(
        request,
        "flow.html",
        operator,
        push_url=f"/flows/{flow_id}" if pushed else None,
        flow=flow,
        versions=versions,
        runs=runs,
        next_cursor=next_cursor,
        notice=notice,
    )


@router.get("/flows/{flow_id}", response_class=HTMLResponse)
def flow_page(
    request: Request, flow_id: FlowId, operator: OperatorDep, cursor: Cursor = None
) -> HTMLResponse:
    return _flow_page(request, operator, flow_id, cursor=cursor)


@router.post("/flows/{flow_id}/enabled", response_class=HTMLResponse)
def set_enabled(
    request: Request, flow_id: FlowId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    """Enable or disable the flow, as `PATCH /v1/flows/{id}` with `enabled` does."""
    wanted = text(form, "enabled")
    try:
        if wanted not in ("true", "false"):
            raise ValidationFailed({"enabled": "true or false"})
        container = operator.container
        view = management.change_flow(
            container.uow,
            container.cipher,
            operator.account_id,
            flow_id,
            FlowPatch(enabled=wanted == "true"),
        )
    except IronbridgeError as exc:
        notice = error_notice(exc)
    else:
        state = "enabled" if view.enabled else "disabled: no new runs start"
        notice = Notice(f"Flow {view.name} {state}.")
    return _flow_page(request, operator, flow_id, notice=notice, pushed=True)


def _run_page(
    request: Request,
    operator: Operator,
    run_id: str,
    *,
    notice: Notice | None = None,
    pushed: bool = False,
) -> HTMLResponse:
    container = operator.container
    run = management.read_run(container.uow, operator.account_id, run_id)
    flow = management.read_flow(container.uow, container.cipher, operator.account_id, run.flow_id)
    return render(
        request,
        "flow_run.html",
        operator,
        push_url=f"/flow-runs/{run_id}" if pushed else None,
        run=run,
        flow=flow,
        notice=notice,
    )


@router.get("/flow-runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: RunId, operator: OperatorDep) -> HTMLResponse:
    return _run_page(request, operator, run_id)


@router.post("/flows/{flow_id}/test", response_class=HTMLResponse)
async def test_run(
    request: Request, flow_id: FlowId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    """Run the flow now on its pinned sample, in test mode (writes are dry runs), and show the
    run, as `POST /v1/flows/{id}/test` does."""
    container = operator.container
    try:
        run = await in_thread(
            management.test_flow,
            container.uow,
            container.flows,
            operator.account_id,
            flow_id,
            trigger=None,
            connection_id=None,
        )
    except IronbridgeError as exc:
        return _flow_page(request, operator, flow_id, notice=error_notice(exc), pushed=True)
    notice = Notice(f"Test run {run.id} {run.status}.", ok=run.status == "succeeded")
    return _run_page(request, operator, run.id, notice=notice, pushed=True)


@router.post("/flow-runs/{run_id}/retry", response_class=HTMLResponse)
def retry(request: Request, run_id: RunId, operator: OperatorDep, form: Form) -> HTMLResponse:
    """A new run from the failed step, with the original or the current version, as
    `POST /v1/flow-runs/{id}/retry` does; the page follows the new run."""
    container = operator.container
    try:
        version = _VERSIONS.get(text(form, "version") or "original")
        if version is None:
            raise ValidationFailed({"version": "original or current"})
        run = management.retry_failed_run(
            container.uow, container.flows, operator.account_id, run_id, version=version
        )
    except IronbridgeError as exc:
        return _run_page(request, operator, run_id, notice=error_notice(exc), pushed=True)
    notice = Notice(f"Retry started as run {run.id} ({version} version), from the failed step.")
    return _run_page(request, operator, run.id, notice=notice, pushed=True)
