"""The NetSuite connector: SuiteQL reads declared in `resources.py`, Record API writes, mapped
by `maps.py`, signed in as `spec.SIGN_IN` offers.

The session learns the account's time zone when it first needs it (SuiteQL's
`SESSIONTIMEZONE`; a zone the connection names wins), since NetSuite shows and compares every
date in that zone. Requests share the connection's concurrency (`concurrency`, default 2: the
account's limit is shared by every integration) and back off on 429. Writes carry
`X-NetSuite-Idempotency-Key` derived from the caller's `Idempotency-Key`
(`SessionOptions.idempotency_key`, see `rest_json.write_key`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

import httpx

from ironbridge import errors
from ironbridge.connectors.auth import SignInContext
from ironbridge.connectors.auth.throttle import throttled
from ironbridge.connectors.base import (
    CheckResult,
    Connector,
    ConnectorSession,
    IdFactory,
    PassthroughRequest,
    PassthroughResponse,
    RawRecord,
    SessionOptions,
)
from ironbridge.connectors.kit import ZonedWire, ensure_page_size, ensure_resolved, zone_of
from ironbridge.connectors.netsuite.maps import LOCKED, STATUS_TABLES, read_mapper, write_mapper
from ironbridge.connectors.netsuite.resources import RESOURCES, ZONE_STATEMENT
from ironbridge.connectors.netsuite.spec import CHECK, PERMISSIONS, SIGN_IN, SPEC, TOKEN_PATH
from ironbridge.connectors.protocols import http
from ironbridge.connectors.protocols.rest_json import (
    NETSUITE,
    ChangeFeed,
    RestJsonClient,
    keyset_pages,
    statement_rows,
    with_children,
)
from ironbridge.model import Entity

__all__ = ["NetSuite", "NetSuiteSession"]

#: The times each statement formats (account-local), stored with their offset.
_STAMPS: Final = ("created", "modified")
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
        root = credentials.get("base_url") or f"https://{host}.suitetalk.api.netsuite.com/"
        root = root.rstrip("/") + "/"
        context = SignInContext(self.options, "NetSuite", root + TOKEN_PATH, transport=transport)
        self._signin = SIGN_IN.sign_in({"scope": "rest_webservices", **credentials}, context)
        slots, concurrency = account.upper(), credentials.get("concurrency")
        auth = throttled(self._signin.around(), slots, concurrency, default=2, sleep=sleep)
        self._http = http.make_client(root, auth=auth, options=self.options, transport=transport)
        self._client = RestJsonClient(self._http, NETSUITE)
        self._named_zone = credentials.get("time_zone")
        self._feeds: dict[Entity, ChangeFeed] = {}
        self._wire = ZonedWire("NetSuite", zone_of("UTC"))

    def close(self) -> None:
        """Close the HTTP client and forget any token."""
        self._http.close()
        self._signin.close()

    def _zoned(self) -> dict[Entity, ChangeFeed]:
        """Each entity's feed in the account's time zone, asked once per session (which also
        signs in); a zone the connection names wins."""
        if not self._feeds:
            rows = statement_rows(self._client, RESOURCES[Entity.LOCATIONS].feed, ZONE_STATEMENT)
            name = self._named_zone or (rows[0].get("tz") if rows else None)
            try:
                self._wire = ZonedWire("NetSuite", zone_of(str(name)))
            except ValueError:
                raise errors.UpstreamError(f"NetSuite named the time zone {name!r}.") from None
            self._feeds = {e: r.feed.in_zone(self._wire.zone) for e, r in RESOURCES.items()}
        return self._feeds

    def check(self) -> Iterator[CheckResult]:
        """Reach the account and sign in (learning its time zone), then probe each entity's
        table with a statement that finds nothing."""

        def sign_in() -> dict[str, str]:
            self._feeds = {}
            self._zoned()
            return {"zone": str(self._wire.zone)}

        def probe(entity: Entity) -> object:
            read = RESOURCES[entity]
            return statement_rows(self._client, read.feed, where=[f"{read.key} < 0"])

        names = {entity: PERMISSIONS[entity] for entity in RESOURCES}
        return CHECK.run(sign_in, probe, names)

    def _records(self, entity: Entity, rows: list[dict[str, Any]]) -> list[RawRecord]:
        feed, children = self._zoned()[entity], RESOURCES[entity].children
        rows = [self._wire.with_offsets(row, _STAMPS) for row in rows]
        rows = with_children(self._client, feed, children, rows)
        return [RawRecord(str(feed.key_of(row)), feed.change_of(row), row) for row in rows]

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Pages of `entity` changed at or after `since`, in (change time, id) order."""
        ensure_page_size(page_size)
        self.spec.ensure_supported(entity, "read")
        feed = self._zoned()[entity]
        for page in keyset_pages(self._client, feed, since, page_size=page_size, wire=self._wire):
            yield self._records(entity, [keyed.row for keyed in page])

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The record `remote_id`, read as `list_changes` reads it."""
        self.spec.ensure_supported(entity, "read")
        feed = self._zoned()[entity]
        where = [f"{feed.key_field} = {remote_id}"]
        found = remote_id.isdigit() and statement_rows(self._client, feed, where=where)
        if not found:
            raise errors.NotFound(f"No {entity.label} {remote_id!r} exists in NetSuite.")
        return self._records(entity, found[:1])[0]

    def _body(self, entity: Entity, payload: Mapping[str, Any]) -> dict[str, Any]:
        ensure_resolved(payload, "NetSuite")
        return write_mapper.to_source(entity, payload)

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """POST the record (204 with `Location`), then read it back."""
        self.spec.ensure_supported(entity, "create")
        created = self._client.create(
            RESOURCES[entity].record, self._body(entity, payload), read_back=False,
            field_names=write_mapper.error_names(entity),
            idempotency_key=self.options.idempotency_key,
        )  # fmt: skip
        if not (created.remote_id or "").isdigit():
            raise errors.UpstreamError("NetSuite created the record but did not say its id.")
        return self.get(entity, str(created.remote_id))

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """PATCH the record; lines sent replace the order's lines. Closed and fully billed
        orders are `RecordLocked` (checked first: NetSuite keeps no version to send)."""
        self.spec.ensure_supported(entity, "update")
        status = self.get(entity, remote_id).data.get("status")
        if entity is Entity.PURCHASE_ORDERS and status in LOCKED:
            message = f"Purchase order {remote_id} is closed or fully billed in NetSuite."
            raise errors.RecordLocked(message, details={"status": status})
        self._client.update(
            f"{RESOURCES[entity].record}/{remote_id}", self._body(entity, changes),
            params={"replace": "item"} if "lines" in changes else None,
            field_names=write_mapper.error_names(entity),
            idempotency_key=self.options.idempotency_key,
        )  # fmt: skip
        return self.get(entity, remote_id)

    def passthrough(self, request: PassthroughRequest) -> PassthroughResponse:
        """Any REST web services request under the account's address (a SuiteQL statement,
        a Record API call), answered as NetSuite answered it."""
        return self._client.relay(request)
