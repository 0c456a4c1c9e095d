"""OData V2, written once for every system that serves it.

What the family knows (OData V2 JSON format, "verbose" JSON):

- payloads: `{"d": {"results": [...], "__next": ..., "__count": "n"}}` for collections and
  `{"d": {...}}` for one entity; `__metadata.etag` beside each entity.
- values: Edm.DateTime as `/Date(ms)/`, Edm.DateTimeOffset as `/Date(ms+0000)/`, Edm.Time as
  `PT10H30M00S`, decimals as strings; literals `datetime'…'`, `datetimeoffset'…'`, `time'…'`;
  `ODataV2Wire` reads and writes them for the kit's maps.
- paging: `$top`/`$skip` from the client and `__next` links (with `$skiptoken`) from the server.
- change reading: `ChangeReader` streams records in (change time, key) order with a keyset
  that is safe under the ms truncation of `/Date(ms)/` (see its docstring).
- writes: deep insert, `PATCH` with `If-Match` from the `ETag` header or `__metadata.etag`.
- errors: `error.code` and `error.message.value` → the taxonomy, through one status table;
  a server that adds field details to the body (SAP Gateway) declares where (`DetailedErrors`),
  and the properties a refused write names read as the unified fields a caller sent, off the
  write map (`TargetNames`).

A system package declares services, entity sets, keys, `$expand` paths and change fields
(`protocols.odata_session`); it never parses a payload or builds a filter string itself.
"""

from __future__ import annotations

import heapq
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from ironbridge import errors
from ironbridge.connectors.kit.fields import Field, MapContext
from ironbridge.connectors.kit.maps import RecordMap
from ironbridge.connectors.kit.pager import KeysetPager, Seek, truncate
from ironbridge.connectors.kit.wire import Wire
from ironbridge.connectors.kit.written import WrittenNames
from ironbridge.connectors.protocols import http

__all__ = [
    "ChangeField",
    "ChangeReader",
    "ChangeStamp",
    "ChangedRow",
    "DateAndTimeChange",
    "DetailedErrors",
    "ErrorBody",
    "ErrorReader",
    "FieldNames",
    "ODataV2Client",
    "ODataV2Wire",
    "TargetNames",
    "TimestampChange",
    "all_of",
    "any_of",
    "datetime_literal",
    "datetimeoffset_literal",
    "entity_etag",
    "error_for_response",
    "error_object",
    "error_text",
    "format_date",
    "format_datetimeoffset",
    "format_time",
    "has_error_body",
    "key_predicate",
    "keys_after",
    "merge_changes",
    "nested_results",
    "next_link",
    "parse_date",
    "parse_time",
    "raise_for_status",
    "read_error",
    "results",
    "single",
    "string_literal",
    "time_literal",
]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_DATE_RE: Final = re.compile(r"^/Date\((-?\d+)(?:([+-])(\d{1,4}))?\)/$")
_TIME_RE: Final = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?$")


# --- values -----------------------------------------------------------------------------------


def parse_date(value: str) -> datetime:
    """An aware UTC datetime from `/Date(ms)/` or `/Date(ms+0000)/`.

    The milliseconds count from the epoch in UTC; the optional offset (in minutes) only says
    which zone the writer was in, so the instant is the same either way (OData V2 JSON format,
    "Representing Dates and Times").

    Raises:
        ValueError: the text is not a `/Date(...)/` value.
    """
    match = _DATE_RE.match(value)
    if match is None:
        raise ValueError(f"not an OData V2 date: {value!r}")
    return _EPOCH + timedelta(milliseconds=int(match.group(1)))


def _milliseconds(value: date | datetime) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a datetime sent to OData must carry a time zone")
        delta = value.astimezone(UTC) - _EPOCH
    else:
        delta = datetime(value.year, value.month, value.day, tzinfo=UTC) - _EPOCH
    return delta // timedelta(milliseconds=1)


def format_date(value: date | datetime) -> str:
    """`/Date(ms)/` for an Edm.DateTime property: a date is midnight UTC, as SAP stores dates."""
    return f"/Date({_milliseconds(value)})/"


def format_datetimeoffset(value: datetime) -> str:
    """`/Date(ms+0000)/` for an Edm.DateTimeOffset property."""
    return f"/Date({_milliseconds(value)}+0000)/"


def parse_time(value: str) -> time:
    """An Edm.Time duration such as `PT14H05M30S` as a time of day.

    Raises:
        ValueError: the text is not a time of day in that form.
    """
    match = _TIME_RE.match(value)
    if match is None or value == "PT":
        raise ValueError(f"not an OData V2 time: {value!r}")
    hours, minutes, seconds, fraction = match.groups()
    micros = int((fraction or "0").ljust(6, "0")[:6])
    return time(int(hours or 0), int(minutes or 0), int(seconds or 0), micros)


def format_time(value: time) -> str:
    """An Edm.Time value (`PT14H05M30S`) for a time of day, to the second."""
    return f"PT{value.hour:02d}H{value.minute:02d}M{value.second:02d}S"


def string_literal(value: str) -> str:
    """A quoted string literal for `$filter` and keys; quotes are doubled (`'O''Neil'`)."""
    return "'" + value.replace("'", "''") + "'"


def datetime_literal(value: date | datetime) -> str:
    """A `datetime'2024-01-31T00:00:00'` literal for an Edm.DateTime property (UTC wall time)."""
    moment = (
        value.astimezone(UTC)
        if isinstance(value, datetime)
        else datetime(value.year, value.month, value.day, tzinfo=UTC)
    )
    return f"datetime'{moment.strftime('%Y-%m-%dT%H:%M:%S')}'"


def datetimeoffset_literal(value: datetime) -> str:
    """A `datetimeoffset'2024-01-31T10:00:00.123Z'` literal, to the millisecond, in UTC."""
    if value.tzinfo is None:
        raise ValueError("a datetimeoffset literal needs a time zone")
    moment = value.astimezone(UTC)
    millis = moment.microsecond // 1000
    return f"datetimeoffset'{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{millis:03d}Z'"


def time_literal(value: time) -> str:
    """A `time'PT10H30M00S'` literal for an Edm.Time property."""
    return f"time'{format_time(value)}'"


def key_predicate(keys: Mapping[str, str]) -> str:
    """The key segment of an entity URL: `('4500000001')`, or `(A='1',B='2')` for compound keys.

    Values are string keys (SAP's keys are Edm.String); a compound key whose part is a date
    passes the ready literal through `datetime_literal` and is given here as text starting with
    `datetime'`.
    """

    def literal(value: str) -> str:
        return (
            value if value.startswith(("datetime'", "datetimeoffset'")) else (string_literal(value))
        )

    if len(keys) == 1:
        return f"({literal(next(iter(keys.values())))})"
    return "(" + ",".join(f"{name}={literal(value)}" for name, value in keys.items()) + ")"


def all_of(*conditions: str | None) -> str | None:
    """Join `$filter` conditions with `and`, each in parentheses; None when there are none."""
    present = [condition for condition in conditions if condition]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return " and ".join(f"({condition})" for condition in present)


def any_of(*conditions: str) -> str:
    """Join `$filter` conditions with `or`, each in parentheses."""
    return " or ".join(f"({condition})" for condition in conditions)


# --- payloads ---------------------------------------------------------------------------------


def _body(payload: Any) -> Any:
    if not isinstance(payload, dict) or "d" not in payload:
        raise errors.UpstreamError("The source answered without the OData V2 `d` wrapper.")
    return payload["d"]


def results(payload: Any) -> list[dict[str, Any]]:
    """The entities of a collection payload (`d.results`).

    Raises:
        errors.UpstreamError: the payload is not an OData V2 collection.
    """
    body = _body(payload)
    rows = body.get("results") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise errors.UpstreamError("The source answered without `d.results`.")
    return rows


def single(payload: Any) -> dict[str, Any]:
    """The entity of a single-entity payload (`d`)."""
    body = _body(payload)
    if not isinstance(body, dict) or "results" in body:
        raise errors.UpstreamError("The source answered a collection where one entity was due.")
    return body


def next_link(payload: Any) -> str | None:
    """The server's `d.__next` link, or None on the last page."""
    body = _body(payload)
    link = body.get("__next") if isinstance(body, dict) else None
    return link if isinstance(link, str) and link else None


def entity_etag(entity: Mapping[str, Any], response: httpx.Response | None = None) -> str | None:
    """The entity's ETag: the `ETag` header of a single read, else `__metadata.etag`."""
    if response is not None and response.headers.get("ETag"):
        return response.headers["ETag"]
    metadata = entity.get("__metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("etag"), str):
        etag: str = metadata["etag"]
        return etag
    return None


def nested_results(entity: Mapping[str, Any], navigation: str) -> list[dict[str, Any]]:
    """The expanded to-many navigation `navigation` of `entity` (`{"results": [...]}`)."""
    value = entity.get(navigation)
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        return [row for row in value["results"] if isinstance(row, dict)]
    if isinstance(value, dict) and "__deferred" in value:
        raise errors.UpstreamError(f"The source did not expand {navigation}.")
    return []


class ODataV2Wire(Wire):
    """OData V2 JSON as the kit's maps read and write it.

    Paths reach into expanded navigations (`to_Supplier/SupplierName`) and their
    `{"results": [...]}` rows, and writes rows (a deep insert's) the same way; an empty string
    is no value (SAP Gateway sends `""`, never null, for an empty property, and clears one with
    `""`); `/Date(ms)/` is a date or an instant; decimals travel as strings.
    """

    separator = "/"
    blank = ""
    blank_write = ""
    plain_keys = True
    empty_texts = frozenset({""})

    def __init__(self, name: str = "The source") -> None:
        self.name = name

    def get(self, row: Mapping[str, Any] | None, path: str) -> Any:
        # Payloads are decoded JSON, so plain dicts: one property is one lookup, and maps read
        # thousands of them per page.
        if type(row) is dict and "/" not in path:
            return row.get(path)
        return super().get(row, path)

    def to_decimal(self, value: Any) -> Decimal:
        # Edm.Decimal travels as a string; anything else takes the general route.
        return Decimal(value) if type(value) is str else super().to_decimal(value)

    def decode(self, value: Any) -> Any:
        match = _DATE_RE.match(value) if isinstance(value, str) else None
        return value if match is None else _EPOCH + timedelta(milliseconds=int(match.group(1)))

    def rows(self, row: Mapping[str, Any] | None, path: str) -> list[Mapping[str, Any]]:
        """The rows of an expanded to-many navigation; one left deferred is an error."""
        parent, _, navigation = path.rpartition(self.separator)
        node = self.get(row, parent) if parent else row
        return list(nested_results(node, navigation)) if isinstance(node, Mapping) else []

    def from_date(self, value: date) -> Any:
        return format_date(value)

    def from_datetime(self, value: datetime) -> Any:
        return format_datetimeoffset(value)

    def put(self, out: dict[str, Any], path: str, value: Any) -> None:
        # A to-many navigation of a deep insert is a collection: `{"results": [...]}`.
        super().put(out, path, {"results": value} if isinstance(value, list) else value)


# --- errors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorBody:
    """What a failed response says about itself.

    Attributes:
        message: the source's explanation as people read it (code included), or None.
        targets: (target, message) for each property the source blames, in its order; a
            target is a property name or a path such as `to_Item(Item='10')/Quantity`.
    """

    message: str | None = None
    targets: tuple[tuple[str, str], ...] = ()


#: Reads a failed response's body; a system whose server adds to OData's error format
#: (SAP Gateway's `innererror.errordetails`) passes its own to `ODataV2Client`.
ErrorReader = Callable[[httpx.Response], ErrorBody]


def error_object(response: httpx.Response) -> dict[str, Any] | None:
    """The `error` object of an OData error body, or None when the body is not one."""
    try:
        payload = response.json()
    except ValueError:
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    return error if isinstance(error, dict) else None


def error_text(error: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(code, message text) of an `error` object; either None when absent."""
    code, message = error.get("code"), error.get("message")
    text = message.get("value") if isinstance(message, dict) else message
    return (code if isinstance(code, str) else None), (text if isinstance(text, str) else None)


def has_error_body(response: httpx.Response) -> bool:
    """Whether `response` carries an OData error body (so the server, not a proxy, answered)."""
    return error_object(response) is not None


def read_error(response: httpx.Response) -> ErrorBody:
    """The OData V2 error body `{"error": {"code": …, "message": {"lang": …, "value": …}}}`
    (OData V2 JSON format, "Error Response"), as `code: value`."""
    code, text = error_text(error_object(response) or {})
    if text is None:
        return ErrorBody()
    return ErrorBody(f"{code}: {text}" if code else text)


@dataclass(frozen=True)
class DetailedErrors:
    """The `ErrorReader` of a server that lists, inside the error object at the `/` path
    `details`, the properties a request failed on (SAP Gateway: `innererror/errordetails`).

    Each entry with a `target` and a `severity` among `failing` (none given: `error`) blames
    that target with its own `message`, else the body's; entries of other severities are notes.
    The message is `<system> <code>: <text>`, or the text alone without a code.
    """

    system: str
    details: str
    failing: frozenset[str] = frozenset({"error"})

    def __call__(self, response: httpx.Response) -> ErrorBody:
        error = error_object(response)
        if error is None:
            return ErrorBody()
        code, text = error_text(error)
        details: Any = error
        for step in self.details.split("/"):
            details = details.get(step) if isinstance(details, dict) else None
        targets: list[tuple[str, str]] = []
        for detail in details or ():
            target = detail.get("target") if isinstance(detail, dict) else None
            severity = str(detail.get("severity") or "error").lower() if target else ""
            if isinstance(target, str) and severity in self.failing:
                targets.append((target, str(detail.get("message") or text or "Invalid value.")))
        message = f"{self.system} {code}: {text}" if code and text else text
        return ErrorBody(message, tuple(targets))


#: Translates an error `target` (a property, or a path such as
#: `to_PurchaseOrderItem(PurchaseOrderItem='10')/OrderQuantity`) into a unified field path.
FieldNames = Mapping[str, str] | Callable[[str], str]


#: A step of an error target with a key predicate, and the property right after it:
#: `to_Item(Item='10')/Quantity`, `A_Item(Order='',Item='10')/Quantity`, `to_Item('10')/Quantity`.
_KEYED_STEP: Final = re.compile(r"(\w+)\(([^)]*)\)/(\w+)")
_SINGLE_KEY: Final = re.compile(r"\s*'?(\d+)'?\s*")


@dataclass(frozen=True)
class TargetNames:
    """The `FieldNames` of a write map (`kit.WrittenNames`): an error `target` as the unified
    field path a caller sent.

    A property (`Supplier`, or the last step of a path) is named as the map writes it
    (`vendor_id`). A row written by a numbered `Rows` (`number="Item", step=10`) is a step
    named as the rows' navigation (`to_Item`) or as their entity set (ending in the number
    property, `A_Item`), keyed by its number alone or among other keys (`Item='20'`); the
    property after it is named within the row, at the row's place: `lines.1.quantity`.
    Anything else stays as the source named it.
    """

    names: WrittenNames

    @classmethod
    def of(cls, record_map: RecordMap) -> TargetNames:
        """The names of what `record_map` writes (`kit.WrittenNames.of_map`)."""
        return cls(WrittenNames.of_map(record_map))

    def __call__(self, target: str) -> str:
        for step, keys, prop in _KEYED_STEP.findall(target):
            for name, rows, within in self.names.rows.values():
                if not rows.number or (step != rows.path and not step.endswith(rows.number)):
                    continue
                keyed = re.search(rf"(?:^|,)\s*{re.escape(rows.number)}\s*=\s*'?(\d+)'?", keys)
                number = keyed or _SINGLE_KEY.fullmatch(keys)
                if number is not None:
                    place = max(int(number.group(1)) // rows.step - 1, 0)
                    return f"{name}.{place}.{within.fields.get(prop, prop)}"
        prop = target.rsplit("/", 1)[-1].split("(", 1)[0]
        return self.names.fields.get(prop, prop)


def _field_name(target: str, field_names: FieldNames) -> str:
    if callable(field_names):
        return field_names(target)
    # With a plain table the property is the last segment of the target.
    prop = target.rsplit("/", 1)[-1].split("(", 1)[0]
    return field_names.get(prop, prop)


def error_for_response(
    response: httpx.Response,
    *,
    field_names: FieldNames | None = None,
    overrides: Mapping[int, http.ErrorFactory] | None = None,
    reader: ErrorReader = read_error,
) -> errors.IronbridgeError:
    """The taxonomy error for a failed OData V2 response.

    The message is what `reader` finds in the body. A 400 or 422 whose body names targets
    becomes `errors.ValidationFailed` with one field per target, translated through
    `field_names` (a table property → unified field, or a function of the whole target), and
    one with a message only `ValidationFailed` on `body`; other statuses follow
    `http.STATUS_ERRORS`, with 412 (stale `If-Match`) as `errors.RecordLocked` and 428 (a write
    without `If-Match`) as an upstream error, since only a client bug sends one.
    """
    body = reader(response)
    message = body.message
    if response.status_code in (400, 422):
        names: FieldNames = field_names or {}
        fields: dict[str, str] = {}
        for target, text in body.targets:
            fields.setdefault(_field_name(target, names), text)
        if fields:
            return errors.ValidationFailed(fields, message)
        if message:
            return errors.ValidationFailed({"body": message}, message)
    table: dict[int, http.ErrorFactory] = {
        412: lambda _r, msg: errors.RecordLocked(
            f"The record changed in the source since it was read ({msg})."
        ),
        428: lambda _r, msg: errors.UpstreamError(f"The source requires If-Match ({msg})."),
    }
    table.update(overrides or {})
    return http.error_for_response(response, message=message, overrides=table)


def raise_for_status(
    response: httpx.Response,
    *,
    field_names: FieldNames | None = None,
    overrides: Mapping[int, http.ErrorFactory] | None = None,
    reader: ErrorReader = read_error,
) -> None:
    """Raise `error_for_response(...)` when the status is 4xx or 5xx."""
    if response.status_code >= 400:
        raise error_for_response(
            response, field_names=field_names, overrides=overrides, reader=reader
        )


# --- client -----------------------------------------------------------------------------------


class ODataV2Client:
    """Reads and writes one OData V2 server through an `httpx.Client` from `http.make_client`.

    Paths are relative to the client's base URL (`<service>/<entity set>...`). Every call maps
    transport errors and failed statuses to the taxonomy, reading error bodies with `error_reader`;
    `field_names` on writes translates property names in error targets to unified field names.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        max_pages: int = 10_000,
        error_reader: ErrorReader = read_error,
    ) -> None:
        self.http = client
        # A server whose __next never ends would otherwise keep a sync running forever.
        self._max_pages = max_pages
        self._error_reader = error_reader

    def error_for(
        self, response: httpx.Response, *, field_names: FieldNames | None = None
    ) -> errors.IronbridgeError:
        """The taxonomy error for a failed `response`, its body read as this server writes it."""
        return error_for_response(response, field_names=field_names, reader=self._error_reader)

    def _raise_for_status(
        self, response: httpx.Response, *, field_names: FieldNames | None = None
    ) -> None:
        if response.status_code >= 400:
            raise self.error_for(response, field_names=field_names)

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request and return the response as it came, whatever its status.

        A query string inside `path` (a `__next` link's `$skiptoken`) is merged with `params`:
        httpx replaces a URL's query with any params given, the client's `sap-client` included.
        """
        target, _, query = path.partition("?")
        merged = httpx.QueryParams(query).merge(dict(params or {}))
        with http.map_transport_errors(self.http.base_url):
            return self.http.request(
                method, target, params=merged, json=json, headers=dict(headers or {})
            )

    def get_json(
        self, path: str, params: Mapping[str, str] | None = None
    ) -> tuple[Any, httpx.Response]:
        """GET `path` and return its JSON payload and the response; raises on failure.

        Fresh queries ask for `$format=json`; a `__next` link is followed as the server wrote
        it, since it already carries the query's options.
        """
        response = self.send(
            "GET", path, params=None if params is None else {"$format": "json", **params}
        )
        self._raise_for_status(response)
        try:
            return response.json(), response
        except ValueError:
            raise errors.UpstreamError(
                f"The source answered {http.sanitize_url(response.request.url)} without JSON."
            ) from None

    def _follow(self, link: str) -> str:
        # The server builds __next from its own idea of its host name, which behind a reverse
        # proxy is not the address we were given; keep our base and take only path and query.
        parts = urlsplit(link)
        base_path = self.http.base_url.path
        path = parts.path
        if path.startswith(base_path):
            path = path[len(base_path) :]
        return f"{path.lstrip('/')}?{parts.query}" if parts.query else path.lstrip("/")

    def query(
        self,
        path: str,
        *,
        filter: str | None = None,
        orderby: Sequence[str] = (),
        top: int | None = None,
        skip: int | None = None,
        expand: Sequence[str] = (),
        select: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """The entities of one query, following `__next` until `top` rows (or the end) are read."""
        params: dict[str, str] = {}
        if filter:
            params["$filter"] = filter
        if orderby:
            params["$orderby"] = ",".join(orderby)
        if top is not None:
            params["$top"] = str(top)
        if skip:
            params["$skip"] = str(skip)
        if expand:
            params["$expand"] = ",".join(expand)
        if select:
            params["$select"] = ",".join(select)
        rows: list[dict[str, Any]] = []
        payload, _ = self.get_json(path, params)
        for _page in range(self._max_pages):
            rows.extend(results(payload))
            link = next_link(payload)
            if link is None or (top is not None and len(rows) >= top):
                return rows[:top] if top is not None else rows
            payload, _ = self.get_json(self._follow(link))
        raise errors.UpstreamError(f"The source kept paging past {self._max_pages} pages.")

    def iter_all(
        self,
        path: str,
        *,
        key: Sequence[str],
        page_size: int,
        filter: str | None = None,
        expand: Sequence[str] = (),
        select: Sequence[str] = (),
    ) -> Iterator[list[dict[str, Any]]]:
        """Every entity matching `filter`, in key order, one keyset page at a time.

        Keyset pages (`Key gt 'last'`) rather than `$skip`, so a record created or deleted during
        the read does not shift later pages onto rows already read or past unread ones. `key`
        must be string properties that together identify an entity.
        """
        after: list[str] | None = None
        while True:
            condition = None if after is None else keys_after(key, after)
            rows = self.query(
                path,
                filter=all_of(filter, condition),
                orderby=key,
                top=page_size,
                expand=expand,
                select=select,
            )
            if not rows:
                return
            yield rows
            if len(rows) < page_size:
                return
            after = [str(rows[-1][name]) for name in key]

    def distinct(
        self, path: str, columns: Sequence[str], *, limit: int
    ) -> Iterator[tuple[str, ...]]:
        """The distinct values of `columns` (string properties) in ascending order.

        OData V2 has no `$apply`, so each request asks for the first row after the last tuple
        seen: one request per distinct tuple, at most `limit` of them.
        """
        after: list[str] | None = None
        for _ in range(limit):
            rows = self.query(
                path,
                filter=None if after is None else keys_after(columns, after),
                orderby=columns,
                top=1,
                select=columns,
            )
            if not rows:
                return
            after = [str(rows[0].get(name) or "") for name in columns]
            yield tuple(after)

    def get(self, path: str, *, expand: Sequence[str] = ()) -> tuple[dict[str, Any], str | None]:
        """One entity and its ETag; raises `errors.NotFound` on 404."""
        params = {"$expand": ",".join(expand)} if expand else {}
        payload, response = self.get_json(path, params)
        entity = single(payload)
        return entity, entity_etag(entity, response)

    def create(
        self, path: str, body: Mapping[str, Any], *, field_names: FieldNames | None = None
    ) -> dict[str, Any]:
        """POST a new entity (deep insert included) and return the created entity (201)."""
        response = self.send("POST", path, json=dict(body))
        self._raise_for_status(response, field_names=field_names)
        try:
            return single(response.json())
        except ValueError:
            raise errors.UpstreamError("The source answered a create without JSON.") from None

    def update(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        etag: str | None,
        field_names: FieldNames | None = None,
    ) -> None:
        """PATCH the changed properties of an entity with `If-Match: etag` (204 expected).

        `etag` None sends no `If-Match`, for entity sets that carry no ETag; "*" forces the
        write whatever the entity's state. A stale ETag raises `errors.RecordLocked` (412).
        """
        headers = {"If-Match": etag} if etag else {}
        response = self.send("PATCH", path, json=dict(body), headers=headers)
        self._raise_for_status(response, field_names=field_names)


def keys_after(key: Sequence[str], after: Sequence[str]) -> str:
    """`$filter` for "key tuple greater than `after`" in lexicographic order.

    `keys_after(("Plant", "StorageLocation"), ("1710", "171A"))` gives
    `(Plant gt '1710') or (Plant eq '1710' and StorageLocation gt '171A')`.
    """
    clauses: list[str] = []
    for index, name in enumerate(key):
        equal = [f"{key[i]} eq {string_literal(after[i])}" for i in range(index)]
        greater = f"{name} gt {string_literal(after[index])}"
        clauses.append(" and ".join([*equal, greater]))
    return clauses[0] if len(clauses) == 1 else any_of(*clauses)


# --- change reading ---------------------------------------------------------------------------


class ChangeField(ABC):
    """How an entity set records its change time, and how to filter and order on it."""

    #: The resolution of the change time as the JSON payload shows it.
    granularity: timedelta

    @abstractmethod
    def order_by(self) -> list[str]:
        """The `$orderby` properties that sort by change time ascending."""

    @abstractmethod
    def at_or_after(self, moment: datetime) -> str:
        """`$filter` for "changed at or after `moment`" (`moment` is on the granularity)."""

    @abstractmethod
    def within(self, start: datetime, end: datetime) -> str:
        """`$filter` for "changed at or after `start` and before `end`"."""

    @abstractmethod
    def read(self, entity: Mapping[str, Any]) -> datetime | None:
        """The entity's change time in UTC, or None when the source left it empty."""

    def floor(self, moment: datetime) -> datetime:
        """`moment` rounded down to the granularity."""
        return truncate(moment, self.granularity)


@dataclass(frozen=True)
class TimestampChange(ChangeField):
    """An Edm.DateTimeOffset change stamp such as `LastChangeDateTime`.

    The server may hold it to 100 ns (`Precision="7"`), but `/Date(ms)/` shows milliseconds, so
    the default granularity is one millisecond and filters bracket whole milliseconds. A
    property kept to the second (`Precision="0"`) declares `granularity=timedelta(seconds=1)`,
    so a `since` with a fraction does not step past records stamped earlier in its second.
    """

    name: str
    granularity: timedelta = field(default=timedelta(milliseconds=1))

    def order_by(self) -> list[str]:
        return [self.name]

    def at_or_after(self, moment: datetime) -> str:
        return f"{self.name} ge {datetimeoffset_literal(moment)}"

    def within(self, start: datetime, end: datetime) -> str:
        return (
            f"{self.name} ge {datetimeoffset_literal(start)} and "
            f"{self.name} lt {datetimeoffset_literal(end)}"
        )

    def read(self, entity: Mapping[str, Any]) -> datetime | None:
        value = entity.get(self.name)
        return parse_date(value) if isinstance(value, str) and value else None


@dataclass(frozen=True)
class DateAndTimeChange(ChangeField):
    """A change time split into an Edm.DateTime date and an Edm.Time time of day.

    A_BusinessPartner records changes this way (`LastChangeDate` + `LastChangeTime`), so "at
    or after" needs both: a later date, or the same date and a time at or after. The pair is
    read as UTC wall time.
    """

    date_name: str
    time_name: str
    granularity: timedelta = field(default=timedelta(seconds=1))

    def order_by(self) -> list[str]:
        return [self.date_name, self.time_name]

    def at_or_after(self, moment: datetime) -> str:
        day = datetime_literal(moment.date())
        clock = time_literal(moment.astimezone(UTC).time())
        return any_of(
            f"{self.date_name} gt {day}",
            f"{self.date_name} eq {day} and {self.time_name} ge {clock}",
        )

    def within(self, start: datetime, end: datetime) -> str:
        # Buckets are one second wide and never cross midnight.
        day = datetime_literal(start.date())
        return f"{self.date_name} eq {day} and {self.time_name} eq {time_literal(start.time())}"

    def read(self, entity: Mapping[str, Any]) -> datetime | None:
        day = entity.get(self.date_name)
        if not isinstance(day, str) or not day:
            return None
        clock = entity.get(self.time_name)
        moment = parse_time(clock) if isinstance(clock, str) and clock else time(0)
        return parse_date(day).replace(hour=moment.hour, minute=moment.minute, second=moment.second)


@dataclass(frozen=True, slots=True)
class ChangeStamp(Field):
    """A change field read as an instant of a map (`kit.RecordMap(created=...)`), for a time
    kept as a date and a time of day (`DateAndTimeChange("CreationDate", "CreationTime")`)."""

    change: ChangeField

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        return self.change.read(row)


@dataclass(frozen=True, order=True)
class ChangedRow:
    """One entity read from a change stream, with its position (modified_at, remote_id)."""

    modified_at: datetime
    remote_id: str
    data: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class ChangeReader:
    """Streams the entities of one entity set in (change time, key) order, from `since` on.

    The paging is `kit.KeysetPager` by buckets of the change field's granularity, which is
    safe against the truncation of `/Date(ms)/`: the server orders by its full precision, so
    rows that show the same millisecond may come back in any key order. Each query asks for
    `change >= cursor`; all rows of the page except the last time bucket are complete, so they
    are sorted by (bucket, key) and yielded, and the cursor moves to that last bucket, which the
    next query reads again whole. A page holding a single bucket is read completely by key
    (`change within the bucket and key gt 'last'`), so any number of records sharing one
    change time are neither skipped nor read forever. This class translates the pager's seeks
    into `$filter` and `$orderby`.

    Attributes:
        client: the OData client.
        path: the entity set's path, e.g. `API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder`.
        key: the string property that is the record's remote id.
        change: the change field.
        filter: a fixed condition (`Supplier ne ''`, the current validity slice, ...).
        expand: `$expand` paths read with each entity.
    """

    client: ODataV2Client
    path: str
    key: str
    change: ChangeField
    filter: str | None = None
    expand: tuple[str, ...] = ()

    def _remote_id(self, entity: dict[str, Any]) -> str | None:
        remote_id = entity.get(self.key)
        return remote_id if isinstance(remote_id, str) and remote_id else None

    def _run(self, seek: Seek[str], limit: int) -> list[dict[str, Any]]:
        if seek.by_key and seek.start is not None and seek.end is not None:
            condition: str | None = self.change.within(seek.start, seek.end)
            if seek.after_key is not None:
                condition = f"{condition} and {self.key} gt {string_literal(seek.after_key)}"
            orderby = [self.key]
        elif seek.after_key is None:
            condition = None if seek.start is None else self.change.at_or_after(seek.start)
            orderby = [*self.change.order_by(), self.key]
        else:
            # Only exact stamps are continued "after (time, key)"; `/Date(ms)/` never is one.
            raise ValueError("an OData V2 change field needs a granularity above zero")
        return self.client.query(
            self.path,
            filter=all_of(self.filter, condition),
            orderby=orderby,
            top=limit,
            expand=self.expand,
        )

    def rows(self, since: datetime | None, *, batch: int = 500) -> Iterator[ChangedRow]:
        """Every entity changed at or after `since` (all when None), in ascending order.

        Rows in the bucket of `since` that changed slightly before it are included: the payload
        cannot tell them apart, and a re-read is harmless where a skip is not.
        """
        if batch < 2:
            raise ValueError("batch must be at least 2")
        pager: KeysetPager[dict[str, Any], str] = KeysetPager(
            self._run,
            change=self.change.read,
            key=self._remote_id,
            granularity=self.change.granularity,
            source=self.path,
        )
        for page in pager.pages(since, page_size=batch):
            for keyed in page:
                yield ChangedRow(keyed.modified_at, keyed.key, keyed.row)


def merge_changes(*streams: Iterable[ChangedRow]) -> Iterator[ChangedRow]:
    """Merge ordered change streams into one ordered stream (for records split across queries)."""
    return heapq.merge(*streams)
