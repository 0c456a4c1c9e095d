"""Change notifications pushed by source systems (Business Central's webhooks).

The source calls this without a bearer token: it validates the URL with a handshake (answered
with the token it sent) and authenticates each notification by the client state ironbridge
gave it when subscribing. An accepted notification starts the same debounced incremental sync
as `POST /v1/inbound/{connection_id}`, and is answered 202 at once. A notification that
arrives late for a connection that cannot sync now is still answered 202: the source drops a
subscription whose receiver answers anything but 408, 429 or 5xx.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from ...errors import IronbridgeError, PermissionDenied, RateLimitExceeded
from ...logs import get_logger
from ...sync import accept_notification, handshake_answer
from ..deps import ContainerDep, failure_budget_key
from ..openapi import error_responses
from .events import DEBOUNCE_SECONDS, InboundAccepted

router = APIRouter()

_log = get_logger("ironbridge.push")


@router.post(
    "/v1/push/{connection_id}",
    status_code=202,
    response_model=InboundAccepted,
    tags=["sync"],
    responses={
        200: {
            "description": "The source's validation handshake, answered with its token.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **error_responses(
            403,
            429,
            _403="A notice's subscription or `clientState` is not the connection's "
            "(`PERMISSION_DENIED`); nothing was done.",
        ),
    },
    summary="Change notifications a source pushes: start a debounced incremental sync",
    # Integrators' clients (the SDK) leave it out: only source systems call it.
    openapi_extra={"x-ironbridge-caller": "source"},
    description=(
        "Called by the source system (Business Central), not by integrators: no bearer "
        "token, each notice carries the subscription's `clientState` instead. With "
        "`validationToken` it is the source's handshake and answers the token as plain text."
    ),
)
async def push(
    connection_id: Annotated[str, Path(max_length=64, description="Connection id (`conn_…`).")],
    request: Request,
    container: ContainerDep,
    validation_token: Annotated[
        str | None,
        Query(
            alias="validationToken",
            max_length=1024,
            description="Sent by the source when it validates this URL.",
        ),
    ] = None,
) -> Response:
    if validation_token is not None:
        answer = await run_in_threadpool(
            handshake_answer,
            container.uow,
            container.registry,
            connection_id,
            dict(request.query_params),
        )
        return PlainTextResponse(answer or "", status_code=200)
    # Refused client states count against the address's failed-authentication budget, as
    # refused tokens do: guessing one gains nothing.
    limiter, per_minute = container.limiter, container.settings.auth_failure_limit_per_minute
    key = failure_budget_key(request)
    budget = limiter.peek(key, per_minute)
    if not budget.allowed:
        raise RateLimitExceeded(
            f"Too many refused notifications from this address; retry after "
            f"{budget.reset_after} s.",
            retry_after=budget.reset_after,
            details={"failed_authentications_per_minute": per_minute},
        )
    body = await request.body()
    try:
        entities = await run_in_threadpool(
            accept_notification, container.uow, container.registry, connection_id, body
        )
    except PermissionDenied:
        limiter.hit(key, per_minute)
        raise
    try:
        runs = await run_in_threadpool(
            container.worker.start_sync,
            connection_id,
            entities,
            trigger="push",
            delay=DEBOUNCE_SECONDS,
        )
    except IronbridgeError as exc:
        # Late for a connection that cannot sync now: polling catches up once it can.
        _log.info("push_not_synced", connection_id=connection_id, code=exc.code)
        runs = []
    accepted = InboundAccepted(runs=runs)
    return Response(accepted.model_dump_json(), status_code=202, media_type="application/json")
