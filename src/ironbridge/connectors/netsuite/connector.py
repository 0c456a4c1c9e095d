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
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import closing
from datetime import datetime, tzinfo
from typing import Any, Final

import httpx

from ironbridge import errors
from ironbridge.connectors.auth import SignInContext
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

_RETRIES: Final = 5
_STAMPS: Final = ("created", "modified")
_IDEMPOTENCY: Final = uuid.UUID("6b1d3c1e-2f7a-4c55-9a43-6e6574737569")
_SLOTS: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_SLOTS_LOCK: Final = threading.Lock()


def _slots(account: str, size: int) -> threading.BoundedSemaphore:
    # Shared by every session of one account: the account's limit counts them all.
    with _SLOTS_LOCK:
        return _SLOTS.setdefault((account, size), threading.BoundedSemaphore(size))


class _Throttle(httpx.Auth):
    """Holds a concurrency slot per request and, on 429, waits and signs the request anew
    (a TBA nonce may not be sent twice): 0.5 s, doubling, or the server's `Retry-After`."""

    def __init__(
        self, inner: httpx.Auth, slots: threading.BoundedSemaphore, sleep: Callable[[float], None]
    ) -> None:
        self.inner, self.slots, self.sleep = inner, slots, sleep
        self.requires_request_body = True

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        for attempt in range(_RETRIES):
            flow = self.inner.sync_auth_flow(request)
            outgoing = next(flow)
            while True:
                with self.slots:
                    response = yield outgoing
                try:
                    outgoing = flow.send(response)
                except StopIteration:
                    break
            if response.status_code != 429 or attempt == _RETRIES - 1:
                return
            after = response.headers.get("Retry-After", "")
            self.sleep(float(after) if after.isdigit() else 0.5 * 2**attempt)


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
        self._signin = SIGN_IN.sign_in(
            {"scope": "rest_webservices", **credentials},
            SignInContext(
                options=self.options,
                system="NetSuite",
                token_url=root + TOKEN_PATH,
                transport=transport,
            ),
        )
        try:
            size = max(1, int(credentials.get("concurrency") or 2))
        except ValueError:
            raise errors.ValidationFailed({"concurrency": "Enter a whole number."}) from None
        auth = _Throttle(self._signin.around(), _slots(account.upper(), size), sleep)
        self._http = http.make_client(root, auth=auth, options=self.options, transport=transport)
        self._client = RestJsonClient(self._http, NETSUITE)
        self._named_zone = credentials.get("time_zone")
        self._zone: tzinfo | None = None

    def close(self) -> None:
        """Close the HTTP client and forget any token."""
        self._http.close()
        self._signin.close()

    # -- time zone ------------------------------------------------------------------------

    @property
    def zone(self) -> tzinfo:
        """The account's time zone, asked once per session."""
        if self._zone is None:
            name = self._named_zone
            if not name:
                rows = self._query(ZONE_STATEMENT)
                name = rows[0].get("tz") if rows else None
            try:
                self._zone = zone_of(str(name))
            except ValueError:
                raise errors.UpstreamError(f"NetSuite named the time zone {name!r}.") from None
        return self._zone

    def _query(self, statement: str) -> list[dict[str, Any]]:
        listing = self._listing()
        return [
            row
            for page in self._client.pages(
                SUITEQL_PATH, listing, page_size=1000, statement=statement
            )
            for row in page
        ]

    def _listing(self) -> Any:
        syntax = dataclasses.replace(SUITEQL, zone=self._zone) if self._zone else SUITEQL
        return dataclasses.replace(NETSUITE_SUITEQL, syntax=syntax)

    # -- check ----------------------------------------------------------------------------

    def check(self) -> Iterator[CheckResult]:
        """Reach the account and sign in (learning its time zone), then probe each entity's
        table: one the role may not read is unavailable, and the stage still passes."""
        try:
            self._zone = None
            zone = self.zone
        except errors.ValidationFailed as exc:
            yield CheckResult(
                CheckStage.REACH,
                False,
                exc.message,
                fix="Check the account ID (and the REST address, if given).",
            )
            return
        except errors.ConnectionReauthRequired as exc:
            yield CheckResult(CheckStage.REACH, True, "NetSuite answers for this account.")
            yield CheckResult(
                CheckStage.AUTHENTICATE,
                False,
                exc.message,
                fix="Check the sign-in fields, and that the role may log in with access tokens.",
            )
            return
        except errors.IronbridgeError as exc:
            yield CheckResult(
                CheckStage.REACH,
                False,
                exc.message,
                fix="Check the account ID, and that ironbridge may reach NetSuite.",
            )
            return
        yield CheckResult(CheckStage.REACH, True, "NetSuite answers for this account.")
        yield CheckResult(
            CheckStage.AUTHENTICATE, True, f"Signed in; the account's time zone is {zone}."
        )
        missing: list[EntityAvailability] = []
        for entity, resource in RESOURCES.items():
            try:
                self._first(resource.feed.statement, f"{resource.feed.key_field} < 0")
            except errors.PermissionDenied as exc:
                missing.append(
                    EntityAvailability(
                        entity,
                        Availability.UNAVAILABLE,
                        exc.message,
                        f"Give the role permission to view {resource.table} records.",
                    )
                )
            except errors.IronbridgeError as exc:
                yield CheckResult(CheckStage.PERMISSIONS, False, exc.message)
                return
        yield CheckResult(
            CheckStage.PERMISSIONS,
            True,
            f"The role may read {len(RESOURCES) - len(missing)} of {len(RESOURCES)} record types.",
            entities=tuple(missing),
        )

    # -- reads ----------------------------------------------------------------------------

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Pages of `entity` changed at or after `since`, in (change time, id) order."""
        ensure_page_size(page_size)
        self.spec.ensure_supported(entity, "read")
        feed = RESOURCES[entity].feed
        wire = read_mapper(self.zone).wire
        feed = dataclasses.replace(feed, listing=self._listing())
        for page in keyset_pages(self._client, feed, since, page_size=page_size, wire=wire):
            rows = self._with_children(entity, [_stamped(row.row, wire) for row in page])
            yield [
                RawRecord(str(row.key), row.modified_at, data)
                for row, data in zip(page, rows, strict=True)
            ]

    def _with_children(self, entity: Entity, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        children = RESOURCES[entity].children
        if children is None or not rows:
            return rows
        keys = ", ".join(str(int(row["id"])) for row in rows)
        found: dict[str, list[dict[str, Any]]] = {}
        for child in self._query(children.statement.replace("{keys}", keys)):
            found.setdefault(str(child.get(children.parent)), []).append(child)
        return [{**row, children.name: found.get(str(row["id"]), [])} for row in rows]

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The record `remote_id`, read as `list_changes` reads it."""
        self.spec.ensure_supported(entity, "read")
        if not remote_id.isdigit():
            raise errors.NotFound(f"No {entity.label} {remote_id!r} exists in NetSuite.")
        feed = RESOURCES[entity].feed
        wire = read_mapper(self.zone).wire
        rows = self._first(feed.statement, f"{feed.key_field} = {int(remote_id)}")
        if not rows:
            raise errors.NotFound(f"No {entity.label} {remote_id!r} exists in NetSuite.")
        data = self._with_children(entity, [_stamped(rows[0], wire)])[0]
        return RawRecord(remote_id, feed.change_of(data), data)

    def _first(self, statement: str | None, condition: str) -> list[dict[str, Any]]:
        pages = self._client.pages(
            SUITEQL_PATH,
            self._listing(),
            page_size=1,
            where=[condition],
            order=[condition.split()[0]],
            statement=statement,
        )
        with closing(pages):
            return next(pages, [])

    # -- writes ---------------------------------------------------------------------------

    def _write(
        self, method: str, path: str, body: dict[str, Any], params: Mapping[str, str] | None = None
    ) -> httpx.Response:
        headers = {"X-NetSuite-Idempotency-Key": idempotency_key(method, path, body)}
        return self._client.send(
            method, path, json=body, params=params, headers=headers, field_names=error_field
        )

    def _body(self, entity: Entity, payload: Mapping[str, Any]) -> dict[str, Any]:
        ensure_resolved(payload, "NetSuite")
        try:
            return write_mapper.to_source(entity, payload)
        except KeyError as exc:
            raise errors.ValidationFailed(
                {"status": f"NetSuite cannot set {exc.args[0]}."}
            ) from None

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """POST the record (204 with `Location`), then read it back."""
        self.spec.ensure_supported(entity, "create")
        record = RESOURCES[entity].record
        if record is None:
            raise AssertionError(f"{entity} has no record type")
        response = self._write("POST", record, self._body(entity, payload))
        location = response.headers.get("Location", "")
        remote_id = location.rstrip("/").rsplit("/", 1)[-1]
        if not remote_id.isdigit():
            raise errors.UpstreamError("NetSuite created the record but did not say its id.")
        return self.get(entity, remote_id)

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """PATCH the record; lines sent replace the order's lines. Closed and fully billed
        orders are `RecordLocked`."""
        self.spec.ensure_supported(entity, "update")
        body = self._body(entity, changes)
        current = self.get(entity, remote_id)
        record = RESOURCES[entity].record
        if entity is Entity.PURCHASE_ORDERS and current.data.get("status") in LOCKED:
            raise errors.RecordLocked(
                f"Purchase order {remote_id} is closed or fully billed in NetSuite.",
                details={"status": current.data.get("status")},
            )
        params = {"replace": "item"} if "lines" in changes else None
        if body:
            self._write("PATCH", f"{record}/{remote_id}", body, params)
        return self.get(entity, remote_id)
