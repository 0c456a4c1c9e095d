"""The REST-JSON client: pages, reads and writes over the guarded transport of `protocols.http`.

A `Dialect` is what one system declares once: its error table and how it writes. NetSuite
creates with a POST answered by 204 and a `Location` holding the new id, and updates with
PATCH; Maximo creates with a POST that returns the record when asked with `properties: *`,
and updates with a POST carrying `x-method-override: PATCH` and `patchtype: MERGE` (without
`MERGE` a child array such as `poline` is replaced, deleting the lines not sent: IBM Maximo
REST client README, 3.3 "update vs merge").

A system that applies a keyed write once (NetSuite's `X-NetSuite-Idempotency-Key`) declares the
header in `Writes.idempotency_header`; every create and update then carries a key derived from
the caller's `Idempotency-Key` (`write_key`), so a write retried after a lost answer is applied
once, or a fresh key when the caller gave none, so that retries inside the one write are.

Links the server hands out (next pages, `Location`) are followed only on the origin of the
connection's base URL: a link to any other host is refused, since following it would carry the
connection's credentials there (SSRF).
"""

from __future__ import annotations

import uuid
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote

import httpx

from ironbridge import errors
from ironbridge.connectors.base import PassthroughRequest, PassthroughResponse
from ironbridge.connectors.protocols import http
from ironbridge.connectors.protocols.rest_json.failures import (
    ErrorTable,
    FieldNames,
    error_for_response,
)
from ironbridge.connectors.protocols.rest_json.paging import lookup
from ironbridge.connectors.protocols.rest_json.queries import Listing

__all__ = ["Created", "Dialect", "RestJsonClient", "Writes", "write_key"]

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
#: The namespace of keys derived from a caller's `Idempotency-Key`.
_KEYS: Final = uuid.UUID("6b1d3c1e-2f7a-4c55-9a43-6e6574737569")
#: Headers a passthrough caller may not set: the session owns authentication.
_BLOCKED: Final = frozenset(
    {"authorization", "cookie", "host", "content-length", "transfer-encoding"}
)


def write_key(given: str | None, method: str, path: str) -> str:
    """The idempotency key a write sends: a UUID derived from the caller's key and the write's
    method and path (the same call retried gives the same key), or a fresh one when the caller
    gave none. Never the write's content: the same change asked twice on purpose is two
    writes (a status set, set back, and set again)."""
    if given is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(_KEYS, f"{method} {path}\n{given}"))


@dataclass(frozen=True)
class Writes:
    """How a system writes.

    `create_headers` go with every create (Maximo's `properties: *` returns the record);
    `read_back_params` go with the GET that reads a created record back from its `Location`
    when the create answered without a body (NetSuite's `expandSubResources=true`);
    `record_link` is where a returned record holds its own address, for a create answered
    without `Location`. An update is `update_method` with `update_headers`. `params` go with
    every write (Maximo's `lean=1`, so answers are lean JSON). An action on a record (Maximo's
    `?action=wsmethod:changeStatus`) is a POST with the query parameter `action_param` set to
    `action_value` formatted with the action's name, and the create headers. Creates and
    updates carry `idempotency_header` (see `write_key`) where the system declares one.
    """

    create_headers: Mapping[str, str] = field(default_factory=dict)
    read_back_params: Mapping[str, str] = field(default_factory=dict)
    record_link: str | None = None
    update_method: str = "PATCH"
    update_headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    action_param: str | None = None
    action_value: str = "{name}"
    #: The header that makes a write idempotent at the source; None where there is none.
    idempotency_header: str | None = None


@dataclass(frozen=True)
class Dialect:
    """One REST-JSON system: its errors, its writes, and what to tell an operator whose server
    hands out links to another address (`link_hint`)."""

    errors: ErrorTable
    writes: Writes = field(default_factory=Writes)
    link_hint: str = ""

    @property
    def name(self) -> str:
        """The system's name, for messages people read."""
        return self.errors.name


@dataclass(frozen=True)
class Created:
    """What a create answered: the new record's id and address, and the record itself.

    `remote_id` is the last segment of the record's address (NetSuite's internal id, Maximo's
    opaque member id); `record` is None only when the create was not read back.
    """

    remote_id: str | None
    location: str | None
    record: dict[str, Any] | None


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    scheme = url.scheme.lower()
    return scheme, url.host.lower(), url.port or _DEFAULT_PORTS.get(scheme)


def _last_segment(address: str) -> str | None:
    segment = httpx.URL(address).path.rstrip("/").rsplit("/", 1)[-1]
    return unquote(segment) or None


class RestJsonClient:
    """Talks to one REST-JSON system through an `httpx.Client` from `http.make_client`.

    Paths are relative to the client's base URL; links from the server are absolute or
    relative to the request that returned them. Every call maps transport errors and failed
    statuses to the taxonomy through the dialect's error table.
    """

    def __init__(self, client: httpx.Client, dialect: Dialect, *, max_pages: int = 10_000) -> None:
        self.http = client
        self.dialect = dialect
        # A server whose links never end would otherwise keep a sync running forever.
        self._max_pages = max_pages

    # -- requests ----------------------------------------------------------------------------

    def follow(self, link: str, *, against: httpx.URL | None = None) -> httpx.URL:
        """The absolute URL of `link` (resolved against `against`, else the base URL), after
        checking that it stays on the base URL's origin.

        Raises:
            errors.UpstreamError: the link leads to another scheme, host or port than the
                base URL, or is no URL; it is not requested.
        """
        try:
            url = (against or self.http.base_url).join(link)
            origin = _origin(url)
        except (httpx.InvalidURL, ValueError):
            raise errors.UpstreamError(f"{self.dialect.name} sent a link that is no URL.") from None
        # User info in a link would be sent as credentials of its own; the source has no
        # business handing out any.
        if origin != _origin(self.http.base_url) or url.userinfo:
            hint = f" {self.dialect.link_hint}" if self.dialect.link_hint else ""
            raise errors.UpstreamError(
                f"{self.dialect.name}: {http.sanitize_url(url.copy_with(query=None))} is another "
                f"address than this connection's ({http.sanitize_url(self.http.base_url)}); "
                f"it is not requested.{hint}"
            )
        return url

    def send(
        self,
        method: str,
        target: str | httpx.URL,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        field_names: FieldNames | None = None,
    ) -> httpx.Response:
        """Send one request and return its successful response.

        `target` is a path under the base URL (its own query merged with `params`) or an
        absolute URL; either must stay on the base URL's origin (see `follow`). Failed
        statuses raise through the dialect's error table, with error paths translated by
        `field_names`.
        """
        if isinstance(target, str):
            path, _, query = target.partition("?")
            merged = httpx.QueryParams(query).merge(dict(params or {}))
            # Checked like a link: a path may come from a record (Maximo's `href`), and an
            # absolute one would otherwise replace the base URL's host.
            url = self.follow(path.lstrip("/")).copy_with(params=merged)
        else:
            url = self.follow(str(target)).copy_merge_params(dict(params or {}))
        with http.map_transport_errors(self.http.base_url):
            response = self.http.request(method, url, json=json, headers=dict(headers or {}))
        if response.status_code >= 400:
            raise error_for_response(response, self.dialect.errors, field_names=field_names)
        return response

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise errors.UpstreamError(
                f"{self.dialect.name} answered {http.sanitize_url(response.request.url)} "
                "without JSON."
            ) from None

    # -- reads -------------------------------------------------------------------------------

    def get(
        self, target: str | httpx.URL, params: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """One record; raises `errors.NotFound` on 404."""
        record = self._json(self.send("GET", target, params=params))
        if not isinstance(record, dict):
            raise errors.UpstreamError(f"{self.dialect.name} answered a record that is not one.")
        return record

    def pages(
        self,
        path: str,
        listing: Listing,
        *,
        page_size: int,
        where: Sequence[str] = (),
        order: Sequence[str] = (),
        statement: str | None = None,
    ) -> Generator[list[dict[str, Any]], None, None]:
        """The records of one collection, page by page, to the end.

        Args:
            path: the collection under the base URL.
            listing: how the collection pages and takes its filter and order.
            page_size: the rows asked per page (capped at the listing's maximum).
            where: conditions in the listing's syntax, all of which must hold.
            order: fields to sort by ascending, most significant first.
            statement: for a listing that posts a statement (SuiteQL), its text with `{where}`
                and `{order}` placeholders (a literal brace is doubled, as in `str.format`).

        Yields:
            Non-empty pages as the server sent them.

        Raises:
            ValueError: a filter or an order the listing cannot carry.
            errors.UpstreamError: a page without its rows, a link to another origin or one
                already read, or more than `max_pages` pages.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        syntax = listing.syntax
        params: dict[str, str] = {**listing.params, **listing.paging.first(page_size)}
        condition = syntax.all_of(*where)
        body: dict[str, str] | None = None
        if listing.statement_field is not None:
            if statement is None:
                raise ValueError("this listing posts a statement; pass its text")
            sort = syntax.order(*order) if order else ""
            body = {
                listing.statement_field: statement.format(
                    where=condition or syntax.everything or "", order=sort
                )
            }
        else:
            if condition is not None:
                if listing.filter_param is None:
                    raise ValueError("this listing takes no filter")
                params[listing.filter_param] = condition
            if order:
                if listing.order_param is None:
                    raise ValueError("this listing cannot sort")
                params[listing.order_param] = syntax.order(*order)
        target: str | httpx.URL = path
        seen: set[str] = set()
        for _page in range(self._max_pages):
            response = self.send(
                listing.method, target, params=params, json=body, headers=listing.headers
            )
            payload = self._json(response)
            rows = listing.paging.rows(payload, self.dialect.name)
            if rows:
                yield rows
            step = listing.paging.next(payload, params, len(rows))
            if step is None:
                return
            link, params = step
            if link is not None:
                target = self.follow(link, against=response.request.url)
                if str(target) in seen:
                    raise errors.UpstreamError(f"{self.dialect.name} linked to a page twice.")
                seen.add(str(target))
        raise errors.UpstreamError(f"{self.dialect.name} kept paging past {self._max_pages} pages.")

    # -- writes ------------------------------------------------------------------------------

    def create(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        field_names: FieldNames | None = None,
        read_back: bool = True,
        idempotency_key: str | None = None,
    ) -> Created:
        """POST a new record to the collection `path`.

        The new record's address is the `Location` header, or the returned record's own link;
        a create answered without a body (NetSuite's 204) is read back from that address when
        `read_back`. `idempotency_key` is the caller's (see `write_key`).
        """
        writes = self.dialect.writes
        headers = {**writes.create_headers, **self._keyed("POST", path, idempotency_key)}
        response = self.send(
            "POST",
            path,
            params=writes.params,
            json=dict(body),
            headers=headers,
            field_names=field_names,
        )
        record: dict[str, Any] | None = None
        if response.content.strip():
            payload = self._json(response)
            record = payload if isinstance(payload, dict) else None
        location = response.headers.get("Location")
        if location is None and record is not None and writes.record_link:
            link = lookup(record, writes.record_link)
            location = link if isinstance(link, str) and link else None
        if location is not None:
            location = str(self.follow(location, against=response.request.url))
        if record is None and location is not None and read_back:
            record = self.get(httpx.URL(location), writes.read_back_params)
        remote_id = _last_segment(location) if location is not None else None
        return Created(remote_id, location, record)

    def update(
        self,
        target: str | httpx.URL,
        body: Mapping[str, Any],
        *,
        etag: str | None = None,
        field_names: FieldNames | None = None,
        params: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        """Change the fields in `body` of the record at `target`, as the dialect updates.

        `etag` is sent as `If-Match` (Maximo's `_rowstamp` locking); a stale one raises
        `errors.RecordLocked`. `params` go with the request (NetSuite's `replace=item`);
        `idempotency_key` is the caller's (see `write_key`).
        """
        writes = self.dialect.writes
        method = writes.update_method
        headers = {**writes.update_headers, **self._keyed(method, str(target), idempotency_key)}
        if etag is not None:
            headers["If-Match"] = etag
        self.send(
            method,
            target,
            params={**writes.params, **(params or {})},
            json=dict(body),
            headers=headers,
            field_names=field_names,
        )

    def _keyed(self, method: str, path: str, given: str | None) -> dict[str, str]:
        header = self.dialect.writes.idempotency_header
        return {} if header is None else {header: write_key(given, method, path)}

    def act(
        self,
        target: str | httpx.URL,
        name: str,
        body: Mapping[str, Any],
        *,
        field_names: FieldNames | None = None,
    ) -> dict[str, Any] | None:
        """Run the action `name` on the record at `target` (Maximo's change status); the
        record as the answer shows it, or None when the answer has no body.

        Raises:
            ValueError: the system declares no actions.
        """
        writes = self.dialect.writes
        if writes.action_param is None:
            raise ValueError(f"{self.dialect.name} declares no actions on records")
        params = {**writes.params, writes.action_param: writes.action_value.format(name=name)}
        response = self.send(
            "POST",
            target,
            params=params,
            json=dict(body),
            headers=writes.create_headers,
            field_names=field_names,
        )
        if not response.content.strip():
            return None
        record = self._json(response)
        return record if isinstance(record, dict) else None

    def delete(self, target: str | httpx.URL) -> None:
        """Delete the record at `target`; raises `errors.NotFound` when it is gone."""
        self.send("DELETE", target)

    # -- passthrough -------------------------------------------------------------------------

    def relay(self, request: PassthroughRequest) -> PassthroughResponse:
        """Send a passthrough request under the base URL with the session's credentials and
        return the answer as it came, whatever its status, minus headers that carry secrets.
        Headers that would replace the session's authentication are not sent."""
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _BLOCKED}
        url = self.follow(request.path.lstrip("/")).copy_merge_params(request.query)
        with http.map_transport_errors(self.http.base_url):
            response = self.http.request(request.method, url, json=request.body, headers=headers)
        kept = http.redact_headers(dict(response.headers))
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        shown = {name: value for name, value in kept.items() if value != http.REDACTED}
        return PassthroughResponse(response.status_code, shown, body)
