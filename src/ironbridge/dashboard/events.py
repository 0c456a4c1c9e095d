"""The events explorer: `GET /v1/events` with the same filters, each event's JSON on hand."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..connections import load_connection
from ..errors import IronbridgeError, NotFound, PermissionDenied, ValidationFailed
from ..events import list_events
from ..eventtypes import EVENT_TYPES, is_event_type
from .pages import Notice, OperatorDep, error_notice, render

__all__ = ["router"]

router = APIRouter()


@router.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request,
    operator: OperatorDep,
    types: Annotated[str | None, Query(max_length=2000)] = None,
    connection_id: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> HTMLResponse:
    chosen = [t.strip() for t in (types or "").split(",") if t.strip()] or None
    connection_id = (connection_id or "").strip() or None
    notice, next_cursor = None, None
    rows: list[dict[str, Any]] = []
    try:
        unknown = [t for t in chosen or () if not is_event_type(t)]
        if unknown:
            raise ValidationFailed({"types": f"unknown event types: {', '.join(unknown)}"})
        with operator.container.uow(readonly=True) as uow:
            if connection_id:
                load_connection(uow, operator.account_id, connection_id)
            rows, next_cursor = list_events(
                uow,
                operator.account_id,
                cursor=cursor,
                types=chosen,
                connection_id=connection_id,
                limit=50,
            )
    except (PermissionDenied, NotFound):
        # As for every page: another account's connection is not found, as a missing one is.
        notice = Notice("There is no such connection in this account.", ok=False)
    except IronbridgeError as exc:
        notice = error_notice(exc)
    return render(
        request,
        "events.html",
        operator,
        status=400 if notice else 200,
        events=rows,
        # A full page may continue; a short one is the end for now (the cursor stays valid
        # for polling later, as the API's does).
        next_cursor=next_cursor if len(rows) == 50 else None,
        types=",".join(chosen or ()),
        connection_id=connection_id or "",
        event_types=EVENT_TYPES,
        notice=notice,
    )
