"""The Maximo connector: object structures read as declared in `resources.py`, mapped by
`maps.py`, signed in as `spec.SIGN_IN` offers.

A session reads the sites' status synonyms (MXAPIDOMAIN) once, and writes each record's
internal status beside its raw one (`status_maxvalue`), so the stored record maps the same
without the session. Work-order status changes go through Maximo's change status action with
the site's own value for the status; other changes are a merge update with `If-Match` on the
record's rowstamp. Requests share four slots per Maximo address and wait out 429s.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import httpx

from ironbridge import errors
from ironbridge.connectors.auth import SignInContext
from ironbridge.connectors.auth.throttle import Throttle, shared_slots
from ironbridge.connectors.base import (
    Availability,
    CheckResult,
    CheckStage,
    Connector,
    ConnectorSession,
    EntityAvailability,
    IdFactory,
    RawRecord,
    SessionOptions,
)
from ironbridge.connectors.kit import ensure_page_size, ensure_resolved, pages
from ironbridge.connectors.maximo.maps import MAPPER, STATUS_TABLES, WO_STATUS_WRITES
from ironbridge.connectors.maximo.resources import DOMAINS, RESOURCES, Resource
from ironbridge.connectors.maximo.spec import API_KEY, SIGN_IN, SPEC
from ironbridge.connectors.protocols import http, rest_json
from ironbridge.model import Entity

__all__ = ["Maximo", "MaximoSession"]

_ITEM_RANK: Final = {"ACTIVE": 0, "PLANNING": 1, "PENDOBS": 2, "OBSOLETE": 3}
_ITEM_FIELDS: Final = ("itemnum", "itemsetid", "description", "issueunit", "avgcost")
Synonyms = dict[tuple[str, str | None, str], str]


class Maximo(Connector):
    """IBM Maximo through its JSON API."""

    spec = SPEC
    status_tables = STATUS_TABLES

    def session(self, credentials: Mapping[str, str], *,
                options: SessionOptions | None = None) -> MaximoSession:  # fmt: skip
        """A session for `credentials` (see the spec's fields)."""
        return MaximoSession(self.validate_credentials(credentials), options=options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map a record through `maps.MAPPER`; the session wrote its internal status."""
        return MAPPER.to_unified(entity, raw, ids)


class MaximoSession(ConnectorSession):
    """One signed-in conversation with one Maximo instance, for the form's sites."""

    def __init__(self, credentials: Mapping[str, str], *, options: SessionOptions | None = None,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        super().__init__(SPEC, options)
        self.sites = tuple(s.strip().upper() for s in credentials["sites"].split(",") if s.strip())
        if not self.sites:
            raise errors.ValidationFailed({"sites": "Name at least one Maximo site."})
        host = credentials["host"].strip().rstrip("/").removesuffix("/maximo")
        # API keys belong to the MAS API root; native logins to the 7.6 OSLC root.
        root = "api" if SIGN_IN.chosen(credentials).method == API_KEY else "oslc"
        context = SignInContext(self.options, "Maximo", transport=transport)
        self._signin = SIGN_IN.sign_in(credentials, context)
        auth = Throttle(self._signin.around(), shared_slots(host, 4), sleep=sleep)
        self._http = http.make_client(f"{host}/maximo/{root}/", auth=auth, options=self.options,
                                      transport=transport)  # fmt: skip
        self._client = rest_json.RestJsonClient(self._http, rest_json.MAXIMO)
        self._synonyms: tuple[Synonyms, Synonyms] | None = None

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()
        self._signin.close()

    # -- reads -------------------------------------------------------------------------------

    def _scope(self, resource: Resource) -> list[str]:
        listed = ",".join(_text(site) for site in self.sites)
        return [f"siteid in [{listed}]"] if resource.scope == "siteid" else []

    def _rows(self, structure: str, where: list[str], select: str = "*", size: int = 500,
              ) -> Iterator[dict[str, Any]]:  # fmt: skip
        for page in self._client.pages(f"os/{structure}", _listing(select), page_size=size,
                                       where=where):  # fmt: skip
            yield from page

    @property
    def synonyms(self) -> tuple[Synonyms, Synonyms]:
        """(domain, site, value) → internal value, and (domain, site, internal) → default value;
        site None for values every site shares."""
        if self._synonyms is None:
            internal: Synonyms = {}
            defaults: Synonyms = {}
            domains = ",".join(sorted({_text(r.domain) for r in RESOURCES.values() if r.domain}))
            select = "domainid,synonymdomain{value,maxvalue,siteid,defaults}"
            for domain in self._rows(DOMAINS, [f"domainid in [{domains}]"], select):
                for row in domain.get("synonymdomain", ()):
                    key = (domain["domainid"], row.get("siteid"))
                    internal[(*key, row["value"])] = row["maxvalue"]
                    if row.get("defaults"):
                        defaults[(*key, row["maxvalue"])] = row["value"]
            self._synonyms = internal, defaults
        return self._synonyms

    def _status(self, default: bool, domain: str | None, site: Any, value: str) -> str | None:
        """The internal value of a status value (with `default`, the site's default value of an
        internal value), through the site's synonyms or those of every site."""
        found = self.synonyms[int(default)]
        return found.get((domain or "", site, value)) or found.get((domain or "", None, value))

    def _raw(self, entity: Entity, row: dict[str, Any], at: datetime | None) -> RawRecord:
        resource = RESOURCES[entity]
        if resource.domain is not None and "status" in row:
            internal = self._status(False, resource.domain, row.get("siteid"), row["status"])
            row = {**row, "status_maxvalue": internal}
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
        where = tuple(self._scope(resource))
        feed = rest_json.ChangeFeed(f"os/{resource.structure}", _listing("*"), "changedate",
                                    resource.uid, where=where, key_order=int)  # fmt: skip
        for page in rest_json.keyset_pages(self._client, feed, since, page_size=page_size):
            yield [self._raw(entity, keyed.row, keyed.modified_at) for keyed in page]

    def _items(self, where: list[str]) -> list[RawRecord]:
        """Inventory rows grouped per item: its balances per storeroom, its best status."""
        items: dict[str, dict[str, Any]] = {}
        for row in self._rows(RESOURCES[Entity.INVENTORY_ITEMS].structure, where):
            row = self._raw(Entity.INVENTORY_ITEMS, row, None).data
            item = items.setdefault(str(row["itemnum"]), {"inventory": []})
            item.update({k: row[k] for k in _ITEM_FIELDS if k in row and k not in item})
            item["inventory"].append(row)
            statuses = (item.get("status_maxvalue"), row["status_maxvalue"])
            item["status_maxvalue"] = min(statuses, key=lambda s: _ITEM_RANK.get(s, 9))
        return [RawRecord(key, None, items[key]) for key in sorted(items)]

    def _find(self, entity: Entity, remote_id: str) -> dict[str, Any]:
        resource = RESOURCES[entity]
        scope, _, number = remote_id.rpartition("/")
        where = [_eq(resource.scope, scope), _eq(resource.number, number)]
        known = scope and number and (scope in self.sites or resource.scope != "siteid")
        found = next(self._rows(resource.structure, where, size=1), None) if known else None
        if found is None:
            raise errors.NotFound(f"No {entity.label} {remote_id!r} exists in Maximo's sites.")
        return found

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The record `remote_id` (`SITE/NUMBER`; an item's number), read as listed."""
        self.spec.ensure_supported(entity, "read")
        if entity is Entity.INVENTORY_ITEMS:
            found = self._items([*self._scope(RESOURCES[entity]), _eq("itemnum", remote_id)])
            if not found:
                raise errors.NotFound(f"No inventory item {remote_id!r} is stocked in Maximo.")
            return found[0]
        row = self._find(entity, remote_id)
        return self._raw(entity, row, _changed(row))

    # -- writes ------------------------------------------------------------------------------

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """POST the record with `properties: *`, in the first site unless a reference or a
        storeroom lies in another."""
        self.spec.ensure_supported(entity, "create")
        ensure_resolved(payload, "Maximo")
        body = MAPPER.to_source(entity, payload)
        stores = [str(line["location_remote_id"]) for line in payload.get("lines", ())
                  if line.get("location_remote_id")]  # fmt: skip
        body.setdefault("siteid", stores[0].rpartition("/")[0] if stores else self.sites[0])
        created = self._client.create(f"os/{RESOURCES[entity].structure}", body).record
        if created is None:
            raise errors.UpstreamError("Maximo created the record but did not return it.")
        return self._raw(entity, created, _changed(created))

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Change a work order: its status through the change status action (the site's own
        value for it), then its fields as a merge update on the record's rowstamp."""
        self.spec.ensure_supported(entity, "update")
        ensure_resolved(changes, "Maximo")
        body = MAPPER.to_source(entity, {k: v for k, v in changes.items() if k != "status"})
        row = self._find(entity, remote_id)
        if changes.get("status") is not None:
            internal = WO_STATUS_WRITES[changes["status"]]
            site, domain = row["siteid"], RESOURCES[entity].domain
            value = self._status(True, domain, site, internal) or internal
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
        self.spec.ensure_supported(Entity.INVENTORY_ITEMS, "adjust")
        ensure_resolved(adjustment, "Maximo")
        store = str(adjustment["location_remote_id"])
        site, _, location = store.rpartition("/")
        where = [_eq("itemnum", remote_id), _eq("location", location), _eq("siteid", site)]
        row = next(self._rows(RESOURCES[Entity.INVENTORY_ITEMS].structure, where, size=1), None)
        if row is None or site not in self.sites or not row.get("invbalances"):
            message = f"Item {remote_id} has no balance in storeroom {store}."
            raise errors.ValidationFailed({"location_id": message})
        first, *others = row["invbalances"]
        balance = Decimal(str(first["curbal"])) + Decimal(adjustment.get("quantity_delta") or 0)
        if adjustment.get("new_count") is not None:  # a count is of the storeroom's every bin
            balance = Decimal(adjustment["new_count"]) - sum(
                Decimal(str(b["curbal"])) for b in others
            )
        self._client.act(row["href"], "adjustCurrentBalance", {"binnum": first.get("binnum"),
                     "newcurbal": float(balance), "memo": adjustment["reason"]})  # fmt: skip
        return self.get(Entity.INVENTORY_ITEMS, remote_id)

    # -- check -------------------------------------------------------------------------------

    def check(self) -> Iterator[CheckResult]:
        """Reach Maximo and sign in (`whoami`), probe each object structure (one the user's
        security groups do not grant is unavailable), then read the status synonyms."""
        reached = CheckResult(CheckStage.REACH, True, "Maximo answers at this address.")
        try:
            user = self._client.get("whoami")
        except errors.ConnectionReauthRequired as exc:
            fix = "Check the API key or the user and password, and that the user is active."
            yield from (reached, CheckResult(CheckStage.AUTHENTICATE, False, exc.message, fix=fix))
            return
        except errors.IronbridgeError as exc:
            fix = "Check the Maximo address, and that ironbridge may reach it."
            yield CheckResult(CheckStage.REACH, False, exc.message, fix=fix)
            return
        yield from (reached, CheckResult(CheckStage.AUTHENTICATE, True,
                                         f"Signed in as {user.get('personid')}."))  # fmt: skip
        missing: list[EntityAvailability] = []
        try:
            for entity, resource in RESOURCES.items():
                try:
                    next(
                        self._rows(resource.structure, [f"{resource.uid}<0"], resource.uid, 1), None
                    )
                except errors.PermissionDenied as exc:
                    enable = f"Grant the user's security group {resource.structure.upper()}."
                    missing.append(EntityAvailability(entity, Availability.UNAVAILABLE,
                                                      exc.message, enable))  # fmt: skip
            self._synonyms = None
            count = len(self.synonyms[0])
        except errors.IronbridgeError as exc:
            fix = "Grant the user's security group the object structure MXAPIDOMAIN."
            yield CheckResult(CheckStage.PERMISSIONS, False, exc.message, fix=fix)
            return
        said = f"{len(RESOURCES) - len(missing)} object structures and {count} statuses read."
        yield CheckResult(CheckStage.PERMISSIONS, True, said, entities=tuple(missing))


def _text(value: str) -> str:
    return rest_json.MAXIMO_WHERE.key_literal(value)


def _eq(name: str, value: str) -> str:
    return f"{name}={_text(value)}"


def _listing(select: str) -> rest_json.Listing:
    listing = rest_json.MAXIMO_OSLC
    return dataclasses.replace(listing, params={**listing.params, "oslc.select": select})


def _changed(row: Mapping[str, Any]) -> datetime | None:
    value = row.get("changedate")
    return None if value is None else MAPPER.wire.to_datetime(value)
