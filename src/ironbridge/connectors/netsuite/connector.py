"""The NetSuite connector: SuiteQL reads declared in `resources.py`, Record API writes, mapped
by `maps.py`, signed in as `spec.SIGN_IN` offers.

The session learns the account's time zone when it first needs it (SuiteQL's
`SESSIONTIMEZONE`, unless the connection names one), since NetSuite shows and compares every
date in that zone. Requests share the connection's concurrency (`concurrency`, default 2: the
account's limit is shared by every integration) and back off on 429.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, tzinfo
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
from ironbridge.connectors.kit import Wire, ensure_page_size, ensure_resolved
from ironbridge.connectors.netsuite.maps import (
    LOCKED,
    STATUS_TABLES,
    error_field,
    read_mapper,
    write_mapper,
    zone_of,
)
from ironbridge.connectors.netsuite.resources import RESOURCES, SUITEQL_PATH, ZONE_STATEMENT
from ironbridge.connectors.netsuite.spec import SIGN_IN, SPEC, TOKEN_PATH
from ironbridge.connectors.protocols import http
from ironbridge.connectors.protocols.rest_json import (
    NETSUITE,
    NETSUITE_SUITEQL,
    SUITEQL,
    RestJsonClient,
    keyset_pages,
)
from ironbridge.model import Entity

__all__ = ["NetSuite", "NetSuiteSession"]

_STAMPS: Final = ("created", "modified")
_IDEMPOTENCY: Final = uuid.UUID("6b1d3c1e-2f7a-4c55-9a43-6e6574737569")


def _stamped(row: dict[str, Any], wire: Wire) -> dict[str, Any]:
    """`row` with the times its statement formats (`created`, `modified`: account-local) as
    ISO 8601 with their offset, so the stored record reads the same without the session."""
    for name in _STAMPS:
        if row.get(name):
            row = {**row, name: wire.to_datetime(row[name]).isoformat()}
    return row


def idempotency_key(method: str, path: str, body: Mapping[str, Any]) -> str:
    """`X-NetSuite-Idempotency-Key` for a write: the same write gives the same key, so a
    write retried after a lost answer is applied once."""
    text = json.dumps([method, path, body], sort_keys=True, default=str)
    return str(uuid.uuid5(_IDEMPOTENCY, hashlib.sha256(text.encode()).hexdigest()))


_MAPPER: Final = read_mapper(zone_of("UTC"))


class NetSuite(Connector):
    """Oracle NetSuite through SuiteQL and the REST Record API."""

    spec = SPEC
    status_tables = STATUS_TABLES

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> NetSuiteSession:
        """A session for `credentials` (see the spec's fields)."""
        return NetSuiteSession(self.validate_credentials(credentials), options=options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map a SuiteQL row (and its lines or stock) through `maps.READS`; the session has
        written its times with their offset already."""
        return _MAPPER.to_unified(entity, raw, ids)


class NetSuiteSession(ConnectorSession):
    """One signed-in conversation with one NetSuite account."""

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        options: SessionOptions | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(SPEC, options)
        account = credentials["account_id"].strip()
        host = account.lower().replace("_", "-")
        root = credentials.get("base_url") or f"https://{host}.suitetalk.api.netsuite.com"
        root = root.rstrip("/") + "/"
        context = SignInContext(self.options, "NetSuite", root + TOKEN_PATH, transport=transport)
        self._signin = SIGN_IN.sign_in({"scope": "rest_webservices", **credentials}, context)
        size = credentials.get("concurrency", "2")
        if not size.isdigit() or int(size) < 1:
            raise errors.ValidationFailed({"concurrency": "Enter a whole number from 1."})
        slots = shared_slots(account.upper(), int(size))
        auth = Throttle(self._signin.around(), slots, sleep=sleep)
        self._http = http.make_client(root, auth=auth, options=self.options, transport=transport)
        self._client = RestJsonClient(self._http, NETSUITE)
        self._named_zone = credentials.get("time_zone")
        self._zone: tzinfo | None = None

    def close(self) -> None:
        """Close the HTTP client and forget any token."""
        self._http.close()
        self._signin.close()

    @property
    def zone(self) -> tzinfo:
        """The account's time zone, asked once per session unless the connection names it."""
        if self._zone is None:
            name = self._named_zone or next(iter(self._rows(ZONE_STATEMENT)), {}).get("tz")
            try:
                self._zone = zone_of(str(name))
            except ValueError:
                raise errors.UpstreamError(f"NetSuite named the time zone {name!r}.") from None
        return self._zone

    def _rows(self, statement: str | None, where: str | None = None) -> list[dict[str, Any]]:
        syntax = dataclasses.replace(SUITEQL, zone=self._zone) if self._zone else SUITEQL
        listing = dataclasses.replace(NETSUITE_SUITEQL, syntax=syntax)
        order = [where.split()[0]] if where else []
        pages = self._client.pages(
            SUITEQL_PATH, listing, page_size=1000, where=[where] if where else [], order=order,
            statement=statement,
        )  # fmt: skip
        return [row for page in pages for row in page]

    def check(self) -> Iterator[CheckResult]:
        """Reach the account and sign in (learning its time zone), then probe each entity's
        table: one the role may not read is unavailable, and the stage still passes."""
        reached = CheckResult(CheckStage.REACH, True, "NetSuite answers for this account.")
        try:
            self._zone = None
            zone = self.zone
        except errors.ConnectionReauthRequired as exc:
            yield reached
            fix = "Check the sign-in fields, and that the role may sign in with them."
            yield CheckResult(CheckStage.AUTHENTICATE, False, exc.message, fix=fix)
            return
        except errors.IronbridgeError as exc:
            fix = "Check the account ID, and that ironbridge may reach NetSuite."
            yield CheckResult(CheckStage.REACH, False, exc.message, fix=fix)
            return
        yield reached
        yield CheckResult(CheckStage.AUTHENTICATE, True, f"Signed in; time zone {zone}.")
        missing: list[EntityAvailability] = []
        for entity, resource in RESOURCES.items():
            try:
                self._rows(resource.feed.statement, f"{resource.feed.key_field} < 0")
            except errors.PermissionDenied as exc:
                enable = f"Give the role permission to view {resource.table} records."
                missing.append(
                    EntityAvailability(entity, Availability.UNAVAILABLE, exc.message, enable)
                )
            except errors.IronbridgeError as exc:
                yield CheckResult(CheckStage.PERMISSIONS, False, exc.message)
                return
        readable = f"The role may read {len(RESOURCES) - len(missing)} of {len(RESOURCES)} types."
        yield CheckResult(CheckStage.PERMISSIONS, True, readable, entities=tuple(missing))

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Pages of `entity` changed at or after `since`, in (change time, id) order."""
        ensure_page_size(page_size)
        self.spec.ensure_supported(entity, "read")
        wire = read_mapper(self.zone).wire
        syntax = dataclasses.replace(SUITEQL, zone=self.zone)
        listing = dataclasses.replace(NETSUITE_SUITEQL, syntax=syntax)
        feed = dataclasses.replace(RESOURCES[entity].feed, listing=listing)
        for page in keyset_pages(self._client, feed, since, page_size=page_size, wire=wire):
            rows = self._with_children(entity, [_stamped(row.row, wire) for row in page])
            yield [
                RawRecord(str(k.key), k.modified_at, row) for k, row in zip(page, rows, strict=True)
            ]

    def _with_children(self, entity: Entity, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        children = RESOURCES[entity].children
        if children is None or not rows:
            return rows
        keys = ", ".join(str(int(row["id"])) for row in rows)
        found: dict[str, list[dict[str, Any]]] = {}
        for child in self._rows(children.statement.replace("{keys}", keys)):
            found.setdefault(str(child.get(children.parent)), []).append(child)
        return [{**row, children.name: found.get(str(row["id"]), [])} for row in rows]

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The record `remote_id`, read as `list_changes` reads it."""
        self.spec.ensure_supported(entity, "read")
        feed = RESOURCES[entity].feed
        wire = read_mapper(self.zone).wire
        found = remote_id.isdigit() and self._rows(
            feed.statement, f"{feed.key_field} = {remote_id}"
        )
        if not found:
            raise errors.NotFound(f"No {entity.label} {remote_id!r} exists in NetSuite.")
        data = self._with_children(entity, [_stamped(found[0], wire)])[0]
        return RawRecord(remote_id, feed.change_of(data), data)

    def _write(
        self,
        entity: Entity,
        method: str,
        path: str,
        payload: Mapping[str, Any],
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        ensure_resolved(payload, "NetSuite")
        try:
            body = write_mapper.to_source(entity, payload)
        except KeyError as exc:  # a member the source has no code for (a blocked vendor)
            raise errors.ValidationFailed({"status": f"NetSuite has no {exc.args[0]}."}) from None
        headers = {"X-NetSuite-Idempotency-Key": idempotency_key(method, path, body)}
        return self._client.send(method, path, json=body, params=params, headers=headers,
                                 field_names=error_field)  # fmt: skip

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """POST the record (204 with `Location`), then read it back."""
        self.spec.ensure_supported(entity, "create")
        response = self._write(entity, "POST", RESOURCES[entity].record, payload)
        remote_id = response.headers.get("Location", "").rstrip("/").rsplit("/", 1)[-1]
        if not remote_id.isdigit():
            raise errors.UpstreamError("NetSuite created the record but did not say its id.")
        return self.get(entity, remote_id)

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """PATCH the record; lines sent replace the order's lines. Closed and fully billed
        orders are `RecordLocked` (checked first: NetSuite keeps no version to send)."""
        self.spec.ensure_supported(entity, "update")
        status = self.get(entity, remote_id).data.get("status")
        if entity is Entity.PURCHASE_ORDERS and status in LOCKED:
            message = f"Purchase order {remote_id} is closed or fully billed in NetSuite."
            raise errors.RecordLocked(message, details={"status": status})
        params = {"replace": "item"} if "lines" in changes else None
        path = f"{RESOURCES[entity].record}/{remote_id}"
        self._write(entity, "PATCH", path, changes, params)
        return self.get(entity, remote_id)
