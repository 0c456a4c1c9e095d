"""Sync status, on-demand runs and history (connection token; history also for admin keys)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query
from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    TypeAdapter,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from ... import sync
from ...errors import ValidationFailed
from ...model import Entity
from ..deps import AdminPrincipal, ConnectionPrincipal, ContainerDep
from ..openapi import error_responses, required_body
from ..params import PageCursor, PageLimit

router = APIRouter(tags=["sync"])


class SyncStatusOut(BaseModel):
    data: list[sync.EntitySyncStatus]


_ENTITY_LIST = TypeAdapter(list[Entity])
_SAY_WHAT = 'required: a non-empty list of entities, or "all"'


def _entities_or_all(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # Validated here rather than as a plain union, so errors name `entities` (and the list
    # item) instead of each member of the union.
    if value == "all":
        return value
    if not isinstance(value, list) or not value:
        raise PydanticCustomError("entities", _SAY_WHAT)
    return _ENTITY_LIST.validate_python(value)


class SyncRequest(BaseModel):
    entities: Annotated[
        Annotated[list[Entity], Field(min_length=1)] | Literal["all"],
        WrapValidator(_entities_or_all),
    ] = Field(
        description=(
            'The entities to sync, or `"all"` for every entity the connection syncs. Required: '
            "an empty request queues nothing."
        )
    )
    full: StrictBool = Field(
        False, description="Re-read everything in the history window and reconcile deletions."
    )


class SyncQueued(BaseModel):
    runs: list[sync.SyncRunView]


class SyncRunList(BaseModel):
    data: list[sync.SyncRunView]
    next_cursor: str | None


@router.get("/v1/sync", response_model=SyncStatusOut, summary="Per entity: freshness and schedule")
def sync_status(principal: ConnectionPrincipal, container: ContainerDep) -> SyncStatusOut:
    assert principal.connection_id is not None
    return SyncStatusOut(
        data=sync.status_of(
            container.uow, container.registry, principal.account_id, principal.connection_id
        )
    )


@router.post(
    "/v1/sync",
    status_code=202,
    response_model=SyncQueued,
    responses=error_responses(409),
    openapi_extra=required_body(),
    summary="Queue sync runs now",
)
def start_sync(
    principal: ConnectionPrincipal,
    container: ContainerDep,
    body: Annotated[SyncRequest | None, Body()] = None,
) -> SyncQueued:
    assert principal.connection_id is not None
    if body is None:
        raise ValidationFailed({"entities": _SAY_WHAT})
    entities = None if body.entities == "all" else body.entities
    sync.check_sync_request(
        container.uow, container.registry, principal.account_id, principal.connection_id, entities
    )
    runs = container.worker.start_sync(
        principal.connection_id, entities, full=body.full, trigger="api"
    )
    return SyncQueued(runs=runs)


@router.get("/v1/sync/runs", response_model=SyncRunList, summary="This connection's sync history")
def sync_runs(
    principal: ConnectionPrincipal,
    container: ContainerDep,
    entity: Annotated[Entity | None, Query(description="Only runs of this entity.")] = None,
    cursor: PageCursor = None,
    limit: PageLimit = 50,
) -> SyncRunList:
    assert principal.connection_id is not None
    data, next_cursor = sync.runs_of(
        container.uow,
        principal.account_id,
        principal.connection_id,
        entity=entity,
        cursor=cursor,
        limit=limit,
    )
    return SyncRunList(data=data, next_cursor=next_cursor)


@router.get(
    "/v1/connections/{connection_id}/sync-runs",
    response_model=SyncRunList,
    tags=["connections"],
    responses=error_responses(
        403, _403="The connection belongs to another account (`PERMISSION_DENIED`)."
    ),
    summary="A connection's sync history",
)
def connection_sync_runs(
    connection_id: Annotated[str, Path(max_length=64, description="Connection id (`conn_…`).")],
    principal: AdminPrincipal,
    container: ContainerDep,
    entity: Annotated[Entity | None, Query(description="Only runs of this entity.")] = None,
    cursor: PageCursor = None,
    limit: PageLimit = 50,
) -> SyncRunList:
    data, next_cursor = sync.runs_of(
        container.uow,
        principal.account_id,
        connection_id,
        entity=entity,
        cursor=cursor,
        limit=limit,
    )
    return SyncRunList(data=data, next_cursor=next_cursor)
