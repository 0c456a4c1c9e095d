"""Unified API: list, read and write records of every entity (connection token).

Routes are generated per entity from the model catalog, so each is documented with its own
record model, write bodies, filters and expandable references. List pages are served as the
stored JSON joined into one body; the OpenAPI document still describes the models.
"""

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field, create_model

from ... import unified
from ...accounts import Principal
from ...bootstrap import Container
from ...connectors import PASSTHROUGH_PATH_PATTERN, PassthroughRequest
from ...model import (
    CREATE_MODELS,
    FILTER_FIELDS,
    MODELS,
    REFERENCE_FIELDS,
    UPDATE_MODELS,
    Entity,
    InventoryAdjustment,
)
from ...security import TokenKind
from ...store import ConnectionRow, UnitOfWork
from ..deps import ConnectionBearer, ConnectionPrincipal, ContainerDep, authorize
from ..idempotent import IdempotencyKey, idempotent_response
from ..openapi import capability, error_responses
from ..params import IsoDatetimeQuery, PageCursor, PageLimit
from ..threads import run_read

__all__ = ["list_page", "router"]

router = APIRouter(prefix="/v1", tags=["unified"])

#: What a write may meet in the source system, beyond what every operation documents.
_WRITE_ERRORS = error_responses(
    404,
    409,
    410,
    502,
    503,
    504,
    _404="A record named in the path or the body does not exist (`NOT_FOUND`).",
)

Include = Annotated[
    str | None,
    Query(pattern="^remote_data$", description="`remote_data` adds the source's raw record."),
]


def _json(body: bytes | str, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json")


async def _read(
    request: Request,
    container: Container,
    bearer: HTTPAuthorizationCredentials | None,
    read: Callable[[UnitOfWork, Principal], bytes],
) -> Response:
    """Authenticate the connection token and `read(uow, principal)` in one unit of work
    and one worker thread (of the reads' own, see `api.threads`): the two are most of a read's
    cost, and a dependency would take a thread and a transaction of its own."""

    def run() -> bytes:
        with container.uow(readonly=True) as uow:
            return read(uow, authorize(uow, request, container, bearer, TokenKind.CONNECTION))

    return _json(await run_read(container.read_threads, run))


async def list_page(
    request: Request,
    container: Container,
    bearer: HTTPAuthorizationCredentials | None,
    entity: Entity,
    params: unified.ListParams,
) -> Response:
    """A list page of `entity` for the connection token in `bearer`: the list route's work,
    also done by `ListFastPath` for the requests it serves without routing."""
    return await _read(
        request,
        container,
        bearer,
        lambda uow, principal: unified.list_records(uow, principal, entity, params),
    )


def _connection(container: Any, principal: Any) -> ConnectionRow:
    from ...connections import load_connection

    with container.uow(readonly=True) as uow:
        return load_connection(uow, principal.account_id, principal.connection_id)


def _write_context(
    container: Any, principal: Any, idempotency_key: str | None = None
) -> unified.WriteContext:
    return unified.WriteContext(
        uow=container.uow,
        registry=container.registry,
        cipher=container.cipher,
        options=container.session_options,
        connection=_connection(container, principal),
        breakers=container.breakers,
        idempotency_key=idempotency_key,
    )


def _idempotent(
    request: Request,
    container: Any,
    principal: Any,
    key: str | None,
    body: Any,
    status: int,
    action: Callable[[], dict[str, Any]],
) -> Response:
    scope = f"conn:{principal.connection_id}"
    return idempotent_response(request, container, scope, key, body, status, action)


def _expand_parameters(entity: Entity) -> list[dict[str, Any]]:
    """`expand`, for entities whose records hold references: its allowed values are the
    entity's reference table, in the description and as a pattern."""
    names = list(REFERENCE_FIELDS[entity])
    if not names:
        return []
    one = "|".join(re.escape(name) for name in names)
    listed = ", ".join(f"`{name}`" for name in names)
    return [
        {
            "name": "expand",
            "in": "query",
            "required": False,
            "description": (
                f"Comma-separated references to embed: {listed}. Each named reference "
                "(`{id, remote_id}`) is replaced by the referenced record as the store holds "
                "it (without `remote_data`); one it does not hold yet stays as it is. "
                "Each name at most once."
            ),
            "schema": {"type": "string", "maxLength": 255, "pattern": f"^({one})(,({one}))*$"},
        }
    ]


def _filter_parameters(entity: Entity) -> list[dict[str, Any]]:
    params = []
    for name, field in FILTER_FIELDS[entity].items():
        schema: dict[str, Any] = {"type": "string", "maxLength": 255}
        if field.choices is not None:
            schema = {"type": "string", "enum": [c.value for c in field.choices]}
        params.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": field.description,
                "schema": schema,
            }
        )
    return params


def _register(entity: Entity) -> None:
    model = MODELS[entity]
    name = model.__name__
    list_model = create_model(
        f"{name}List",
        data=(list[model], ...),  # type: ignore[valid-type]
        next_cursor=(
            str | None,
            Field(description="Pass as `cursor` for the next page; null at the end."),
        ),
    )
    path = f"/{entity.value}"
    label = entity.label
    filters = tuple(FILTER_FIELDS[entity])
    record_id_param = Annotated[str, Path(max_length=64, description=f"The {label} id.")]

    async def list_records(
        request: Request,
        bearer: ConnectionBearer,
        container: ContainerDep,
        limit: PageLimit = 100,
        cursor: PageCursor = None,
        modified_after: IsoDatetimeQuery = None,
        modified_before: IsoDatetimeQuery = None,
        include_deleted: Annotated[
            bool, Query(description="Also list records deleted at the source.")
        ] = False,
        include: Include = None,
    ) -> Response:
        params = unified.ListParams(
            limit=limit,
            cursor=cursor,
            modified_after=_aware(modified_after),
            modified_before=_aware(modified_before),
            include_deleted=include_deleted,
            include_remote_data=include == "remote_data",
            filters={k: v for k, v in request.query_params.items() if k in filters},
            expand=request.query_params.get("expand"),
        )
        return await list_page(request, container, bearer, entity, params)

    async def get_record(
        request: Request,
        record_id: record_id_param,
        bearer: ConnectionBearer,
        container: ContainerDep,
        include: Include = None,
    ) -> Response:
        return await _read(
            request,
            container,
            bearer,
            lambda uow, principal: unified.get_record(
                uow,
                principal,
                entity,
                record_id,
                include_remote_data=include == "remote_data",
                expand=request.query_params.get("expand"),
            ),
        )

    create_body = CREATE_MODELS[entity]
    update_body = UPDATE_MODELS[entity]

    def create_record(
        request: Request,
        principal: ConnectionPrincipal,
        container: ContainerDep,
        body: Annotated[create_body, Body()],  # type: ignore[valid-type]
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        payload = cast(BaseModel, body).model_dump(mode="json", exclude_unset=True)
        ctx = _write_context(container, principal, idempotency_key)
        return _idempotent(
            request,
            container,
            principal,
            idempotency_key,
            payload,
            201,
            lambda: unified.create(ctx, entity, payload),
        )

    def update_record(
        request: Request,
        record_id: record_id_param,
        principal: ConnectionPrincipal,
        container: ContainerDep,
        body: Annotated[update_body, Body()],  # type: ignore[valid-type]
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        payload = cast(BaseModel, body).model_dump(mode="json", exclude_unset=True)
        ctx = _write_context(container, principal, idempotency_key)
        return _idempotent(
            request,
            container,
            principal,
            idempotency_key,
            payload,
            200,
            lambda: unified.update(ctx, entity, record_id, payload),
        )

    def delete_record(
        request: Request,
        record_id: record_id_param,
        principal: ConnectionPrincipal,
        container: ContainerDep,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        ctx = _write_context(container, principal, idempotency_key)
        return _idempotent(
            request,
            container,
            principal,
            idempotency_key,
            None,
            200,
            lambda: unified.delete(ctx, entity, record_id),
        )

    common: dict[str, Any] = {"tags": [f"unified: {entity.value}"]}
    router.add_api_route(
        path,
        list_records,
        methods=["GET"],
        response_model=list_model,
        summary=f"List {label}s",
        openapi_extra={"parameters": _filter_parameters(entity) + _expand_parameters(entity)},
        operation_id=f"list_{entity.event_name}s",
        **common,
    )
    router.add_api_route(
        f"{path}/{{record_id}}",
        get_record,
        methods=["GET"],
        response_model=model,
        summary=f"One {label}",
        openapi_extra={"parameters": _expand_parameters(entity)},
        operation_id=f"get_{entity.event_name}",
        **common,
    )
    router.add_api_route(
        path,
        create_record,
        methods=["POST"],
        response_model=model,
        status_code=201,
        summary=f"Create {entity.a_label} in the source system",
        responses=_WRITE_ERRORS,
        operation_id=f"create_{entity.event_name}",
        openapi_extra=capability(entity.value, "create"),
        **common,
    )
    router.add_api_route(
        f"{path}/{{record_id}}",
        update_record,
        methods=["PATCH"],
        response_model=model,
        summary=f"Change {entity.a_label} in the source system",
        responses=_WRITE_ERRORS,
        operation_id=f"update_{entity.event_name}",
        openapi_extra=capability(entity.value, "update"),
        **common,
    )
    router.add_api_route(
        f"{path}/{{record_id}}",
        delete_record,
        methods=["DELETE"],
        response_model=model,
        summary=f"Delete {entity.a_label} in the source system",
        responses=_WRITE_ERRORS,
        operation_id=f"delete_{entity.event_name}",
        openapi_extra=capability(entity.value, "delete"),
        **common,
    )


def _aware(value: datetime | None) -> datetime | None:
    from datetime import UTC

    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


for _entity in Entity:
    _register(_entity)


@router.post(
    "/inventory-items/{record_id}/adjustments",
    openapi_extra=capability(Entity.INVENTORY_ITEMS.value, "adjust"),
    response_model=MODELS[Entity.INVENTORY_ITEMS],
    responses=_WRITE_ERRORS,
    tags=["unified: inventory-items"],
    summary="Change a stock level at a location (quantity delta or new count, with a reason)",
)
def adjust_inventory(
    request: Request,
    record_id: Annotated[str, Path(max_length=64, description="The inventory item id.")],
    principal: ConnectionPrincipal,
    container: ContainerDep,
    body: Annotated[InventoryAdjustment, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    payload = body.model_dump(mode="json", exclude_unset=True)
    ctx = _write_context(container, principal, idempotency_key)
    return _idempotent(
        request,
        container,
        principal,
        idempotency_key,
        payload,
        200,
        lambda: unified.adjust_inventory(ctx, record_id, payload),
    )


class PassthroughIn(BaseModel):
    method: str = Field(pattern="^(GET|POST|PUT|PATCH|DELETE)$", description="HTTP method.")
    path: str = Field(
        min_length=1,
        max_length=2048,
        pattern=PASSTHROUGH_PATH_PATTERN,
        description=(
            "Path relative to the system's base URL, starting with one `/`; no `..` segment, "
            "no `\\`, no scheme."
        ),
    )
    query: dict[str, str] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None


class PassthroughOut(BaseModel):
    status: int
    headers: dict[str, str]
    body: Any


@router.post(
    "/passthrough",
    openapi_extra=capability("passthrough", "passthrough"),
    response_model=PassthroughOut,
    responses=_WRITE_ERRORS,
    summary="A raw request to the source system through the connector's auth",
)
def passthrough(
    principal: ConnectionPrincipal, container: ContainerDep, body: Annotated[PassthroughIn, Body()]
) -> PassthroughOut:
    ctx = _write_context(container, principal)
    result = unified.passthrough(
        ctx,
        PassthroughRequest(
            method=body.method,
            path=body.path,
            query=body.query,
            headers=body.headers,
            body=body.body,
        ),
    )
    return PassthroughOut(**result)
