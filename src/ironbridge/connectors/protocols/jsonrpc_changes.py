"""Reading a model's records by change time over JSON-RPC, dependents included.

A `ModelResource` declares one entity as a JSON-RPC system holds it: the model, the fields to
read, a domain, a context, and its `dependents`: rows of other models whose changes change a
record without touching its own row (a purchase line written on its own, a party's address, a
product's template). `changes` pages the model's change field with a keyset domain
(`jsonrpc.keyset_pages`) and re-emits a record at a dependent's later change time, merged into
the same (change time, id) order; `latest` reads one record, dated at the latest of its own and
its dependents' change times. The dialect (`jsonrpc_models.ModelDialect`) names the change
field and the tracking fields every read asks for, and its wire reads dotted paths.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ironbridge.connectors.base import RawRecord
from ironbridge.connectors.protocols.jsonrpc import Domain, Order, change_time, keyset_pages
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient
from ironbridge.model import Entity

__all__ = [
    "Dependent",
    "Enrich",
    "ModelResource",
    "by_entity",
    "changes",
    "latest",
    "read_computed",
    "read_fields",
]


@dataclass(frozen=True, slots=True)
class Dependent:
    """Rows of another model whose changes change a record without touching its own row.

    `parent` is the path, in a row of `model`, to the record's id (`purchase` for a purchase
    line, `id` when `model` is the resource's own model read through a relation); `change` is
    the path to that row's change time (the dialect's change field when None, or a path such
    as `template.last_modified_at`).
    """

    model: str
    parent: str
    change: str | None = None


@dataclass(frozen=True)
class ModelResource:
    """One entity as a JSON-RPC system holds it.

    `domain` (clauses `(field, operator, value)`, ANDed) restricts the model to the records
    the entity covers; `context` is added to the session's context for every read (Tryton's
    `active_test: False` includes deactivated records, so they read as inactive instead of
    vanishing). `module` names the optional module that brings `model`; None for models every
    connection needs. `computed` fields are added to rows by `read_computed`.
    """

    entity: Entity
    model: str
    fields: tuple[str, ...]
    domain: tuple[Any, ...] = ()
    context: Mapping[str, Any] = field(default_factory=dict)
    dependents: tuple[Dependent, ...] = ()
    module: str | None = None
    #: Fields the source computes on request, at a cost, and `computed_cache` the stored field
    #: that holds the same once filled: read only for rows whose cache is empty.
    computed: tuple[str, ...] = ()
    computed_cache: str | None = None


def by_entity(*resources: ModelResource) -> dict[Entity, ModelResource]:
    """A system's `resources` keyed by the entity each holds, in the order given."""
    return {resource.entity: resource for resource in resources}


#: Adds what one read cannot give to rows of a resource, in place.
Enrich = Callable[[ModelResource, list[dict[str, Any]]], None]
#: (change time, id, the row when already read).
_Item = tuple[datetime, int, dict[str, Any] | None]


def read_fields(client: ModelClient, resource: ModelResource) -> list[str]:
    """The fields every read of `resource` asks for: the tracking ones, then its own."""
    tracking = (*client.dialect.tracking_fields, client.dialect.change_field)
    return list(dict.fromkeys((*tracking, *resource.fields)))


def read_computed(client: ModelClient, resource: ModelResource, rows: list[dict[str, Any]]) -> None:
    """Add the resource's `computed` fields to `rows` (in place) whose cache is empty."""
    cache = resource.computed_cache
    pending = [int(row["id"]) for row in rows if cache is not None and row.get(cache) is None]
    if not resource.computed or not pending:
        return
    by_id = {
        int(item["id"]): item for item in client.read(resource.model, pending, resource.computed)
    }
    for row in rows:
        if (computed := by_id.get(int(row["id"]))) is not None:
            row.update({name: computed.get(name) for name in resource.computed})


def resource_domain(client: ModelClient, resource: ModelResource) -> Domain:
    """The resource's own filter as a domain of the client's dialect."""
    wire = client.dialect.wire
    return wire.all_of(*(wire.condition(*clause) for clause in resource.domain))


def changes(
    client: ModelClient,
    resource: ModelResource,
    since: datetime | None,
    page_size: int,
    enrich: Enrich,
) -> Iterator[list[RawRecord]]:
    """Pages of the resource's records changed at or after `since`; see the module docstring."""
    wire, change = client.dialect.wire, client.dialect.change_field
    extra = _dependent_changes(client, resource, since) if since is not None else {}

    def query(where: Domain, order: Order, limit: int) -> list[dict[str, Any]]:
        return client.search_read(
            resource.model,
            where,
            read_fields(client, resource),
            order=order,
            limit=limit,
            extra=resource.context,
        )

    main = (
        (change_time(wire, row[change]), int(row["id"]), row)
        for rows in keyset_pages(
            query,
            wire,
            change_field=change,
            since=since,
            page_size=page_size,
            domain=resource_domain(client, resource),
            granularity=client.dialect.change_granularity,
        )
        for row in rows
        if int(row["id"]) not in extra
    )
    later: Iterator[_Item] = (
        (at, record_id, None)
        for record_id, at in sorted(extra.items(), key=lambda item: (item[1], item[0]))
    )
    page: list[_Item] = []
    for item in heapq.merge(main, later, key=lambda item: (item[0], item[1])):
        page.append(item)
        if len(page) == page_size:
            yield _page(client, resource, page, enrich)
            page = []
    if page:
        yield _page(client, resource, page, enrich)


def latest(
    client: ModelClient, resource: ModelResource, record_id: int, enrich: Enrich
) -> RawRecord | None:
    """The record as it is now, changed at the latest of its own and its dependents' times;
    None when there is none (or it is outside the resource's domain)."""
    wire, paths = client.dialect.wire, client.dialect.paths
    rows = _rows(client, resource, [record_id])
    if not rows:
        return None
    row = rows[0]
    modified = change_time(wire, row[client.dialect.change_field])
    for dependent in resource.dependents:
        change = dependent.change or client.dialect.change_field
        order: Order | None = None
        if dependent.parent != "id":
            order = ((change, "DESC"), ("id", "DESC"))
        found = client.search_read(
            dependent.model,
            wire.condition(dependent.parent, "=", record_id),
            [change],
            order=order,
            limit=1,
            extra=client.dialect.all_records,
        )
        if found and paths.get(found[0], change) is not None:
            modified = max(modified, change_time(wire, paths.get(found[0], change)))
    read_computed(client, resource, [row])
    enrich(resource, [row])
    return RawRecord(str(record_id), modified, row)


def _rows(client: ModelClient, resource: ModelResource, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The resource's rows for `ids` (those still matching its domain), in any order."""
    wire = client.dialect.wire
    where = wire.all_of(resource_domain(client, resource), wire.condition("id", "in", list(ids)))
    fields = read_fields(client, resource)
    return client.search_read(resource.model, where, fields, extra=resource.context)


def _dependent_changes(
    client: ModelClient, resource: ModelResource, since: datetime
) -> dict[int, datetime]:
    """Record id → the latest change time of its dependents at or after `since`, where that
    is later than the record's own change time."""
    wire, paths = client.dialect.wire, client.dialect.paths
    change_field = client.dialect.change_field
    found: dict[int, datetime] = {}
    for dependent in resource.dependents:
        change = dependent.change or change_field
        rows = client.search_read(
            dependent.model,
            wire.changed_since(change, since),
            ["id", dependent.parent, change],
            extra=client.dialect.all_records,
        )
        for row in rows:
            parent, at = paths.get(row, dependent.parent), paths.get(row, change)
            if parent is None or at is None:
                continue
            when, key = change_time(wire, at), int(parent)
            if key not in found or when > found[key]:
                found[key] = when
    if not found:
        return {}
    own = client.search_read(
        resource.model,
        wire.all_of(resource_domain(client, resource), wire.condition("id", "in", sorted(found))),
        ["id", change_field],
        extra=resource.context,
    )
    return {
        int(row["id"]): found[int(row["id"])]
        for row in own
        if found[int(row["id"])] > change_time(wire, row[change_field])
    }


def _page(
    client: ModelClient, resource: ModelResource, items: list[_Item], enrich: Enrich
) -> list[RawRecord]:
    missing = [record_id for _, record_id, row in items if row is None]
    fetched = {int(row["id"]): row for row in _rows(client, resource, missing)} if missing else {}
    rows: list[tuple[datetime, int, dict[str, Any]]] = []
    for at, record_id, row in items:
        found = row if row is not None else fetched.get(record_id)
        if found is not None:  # a record deleted meanwhile is left to the next full sync
            rows.append((at, record_id, found))
    read_computed(client, resource, [row for _, _, row in rows])
    enrich(resource, [row for _, _, row in rows])
    return [RawRecord(str(record_id), at, row) for at, record_id, row in rows]
