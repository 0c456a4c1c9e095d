"""A small, generic OData v4 service over real HTTP on 127.0.0.1, for tests and emulators.

It follows the OASIS OData 4.01 documents on its own (it imports nothing from `connectors/`):
collections as `{"value": [...]}` with `@odata.nextLink` (`$skiptoken`) when a page is full,
`Prefer: odata.maxpagesize=N`, `$filter` (comparisons, `and`, `or`, `not`, parentheses;
string, number, GUID, date, date-time and `null` literals), `$orderby`, `$top`, `$skip`,
`$select`, `$expand` of navigation properties kept inline, `@odata.etag` on every entity,
POST with nested navigation rows (deep insert), PATCH and DELETE with `If-Match`, JSON
`$batch` (one atomicity group), and errors as `{"error": {"code", "message", "target"?}}`.

Date-times are kept to the microsecond and shown with `fraction_digits` digits, as Business
Central shows milliseconds of a finer time, so a client's handling of truncated change times
is tested for real. A later system emulator can hold one of these per service root.

    service = ODataV4Service({"items": EntitySet("id", rows)}, root="/api/v2.0/")
    with serving(service) as base_url:
        ...
"""

from __future__ import annotations

import copy
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit

from ironbridge.testing.json_server import serve_json

__all__ = ["EntitySet", "ODataV4Service", "RecordedRequest", "serving"]

_TOKEN: Final = re.compile(
    r"\s*(?:(?P<open>\()|(?P<close>\))|(?P<string>'(?:[^']|'')*')"
    r"|(?P<datetime>\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d))"
    r"|(?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"|(?P<date>\d{4}-\d\d-\d\d)|(?P<number>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][\w/]*))"
)
_COMPARE: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
    "eq": lambda a, b: bool(a == b),
    "ne": lambda a, b: bool(a != b),
    "gt": lambda a, b: a is not None and b is not None and bool(a > b),
    "ge": lambda a, b: a is not None and b is not None and bool(a >= b),
    "lt": lambda a, b: a is not None and b is not None and bool(a < b),
    "le": lambda a, b: a is not None and b is not None and bool(a <= b),
}
Predicate = Callable[[Mapping[str, Any]], bool]


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str, target: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.target = status, code, message, target


def _parse_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _literal(kind: str, text: str) -> Any:
    if kind == "string":
        return text[1:-1].replace("''", "'")
    if kind == "datetime":
        return _parse_datetime(text)
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "guid":
        return text.lower()
    if kind == "number":
        return Decimal(text)
    return {"null": None, "true": True, "false": False}[text]


def compile_filter(text: str) -> Predicate:
    """A predicate over stored rows for a `$filter` expression (the subset described above)."""
    tokens = [
        (match.lastgroup or "", match.group(match.lastgroup or 0))
        for match in _TOKEN.finditer(text)
    ]
    if "".join(value for _, value in tokens).replace(" ", "") != text.replace(" ", ""):
        raise _Refused(400, "BadRequest", f"Cannot parse the filter {text!r}.")
    position = 0

    def take() -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens):
            raise _Refused(400, "BadRequest", f"The filter {text!r} ends too early.")
        position += 1
        return tokens[position - 1]

    def peek() -> str | None:
        return tokens[position][1] if position < len(tokens) else None

    def either() -> Predicate:
        left = both()
        while peek() == "or":
            take()
            left = _any(left, both())
        return left

    def both() -> Predicate:
        left = single()
        while peek() == "and":
            take()
            left = _all(left, single())
        return left

    def single() -> Predicate:
        kind, value = take()
        if value == "not":
            inner = single()
            return lambda row: not inner(row)
        if kind == "open":
            inner = either()
            if take()[0] != "close":
                raise _Refused(400, "BadRequest", f"Unbalanced parentheses in {text!r}.")
            return inner
        operator = take()[1]
        literal_kind, literal_text = take()
        if kind != "word" or operator not in _COMPARE:
            raise _Refused(400, "BadRequest", f"Cannot parse the filter {text!r}.")
        expected = _literal(literal_kind, literal_text)
        compare = _COMPARE[operator]
        return lambda row: compare(_comparable(row.get(value)), expected)

    predicate = either()
    if position != len(tokens):
        raise _Refused(400, "BadRequest", f"Unexpected text in the filter {text!r}.")
    return predicate


def _any(first: Predicate, second: Predicate) -> Predicate:
    return lambda row: first(row) or second(row)


def _all(first: Predicate, second: Predicate) -> Predicate:
    return lambda row: first(row) and second(row)


def _comparable(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
        return value.lower()
    return value


@dataclass
class EntitySet:
    """One entity set: its key property, rows (Python values), and what the service enforces.

    Attributes:
        key: the key property; a POST without it gets a new GUID.
        rows: the entities, values as Python (`datetime` aware, `Decimal`, `date`, str ...);
            navigation properties hold lists of rows inline.
        navigation: properties sent only when `$expand`-ed (and accepted in a deep insert).
        read_only: properties a POST or PATCH may not set (a 400 naming the `target`).
        stamp: a date-time property set to the service's clock on every write.
    """

    key: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    navigation: frozenset[str] = frozenset()
    read_only: frozenset[str] = frozenset()
    stamp: str | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """A request the service answered: method, path, query parameters and headers."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class ODataV4Service:
    """The service's state and its answers; `serving` puts it on a port.

    Args:
        entity_sets: by name, as they appear in URLs under `root`.
        root: the service root path.
        max_page_size: the server's own page size; `odata.maxpagesize` may only lower it.
        fraction_digits: how many fraction digits date-times show (3: milliseconds).
        stale_etag: the status and error code answering a stale `If-Match` (the standard's
            412, or Business Central's 409 `Request_EntityChanged`).
        next_link_origin: the scheme and host `@odata.nextLink` is written with (default the
            request's own `Host`; `""` writes relative links), to play a service that sends
            clients elsewhere.
        clock: the time `EntitySet.stamp` properties get.
    """

    def __init__(
        self,
        entity_sets: Mapping[str, EntitySet],
        *,
        root: str = "/odata/",
        max_page_size: int = 1000,
        fraction_digits: int = 3,
        stale_etag: tuple[int, str] = (412, "PreconditionFailed"),
        next_link_origin: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.entity_sets = dict(entity_sets)
        self.root = root
        self.max_page_size = max_page_size
        self.fraction_digits = fraction_digits
        self.stale_etag = stale_etag
        self.next_link_origin = next_link_origin
        self.clock = clock
        self.requests: list[RecordedRequest] = []
        self._versions: dict[tuple[str, Any], int] = {}
        self._faults: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        self._lock = threading.Lock()

    def fail_next(
        self, status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        """Answer the next request with this error instead of serving it."""
        body = {"error": {"code": code, "message": message}}
        with self._lock:
            self._faults.append((status, body, dict(headers or {})))

    def etag(self, entity_set: str, key: Any) -> str:
        """The current ETag of an entity."""
        return f'W/"{self._versions.get((entity_set, key), 1)}"'

    # -- wire form ------------------------------------------------------------------------------

    def _value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            moment = value.astimezone(UTC)
            text = moment.strftime("%Y-%m-%dT%H:%M:%S")
            if self.fraction_digits:
                text += "." + f"{moment.microsecond:06d}"[: self.fraction_digits]
            return text + "Z"
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, list):
            return [self._value(item) for item in value]
        if isinstance(value, dict):
            return {name: self._value(item) for name, item in value.items()}
        return value

    def _entity(
        self, name: str, row: Mapping[str, Any], select: list[str], expand: list[str]
    ) -> dict[str, Any]:
        entity_set = self.entity_sets[name]
        out: dict[str, Any] = {"@odata.etag": self.etag(name, row[entity_set.key])}
        for prop, value in row.items():
            if prop in entity_set.navigation and prop not in expand:
                continue
            if select and prop not in select and prop not in expand:
                continue
            out[prop] = self._value(value)
        return out

    def _stored(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return _parse_datetime(value) if "T" in value and value[:4].isdigit() else value
            except ValueError:
                return value
        if isinstance(value, float):
            return Decimal(str(value))
        if isinstance(value, list):
            return [self._stored(item) for item in value]
        if isinstance(value, dict):
            return {name: self._stored(item) for name, item in value.items()}
        return value

    # -- requests -------------------------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], Any]:
        """Answer one request: (status, headers, JSON body or None)."""
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        with self._lock:
            self.requests.append(RecordedRequest(method, parts.path, query, dict(headers)))
            if self._faults:
                status, error, extra = self._faults.pop(0)
                return status, extra, error
            if method == "POST" and parts.path == f"{self.root}$batch":
                return 200, {}, self._batch(body)
            return self._answer(method, parts.path, query, headers, body)

    def _answer(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], Any]:
        try:
            return self._serve(method, path, query, headers, body)
        except _Refused as refused:
            problem: dict[str, Any] = {"code": refused.code, "message": refused.message}
            if refused.target:
                problem["target"] = refused.target
            return refused.status, {}, {"error": problem}

    def _batch(self, body: bytes) -> dict[str, Any]:
        """A JSON batch: requests run in order; if a request of an atomicity group fails, the
        whole group is undone and its other requests answer 424 (one group per batch here)."""
        requests = json.loads(body or b"{}").get("requests") or []
        saved = copy.deepcopy(({n: s.rows for n, s in self.entity_sets.items()}, self._versions))
        responses: list[dict[str, Any]] = []
        for item in requests:
            parts = urlsplit(self.root + str(item.get("url", "")))
            headers = {k.lower(): v for k, v in (item.get("headers") or {}).items()}
            content = json.dumps(item["body"]).encode() if "body" in item else b""
            status, extra, answer = self._answer(
                str(item.get("method", "GET")).upper(),
                parts.path,
                dict(parse_qsl(parts.query)),
                headers,
                content,
            )
            responses.append({"id": item.get("id"), "status": status, "headers": extra})
            if answer is not None:
                responses[-1]["body"] = answer
        grouped = [r for r, i in zip(responses, requests, strict=True) if i.get("atomicityGroup")]
        if any(r["status"] >= 400 for r in grouped):
            rows, self._versions = saved
            for name, entity_set in self.entity_sets.items():
                entity_set.rows = rows[name]
            for response in grouped:
                if response["status"] < 400:
                    response.update(status=424, body={"error": {"code": "FailedDependency"}})
        return {"responses": responses}

    def _locate(self, path: str) -> tuple[str, Any, str | None]:
        if not path.startswith(self.root):
            raise _Refused(404, "BadRequest_ResourceNotFound", f"No service at {path}.")
        match = re.fullmatch(r"(\w+)(?:\((.+?)\))?(?:/(.+))?", path[len(self.root) :])
        if match is None or match.group(1) not in self.entity_sets:
            raise _Refused(404, "BadRequest_ResourceNotFound", f"Resource not found: {path}.")
        name, key_text, rest = match.groups()
        key: Any = None
        if key_text is not None:
            token = _TOKEN.fullmatch(key_text)
            if token is None or token.lastgroup is None:
                raise _Refused(400, "BadRequest", f"Bad key {key_text!r}.")
            key = _literal(token.lastgroup, key_text)
            key = int(key) if isinstance(key, Decimal) else key
        return name, key, rest

    def _find(self, name: str, key: Any) -> dict[str, Any]:
        entity_set = self.entity_sets[name]
        for row in entity_set.rows:
            if _comparable(row[entity_set.key]) == _comparable(key):
                return row
        raise _Refused(404, "BadRequest_NotFound", f"No {name} with key {key}.")

    def _check_writable(self, entity_set: EntitySet, body: Mapping[str, Any]) -> None:
        for prop in body:
            if prop in entity_set.read_only:
                raise _Refused(400, "BadRequest_InvalidOperation", f"{prop} is read-only.", prop)

    def _check_if_match(self, name: str, key: Any, headers: Mapping[str, str]) -> None:
        given = headers.get("if-match")
        if given is None:
            raise _Refused(428, "PreconditionRequired", "This write needs If-Match.")
        if given != "*" and given != self.etag(name, key):
            status, code = self.stale_etag
            raise _Refused(status, code, "Another user has already changed the record.")

    def _serve(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], Any]:
        name, key, rest = self._locate(path)
        entity_set = self.entity_sets[name]
        select = [s for s in query.get("$select", "").split(",") if s]
        expand = [s for s in query.get("$expand", "").split(",") if s]
        if rest is not None:
            raise _Refused(400, "BadRequest_MethodNotImplemented", f"{rest} is not supported.")
        if method == "GET" and key is None:
            return 200, {}, self._collection(name, path, query, headers, select, expand)
        if method == "GET":
            row = self._find(name, key)
            return 200, {"ETag": self.etag(name, key)}, self._entity(name, row, select, expand)
        payload = json.loads(body or b"{}")
        if method == "POST" and key is None:
            self._check_writable(entity_set, payload)
            row = self._stored(payload)
            row.setdefault(entity_set.key, str(uuid.uuid4()))
            if entity_set.stamp:
                row[entity_set.stamp] = self.clock()
            entity_set.rows.append(row)
            return 201, {}, self._entity(name, row, [], list(entity_set.navigation))
        row = self._find(name, key)
        self._check_if_match(name, key, headers)
        version = (name, row[entity_set.key])
        if method == "PATCH":
            self._check_writable(entity_set, payload)
            row.update(self._stored(payload))
            if entity_set.stamp:
                row[entity_set.stamp] = self.clock()
            self._versions[version] = self._versions.get(version, 1) + 1
            return 200, {}, self._entity(name, row, [], [])
        if method == "DELETE":
            entity_set.rows.remove(row)
            self._versions.pop(version, None)
            return 204, {}, None
        raise _Refused(405, "BadRequest_MethodNotAllowed", f"{method} is not allowed here.")

    def _collection(
        self,
        name: str,
        path: str,
        query: dict[str, str],
        headers: Mapping[str, str],
        select: list[str],
        expand: list[str],
    ) -> dict[str, Any]:
        rows = list(self.entity_sets[name].rows)
        if query.get("$filter"):
            predicate = compile_filter(query["$filter"])
            rows = [row for row in rows if predicate(row)]
        for item in reversed([s.strip() for s in query.get("$orderby", "").split(",") if s]):
            prop, _, direction = item.partition(" ")
            rows.sort(key=_by(prop), reverse=direction == "desc")
        start = int(query.get("$skip", "0")) + int(query.get("$skiptoken", "0"))
        end = len(rows) if "$top" not in query else min(len(rows), int(query["$top"]))
        preferred = re.search(r"odata\.maxpagesize=(\d+)", headers.get("prefer", ""))
        size = min(self.max_page_size, int(preferred.group(1)) if preferred else 10**9)
        page = rows[start : min(end, start + size)]
        out: dict[str, Any] = {
            "value": [self._entity(name, row, select, expand) for row in page],
        }
        if start + size < end:
            origin = self.next_link_origin
            if origin is None:
                origin = f"http://{headers.get('host', '127.0.0.1')}"
            kept = {k: v for k, v in query.items() if k != "$skiptoken"}
            kept["$skiptoken"] = str(start + size - int(query.get("$skip", "0")))
            out["@odata.nextLink"] = f"{origin}{path}?{urlencode(kept)}"
        return out


def _by(prop: str) -> Callable[[Mapping[str, Any]], tuple[int, Any]]:
    def key(row: Mapping[str, Any]) -> tuple[int, Any]:
        # Nulls first, as OData orders them ascending.
        value = row.get(prop)
        return (0, "") if value is None else (1, _comparable(value))

    return key


@contextmanager
def serving(service: ODataV4Service) -> Iterator[str]:
    """Serve `service` on a free port of 127.0.0.1; yields its service root URL."""
    served = serve_json(service, name="odata-v4-service")
    try:
        yield f"{served.origin}{service.root}"
    finally:
        served.stop()
