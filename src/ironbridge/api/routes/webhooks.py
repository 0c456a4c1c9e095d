"""Management API: webhook endpoints and the delivery log."""

from __future__ import annotations

from typing import Annotated, ClassVar

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from ... import webhooks
from ...errors import ValidationFailed
from ...model import InputModel
from ...webhooks import management
from ...webhooks.deliveries import (
    AttemptView,
    DeliveryView,
    retry_failed,
    retry_now,
    send_test_event,
)
from ..deps import AdminPrincipal, ContainerDep
from ..params import IsoDatetime, IsoDatetimeQuery, PageCursor, PageLimit

router = APIRouter(tags=["webhooks"])
EndpointId = Annotated[str, Path(max_length=64, description="Endpoint id (`we_…`).")]
DeliveryId = Annotated[str, Path(max_length=64, description="Delivery id (`dlv_…`).")]


class EndpointList(BaseModel):
    data: list[webhooks.EndpointView]


@router.get(
    "/v1/webhook-endpoints", response_model=EndpointList, summary="The account's webhook endpoints"
)
def list_endpoints(principal: AdminPrincipal, container: ContainerDep) -> EndpointList:
    return EndpointList(data=management.list_endpoints(container.uow, principal.account_id))


@router.post(
    "/v1/webhook-endpoints",
    status_code=201,
    response_model=webhooks.EndpointView,
    summary="Add an endpoint; its signing secret is returned this once",
)
def create_endpoint(
    principal: AdminPrincipal, container: ContainerDep, body: Annotated[webhooks.EndpointIn, Body()]
) -> webhooks.EndpointView:
    return management.create_endpoint(
        container.uow,
        container.cipher,
        principal.account_id,
        body,
        allow_private=container.settings.allow_private_urls,
    )


@router.get(
    "/v1/webhook-endpoints/{endpoint_id}",
    response_model=webhooks.EndpointView,
    summary="One endpoint",
)
def get_endpoint(
    endpoint_id: EndpointId, principal: AdminPrincipal, container: ContainerDep
) -> webhooks.EndpointView:
    return management.get_endpoint(container.uow, principal.account_id, endpoint_id)


@router.patch(
    "/v1/webhook-endpoints/{endpoint_id}",
    response_model=webhooks.EndpointView,
    summary="Change URL, event types, connection filter or enabled",
)
def update_endpoint(
    endpoint_id: EndpointId,
    principal: AdminPrincipal,
    container: ContainerDep,
    body: Annotated[webhooks.EndpointPatch, Body()],
) -> webhooks.EndpointView:
    return management.update_endpoint(
        container.uow,
        principal.account_id,
        endpoint_id,
        body,
        allow_private=container.settings.allow_private_urls,
    )


@router.delete("/v1/webhook-endpoints/{endpoint_id}", status_code=204, summary="Remove an endpoint")
def delete_endpoint(
    endpoint_id: EndpointId, principal: AdminPrincipal, container: ContainerDep
) -> Response:
    management.delete_endpoint(container.uow, principal.account_id, endpoint_id)
    return Response(status_code=204)


@router.post(
    "/v1/webhook-endpoints/{endpoint_id}/rotate-secret",
    response_model=webhooks.EndpointView,
    summary="A new secret, returned once; the old one keeps signing beside it for 24 h",
)
def rotate_secret(
    endpoint_id: EndpointId, principal: AdminPrincipal, container: ContainerDep
) -> webhooks.EndpointView:
    return management.rotate_secret(
        container.uow, container.cipher, principal.account_id, endpoint_id
    )


class TestResult(BaseModel):
    delivery_id: str
    event_id: str
    status: str = Field(description="`succeeded`, or `pending` when it will be retried.")
    attempt: AttemptView | None


@router.post(
    "/v1/webhook-endpoints/{endpoint_id}/test",
    response_model=TestResult,
    summary="Send a signed `webhook.test` event now and return the attempt",
)
def test_endpoint(
    endpoint_id: EndpointId, principal: AdminPrincipal, container: ContainerDep
) -> TestResult:
    view = send_test_event(container.worker.delivery_context, principal.account_id, endpoint_id)
    attempt = view.attempt_log[-1] if view.attempt_log else None
    return TestResult(
        delivery_id=view.id, event_id=view.event_id, status=view.status, attempt=attempt
    )


class DeliveryList(BaseModel):
    data: list[DeliveryView]
    next_cursor: str | None


@router.get("/v1/deliveries", response_model=DeliveryList, summary="The delivery log, oldest first")
def deliveries(
    principal: AdminPrincipal,
    container: ContainerDep,
    status: Annotated[
        str | None,
        Query(
            pattern="^(pending|succeeded|failed)$", description="Only deliveries in this status."
        ),
    ] = None,
    endpoint_id: Annotated[
        str | None, Query(max_length=64, description="Only deliveries to this endpoint.")
    ] = None,
    event_type: Annotated[
        str | None, Query(max_length=80, description="Only deliveries of this event type.")
    ] = None,
    created_after: IsoDatetimeQuery = None,
    created_before: IsoDatetimeQuery = None,
    cursor: PageCursor = None,
    limit: PageLimit = 100,
) -> DeliveryList:
    data, next_cursor = management.list_deliveries(
        container.uow,
        principal.account_id,
        status=status,
        endpoint_id=endpoint_id,
        event_type=event_type,
        created_after=created_after,
        created_before=created_before,
        cursor=cursor,
        limit=limit,
    )
    return DeliveryList(data=data, next_cursor=next_cursor)


@router.get(
    "/v1/deliveries/{delivery_id}",
    response_model=DeliveryView,
    summary="One delivery with every attempt",
)
def delivery(
    delivery_id: DeliveryId,
    principal: AdminPrincipal,
    container: ContainerDep,
) -> DeliveryView:
    return management.get_delivery(container.uow, principal.account_id, delivery_id)


@router.post(
    "/v1/deliveries/{delivery_id}/retry",
    status_code=202,
    response_model=DeliveryView,
    summary="Retry one delivery now (a new attempt, a new 24 h window)",
)
def retry_delivery(
    delivery_id: DeliveryId,
    principal: AdminPrincipal,
    container: ContainerDep,
) -> DeliveryView:
    return retry_now(container.uow, principal.account_id, delivery_id)


class BulkRetry(InputModel):
    """Which failed deliveries to retry: give `endpoint_id`, `since`, or both."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})
    non_nullable: ClassVar[frozenset[str]] = frozenset({"endpoint_id", "since"})

    endpoint_id: str | None = Field(
        None, max_length=64, description="Only this endpoint's deliveries."
    )
    since: IsoDatetime = Field(None, description="Only deliveries created at or after this time.")


class BulkRetried(BaseModel):
    retried: int
    delivery_ids: list[str]


@router.post(
    "/v1/deliveries/retry",
    status_code=202,
    response_model=BulkRetried,
    summary="Retry failed deliveries in bulk (of one endpoint, since a time)",
)
def retry_deliveries(
    principal: AdminPrincipal, container: ContainerDep, body: Annotated[BulkRetry, Body()]
) -> BulkRetried:
    if body.endpoint_id is None and body.since is None:
        raise ValidationFailed({"endpoint_id": "give endpoint_id, since, or both"})
    ids = retry_failed(
        container.uow, principal.account_id, endpoint_id=body.endpoint_id, since=body.since
    )
    return BulkRetried(retried=len(ids), delivery_ids=ids)
