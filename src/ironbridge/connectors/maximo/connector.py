"""The Maximo connector: object structures read as declared in `resources.py`, mapped by
`maps.py`, signed in as `spec.SIGN_IN` offers and checked as `spec.CHECK` words it. Queries are
OSLC terms (`rest_json.oslc`); site-scoped ids and synonyms are the kit's (`ScopedRef`,
`ScopedCodes`).

A session reads the sites' status synonyms (MXAPIDOMAIN) once, and writes each record's
internal status beside its raw one (`status_maxvalue`), so the stored record maps the same
without the session. Work-order status changes go through Maximo's change status action with
the site's own value for the status; other changes are a merge update with `If-Match` on the
record's rowstamp. Requests share four slots per Maximo address and wait out 429s.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import httpx

from ironbridge import errors
from ironbridge.connectors.auth import SignInContext
from ironbridge.connectors.auth.throttle import Throttle, shared_slots
from ironbridge.connectors.base import CheckResult, ConnectorSession, RawRecord, SessionOptions
from ironbridge.connectors.kit import (
    MappedConnector,
    ScopedCodes,
    ensure_page_size,
    ensure_writable,
    pages,
)
from ironbridge.connectors.maximo.maps import MAPPER, WO_STATUS_WRITES
from ironbridge.connectors.maximo.resources import DOMAINS, RESOURCES, Resource
from ironbridge.connectors.maximo.spec import API_KEY, CHECK, SIGN_IN, SPEC
from ironbridge.connectors.protocols import http, rest_json
from ironbridge.connectors.protocols.rest_json.oslc import equals, one_of, selecting
from ironbridge.model import Entity

__all__ = ["Maximo", "MaximoSession"]

_ITEM_RANK: Final = {"ACTIVE": 0, "PLANNING": 1, "PENDOBS": 2, "OBSOLETE": 3}
_ITEM_FIELDS: Final = ("itemnum", "itemsetid", "description", "issueunit", "avgcost")


class MaximoSession(ConnectorSession):
    """One signed-in conversation with one Maximo instance, for the form's sites."""

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        options: SessionOptions | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(SPEC, options)
        self.sites = tuple(s.strip().upper() for s in credentials["sites"].split(",") if s.strip())
        if not self.sites:
            raise errors.ValidationFailed({"sites": "Name at least one Maximo site."})
        host = credentials["host"].strip().rstrip("/").removesuffix("/maximo")
        # API keys belong to the MAS API root; native logins to the 7.6 OSLC root.
        api_key = SIGN_IN.chosen(credentials).method == API_KEY
        root = f"{host}/maximo/{'api' if api_key else 'oslc'}/"
        context = SignInContext(self.options, "Maximo", transport=transport)
        self._signin = SIGN_IN.sign_in(credentials, context)
        auth = Throttle(self._signin.around(), shared_slots(host, 4), sleep=sleep)
        self._http = http.make_client(root, auth=auth, options=self.options, transport=transport)
        self._client = rest_json.RestJsonClient(self._http, rest_json.MAXIMO)

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()
        self._signin.close()

    # -- reads -------------------------------------------------------------------------------

    def _scope(self, resource: Resource) -> list[str]:
        return [one_of("siteid", self.sites)] if resource.scope == "siteid" else []

    def _rows(
        self, structure: str, where: list[str], select: str = "*", size: int = 500
    ) -> Iterator[dict[str, Any]]:
        listing = selecting(rest_json.MAXIMO_OSLC, select)
        for page in self._client.pages(f"os/{structure}", listing, page_size=size, where=where):
            yield from page

    @functools.cached_property
    def synonyms(self) -> ScopedCodes:
        """The sites' values of the status domains (site None: values every site shares)."""
        synonyms = ScopedCodes()
        domains = one_of("domainid", sorted({r.domain for r in RESOURCES.values() if r.domain}))
        select = "domainid,synonymdomain{value,maxvalue,siteid,defaults}"
        for domain in self._rows(DOMAINS, [domains], select):
            for row in domain.get("synonymdomain", ()):
                add = (domain["domainid"], row.get("siteid"), row["value"], row["maxvalue"])
                synonyms.add(*add, default=bool(row.get("defaults")))
        return synonyms

    def _raw(self, entity: Entity, row: dict[str, Any], at: datetime | None = None) -> RawRecord:
        resource = RESOURCES[entity]
        if resource.domain is not None and "status" in row:
            internal = self.synonyms.internal(resource.domain, row.get("siteid"), row["status"])
            row = {**row, "status_maxvalue": internal}
        at = at or resource.feed().change_of(row)
        return RawRecord(f"{row[resource.scope]}/{row[resource.number]}", at, row)

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Pages of `entity` changed at or after `since`, in (changedate, unique id) order;
        inventory, which keeps no change date, whole and by item number."""
        ensure_page_size(page_size)
        self.spec.ensure_supported(entity, "read")
        resource = RESOURCES[entity]
        if entity is Entity.INVENTORY_ITEMS:
            yield from pages(self._items(self._scope(resource)), page_size)
            return
        feed = resource.feed(tuple(self._scope(resource)))
        for page in rest_json.keyset_pages(self._client, feed, since, page_size=page_size):
            yield [self._raw(entity, keyed.row, keyed.modified_at) for keyed in page]

    def _items(self, where: list[str]) -> list[RawRecord]:
        """Inventory rows grouped per item: its balances per storeroom, its best status."""
        items: dict[str, dict[str, Any]] = {}
        for row in self._rows(RESOURCES[Entity.INVENTORY_ITEMS].structure, where):
            row = self._raw(Entity.INVENTORY_ITEMS, row).data
            item = items.setdefault(str(row["itemnum"]), {"inventory": []})
            item.update({k: row[k] for k in _ITEM_FIELDS if k in row and k not in item})
            item["inventory"].append(row)
            statuses = (item.get("status_maxvalue"), row["status_maxvalue"])
            item["status_maxvalue"] = min(statuses, key=lambda s: _ITEM_RANK.get(s, 9))
        return [RawRecord(key, None, items[key]) for key in sorted(items)]

    def _find(self, entity: Entity, remote_id: str) -> dict[str, Any]:
        resource = RESOURCES[entity]
        scope, _, number = remote_id.rpartition("/")
        where = [equals(resource.scope, scope), equals(resource.number, number)]
        known = scope and number and (scope in self.sites or resource.scope != "siteid")
        found = next(self._rows(resource.structure, where, size=1), None) if known else None
        if found is None:
            raise errors.NotFound(f"No {entity.label} {remote_id!r} exists in Maximo's sites.")
        return found

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The record `remote_id` (`SITE/NUMBER`; an item's number), read as listed."""
        self.spec.ensure_supported(entity, "read")
        if entity is Entity.INVENTORY_ITEMS:
            found = self._items([*self._scope(RESOURCES[entity]), equals("itemnum", remote_id)])
            if not found:
                raise errors.NotFound(f"No inventory item {remote_id!r} is stocked in Maximo.")
            return found[0]
        return self._raw(entity, self._find(entity, remote_id))

    # -- writes ------------------------------------------------------------------------------

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """POST the record with `properties: *`, in the first site unless a reference or a
        storeroom lies in another."""
        ensure_writable(self.spec, entity, "create", payload, "Maximo")
        body = MAPPER.to_source(entity, payload)
        stores = [line.get("location_remote_id") for line in payload.get("lines", ())]
        store = next((str(store) for store in stores if store), None)
        body.setdefault("siteid", store.rpartition("/")[0] if store else self.sites[0])
        created = self._client.create(f"os/{RESOURCES[entity].structure}", body).record
        if created is None:
            raise errors.UpstreamError("Maximo created the record but did not return it.")
        return self._raw(entity, created)

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Change a work order: its status through the change status action (the site's own
        value for it), then its fields as a merge update on the record's rowstamp."""
        ensure_writable(self.spec, entity, "update", changes, "Maximo")
        body = MAPPER.to_source(entity, {k: v for k, v in changes.items() if k != "status"})
        row = self._find(entity, remote_id)
        if changes.get("status") is not None:
            internal = WO_STATUS_WRITES[changes["status"]]
            # Only work orders change status; theirs are the WOSTATUS domain's.
            value = self.synonyms.default("WOSTATUS", row["siteid"], internal) or internal
            if value != row["status"]:
                action = {"status": value, "memo": "Changed through ironbridge"}
                changed = self._client.act(row["href"], "changeStatus", action)
                row = changed or self._find(entity, remote_id)
        if body:
            self._client.update(row["href"], body, etag=row["_rowstamp"])
        return self.get(entity, remote_id)

    def adjust_inventory(self, remote_id: str, adjustment: dict[str, Any]) -> RawRecord:
        """Set the current balance of the storeroom's first bin through Maximo's adjust
        current balance action: the counted total, or the balance moved by the delta."""
        ensure_writable(self.spec, Entity.INVENTORY_ITEMS, "adjust", adjustment, "Maximo")
        store = str(adjustment["location_remote_id"])
        site, _, location = store.rpartition("/")
        where = [equals("itemnum", remote_id), equals("location", location), equals("siteid", site)]
        row = next(self._rows(RESOURCES[Entity.INVENTORY_ITEMS].structure, where, size=1), None)
        if row is None or site not in self.sites or not row.get("invbalances"):
            message = f"Item {remote_id} has no balance in storeroom {store}."
            raise errors.ValidationFailed({"location_id": message})
        first, *others = row["invbalances"]
        balance = Decimal(str(first["curbal"])) + Decimal(adjustment.get("quantity_delta") or 0)
        # A count is of the storeroom's every bin; a delta moves the first.
        if (counted := adjustment.get("new_count")) is not None:
            balance = Decimal(counted) - sum(Decimal(str(b["curbal"])) for b in others)
        action = {"binnum": first.get("binnum"), "newcurbal": float(balance)}
        self._client.act(
            row["href"], "adjustCurrentBalance", {**action, "memo": adjustment["reason"]}
        )
        return self.get(Entity.INVENTORY_ITEMS, remote_id)

    # -- check -------------------------------------------------------------------------------

    def check(self) -> Iterator[CheckResult]:
        """Reach Maximo and sign in (`whoami`), probe each object structure (one the user's
        security groups do not grant is unavailable), then read the status synonyms."""

        def probe(entity: Entity) -> None:
            resource = RESOURCES[entity]
            next(self._rows(resource.structure, [f"{resource.uid}<0"], resource.uid, 1), None)

        def statuses() -> int:
            self.__dict__.pop("synonyms", None)
            return len(self.synonyms)

        names = {entity: resource.structure.upper() for entity, resource in RESOURCES.items()}
        return CHECK.run(lambda: self._client.get("whoami"), probe, names, statuses)


class Maximo(MappedConnector):
    """IBM Maximo through its JSON API: sessions signed in as the spec offers, records mapped
    by `maps.MAPPER` (the session wrote their internal status), whose status tables the
    conformance suite checks."""

    spec = SPEC
    mapper = MAPPER
    session_type = MaximoSession
