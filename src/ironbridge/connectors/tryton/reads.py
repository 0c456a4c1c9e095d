"""Reading Tryton records: changes in (modified_at, id) order with their dependents, and one record.

The main stream pages a resource's `last_modified_at` with a keyset domain
(`protocols.jsonrpc.keyset_pages`). Changes that do not touch a record's own row (a purchase
line written on its own, a party's address, a work's cycles; `Resource.dependents`) re-emit the
record at the dependent's change time, merged into the same order; `get` reports the later of
the record's and its dependents' change times in the same way.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from ironbridge.connectors.base import RawRecord
from ironbridge.connectors.protocols.jsonrpc import TRYTON, Domain, Order, keyset_pages
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient
from ironbridge.connectors.protocols.jsonrpc_wire import TRYTON_WIRE
from ironbridge.connectors.tryton.resources import CHANGE_FIELD, Resource

__all__ = ["Enrich", "changes", "domain", "latest"]

#: Adds what one read cannot give to rows of a resource, in place (`enrichment.Enrichment`).
Enrich = Callable[[Resource, list[dict[str, Any]]], None]
#: (change time, Tryton id, the row when already read).
_Item = tuple[datetime, int, dict[str, Any] | None]


def domain(resource: Resource) -> Domain:
    """The resource's own filter as a Tryton domain."""
    return TRYTON.all_of(*(TRYTON.condition(*clause) for clause in resource.domain))


def changes(
    client: ModelClient, resource: Resource, since: datetime | None, page_size: int, enrich: Enrich
) -> Iterator[list[RawRecord]]:
    """Pages of the resource's records changed at or after `since`; see the module docstring."""
    extra = _dependent_changes(client, resource, since) if since is not None else {}

    def query(where: Domain, order: Order, limit: int) -> list[dict[str, Any]]:
        return client.search_read(
            resource.model,
            where,
            resource.read_fields,
            order=order,
            limit=limit,
            extra=resource.context,
        )

    main = (
        (TRYTON.decode(row[CHANGE_FIELD]), int(row["id"]), row)
        for rows in keyset_pages(
            query,
            TRYTON,
            change_field=CHANGE_FIELD,
            since=since,
            page_size=page_size,
            domain=domain(resource),
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
    client: ModelClient, resource: Resource, record_id: int, enrich: Enrich
) -> RawRecord | None:
    """The record as it is now, changed at the latest of its own and its dependents' times."""
    rows = _rows(client, resource, [record_id])
    if not rows:
        return None
    row = rows[0]
    modified = TRYTON.decode(row[CHANGE_FIELD])
    for dependent in resource.dependents:
        order: Order | None = None
        if dependent.parent != "id":
            order = ((dependent.change, "DESC"), ("id", "DESC"))
        found = client.search_read(
            dependent.model,
            TRYTON.condition(dependent.parent, "=", record_id),
            [dependent.change],
            order=order,
            limit=1,
            extra={"active_test": False},
        )
        if found and TRYTON_WIRE.get(found[0], dependent.change) is not None:
            modified = max(modified, TRYTON.decode(TRYTON_WIRE.get(found[0], dependent.change)))
    enrich(resource, [row])
    return RawRecord(str(record_id), modified, row)


def _rows(client: ModelClient, resource: Resource, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The resource's rows for `ids` (those still matching its domain), in any order."""
    where = TRYTON.all_of(domain(resource), TRYTON.condition("id", "in", list(ids)))
    return client.search_read(resource.model, where, resource.read_fields, extra=resource.context)


def _dependent_changes(
    client: ModelClient, resource: Resource, since: datetime
) -> dict[int, datetime]:
    """Record id → the latest change time of its dependents at or after `since`, where that
    is later than the record's own change time."""
    found: dict[int, datetime] = {}
    for dependent in resource.dependents:
        rows = client.search_read(
            dependent.model,
            TRYTON.changed_since(dependent.change, since),
            ["id", dependent.parent, dependent.change],
            extra={"active_test": False},
        )
        for row in rows:
            parent, at = (
                TRYTON_WIRE.get(row, dependent.parent),
                TRYTON_WIRE.get(row, dependent.change),
            )
            if parent is None or at is None:
                continue
            when, key = TRYTON.decode(at), int(parent)
            if key not in found or when > found[key]:
                found[key] = when
    if not found:
        return {}
    own = client.search_read(
        resource.model,
        TRYTON.all_of(domain(resource), TRYTON.condition("id", "in", sorted(found))),
        ["id", CHANGE_FIELD],
        extra=resource.context,
    )
    return {
        int(row["id"]): found[int(row["id"])]
        for row in own
        if found[int(row["id"])] > TRYTON.decode(row[CHANGE_FIELD])
    }


def _page(
    client: ModelClient, resource: Resource, items: list[_Item], enrich: Enrich
) -> list[RawRecord]:
    missing = [record_id for _, record_id, row in items if row is None]
    fetched = {int(row["id"]): row for row in _rows(client, resource, missing)} if missing else {}
    rows: list[tuple[datetime, int, dict[str, Any]]] = []
    for at, record_id, row in items:
        found = row if row is not None else fetched.get(record_id)
        if found is not None:  # a record deleted meanwhile is left to the next full sync
            rows.append((at, record_id, found))
    enrich(resource, [row for _, _, row in rows])
    return [RawRecord(str(record_id), at, row) for at, record_id, row in rows]
