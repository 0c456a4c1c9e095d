"""Management API: connections of the calling account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import BaseModel, Field

from ... import connections as service
from ... import unified
from ...connections import (
    ConnectionCreate,
    ConnectionPatch,
    ConnectionStatus,
    ConnectionView,
    management,
)
from ...health import ConnectionDetail, connection_detail, list_connection_details
from ..deps import AdminPrincipal, ContainerDep
from ..idempotent import IdempotencyKey, idempotent_response
from ..openapi import error_responses
from ..params import PageCursor, PageLimit

router = APIRouter(prefix="/v1/connections", tags=["connections"])

ConnectionId = Annotated[str, Path(max_length=64, description="Connection id (`conn_…`).")]


#: A connection named in the path may belong to another account.
_OWNED = error_responses(
    403, _403="The connection belongs to another account (`PERMISSION_DENIED`)."
)


class ConnectionList(BaseModel):
    data: list[ConnectionDetail]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class ConnectionCreated(ConnectionView):
    token: str = Field(description="The connection token (`ib_conn_…`). Shown only this once.")


class DataDeleted(BaseModel):
    deleted_records: int = Field(description="How many synced records were deleted.")


@router.get("", response_model=ConnectionList, summary="List the account's connections")
def list_connections(
    principal: AdminPrincipal,
    container: ContainerDep,
    status: Annotated[
        ConnectionStatus | None, Query(description="Only connections in this status.")
    ] = None,
    system: Annotated[
        str | None,
        Query(max_length=64, description="Only connections to this system (connector id)."),
    ] = None,
    end_customer_id: Annotated[
        str | None,
        Query(max_length=255, description="Only connections of this end customer (your id)."),
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = 100,
) -> ConnectionList:
    details, next_cursor = list_connection_details(
        container.uow,
        principal.account_id,
        status=status,
        system=system,
        end_customer_id=end_customer_id,
        cursor=cursor,
        limit=limit,
    )
    return ConnectionList(data=details, next_cursor=next_cursor)


@router.post(
    "",
    status_code=201,
    response_model=ConnectionCreated,
    summary="Connect a system server-side (runs the staged connection check)",
    responses=error_responses(
        409,
        _409=(
            "`IDEMPOTENCY_KEY_REUSED` (the key came with another body), or `CONFLICT` while a "
            "request with this key is still being processed."
        ),
    ),
    description=(
        "With `Idempotency-Key`, a repeat within 24 h answers as the first request did, the "
        "connection token included, so a client that lost the answer still gets its token; "
        "the answer is kept encrypted for those 24 h. Keys are per account."
    ),
)
def create_connection(
    request: Request,
    principal: AdminPrincipal,
    container: ContainerDep,
    body: Annotated[ConnectionCreate, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    def connect() -> dict[str, object]:
        view, issued = management.connect(
            container.uow,
            container.cipher,
            container.registry,
            principal.account_id,
            body,
            options=container.session_options,
        )
        container.worker.start_sync(view.id, trigger="initial")
        return ConnectionCreated(**view.model_dump(), token=issued.token).model_dump(mode="json")

    return idempotent_response(
        request,
        container,
        f"acct:{principal.account_id}",
        idempotency_key,
        body.model_dump(mode="json"),
        201,
        connect,
        holds_secrets=True,
    )


@router.get(
    "/{connection_id}",
    response_model=ConnectionDetail,
    responses=_OWNED,
    summary="One connection",
)
def get_connection(
    connection_id: ConnectionId, principal: AdminPrincipal, container: ContainerDep
) -> ConnectionDetail:
    return connection_detail(container.uow, principal.account_id, connection_id)


@router.patch(
    "/{connection_id}",
    response_model=ConnectionView,
    responses=_OWNED,
    summary="Change sync schedule, entities, mappings, event types or metadata",
)
def update_connection(
    connection_id: ConnectionId,
    principal: AdminPrincipal,
    container: ContainerDep,
    body: Annotated[ConnectionPatch, Body()],
) -> ConnectionView:
    return unified.change_connection(
        container.uow, container.registry, principal.account_id, connection_id, body
    )


@router.post(
    "/{connection_id}/disconnect",
    response_model=ConnectionView,
    responses=_OWNED,
    summary="Revoke the connection's token now, stop its schedules, keep its data",
)
def disconnect_connection(
    connection_id: ConnectionId, principal: AdminPrincipal, container: ContainerDep
) -> ConnectionView:
    view = management.disconnect(container.uow, principal.account_id, connection_id)
    # Its source stops pushing: the subscriptions are removed there too.
    container.worker.stop_push(connection_id)
    return view


@router.delete(
    "/{connection_id}/data",
    response_model=DataDeleted,
    responses={
        **_OWNED,
        **error_responses(
            409,
            _409=(
                "The connection is not disconnected, or a sync that started before the "
                "disconnect is still finishing (`CONFLICT`, with `Retry-After`)."
            ),
        ),
    },
    summary="Delete the synced history of a disconnected connection",
    description=(
        "Deletes the connection's synced records, sync states and runs, and error log; the "
        "connection and its events are kept. 409 `CONFLICT` unless the connection is "
        "disconnected."
    ),
)
def delete_connection_data(
    connection_id: ConnectionId, principal: AdminPrincipal, container: ContainerDep
) -> DataDeleted:
    deleted = service.delete_connection_data(container.uow, principal.account_id, connection_id)
    return DataDeleted(deleted_records=deleted)
