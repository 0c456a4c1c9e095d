"""The OData v4 client: queries with server paging, reads with ETags, writes with `If-Match`.

It talks through an `httpx.Client` from `protocols.http.make_client`, so timeouts, the SSRF
guard and authentication are in place; every answer is checked through `error_table`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import httpx

from ironbridge import errors
from ironbridge.connectors.protocols import http
from ironbridge.connectors.protocols.odata_v4.error_table import FieldNames, error_for_response
from ironbridge.connectors.protocols.odata_v4.values import WIRE

__all__ = ["MAX_PAGE_SIZE_PREFERENCE", "ODataV4Client", "QueryOptions", "entity_etag", "values"]

#: The `Prefer` preference that asks the server for at most N entities per page.
MAX_PAGE_SIZE_PREFERENCE: Final = "odata.maxpagesize"
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class QueryOptions:
    """The system query options of one collection read.

    Attributes:
        filter: a `$filter` expression (build it with `values.literal` and friends).
        orderby: `$orderby` items, e.g. `("lastModifiedDateTime asc", "id asc")`.
        top: read at most this many entities (over as many server pages as it takes).
        skip: `$skip`.
        select: `$select` properties.
        expand: `$expand` navigation properties, each may carry its own options in parentheses.
    """

    filter: str | None = None
    orderby: Sequence[str] = ()
    top: int | None = None
    skip: int | None = None
    select: Sequence[str] = ()
    expand: Sequence[str] = ()

    def params(self) -> dict[str, str]:
        """The options as query parameters; empty options are left out."""
        params: dict[str, str] = {}
        if self.filter:
            params["$filter"] = self.filter
        if self.orderby:
            params["$orderby"] = ",".join(self.orderby)
        if self.top is not None:
            params["$top"] = str(self.top)
        if self.skip:
            params["$skip"] = str(self.skip)
        if self.select:
            params["$select"] = ",".join(self.select)
        if self.expand:
            params["$expand"] = ",".join(self.expand)
        return params


def values(payload: Any) -> list[dict[str, Any]]:
    """The entities of a collection payload (`value`).

    Raises:
        errors.UpstreamError: the payload is not an OData v4 collection.
    """
    rows = payload.get("value") if isinstance(payload, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise errors.UpstreamError("The source answered without an OData v4 `value` collection.")
    return rows


def entity_etag(entity: Mapping[str, Any], response: httpx.Response | None = None) -> str | None:
    """The entity's ETag: the `ETag` header of a single read, else its `@odata.etag`."""
    if response is not None and response.headers.get("ETag"):
        return response.headers["ETag"]
    etag = entity.get("@odata.etag")
    return etag if isinstance(etag, str) and etag else None


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme)


class ODataV4Client:
    """Reads and writes one OData v4 service (paths relative to the HTTP client's base URL).

    Args:
        client: from `http.make_client`, with the service root (Business Central: the company,
            `.../api/v2.0/companies(<id>)/`) as base URL.
        max_page_size: sent as `Prefer: odata.maxpagesize=N` on every collection read (None
            leaves the page size to the server; Business Central online allows up to 20000).
        max_pages: a guard against a server whose `@odata.nextLink` never ends.
        codes: the service's own error codes → factories, over `error_table.ERROR_CODES`.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        max_page_size: int | None = None,
        max_pages: int = 10_000,
        codes: Mapping[str, http.ErrorFactory] | None = None,
    ) -> None:
        if max_page_size is not None and max_page_size < 1:
            raise ValueError("max_page_size must be at least 1")
        self.http = client
        self.max_page_size = max_page_size
        self._max_pages = max_pages
        self._codes = dict(codes or {})

    # -- transport ---------------------------------------------------------------------------

    def send(
        self,
        method: str,
        target: str | httpx.URL,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request (`target` relative to the base URL, or a checked absolute URL) and
        return the answer whatever its status; transport failures raise the taxonomy."""
        with http.map_transport_errors(self.http.base_url):
            return self.http.request(
                method, target, params=params, json=json, headers=dict(headers or {})
            )

    def error_for(
        self, response: httpx.Response, field_names: FieldNames | None = None
    ) -> errors.IronbridgeError:
        """The taxonomy error of a failed answer, with this client's service error codes."""
        return error_for_response(response, field_names=field_names, codes=self._codes)

    def _check(self, response: httpx.Response, field_names: FieldNames | None = None) -> None:
        if response.status_code >= 400:
            raise self.error_for(response, field_names)

    def checked_json(self, response: httpx.Response, field_names: FieldNames | None = None) -> Any:
        """The JSON body of a successful answer; raises the taxonomy error of a failed one."""
        self._check(response, field_names)
        try:
            return response.json()
        except ValueError:
            raise errors.UpstreamError(
                f"The source answered {http.sanitize_url(response.request.url)} without JSON."
            ) from None

    def follow(self, link: str, current: httpx.URL) -> httpx.URL:
        """The absolute URL of a link the server sent (`@odata.nextLink`, `Location`).

        A relative link is resolved against `current`. Only a link to the origin (scheme, host,
        port) of the base URL is followed: the credentials go with it, and a link elsewhere,
        a cloud metadata address say, would make the connector call wherever the server says.

        Raises:
            errors.UpstreamError: the link leads to another origin.
        """
        url = current.join(link)
        if _origin(url) != _origin(self.http.base_url):
            raise errors.UpstreamError(
                f"The source sent a link to another address ({http.sanitize_url(url)}); "
                "ironbridge only follows links to the address it was given."
            )
        return url

    # -- reads -------------------------------------------------------------------------------

    def _prefer(self, max_page_size: int | None) -> dict[str, str]:
        size = max_page_size or self.max_page_size
        return {"Prefer": f"{MAX_PAGE_SIZE_PREFERENCE}={size}"} if size else {}

    def pages(
        self,
        path: str,
        options: QueryOptions = QueryOptions(),
        *,
        max_page_size: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """The server's pages of one query, following `@odata.nextLink` on the same origin.

        Pages may be empty only when the whole result is; `options.top` is sent as asked, and
        the server ends paging when it is reached.
        """
        headers = self._prefer(max_page_size)
        response = self.send("GET", path, params=options.params(), headers=headers)
        for _page in range(self._max_pages):
            payload = self.checked_json(response)
            rows = values(payload)
            link = payload.get("@odata.nextLink")
            if rows or not link:
                yield rows
            if not isinstance(link, str) or not link:
                return
            response = self.send("GET", self.follow(link, response.request.url), headers=headers)
        raise errors.UpstreamError(f"The source kept paging past {self._max_pages} pages.")

    def query(
        self,
        path: str,
        options: QueryOptions = QueryOptions(),
        *,
        max_page_size: int | None = None,
    ) -> list[dict[str, Any]]:
        """Every entity of one query, over all its pages, up to `options.top`."""
        rows: list[dict[str, Any]] = []
        for page in self.pages(path, options, max_page_size=max_page_size):
            rows.extend(page)
            if options.top is not None and len(rows) >= options.top:
                return rows[: options.top]
        return rows

    def get(
        self, path: str, *, select: Sequence[str] = (), expand: Sequence[str] = ()
    ) -> tuple[dict[str, Any], str | None]:
        """One entity (`purchaseOrders(<id>)`) and its ETag; `errors.NotFound` on 404."""
        options = QueryOptions(select=select, expand=expand)
        response = self.send("GET", path, params=options.params())
        entity = self.checked_json(response)
        if not isinstance(entity, dict) or isinstance(entity.get("value"), list):
            raise errors.UpstreamError("The source answered a collection where one entity was due.")
        return entity, entity_etag(entity, response)

    # -- writes ------------------------------------------------------------------------------

    def create(
        self, path: str, body: Mapping[str, Any], *, field_names: FieldNames | None = None
    ) -> dict[str, Any]:
        """POST a new entity and return it as created (201).

        A deep insert is the same call with the lines nested under their navigation property
        (`{"number": ..., "purchaseOrderLines": [{...}, ...]}`) where the service's metadata
        has that navigation. Values are sent through `WIRE.encode`. A service answering 204
        (`return=minimal`) is read back from its `Location`.
        """
        response = self.send(
            "POST", path, json=WIRE.encode(dict(body)), headers={"Prefer": "return=representation"}
        )
        if response.status_code == 204:
            self._check(response)
            location = response.headers.get("OData-EntityId") or response.headers.get("Location")
            if not location:
                raise errors.UpstreamError("The source created the record but did not say where.")
            entity, _ = self.get(str(self.follow(location, response.request.url)))
            return entity
        created = self.checked_json(response, field_names)
        if not isinstance(created, dict):
            raise errors.UpstreamError("The source answered a create without the entity.")
        return created

    def _if_match(self, path: str, etag: str | None) -> dict[str, str]:
        if etag is None:
            # Read the current ETag: writing without one would overwrite changes made since.
            _, etag = self.get(path)
        return {"If-Match": etag} if etag else {}

    def update(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        etag: str | None = None,
        field_names: FieldNames | None = None,
    ) -> dict[str, Any] | None:
        """PATCH the changed properties of an entity with `If-Match`.

        `etag` is the `@odata.etag` the change is based on; None reads the entity's current
        one first, and `"*"` forces the write whatever the entity's state. An entity the service
        keeps no ETag for is patched without `If-Match`. A stale ETag raises
        `errors.RecordLocked` (412, or Business Central's 409 `Request_EntityChanged`).

        Returns:
            The entity as updated when the service sends it (200), else None (204).
        """
        headers = {**self._if_match(path, etag), "Prefer": "return=representation"}
        response = self.send("PATCH", path, json=WIRE.encode(dict(body)), headers=headers)
        if response.status_code == 204:
            self._check(response)
            return None
        updated = self.checked_json(response, field_names)
        return updated if isinstance(updated, dict) else None

    def delete(self, path: str, *, etag: str | None = None) -> None:
        """DELETE an entity with `If-Match` (read first when `etag` is None; `"*"` forces)."""
        response = self.send("DELETE", path, headers=self._if_match(path, etag))
        self._check(response)

    def invoke(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """POST to a bound action (`purchaseOrders(<id>)/Microsoft.NAV.receiveAndInvoice`).

        Returns:
            The action's JSON result, or None when it answers 204.
        """
        response = self.send("POST", path, json=WIRE.encode(dict(body or {})))
        if response.status_code == 204:
            self._check(response)
            return None
        return self.checked_json(response)
