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
from ironbridge.connectors.protocols import http
from ironbridge.connectors.protocols.rest_json import (
    MAXIMO,
    MAXIMO_OSLC,
    MAXIMO_WHERE,
    ChangeFeed,
    RestJsonClient,
    keyset_pages,
)
from ironbridge.model import Entity

__all__ = ["Maximo", "MaximoSession"]

_ITEM_RANK: Final = ("ACTIVE", "PLANNING", "PENDOBS", "OBSOLETE")
_ITEM_FIELDS: Final = ("itemnum", "itemsetid", "description", "issueunit", "avgcost")
Synonyms = dict[tuple[str, str | None, str], str]


class Maximo(Connector):
    """IBM Maximo through its JSON API."""

    spec = SPEC
    status_tables = STATUS_TABLES

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> MaximoSession:
        """A session for `credentials` (see the spec's fields)."""
        return MaximoSession(self.validate_credentials(credentials), options=options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map a record through `maps.MAPPER`; the session wrote its internal status."""
        return MAPPER.to_unified(entity, raw, ids)


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
        root = "api" if SIGN_IN.chosen(credentials).method == API_KEY else "oslc"
        context = SignInContext(self.options, "Maximo", transport=transport)
        self._signin = SIGN_IN.sign_in(credentials, context)
        auth = Throttle(self._signin.around(), shared_slots(host, 4), sleep=sleep)
        self._http = http.make_client(
            f"{host}/maximo/{root}/", auth=auth, options=self.options, transport=transport
        )
        self._client = RestJsonClient(self._http, MAXIMO)
        self._synonyms: tuple[Synonyms, Synonyms] | None = None

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()
        self._signin.close()

    # -- reads -------------------------------------------------------------------------------

    def _scope(self, resource: Resource) -> list[str]:
        if resource.scope != "siteid":
            return []
        return [f"siteid in [{','.join(MAXIMO_WHERE.key_literal(s) for s in self.sites)}]"]

    def _rows(
        self,
        structure: str,
        where: list[str],
        select: str = "*",
        size: int = 500,
    ) -> Iterator[dict[str, Any]]:
        listing = dataclasses.replace(
            MAXIMO_OSLC, params={**MAXIMO_OSLC.params, "oslc.select": select}
        )
        for page in self._client.pages(f"os/{structure}", listing, page_size=size, where=where):
            yield from page

    @property
    def synonyms(self) -> tuple[Synonyms, Synonyms]:
        """(domain, site, value) → internal value, and (domain, site, internal) → default value;
        site None for values every site shares."""
        if self._synonyms is None:
            domains = sorted({r.domain for r in RESOURCES.values() if r.domain})
            listed = ",".join(MAXIMO_WHERE.key_literal(d) for d in domains)
            internal: Synonyms = {}
            defaults: Synonyms = {}
            select = "domainid,synonymdomain{value,maxvalue,siteid,defaults}"
            for domain in self._rows(DOMAINS, [f"domainid in [{listed}]"], select):
                for row in domain.get("synonymdomain", ()):
                    key = (domain["domainid"], row.get("siteid"))
                    internal[(*key, row["value"])] = row["maxvalue"]
                    if row.get("defaults"):
                        defaults[(*key, row["maxvalue"])] = row["value"]
            self._synonyms = internal, defaults
        return self._synonyms

    def _internal(self, resource: Resource, row: dict[str, Any]) -> dict[str, Any]:
        if resource.domain is None or "status" not in row:
            return row
        internal = self.synonyms[0]
        key = (resource.domain, row.get("siteid"), row["status"])
        found = internal.get(key) or internal.get((resource.domain, None, row["status"]))
        return {**row, "status_maxvalue": found}

    def _raw(self, entity: Entity, row: dict[str, Any], at: datetime | None) -> RawRecord:
        resource = RESOURCES[entity]
        data = self._internal(resource, row)
        return RawRecord(f"{row[resource.scope]}/{row[resource.number]}", at, data)

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
        feed = ChangeFeed(
            f"os/{resource.structure}",
            dataclasses.replace(MAXIMO_OSLC, params={**MAXIMO_OSLC.params, "oslc.select": "*"}),
            "changedate",
            resource.uid,
            where=tuple(self._scope(resource)),
            key_order=int,
        )
        for page in keyset_pages(self._client, feed, since, page_size=page_size):
            yield [self._raw(entity, keyed.row, keyed.modified_at) for keyed in page]

    def _items(self, where: list[str]) -> list[RawRecord]:
        """Inventory rows grouped per item: its balances per storeroom, its best status."""
        resource = RESOURCES[Entity.INVENTORY_ITEMS]
        items: dict[str, dict[str, Any]] = {}
        for row in self._rows(resource.structure, where):
            row = self._internal(resource, row)
            item = items.setdefault(
                str(row["itemnum"]),
                {**{k: row[k] for k in _ITEM_FIELDS if k in row}, "inventory": []},
            )
            item["inventory"].append(row)
        for item in items.values():
            ranked = [r.get("status_maxvalue") for r in item["inventory"]]
            item["status_maxvalue"] = min(
                ranked, key=lambda s: _ITEM_RANK.index(s) if s in _ITEM_RANK else len(_ITEM_RANK)
            )
        return [RawRecord(key, None, items[key]) for key in sorted(items)]

    def _find(self, entity: Entity, remote_id: str) -> dict[str, Any]:
        resource = RESOURCES[entity]
        scope, _, number = remote_id.rpartition("/")
        allowed = scope in self.sites or resource.scope != "siteid"
        where = [
            f"{resource.scope}={MAXIMO_WHERE.key_literal(scope)}",
            f"{resource.number}={MAXIMO_WHERE.key_literal(number)}",
        ]
        found = next(self._rows(resource.structure, where, size=1), None) if allowed else None
        if found is None or not scope or not number:
            raise errors.NotFound(f"No {entity.label} {remote_id!r} exists in Maximo's sites.")
        return found

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The record `remote_id` (`SITE/NUMBER`; an item's number), read as listed."""
        self.spec.ensure_supported(entity, "read")
        if entity is Entity.INVENTORY_ITEMS:
            where = [
                *self._scope(RESOURCES[entity]),
                f"itemnum={MAXIMO_WHERE.key_literal(remote_id)}",
            ]
            found = self._items(where)
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
        stores = [
            str(line["location_remote_id"])
            for line in payload.get("lines", ())
            if line.get("location_remote_id")
        ]
        body.setdefault("siteid", stores[0].rpartition("/")[0] if stores else self.sites[0])
        created = self._client.create(f"os/{RESOURCES[entity].structure}?lean=1", body)
        if created.record is None:
            raise errors.UpstreamError("Maximo created the record but did not return it.")
        return self._raw(entity, created.record, _changed(created.record))

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Change a work order: its status through the change status action (the site's own
        value for it), then its fields as a merge update on the record's rowstamp."""
        self.spec.ensure_supported(entity, "update")
        ensure_resolved(changes, "Maximo")
        fields = {key: value for key, value in changes.items() if key != "status"}
        body = MAPPER.to_source(entity, fields)
        row = self._find(entity, remote_id)
        if changes.get("status") is not None:
            internal = WO_STATUS_WRITES[changes["status"]]
            defaults = self.synonyms[1]
            domain, site = RESOURCES[entity].domain or "", row["siteid"]
            value = defaults.get((domain, site, internal)) or defaults.get(
                (domain, None, internal), internal
            )
            if value != row["status"]:
                response = self._client.send(
                    "POST",
                    row["href"],
                    params={"lean": "1", "action": "wsmethod:changeStatus"},
                    json={"status": value, "memo": "Changed through ironbridge"},
                    headers={"properties": "*"},
                )
                row = response.json()
        if body:
            self._client.update(row["href"], body, etag=row["_rowstamp"])
        return self.get(entity, remote_id)

    def adjust_inventory(self, remote_id: str, adjustment: dict[str, Any]) -> RawRecord:
        """Set the current balance of the storeroom's first bin through Maximo's adjust
        current balance action: the counted total, or the balance moved by the delta."""
        self.spec.ensure_supported(Entity.INVENTORY_ITEMS, "adjust")
        ensure_resolved(adjustment, "Maximo")
        site, _, store = str(adjustment["location_remote_id"]).rpartition("/")
        where = [
            f"itemnum={MAXIMO_WHERE.key_literal(remote_id)}",
            f"location={MAXIMO_WHERE.key_literal(store)}",
            f"siteid={MAXIMO_WHERE.key_literal(site)}",
        ]
        row = next(self._rows(RESOURCES[Entity.INVENTORY_ITEMS].structure, where, size=1), None)
        if row is None or site not in self.sites or not row.get("invbalances"):
            raise errors.ValidationFailed(
                {
                    "location_id": f"Item {remote_id} has no balance "
                    f"in storeroom {adjustment['location_remote_id']}."
                }
            )
        first, *others = row["invbalances"]
        if adjustment.get("new_count") is not None:
            balance = Decimal(adjustment["new_count"]) - sum(
                Decimal(str(b["curbal"])) for b in others
            )
        else:
            balance = Decimal(str(first["curbal"])) + Decimal(adjustment["quantity_delta"])
        self._client.send(
            "POST",
            row["href"],
            params={"lean": "1", "action": "wsmethod:adjustCurrentBalance"},
            json={
                "binnum": first.get("binnum"),
                "newcurbal": float(balance),
                "memo": adjustment["reason"],
            },
        )
        return self.get(Entity.INVENTORY_ITEMS, remote_id)

    # -- check -------------------------------------------------------------------------------

    def check(self) -> Iterator[CheckResult]:
        """Reach Maximo and sign in (`whoami`), probe each object structure (one the user's
        security groups do not grant is unavailable), then read the status synonyms."""
        try:
            user = self._client.get("whoami")
        except errors.ConnectionReauthRequired as exc:
            yield CheckResult(CheckStage.REACH, True, "Maximo answers at this address.")
            fix = "Check the API key or the user and password, and that the user is active."
            yield CheckResult(CheckStage.AUTHENTICATE, False, exc.message, fix=fix)
            return
        except errors.IronbridgeError as exc:
            fix = "Check the Maximo address, and that ironbridge may reach it."
            yield CheckResult(CheckStage.REACH, False, exc.message, fix=fix)
            return
        yield CheckResult(CheckStage.REACH, True, "Maximo answers at this address.")
        yield CheckResult(CheckStage.AUTHENTICATE, True, f"Signed in as {user.get('personid')}.")
        missing: list[EntityAvailability] = []
        try:
            for entity, resource in RESOURCES.items():
                try:
                    next(
                        self._rows(resource.structure, [f"{resource.uid}<0"], resource.uid, 1), None
                    )
                except errors.PermissionDenied as exc:
                    name = resource.structure.upper()
                    enable = f"Grant the user's security group the object structure {name}."
                    missing.append(
                        EntityAvailability(entity, Availability.UNAVAILABLE, exc.message, enable)
                    )
            self._synonyms = None
            count = len(self.synonyms[0])
        except errors.IronbridgeError as exc:
            fix = "Grant the user's security group the object structure MXAPIDOMAIN."
            yield CheckResult(CheckStage.PERMISSIONS, False, exc.message, fix=fix)
            return
        found = len(RESOURCES) - len(missing)
        readable = f"The user may read {found} of {len(RESOURCES)} object structures; {count} "
        readable += "status values read."
        yield CheckResult(CheckStage.PERMISSIONS, True, readable, entities=tuple(missing))


def _changed(row: Mapping[str, Any]) -> datetime | None:
    value = row.get("changedate")
    return None if value is None else MAPPER.wire.to_datetime(value)
