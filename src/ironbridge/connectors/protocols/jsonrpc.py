"""JSON-RPC as Tryton and Odoo speak it: envelopes, typed values, domains, keyset pages, errors.

Both systems answer HTTP 200 for most failures and put the failure in an `error` member, and both
filter with a domain language of their own. This module writes that knowledge once:

- `Dialect` (`TRYTON`, `ODOO`): the call envelope, how a result or an error is read from an
  answer, how Python values travel (Tryton's `{"__class__": "Decimal", ...}` objects, Odoo's
  `"YYYY-MM-DD HH:MM:SS"` strings), how domains combine (Tryton `["OR", d1, d2]`, Odoo's prefix
  `"|"`), and how each error becomes a class of `ironbridge.errors`.
- `keyset_pages`: pages ordered by (change field, id) with a keyset domain, so records that share
  a change time are never skipped at a page boundary, whatever the page size.
- `JsonRpcClient`: one endpoint spoken in one dialect over the shared HTTP client
  (`protocols.http`), with transport errors and HTTP statuses mapped to the taxonomy.
- `TrytonSessionAuth`: Tryton's `common.db.login` → `Authorization: Session base64(login:uid:key)`
  as an `httpx.Auth` flow that signs in lazily and signs in again, once, when a session expires.

Records are kept as the source sent them (wire JSON); `Dialect.decode` turns one wire value into
Python when a map needs it, so stored raw records re-project exactly.

Sources: Tryton 8.2 `trytond/protocols/jsonrpc.py` (envelope, `JSONEncoder`/`JSONDecoder`),
`trytond/protocols/wrappers.py` (session authorization), `trytond/exceptions.py` (error
arguments); Odoo's "External API" documentation (`/jsonrpc`, `execute_kw`, domains).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Final, Literal

import httpx

from ironbridge import errors
from ironbridge.connectors.kit.pager import KeysetPager, Seek
from ironbridge.connectors.protocols.http import (
    ErrorFactory,
    error_for_response,
    map_transport_errors,
    parse_retry_after,
    sanitize_url,
)

__all__ = [
    "ODOO",
    "TRYTON",
    "Dialect",
    "Domain",
    "ErrorRule",
    "JsonRpcClient",
    "OdooDialect",
    "Order",
    "RowQuery",
    "TrytonDialect",
    "TrytonSessionAuth",
    "change_time",
    "keyset_pages",
]

#: A search domain in a dialect's own notation (a JSON list).
Domain = list[Any]
#: Sort keys: (field, "ASC" | "DESC") pairs, most significant first.
Order = Sequence[tuple[str, Literal["ASC", "DESC"]]]
#: Reads one page of rows: (domain, order, limit) → rows as the source sent them.
RowQuery = Callable[[Domain, Order, int], list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class ErrorRule:
    """A source error message pattern and the taxonomy error it means.

    `pattern` is searched in the message the source sent (in English: sessions ask for English
    messages so that these rules hold whatever the user's language).
    """

    pattern: re.Pattern[str]
    error: Callable[[str], errors.IronbridgeError]


def _rule(pattern: str, error: Callable[[str], errors.IronbridgeError]) -> ErrorRule:
    return ErrorRule(re.compile(pattern, re.IGNORECASE | re.DOTALL), error)


def _validation(message: str) -> errors.IronbridgeError:
    # The source names its own field labels, not unified field paths, so the message is
    # reported against the whole body rather than guessed onto a unified field.
    return errors.ValidationFailed({"body": message}, message)


def _classify(rules: Sequence[ErrorRule], message: str) -> errors.IronbridgeError | None:
    for rule in rules:
        if rule.pattern.search(message):
            return rule.error(message)
    return None


class Dialect(ABC):
    """What differs between the JSON-RPC systems: envelope, values, domains and errors."""

    #: The system's name, for messages people read.
    name: ClassVar[str]

    # -- envelope ------------------------------------------------------------------------------

    @abstractmethod
    def envelope(self, call_id: int, method: str, params: Sequence[Any]) -> dict[str, Any]:
        """The request body calling `method` with already encoded `params`."""

    def unwrap(self, body: Any, *, method: str) -> Any:
        """The `result` of an answer; raises the taxonomy error its `error` member means."""
        if not isinstance(body, dict):
            raise errors.UpstreamError(f"{self.name} answered {method} with no JSON-RPC object.")
        if body.get("error") is not None:
            raise self.error_for(body["error"], method=method)
        if "result" not in body:
            raise errors.UpstreamError(
                f"{self.name} answered {method} with neither result nor error."
            )
        return body["result"]

    @abstractmethod
    def error_for(self, error: Any, *, method: str) -> errors.IronbridgeError:
        """The taxonomy error for the `error` member of an answer to `method`."""

    # -- values --------------------------------------------------------------------------------

    @abstractmethod
    def encode(self, value: Any) -> Any:
        """`value` (Python, nested lists and dicts included) as the wire carries it.

        Aware datetimes are sent in UTC; a naive datetime raises ValueError because its zone
        would be a guess. Values already in wire form pass through unchanged.
        """

    @abstractmethod
    def decode(self, value: Any) -> Any:
        """One wire value as Python: typed values become `Decimal`, `date`, aware UTC `datetime`."""

    # -- domains -------------------------------------------------------------------------------

    @abstractmethod
    def condition(self, field: str, operator: str, value: Any) -> Domain:
        """A domain holding one comparison; `value` is encoded."""

    @abstractmethod
    def all_of(self, *domains: Domain) -> Domain:
        """A domain matching what every one of `domains` matches; empty domains are ignored."""

    @abstractmethod
    def any_of(self, *domains: Domain) -> Domain:
        """A domain matching what any one of `domains` matches (at least one must be given)."""

    @abstractmethod
    def order(self, keys: Order) -> Any:
        """Sort keys in the dialect's notation."""

    def changed_since(self, change_field: str, since: datetime) -> Domain:
        """Records whose `change_field` is at or after `since` (the comparison is `>=`)."""
        return self.condition(change_field, ">=", since)

    def keyset_after(self, change_field: str, at: Any, id_field: str, last_id: Any) -> Domain:
        """Records after (`at`, `last_id`) in (change field, id) order.

        `at` is the change value of the last record read, in wire form as the source sent it, so
        the comparison is exact to the source's own precision (Tryton keeps microseconds).
        """
        return self.any_of(
            self.condition(change_field, ">", at),
            self.all_of(
                self.condition(change_field, "=", at), self.condition(id_field, ">", last_id)
            ),
        )


def _utc_naive(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{value.isoformat()} has no time zone; send aware datetimes")
    return value.astimezone(UTC).replace(tzinfo=None)


class TrytonDialect(Dialect):
    """Tryton's JSON-RPC (`trytond.protocols.jsonrpc`).

    - Envelope `{"id", "method", "params"}`: exactly these keys, or Tryton answers failures as
      HTML pages instead of `error` members.
    - Typed values are objects with a `__class__` member (`datetime`, `date`, `time`,
      `timedelta`, `Decimal`, `bytes`). Tryton's timestamps are naive UTC.
    - Domains are lists of clauses, AND by default; `["OR", d1, d2]` for alternatives.
    - Errors are `[exception name, arguments]`: every `UserError` subclass (access, required
      field, domain, selection, "not allowed to modify" ...) arrives as `"UserError"` with
      `[message, description, domain]`, so it is classified by its message through
      `USER_ERROR_RULES`; other exceptions arrive as `[str(exception), traceback]`.
    """

    name = "Tryton"

    #: `UserError` message patterns, first match wins; an unmatched user error is a
    #: validation failure (the server refused the input on a business rule).
    USER_ERROR_RULES: ClassVar[tuple[ErrorRule, ...]] = (
        # Read-only by state ("...modify the field "Description" in record "19" of "Purchase"),
        # a button called in the wrong state, or a deletion that needs cancelling first.
        _rule(r"not allowed to modify the field", errors.RecordLocked),
        _rule(r"You can not call \"", errors.RecordLocked),
        _rule(r"To delete .* you must cancel", errors.RecordLocked),
        _rule(r"You are not allowed to (access|create|read|write|delete)", errors.PermissionDenied),
        _rule(
            r"You are trying to (read|write|delete) records .* that don't exist", errors.NotFound
        ),
        _rule(r"that don't exist", errors.NotFound),
    )

    def envelope(self, call_id: int, method: str, params: Sequence[Any]) -> dict[str, Any]:
        """`{"id": call_id, "method": method, "params": [...]}`."""
        return {"id": call_id, "method": method, "params": list(params)}

    def error_for(self, error: Any, *, method: str) -> errors.IronbridgeError:
        """Classify Tryton's `[name, arguments]` error member."""
        if not isinstance(error, list | tuple) or not error:
            return errors.UpstreamError(f"Tryton answered {method} with an unreadable error.")
        kind = error[0]
        arguments = error[1] if len(error) > 1 else None
        if kind == "UserError":
            message = _first_text(arguments) or "Tryton refused the request."
            description = _nth_text(arguments, 1)
            full = f"{message} ({description})" if description else message
            return _classify(self.USER_ERROR_RULES, message) or _validation(full)
        if kind == "UserWarning":
            # A warning waits for a person to confirm it in the Tryton client; an API caller
            # cannot, so it is reported rather than skipped on the user's behalf.
            text = _nth_text(arguments, 1) or _first_text(arguments) or "Tryton raised a warning."
            return _validation(f"{text} (Tryton asks for confirmation of this warning.)")
        if kind == "LoginException":
            text = _nth_text(arguments, 1) or "Tryton asks for more sign-in details."
            return errors.ConnectionReauthRequired(
                f"{text} ironbridge signs in to Tryton with a password only."
            )
        if kind == "ConcurrencyException":
            text = arguments if isinstance(arguments, str) else "Records were modified meanwhile."
            return errors.RecordLocked(f"{text} Read the record again and retry.")
        # Anything else is an exception the server did not expect: an unknown model or field
        # (a module missing), or a bug. Its text is the first element; the traceback is empty
        # unless the server runs in development mode, and is not repeated here.
        text = kind if isinstance(kind, str) else repr(kind)
        return errors.UpstreamError(f"Tryton failed on {method}: {text}")

    def encode(self, value: Any) -> Any:
        """Python → Tryton wire values (`{"__class__": ...}` objects), recursively."""
        if isinstance(value, bool | int | float | str) or value is None:
            return value
        if isinstance(value, Decimal):
            return {"__class__": "Decimal", "decimal": format(value, "f")}
        if isinstance(value, datetime):
            naive = _utc_naive(value)
            return {
                "__class__": "datetime",
                "year": naive.year,
                "month": naive.month,
                "day": naive.day,
                "hour": naive.hour,
                "minute": naive.minute,
                "second": naive.second,
                "microsecond": naive.microsecond,
            }
        if isinstance(value, date):
            return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
        if isinstance(value, time):
            return {
                "__class__": "time",
                "hour": value.hour,
                "minute": value.minute,
                "second": value.second,
                "microsecond": value.microsecond,
            }
        if isinstance(value, timedelta):
            return {"__class__": "timedelta", "seconds": value.total_seconds()}
        if isinstance(value, bytes | bytearray):
            return {"__class__": "bytes", "base64": base64.b64encode(value).decode("ascii")}
        if isinstance(value, Mapping):
            return {str(key): self.encode(item) for key, item in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self.encode(item) for item in value]
        raise TypeError(f"{type(value).__name__} cannot be sent to Tryton")

    def decode(self, value: Any) -> Any:
        """Tryton wire value → Python; naive Tryton timestamps become aware UTC datetimes."""
        if isinstance(value, list):
            return [self.decode(item) for item in value]
        if not isinstance(value, dict):
            return value
        kind = value.get("__class__")
        try:
            if kind == "Decimal":
                return Decimal(str(value["decimal"]))
            if kind == "datetime":
                return datetime(
                    value["year"],
                    value["month"],
                    value["day"],
                    value.get("hour", 0),
                    value.get("minute", 0),
                    value.get("second", 0),
                    value.get("microsecond", 0),
                    tzinfo=UTC,
                )
            if kind == "date":
                return date(value["year"], value["month"], value["day"])
            if kind == "time":
                return time(
                    value.get("hour", 0),
                    value.get("minute", 0),
                    value.get("second", 0),
                    value.get("microsecond", 0),
                )
            if kind == "timedelta":
                return timedelta(seconds=float(value["seconds"]))
            if kind == "bytes":
                return base64.b64decode(value["base64"])
        except (KeyError, TypeError, ValueError, InvalidOperation, binascii.Error) as exc:
            raise ValueError(f"unreadable Tryton {kind} value {value!r}") from exc
        return {key: self.decode(item) for key, item in value.items()}

    def condition(self, field: str, operator: str, value: Any) -> Domain:
        """`[[field, operator, value]]`."""
        return [[field, operator, self.encode(value)]]

    def all_of(self, *domains: Domain) -> Domain:
        """Nested domains side by side: Tryton ANDs the clauses of a list."""
        parts = [domain for domain in domains if domain]
        if len(parts) == 1:
            return parts[0]
        return list(parts)

    def any_of(self, *domains: Domain) -> Domain:
        """`["OR", d1, d2, ...]`."""
        if not domains:
            raise ValueError("any_of needs at least one domain")
        return ["OR", *domains]

    def order(self, keys: Order) -> Any:
        """`[["field", "ASC"], ...]`."""
        return [[field, direction] for field, direction in keys]


_ODOO_DATETIME: Final = "%Y-%m-%d %H:%M:%S"
_ODOO_DATE: Final = "%Y-%m-%d"


class OdooDialect(Dialect):
    """Odoo's JSON-RPC 2.0 (`/jsonrpc`, service calls such as `object.execute_kw`).

    - Envelope `{"jsonrpc": "2.0", "method": "call", "params": {"service", "method", "args"},
      "id"}`; `method` here is `"<service>.<method>"`, e.g. `"object.execute_kw"`.
    - Values carry no type marks: datetimes are `"YYYY-MM-DD HH:MM:SS"` strings in UTC, dates
      `"YYYY-MM-DD"`, amounts JSON numbers; `decode` leaves them to the maps, which know each
      field's type (`parse_datetime`).
    - Domains are Polish (prefix) notation: `["|", a, "&", b, c]`, AND between top-level terms.
    - Errors are `{"code", "message", "data": {"name": "odoo.exceptions.AccessError",
      "message": ...}}`, classified by exception name through `ERRORS_BY_NAME`.
    """

    name = "Odoo"

    ERRORS_BY_NAME: ClassVar[Mapping[str, Callable[[str], errors.IronbridgeError]]] = {
        "odoo.exceptions.AccessError": errors.PermissionDenied,
        "odoo.exceptions.AccessDenied": errors.ConnectionReauthRequired,
        "odoo.http.SessionExpiredException": errors.ConnectionReauthRequired,
        "odoo.exceptions.MissingError": errors.NotFound,
        "odoo.exceptions.ValidationError": _validation,
        "odoo.exceptions.UserError": _validation,
        "odoo.exceptions.RedirectWarning": _validation,
    }
    #: A user error that refuses a change because of the record's state.
    LOCKED_RULES: ClassVar[tuple[ErrorRule, ...]] = (
        _rule(
            r"(cannot|can't|not allowed to) (modify|edit|change|delete|cancel).*"
            r"(state|confirmed|done|locked|posted)",
            errors.RecordLocked,
        ),
        # Purchase: "... you must cancel it first", "... You must first unlock them",
        # "Unable to cancel purchase order P00005 as some receptions have already been done."
        _rule(
            r"must (first )?(cancel|unlock)|receptions have already been done", errors.RecordLocked
        ),
    )

    def unwrap(self, body: Any, *, method: str) -> Any:
        """The `result` of an answer; Odoo leaves `result` out when a method returned None."""
        if isinstance(body, dict) and body.get("error") is None and "result" not in body:
            return None
        return super().unwrap(body, method=method)

    def envelope(self, call_id: int, method: str, params: Sequence[Any]) -> dict[str, Any]:
        """A JSON-RPC 2.0 `call` of `service.method` with positional `args`."""
        service, _, service_method = method.partition(".")
        if not service or not service_method:
            raise ValueError(f"Odoo methods are named service.method, not {method!r}")
        return {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": service_method, "args": list(params)},
            "id": call_id,
        }

    def error_for(self, error: Any, *, method: str) -> errors.IronbridgeError:
        """Classify Odoo's `{"code", "message", "data": {"name", "message"}}` error member."""
        if not isinstance(error, dict):
            return errors.UpstreamError(f"Odoo answered {method} with an unreadable error.")
        raw_data = error.get("data")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        name = str(data.get("name") or "")
        message = str(data.get("message") or error.get("message") or "Odoo refused the request.")
        if error.get("code") == 100:
            # Code 100 is Odoo's "session expired" whatever exception name is attached.
            return errors.ConnectionReauthRequired(message)
        factory = self.ERRORS_BY_NAME.get(name)
        if factory is None:
            return errors.UpstreamError(f"Odoo failed on {method}: {message}")
        if factory is _validation:
            return _classify(self.LOCKED_RULES, message) or factory(message)
        return factory(message)

    def encode(self, value: Any) -> Any:
        """Python → Odoo wire values: UTC datetime and date strings, numbers for decimals."""
        if isinstance(value, bool | int | float | str) or value is None:
            return value
        if isinstance(value, Decimal):
            # Odoo keeps amounts as floats; it has no exact decimal type on the wire.
            return float(value)
        if isinstance(value, datetime):
            return _utc_naive(value).strftime(_ODOO_DATETIME)
        if isinstance(value, date):
            return value.strftime(_ODOO_DATE)
        if isinstance(value, Mapping):
            return {str(key): self.encode(item) for key, item in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self.encode(item) for item in value]
        raise TypeError(f"{type(value).__name__} cannot be sent to Odoo")

    def decode(self, value: Any) -> Any:
        """Odoo values carry no type: returned unchanged (see `parse_datetime`)."""
        return value

    @staticmethod
    def parse_datetime(value: str) -> datetime:
        """An Odoo datetime string (UTC, no zone) as an aware datetime."""
        return datetime.strptime(value, _ODOO_DATETIME).replace(tzinfo=UTC)

    def condition(self, field: str, operator: str, value: Any) -> Domain:
        """`[[field, operator, value]]` (Odoo accepts lists for its tuples)."""
        return [[field, operator, self.encode(value)]]

    @staticmethod
    def _expressions(domain: Domain) -> int:
        """How many expressions stand side by side at the top of a prefix-notation domain."""
        depth = 0
        for term in reversed(domain):
            if term in ("&", "|"):
                depth -= 1
            elif term != "!":
                depth += 1
        return depth

    def _as_one(self, domain: Domain) -> Domain:
        # Odoo ANDs top-level expressions implicitly; inside an OR each branch must be a single
        # expression, so the implicit ANDs are written out.
        count = self._expressions(domain)
        return ["&"] * (count - 1) + list(domain)

    def all_of(self, *domains: Domain) -> Domain:
        """The domains one after another: Odoo ANDs top-level expressions."""
        out: Domain = []
        for domain in domains:
            out.extend(domain)
        return out

    def any_of(self, *domains: Domain) -> Domain:
        """`["|", d1, "|", d2, d3]` with each branch made a single expression."""
        if not domains:
            raise ValueError("any_of needs at least one domain")
        branches = [self._as_one(domain) for domain in domains if domain]
        if len(branches) < len(domains):
            return []  # an empty branch matches everything
        out: Domain = ["|"] * (len(branches) - 1)
        for branch in branches:
            out.extend(branch)
        return out

    def order(self, keys: Order) -> Any:
        """`"field asc, id asc"`."""
        return ", ".join(f"{field} {direction.lower()}" for field, direction in keys)


#: The Tryton dialect.
TRYTON: Final = TrytonDialect()
#: The Odoo dialect.
ODOO: Final = OdooDialect()


def _first_text(arguments: Any) -> str | None:
    return _nth_text(arguments, 0)


def _nth_text(arguments: Any, index: int) -> str | None:
    if isinstance(arguments, list | tuple) and len(arguments) > index:
        value = arguments[index]
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


# --- keyset paging -----------------------------------------------------------------------------


def keyset_pages(
    query: RowQuery,
    dialect: Dialect,
    *,
    change_field: str,
    since: datetime | None,
    page_size: int,
    domain: Domain | None = None,
    id_field: str = "id",
    granularity: timedelta = timedelta(0),
) -> Iterator[list[dict[str, Any]]]:
    """Pages of rows ordered by (`change_field`, `id_field`), read with a keyset domain.

    The first page is `change_field >= since` (all rows when `since` is None); each next page
    asks for rows after the last one read: `change > t OR (change = t AND id > last_id)`, with
    `t` encoded back exactly as the source sent it. Rows sharing one change time (a batch
    written in one transaction) are therefore never skipped, and an offset is never used, so
    rows written while paging do not shift later pages. The paging is `kit.KeysetPager` with
    exact stamps; this function translates its seeks into the dialect's domains.

    Args:
        query: reads one page; it must request `change_field` and `id_field`.
        dialect: the source's dialect.
        change_field: a stored (searchable and sortable) change time that is never null.
        since: the lower bound, inclusive; aware.
        page_size: the most rows per page (at least 1).
        domain: the resource's own filter, ANDed to every page.
        id_field: the unique tie-breaker.
        granularity: 0 when the source sends its change times as exactly as it compares them
            (Tryton); a source that sends them coarser, such as Odoo's `write_date` printed
            to the second, gives that step and is read by buckets (see `kit.KeysetPager`).

    Yields:
        Non-empty lists of rows (at most `page_size` each).

    Raises:
        errors.UpstreamError: a row lacks its change time or id, or the source did not return
            rows in the requested order or outside the domain (a keyset would then skip records).
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    base = list(domain or [])
    order: Order = ((change_field, "ASC"), (id_field, "ASC"))

    def run(seek: Seek[Any], limit: int) -> list[dict[str, Any]]:
        if seek.by_key and seek.start is not None and seek.end is not None:
            after = [] if seek.after_key is None else [(id_field, ">", seek.after_key)]
            clauses = [(change_field, ">=", seek.start), (change_field, "<", seek.end), *after]
            bound = dialect.all_of(*(dialect.condition(*clause) for clause in clauses))
            return query(dialect.all_of(base, bound), ((id_field, "ASC"),), limit)
        # Exact stamps go back to the source encoded as they came, so `=` compares to its
        # own precision.
        if seek.after_key is not None and seek.start is not None:
            bound = dialect.keyset_after(change_field, seek.start, id_field, seek.after_key)
        elif seek.start is not None:
            bound = dialect.changed_since(change_field, seek.start)
        else:
            bound = []
        return query(dialect.all_of(base, bound), order, limit)

    pager: KeysetPager[dict[str, Any], Any] = KeysetPager(
        run,
        change=lambda row: _change_time(dialect, row.get(change_field)),
        key=lambda row: row.get(id_field),
        granularity=granularity,
        source=dialect.name,
    )
    for page in pager.pages(since, page_size=page_size):
        yield [keyed.row for keyed in page]


def change_time(dialect: Dialect, wire: Any) -> datetime:
    """A change time as the source sent it, as an aware datetime (`errors.UpstreamError` when
    it is missing or not a datetime)."""
    value = _change_time(dialect, wire)
    if value is None:
        raise errors.UpstreamError(f"{dialect.name} sent a record without a change time.")
    return value


def _change_time(dialect: Dialect, wire: Any) -> datetime | None:
    if wire is None:
        return None
    value = dialect.decode(wire)
    if isinstance(value, str):
        # Odoo's values carry no type: its change times are UTC strings.
        try:
            value = OdooDialect.parse_datetime(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise errors.UpstreamError(f"{dialect.name} sent a change time that is not a datetime.")
    return value


# --- the client --------------------------------------------------------------------------------


class JsonRpcClient:
    """One JSON-RPC endpoint (`path` under the HTTP client's base URL) spoken in `dialect`.

    The HTTP client comes from `protocols.http.make_client`, so timeouts, the SSRF guard and
    authentication (an `httpx.Auth` such as `TrytonSessionAuth`) are already in place.
    """

    def __init__(
        self,
        http: httpx.Client,
        path: str,
        dialect: Dialect,
        *,
        status_errors: Mapping[int, ErrorFactory] | None = None,
        anonymous: bool = False,
    ) -> None:
        self.http = http
        self.path = path
        self.dialect = dialect
        self._status_errors = dict(status_errors or {})
        # Calls that need no session (server version, database list) skip the client's auth,
        # which would otherwise sign in first.
        self._anonymous = anonymous
        self._ids = itertools.count(1)

    @property
    def url(self) -> httpx.URL:
        """The endpoint's absolute URL."""
        return self.http.base_url.join(self.path)

    def call(self, method: str, *params: Any) -> Any:
        """Call `method` with `params` (Python values, encoded here) and return its result.

        Raises the taxonomy: transport failures through `map_transport_errors`, non-200 answers
        through `protocols.http.error_for_response` (with this client's `status_errors` first),
        and `error` members through `Dialect.error_for`. The result is wire JSON.
        """
        status, body = self.send(method, [self.dialect.encode(param) for param in params])
        if status != 200:
            raise errors.UpstreamError(f"{self.dialect.name} answered {method} with HTTP {status}.")
        return self.dialect.unwrap(body, method=method)

    def send(self, method: str, params: Sequence[Any]) -> tuple[int, Any]:
        """Post one call with `params` already in wire form; returns (200, decoded body).

        HTTP errors raise as in `call`; an answer whose body is not JSON raises
        `errors.UpstreamError`. The `error` member, if any, is left in the body.
        """
        envelope = self.dialect.envelope(next(self._ids), method, params)
        content = json.dumps(envelope, separators=(",", ":"))
        with map_transport_errors(self.url):
            request = self.http.build_request(
                "POST", self.path, content=content, headers={"Content-Type": "application/json"}
            )
            if self._anonymous:
                response = self.http.send(request, auth=None)
            else:
                response = self.http.send(request)
        if response.status_code >= 400:
            raise error_for_response(
                response,
                message=f"{self.dialect.name} refused {method} (HTTP {response.status_code}).",
                overrides=self._status_errors,
            )
        try:
            body = response.json()
        except ValueError:
            raise errors.UpstreamError(
                f"{sanitize_url(self.url)} answered {method} with something other than JSON."
            ) from None
        return response.status_code, body


# --- Tryton sessions ---------------------------------------------------------------------------


class TrytonSessionAuth(httpx.Auth):
    """Tryton's session sign-in as an `httpx.Auth` flow.

    The first request signs in with `common.db.login` (`[login, {"password": ...}, language]`
    → `[user_id, session_key, ...]`) and every request then carries
    `Authorization: Session base64("<login>:<user_id>:<session_key>")`. Tryton answers 401 to
    an expired, logged-out or foreign-IP session (sessions are bound to the address that signed
    in); the flow then signs in again once and resends. A refused sign-in raises
    `errors.ConnectionReauthRequired`, a throttled one `errors.RateLimitExceeded`.
    """

    requires_response_body = True

    def __init__(
        self, login_url: httpx.URL | str, username: str, password: str, *, language: str = "en"
    ) -> None:
        self.login_url = httpx.URL(login_url)
        self.username = username
        self._password = password
        self._language = language
        self._token: str | None = None
        self.user_id: int | None = None
        self.session_key: str | None = None

    @property
    def signed_in(self) -> bool:
        """Whether a session is held (it may still have expired on the server)."""
        return self._token is not None

    @property
    def token(self) -> str | None:
        """The held session's token, as `Authorization: Session <token>` carries it."""
        return self._token

    def forget(self) -> None:
        """Drop the held session, e.g. after logging out."""
        self._token = self.session_key = None
        self.user_id = None

    def session_header(self) -> dict[str, str]:
        """The `Authorization` header of the held session (empty when none is held)."""
        return {} if self._token is None else {"Authorization": f"Session {self._token}"}

    def login_request(self) -> httpx.Request:
        """The `common.db.login` request."""
        body = TRYTON.envelope(
            0, "common.db.login", [self.username, {"password": self._password}, self._language]
        )
        return httpx.Request(
            "POST",
            self.login_url,
            content=json.dumps(body, separators=(",", ":")),
            headers={"Content-Type": "application/json"},
        )

    def accept_login(self, response: httpx.Response) -> None:
        """Keep the session a `common.db.login` answer grants, or raise why there is none."""
        status = response.status_code
        if status in (401, 403):
            raise errors.ConnectionReauthRequired(
                f"Tryton refused the user name or password for {self.username!r}."
            )
        if status == 404:
            raise errors.ConnectionReauthRequired(
                "Tryton has no database by that name at this address."
            )
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            raise errors.RateLimitExceeded(
                "Tryton blocks sign-ins for this user after repeated failures; "
                "try again in a few minutes.",
                retry_after=300.0 if wait is None else wait,
            )
        if status >= 400:
            raise error_for_response(response, message=f"Tryton sign-in failed (HTTP {status}).")
        try:
            result = TRYTON.unwrap(response.json(), method="common.db.login")
        except ValueError:
            raise errors.UpstreamError(
                "Tryton answered the sign-in with something other than JSON."
            ) from None
        if not (isinstance(result, list) and len(result) >= 2 and isinstance(result[0], int)):
            raise errors.ConnectionReauthRequired(
                f"Tryton refused the user name or password for {self.username!r}."
            )
        self.user_id, self.session_key = result[0], str(result[1])
        token = f"{self.username}:{self.user_id}:{self.session_key}"
        self._token = base64.b64encode(token.encode()).decode("ascii")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign in when needed, send `request`, and on 401 sign in again once and resend."""
        fresh = False
        if self._token is None:
            self.accept_login((yield self.login_request()))
            fresh = True
        request.headers["Authorization"] = f"Session {self._token}"
        response = yield request
        if response.status_code == 401 and not fresh:
            self.forget()
            self.accept_login((yield self.login_request()))
            request.headers["Authorization"] = f"Session {self._token}"
            yield request
