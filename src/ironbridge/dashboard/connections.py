"""Connections: the searchable table, one connection's page, and the fixes an operator applies
there (sync now, full resync, schedule and event types, field mappings with a preview, a
reconnect link, disconnect, delete data). Each action calls the service the management API
route calls, with the operator's account, and answers with the connection's page."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import jmespath
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from jmespath.exceptions import JMESPathError
from pydantic import ValidationError
from starlette.datastructures import FormData

from .. import connections as service
from .. import sync, unified
from ..connections import ConnectionPatch, ConnectionStatus, load_connection
from ..errors import (
    ConnectionReauthRequired,
    IronbridgeError,
    ValidationFailed,
)
from ..events import list_events
from ..eventtypes import EVENT_TYPES
from ..health import ConnectionSearch, connection_details, list_errors, search_connections
from ..model import Entity, field_errors
from .pages import Form, Notice, Operator, OperatorDep, error_notice, render, text

__all__ = ["router"]

router = APIRouter(prefix="/connections")

ConnectionId = Annotated[str, Path(max_length=64)]
#: Event types shown in a connection's history of statuses.
_STATUS_EVENTS = [
    "connection.created",
    "connection.status_changed",
    "connection.auth_required",
    "connection.disconnected",
]
#: Reconnect links an operator sends to a customer: how long they may stay open.
_LINK_LIFETIMES = {"1800": "30 minutes", "86400": "1 day", "604800": "7 days"}
#: Blank rows offered in the field-mapping editor for new mappings.
_BLANK_MAPPINGS = 2


@router.get("", response_class=HTMLResponse)
def connection_table(
    request: Request,
    operator: OperatorDep,
    status: Annotated[str | None, Query(max_length=32)] = None,
    system: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=255)] = None,
    sort: Annotated[str | None, Query(max_length=16)] = None,
    order: Annotated[str | None, Query(max_length=4)] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> HTMLResponse:
    search = ConnectionSearch(
        status=status or None,
        system=system or None,
        text=q or None,
        sort=sort or "created",
        descending=order == "desc",
    )
    notice = None
    try:
        with operator.container.uow(readonly=True) as uow:
            rows, next_cursor = search_connections(uow, operator.account_id, search, cursor=cursor)
    except IronbridgeError as exc:
        rows, next_cursor, notice = [], None, error_notice(exc)
    return render(
        request,
        "connections.html",
        operator,
        rows=rows,
        next_cursor=next_cursor,
        search=search,
        filter_query=_filter_query(search),
        sort_links=_sort_links(search),
        statuses=[s.value for s in ConnectionStatus],
        systems=sorted(c.spec.id for c in operator.container.registry),
        entities=list(Entity),
        breakers=operator.container.breakers,
        notice=notice,
    )


#: The table's sortable columns: sort order name → column heading.
_SORTABLE = {"customer": "End customer", "system": "System", "status": "Status"}


def _filter_query(search: ConnectionSearch, **extra: str) -> str:
    """The query string of the table's filters and order, plus `extra`."""
    values = {"q": search.text, "status": search.status, "system": search.system}
    if search.sort != "created":
        values["sort"] = search.sort
    if search.descending:
        values["order"] = "desc"
    return urlencode({name: value for name, value in {**values, **extra}.items() if value})


def _sort_links(search: ConnectionSearch) -> dict[str, dict[str, str | None]]:
    """Per sortable column: its heading, `aria-sort` state, and the address that sorts by it
    (ascending, or descending when it is already the ascending order)."""
    links: dict[str, dict[str, str | None]] = {}
    for name, label in _SORTABLE.items():
        current = search.sort == name
        state = ("descending" if search.descending else "ascending") if current else None
        flip = "desc" if current and not search.descending else ""
        query = _filter_query(
            ConnectionSearch(status=search.status, system=search.system, text=search.text),
            sort=name,
            order=flip,
        )
        links[name] = {"label": label, "state": state, "query": query}
    return links


def _detail_page(
    request: Request,
    operator: Operator,
    connection_id: str,
    *,
    notice: Notice | None = None,
    mapping_entity: str | None = None,
    mapping_rows: list[tuple[str, str]] | None = None,
    mapping_errors: dict[str, str] | None = None,
    preview: list[unified.MappingPreview] | None = None,
    status: int = 200,
    pushed: bool = False,
) -> HTMLResponse:
    container = operator.container
    with container.uow(readonly=True) as uow:
        row = load_connection(uow, operator.account_id, connection_id)
        detail = connection_details(uow, [row])[0]
        states = sync.sync_status(uow, row, container.registry, unavailable=True)
        runs, _ = sync.list_runs(uow, connection_id, limit=20)
        history, _ = list_events(
            uow, operator.account_id, types=_STATUS_EVENTS, connection_id=connection_id, limit=50
        )
    errors, _ = list_errors(container.uow, operator.account_id, connection_id, limit=20)
    mappings = detail.settings.field_mappings
    entity = (
        _entity(mapping_entity)
        or next(iter(mappings), None)
        or (states[0].entity if states else Entity.PURCHASE_ORDERS)
    )
    if mapping_rows is None:
        mapping_rows = list(mappings.get(entity, {}).items())
    return render(
        request,
        "connection.html",
        operator,
        status=status,
        push_url=f"/connections/{connection_id}" if pushed else None,
        connection=detail,
        states=states,
        runs=runs,
        errors=errors,
        history=history,
        breaker=container.breakers.state(connection_id),
        event_types=EVENT_TYPES,
        entities=list(Entity),
        mapping_entity=entity,
        mapping_rows=[*mapping_rows, *[("", "")] * _BLANK_MAPPINGS],
        mapping_errors=mapping_errors or {},
        preview=preview,
        link_lifetimes=_LINK_LIFETIMES,
        notice=notice,
    )


def _entity(value: str | None) -> Entity | None:
    try:
        return Entity(value) if value else None
    except ValueError:
        return None


@router.get("/{connection_id}", response_class=HTMLResponse)
def connection_page(
    request: Request,
    connection_id: ConnectionId,
    operator: OperatorDep,
    entity: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    return _detail_page(request, operator, connection_id, mapping_entity=entity)


def _outcome(
    request: Request, operator: Operator, connection_id: str, notice: Notice, **page: Any
) -> HTMLResponse:
    status = 200 if notice.ok else 400
    return _detail_page(
        request, operator, connection_id, notice=notice, status=status, pushed=True, **page
    )


@router.post("/{connection_id}/sync", response_class=HTMLResponse)
def sync_now(
    request: Request, connection_id: ConnectionId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    """Queue a run of one entity, or of all (`entity=all`); `full=1` re-reads everything."""
    chosen = text(form, "entity")
    full = text(form, "full") == "1"
    try:
        entities = None if chosen == "all" else [_required_entity(chosen)]
        with operator.container.uow(readonly=True) as uow:
            connection = load_connection(uow, operator.account_id, connection_id)
            sync.check_entities(connection, operator.container.registry, entities)
        if connection.status == ConnectionStatus.AUTH_REQUIRED.value:
            raise ConnectionReauthRequired()
        runs = operator.container.worker.start_sync(
            connection_id, entities, full=full, trigger="dashboard"
        )
    except IronbridgeError as exc:
        return _outcome(request, operator, connection_id, error_notice(exc))
    what = "Full resync" if full else "Sync"
    names = ", ".join(run.entity.value for run in runs) or "nothing"
    return _outcome(request, operator, connection_id, Notice(f"{what} queued: {names}."))


def _required_entity(value: str) -> Entity:
    entity = _entity(value)
    if entity is None:
        raise ValidationFailed({"entity": "choose an entity"})
    return entity


@router.post("/{connection_id}/settings", response_class=HTMLResponse)
def change_settings(
    request: Request, connection_id: ConnectionId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    """The sync schedule and the event types the connection emits."""
    chosen = [value for value in form.getlist("event_types") if isinstance(value, str)]
    try:
        patch = _patch(sync_schedule=text(form, "sync_schedule"), enabled_event_types=chosen)
        with operator.container.uow() as uow:
            service.update_connection(uow, operator.account_id, connection_id, patch)
    except IronbridgeError as exc:
        return _outcome(request, operator, connection_id, error_notice(exc))
    return _outcome(request, operator, connection_id, Notice("Settings saved."))


def _patch(**values: Any) -> ConnectionPatch:
    try:
        return ConnectionPatch.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from exc


def _mapping_rows(form: FormData) -> list[tuple[str, str]]:
    targets = [v for v in form.getlist("target") if isinstance(v, str)]
    expressions = [v for v in form.getlist("expression") if isinstance(v, str)]
    return [
        (target.strip(), expression.strip())
        for target, expression in zip(targets, expressions, strict=False)
        if target.strip() or expression.strip()
    ]


@router.post("/{connection_id}/mappings", response_class=HTMLResponse)
def field_mappings(
    request: Request, connection_id: ConnectionId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    """Preview (`action=preview`) or save the field mappings of one entity."""
    container = operator.container
    rows = _mapping_rows(form)
    entity = _entity(text(form, "entity"))
    page: dict[str, Any] = {"mapping_entity": entity, "mapping_rows": rows}
    try:
        if entity is None:
            raise ValidationFailed({"entity": "choose an entity"})
        half_done = [t or e for t, e in rows if not (t and e)]
        if half_done:
            raise ValidationFailed(
                {name: "give both a field and an expression" for name in half_done}
            )
        proposed = dict(rows)
        _expressions_compile(proposed)
        _patch(field_mappings={entity.value: proposed})  # the rules the API applies
        if text(form, "action") == "preview":
            with container.uow(readonly=True) as uow:
                connection = load_connection(uow, operator.account_id, connection_id)
                previews = unified.preview_mappings(
                    uow, container.registry.get(connection.system), connection_id, entity, proposed
                )
            message = (
                f"Preview of {len(previews)} stored record(s); nothing is saved yet."
                if previews
                else "No stored records of this entity to preview yet."
            )
            return _outcome(
                request, operator, connection_id, Notice(message), preview=previews, **page
            )
        _, changed = unified.change_entity_mappings(
            operator.container.uow,
            operator.container.registry,
            operator.account_id,
            connection_id,
            entity,
            proposed,
        )
    except IronbridgeError as exc:
        errors = {
            _mapping_field(entity, name): str(why)
            for name, why in (exc.details.get("fields") or {}).items()
        }
        return _outcome(
            request, operator, connection_id, error_notice(exc), mapping_errors=errors, **page
        )
    page["mapping_rows"] = None
    return _outcome(
        request,
        operator,
        connection_id,
        Notice(f"Field mappings saved; {changed} stored record(s) re-projected."),
        **page,
    )


def _expressions_compile(proposed: dict[str, str]) -> None:
    """Name the row of each expression that does not parse, so the editor marks it."""
    problems = {}
    for target, expression in proposed.items():
        try:
            jmespath.compile(expression)
        except JMESPathError as exc:
            problems[target] = f"not a valid JMESPath expression: {exc}"
    if problems:
        raise ValidationFailed(problems, "Some expressions do not parse.")


def _mapping_field(entity: Entity | None, name: str) -> str:
    """The mapped field an error names (`field_mappings.<entity>.<field>` → `<field>`)."""
    prefix = f"field_mappings.{entity.value}." if entity else "field_mappings."
    return name[len(prefix) :] if name.startswith(prefix) else name


@router.post("/{connection_id}/reconnect-link", response_class=HTMLResponse)
def reconnect_link(
    request: Request, connection_id: ConnectionId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    """A connect link that reconnects this connection, to send to its end customer."""
    container = operator.container
    lifetime = text(form, "expires_in")
    try:
        if lifetime not in _LINK_LIFETIMES:
            raise ValidationFailed({"expires_in": "choose how long the link stays open"})
        with container.uow() as uow:
            connection = load_connection(uow, operator.account_id, connection_id)
            issued, url = service.create_link_token(
                uow,
                operator.account_id,
                registry=container.registry,
                base_url=container.settings.base_url,
                end_customer_id=connection.end_customer_id,
                end_customer_name=connection.end_customer_name,
                connection_id=connection_id,
                expires_in=int(lifetime),
            )
    except IronbridgeError as exc:
        return _outcome(request, operator, connection_id, error_notice(exc))
    notice = Notice(
        f"Reconnect link created; it works once, until {issued.expires_at:%Y-%m-%d %H:%M} UTC. "
        "Send it to the customer.",
        value=url,
    )
    return _outcome(request, operator, connection_id, notice)


def _confirmed(form: FormData) -> None:
    if text(form, "confirm") != "yes":
        raise ValidationFailed({"confirm": "tick the box to confirm"})


@router.post("/{connection_id}/disconnect", response_class=HTMLResponse)
def disconnect(
    request: Request, connection_id: ConnectionId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    try:
        _confirmed(form)
        with operator.container.uow() as uow:
            service.disconnect(uow, operator.account_id, connection_id)
        operator.container.worker.stop_push(connection_id)
    except IronbridgeError as exc:
        return _outcome(request, operator, connection_id, error_notice(exc))
    notice = Notice("Disconnected: its token is revoked and schedules stopped; data is kept.")
    return _outcome(request, operator, connection_id, notice)


@router.post("/{connection_id}/delete-data", response_class=HTMLResponse)
def delete_data(
    request: Request, connection_id: ConnectionId, operator: OperatorDep, form: Form
) -> HTMLResponse:
    try:
        _confirmed(form)
        deleted = service.delete_connection_data(
            operator.container.uow, operator.account_id, connection_id
        )
    except IronbridgeError as exc:
        return _outcome(request, operator, connection_id, error_notice(exc))
    notice = Notice(f"Deleted {deleted} synced record(s) and the sync history.")
    return _outcome(request, operator, connection_id, notice)
