"""Events for polling (admin key), a connection's error log, and inbound change notices."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, Field

from ... import health
from ...connections import management
from ...errors import PermissionDenied, ValidationFailed
from ...eventtypes import EVENT_TYPE_LIST_PATTERN, is_event_type
from ...model import Entity
from ...store.pagination import CURSOR_PATTERN
from ...sync import SyncRunView, check_sync_request
from ..deps import AdminPrincipal, ConnectionPrincipal, ContainerDep
from ..openapi import error_responses
from ..params import PageCursor, PageLimit

router = APIRouter()


class Event(BaseModel):
    id: str = Field(description="Event id (`evt_…`); the `webhook-id` of its deliveries.")
    type: str
    created_at: datetime
    connection_id: str | None
    sequence: int = Field(description="Increases per connection: order by it, drop stale updates.")
    data: dict[str, Any]


class EventList(BaseModel):
    data: list[Event]
    next_cursor: str | None = Field(
        description=(
            "Pass as `cursor` (or its alias `after`) to continue; also returned when the page "
            "is empty."
        )
    )


@router.get(
    "/v1/events",
    response_model=EventList,
    tags=["events"],
    responses=error_responses(403, 404),
    summary="Events in order, for polling (retained 30 days)",
)
def events(
    principal: AdminPrincipal,
    container: ContainerDep,
    cursor: PageCursor = None,
    after: Annotated[
        str | None,
        Query(
            max_length=512,
            pattern=CURSOR_PATTERN,
            description="Alias of `cursor`, for pollers written against it; not both.",
        ),
    ] = None,
    types: Annotated[
        str | None,
        Query(
            max_length=2000,
            # Checked below, to name the unknown types rather than quote the pattern.
            json_schema_extra={"pattern": EVENT_TYPE_LIST_PATTERN},
            description="Only events of these types: event type names separated by commas.",
        ),
    ] = None,
    connection_id: Annotated[
        str | None, Query(max_length=64, description="Only events of this connection.")
    ] = None,
    limit: PageLimit = 100,
) -> EventList:
    if cursor is not None and after is not None:
        both = "give the cursor as `cursor` or as `after`, not both"
        raise ValidationFailed({"cursor": both, "after": both})
    chosen = types.split(",") if types is not None else None
    if chosen is not None:
        unknown = [t for t in chosen if not is_event_type(t)]
        if unknown:
            raise ValidationFailed({"types": f"unknown event types: {', '.join(unknown)}"})
    data, next_cursor = management.list_events(
        container.uow,
        principal.account_id,
        cursor=cursor if after is None else after,
        cursor_param="cursor" if after is None else "after",
        types=chosen,
        connection_id=connection_id,
        limit=limit,
    )
    return EventList.model_validate({"data": data, "next_cursor": next_cursor})


class ErrorEntry(BaseModel):
    id: str
    occurred_at: datetime
    operation: str = Field(description="`sync`, `read`, `write`, `check` or `passthrough`.")
    entity: str | None
    remote_id: str | None = Field(description="The source record concerned, when there is one.")
    code: str
    message: str
    request_id: str | None
    run_id: str | None


class ErrorList(BaseModel):
    data: list[ErrorEntry]
    next_cursor: str | None


@router.get(
    "/v1/connections/{connection_id}/errors",
    response_model=ErrorList,
    tags=["connections"],
    responses=error_responses(
        403, _403="The connection belongs to another account (`PERMISSION_DENIED`)."
    ),
    summary="The connection's own error log, newest first",
)
def connection_errors(
    connection_id: Annotated[str, Path(max_length=64, description="Connection id (`conn_…`).")],
    principal: AdminPrincipal,
    container: ContainerDep,
    cursor: PageCursor = None,
    limit: PageLimit = 100,
) -> ErrorList:
    rows, next_cursor = health.list_errors(
        container.uow, principal.account_id, connection_id, cursor=cursor, limit=limit
    )
    return ErrorList(
        data=[ErrorEntry.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=next_cursor,
    )


class ChangeNotice(BaseModel):
    entity: Entity = Field(description="Which entity changed at the source.")
    remote_ids: list[Annotated[str, Field(max_length=255)]] = Field(
        default_factory=list, max_length=1000, description="The changed records, if known."
    )


class InboundAccepted(BaseModel):
    runs: list[SyncRunView]


#: Change notices arriving within this many seconds are answered by one sync run.
DEBOUNCE_SECONDS = 5


@router.post(
    "/v1/inbound/{connection_id}",
    status_code=202,
    response_model=InboundAccepted,
    tags=["sync"],
    responses=error_responses(
        403, 409, _403="The token belongs to another connection (`PERMISSION_DENIED`)."
    ),
    summary="A change notice pushed by the source system: starts a debounced incremental sync",
)
def inbound(
    connection_id: Annotated[str, Path(max_length=64, description="Connection id (`conn_…`).")],
    principal: ConnectionPrincipal,
    container: ContainerDep,
    body: Annotated[ChangeNotice, Body()],
) -> InboundAccepted:
    if principal.connection_id != connection_id:
        raise PermissionDenied("This token belongs to another connection.")
    check_sync_request(
        container.uow, container.registry, principal.account_id, connection_id, [body.entity]
    )
    runs = container.worker.start_sync(
        connection_id, [body.entity], trigger="inbound", delay=DEBOUNCE_SECONDS
    )
    return InboundAccepted(runs=runs)
