"""Webhooks: endpoints (create, edit, enable or disable, rotate the secret, send a test event)
and the delivery log with its filters, one delivery's attempts, and manual retries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from .. import webhooks
from ..errors import IronbridgeError, ValidationFailed
from ..eventtypes import EVENT_TYPES
from ..model import field_errors
from ..webhooks.deliveries import (
    DeliveryView,
    get_delivery,
    list_deliveries,
    reset_for_retry,
    send_test_event,
)
from .pages import Form, Notice, Operator, OperatorDep, error_notice, render, text

__all__ = ["router"]

router = APIRouter()

EndpointId = Annotated[str, Path(max_length=64)]
DeliveryId = Annotated[str, Path(max_length=64)]
_STATUSES = ("pending", "succeeded", "failed")
#: Most failed deliveries one "retry all" queues; the rest stay for the next press.
_BULK_LIMIT = 1000


class _Filters(BaseModel):
    status: str | None = None
    endpoint_id: str | None = None
    event_type: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    def query(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(mode="json").items() if v}


def _filters(values: dict[str, str | None]) -> _Filters:
    cleaned = {name: value.strip() for name, value in values.items() if value and value.strip()}
    if cleaned.get("status") not in (None, *_STATUSES):
        raise ValidationFailed({"status": f"one of {', '.join(_STATUSES)}"})
    try:
        return _Filters.model_validate(cleaned)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from exc


def _page(
    request: Request,
    operator: Operator,
    filters: _Filters,
    *,
    cursor: str | None = None,
    notice: Notice | None = None,
    status: int = 200,
    pushed: bool = False,
) -> HTMLResponse:
    with operator.container.uow(readonly=True) as uow:
        endpoints = webhooks.list_endpoints(uow, operator.account_id)
        rows, next_cursor = list_deliveries(
            uow,
            operator.account_id,
            status=filters.status,
            endpoint_id=filters.endpoint_id,
            event_type=filters.event_type,
            created_after=filters.created_after,
            created_before=filters.created_before,
            cursor=cursor,
            limit=50,
        )
    query = filters.query()
    return render(
        request,
        "webhooks.html",
        operator,
        status=status,
        push_url="/webhooks" if pushed else None,
        endpoints=endpoints,
        deliveries=rows,
        next_cursor=next_cursor,
        filters=filters,
        filter_query=query,
        statuses=_STATUSES,
        event_types=EVENT_TYPES,
        notice=notice,
    )


@router.get("/webhooks", response_class=HTMLResponse)
def webhooks_page(
    request: Request,
    operator: OperatorDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    endpoint_id: Annotated[str | None, Query(max_length=64)] = None,
    event_type: Annotated[str | None, Query(max_length=80)] = None,
    created_after: Annotated[str | None, Query(max_length=40)] = None,
    created_before: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> HTMLResponse:
    values = {
        "status": status,
        "endpoint_id": endpoint_id,
        "event_type": event_type,
        "created_after": created_after,
        "created_before": created_before,
    }
    try:
        filters = _filters(values)
        return _page(request, operator, filters, cursor=cursor)
    except IronbridgeError as exc:
        return _page(request, operator, _Filters(), notice=error_notice(exc), status=400)


def _outcome(request: Request, operator: Operator, notice: Notice, form: FormData) -> HTMLResponse:
    """The webhooks page after an action, keeping the filters the form carried along."""
    try:
        filters = _filters({name: text(form, name) for name in _Filters.model_fields})
    except IronbridgeError:
        filters = _Filters()
    return _page(
        request, operator, filters, notice=notice, status=200 if notice.ok else 400, pushed=True
    )


def _model(model: type[BaseModel], values: dict[str, Any]) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from exc


@router.post("/webhooks/endpoints", response_class=HTMLResponse)
def create_endpoint(request: Request, operator: OperatorDep, form: Form) -> HTMLResponse:
    types = [v for v in form.getlist("event_types") if isinstance(v, str)]
    container = operator.container
    try:
        body = _model(
            webhooks.EndpointIn,
            {
                "url": text(form, "url"),
                "description": text(form, "description") or None,
                "event_types": types or None,
            },
        )
        with container.uow() as uow:
            view = webhooks.create_endpoint(
                uow,
                container.cipher,
                operator.account_id,
                body,
                allow_private=container.settings.allow_private_urls,
            )
    except IronbridgeError as exc:
        return _outcome(request, operator, error_notice(exc), form)
    notice = Notice(
        f"Endpoint {view.id} added. Its signing secret is shown only this once:", value=view.secret
    )
    return _outcome(request, operator, notice, form)


@router.post("/webhooks/endpoints/{endpoint_id}", response_class=HTMLResponse)
def update_endpoint(
    request: Request, endpoint_id: EndpointId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    """Change the URL and description, or (with `enabled`) switch the endpoint on or off."""
    values: dict[str, Any] = {}
    if "url" in form:
        values["url"] = text(form, "url")
        values["description"] = text(form, "description") or None
    if "enabled" in form:
        values["enabled"] = text(form, "enabled") == "true"
    container = operator.container
    try:
        body = _model(webhooks.EndpointPatch, values)
        with container.uow() as uow:
            view = webhooks.update_endpoint(
                uow,
                operator.account_id,
                endpoint_id,
                body,
                allow_private=container.settings.allow_private_urls,
            )
    except IronbridgeError as exc:
        return _outcome(request, operator, error_notice(exc), form)
    state = "enabled" if view.enabled else "disabled"
    return _outcome(request, operator, Notice(f"Endpoint {view.id} saved ({state})."), form)


@router.post("/webhooks/endpoints/{endpoint_id}/rotate-secret", response_class=HTMLResponse)
def rotate_secret(
    request: Request, endpoint_id: EndpointId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    container = operator.container
    try:
        with container.uow() as uow:
            view = webhooks.rotate_secret(uow, container.cipher, operator.account_id, endpoint_id)
    except IronbridgeError as exc:
        return _outcome(request, operator, error_notice(exc), form)
    notice = Notice(
        f"New secret for {view.id}, shown only this once; the old one keeps signing beside it "
        "for 24 hours:",
        value=view.secret,
    )
    return _outcome(request, operator, notice, form)


@router.post("/webhooks/endpoints/{endpoint_id}/test", response_class=HTMLResponse)
def send_test(
    request: Request, endpoint_id: EndpointId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    container = operator.container
    try:
        view = send_test_event(container.worker.delivery_context, operator.account_id, endpoint_id)
    except IronbridgeError as exc:
        return _outcome(request, operator, error_notice(exc), form)
    return _outcome(request, operator, _attempt_notice("Test event", view), form)


def _attempt_notice(what: str, view: DeliveryView) -> Notice:
    attempt = view.attempt_log[-1] if view.attempt_log else None
    if attempt is None:
        return Notice(f"{what} queued; a worker is sending it (status: {view.status}).")
    answer = (
        f"HTTP {attempt.status_code}" if attempt.status_code is not None else attempt.error or "-"
    )
    ok = attempt.status_code is not None and 200 <= attempt.status_code < 300
    outcome = "succeeded" if ok else "failed"
    return Notice(
        f"{what} {outcome}: {answer} in {attempt.latency_ms} ms (delivery {view.id}).", ok=ok
    )


@router.get("/deliveries/{delivery_id}", response_class=HTMLResponse)
def delivery_page(request: Request, delivery_id: DeliveryId, operator: OperatorDep) -> HTMLResponse:
    return _delivery_page(request, operator, delivery_id)


def _delivery_page(
    request: Request,
    operator: Operator,
    delivery_id: str,
    notice: Notice | None = None,
    pushed: bool = False,
) -> HTMLResponse:
    with operator.container.uow(readonly=True) as uow:
        view = get_delivery(uow, operator.account_id, delivery_id)
        endpoint = webhooks.get_endpoint(uow, operator.account_id, view.endpoint_id)
    return render(
        request,
        "delivery.html",
        operator,
        push_url=f"/deliveries/{delivery_id}" if pushed else None,
        delivery=view,
        endpoint=endpoint,
        notice=notice,
    )


@router.post("/deliveries/{delivery_id}/retry", response_class=HTMLResponse)
def retry_one(
    request: Request, delivery_id: DeliveryId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    """Retry now: the delivery is made due as `POST /v1/deliveries/{id}/retry` does, then sent
    in this request so the operator sees the attempt's outcome (a worker woken by the same
    commit may send it first; the claim lets only one of them)."""
    container = operator.container
    with container.uow() as uow:
        reset_for_retry(uow, operator.account_id, delivery_id)
        uow.commit()
    webhooks.claim_and_deliver(container.worker.delivery_context, delivery_id, manual=True)
    with container.uow(readonly=True) as uow:
        view = get_delivery(uow, operator.account_id, delivery_id)
    notice = _attempt_notice("Retry", view)
    if text(form, "back") == "webhooks":
        return _outcome(request, operator, notice, form)
    return _delivery_page(request, operator, delivery_id, notice, pushed=True)


@router.post("/deliveries/retry", response_class=HTMLResponse)
def retry_failed(request: Request, operator: OperatorDep, form: Form) -> HTMLResponse:
    """Queue a retry of every failed delivery the page's filters select."""
    try:
        filters = _filters({name: text(form, name) for name in _Filters.model_fields})
        with operator.container.uow() as uow:
            failed, _ = list_deliveries(
                uow,
                operator.account_id,
                status="failed",
                endpoint_id=filters.endpoint_id,
                event_type=filters.event_type,
                created_after=filters.created_after,
                created_before=filters.created_before,
                cursor=None,
                limit=_BULK_LIMIT,
            )
            for delivery in failed:
                reset_for_retry(uow, operator.account_id, delivery.id)
            uow.commit()
    except IronbridgeError as exc:
        return _outcome(request, operator, error_notice(exc), form)
    notice = Notice(f"{len(failed)} failed deliveries queued for retry.")
    return _outcome(request, operator, notice, form)
