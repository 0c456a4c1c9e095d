import base64
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors import SessionOptions
from ironbridge.connectors.protocols.http import make_client
from ironbridge.connectors.protocols.jsonrpc import (
    ODOO,
    TRYTON,
    Domain,
    JsonRpcClient,
    Order,
    TrytonSessionAuth,
    keyset_pages,
)

T0 = datetime(2026, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)

# -- values ---------------------------------------------------------------------------------------


def test_tryton_typed_values_round_trip() -> None:
    value = {
        "price": Decimal("4.7500"),
        "day": date(2026, 11, 22),
        "at": T0,
        "took": timedelta(minutes=45),
        "raw": b"\x00\x01",
        "tags": ("a", 1),
    }
    wire = TRYTON.encode(value)
    assert wire["price"] == {"__class__": "Decimal", "decimal": "4.7500"}
    assert wire["day"] == {"__class__": "date", "year": 2026, "month": 11, "day": 22}
    assert wire["at"]["microsecond"] == 123456 and wire["tags"] == ["a", 1]
    assert TRYTON.decode(json.loads(json.dumps(wire))) == {**value, "tags": ["a", 1]}


def test_tryton_datetimes_travel_in_utc_and_naive_ones_are_refused() -> None:
    paris = datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert TRYTON.encode(paris)["hour"] == 10
    with pytest.raises(ValueError, match="no time zone"):
        TRYTON.encode(datetime(2026, 5, 1, 12, 0))


def test_an_unreadable_typed_value_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Decimal"):
        TRYTON.decode({"__class__": "Decimal", "decimal": "four"})


def test_odoo_values_are_plain_utc_strings() -> None:
    assert ODOO.encode({"at": T0, "day": date(2026, 1, 2), "n": Decimal("1.5")}) == {
        "at": "2026-05-01 10:00:00",
        "day": "2026-01-02",
        "n": 1.5,
    }
    assert ODOO.parse_datetime("2026-05-01 10:00:00") == T0.replace(microsecond=0)


# -- domains --------------------------------------------------------------------------------------


def test_tryton_keyset_domain_uses_or_lists() -> None:
    at = TRYTON.encode(T0)
    assert TRYTON.keyset_after("last_modified_at", at, "id", 7) == [
        "OR",
        [["last_modified_at", ">", at]],
        [[["last_modified_at", "=", at]], [["id", ">", 7]]],
    ]


def test_odoo_keyset_domain_uses_prefix_operators() -> None:
    assert ODOO.keyset_after("write_date", "2026-05-01 10:00:00", "id", 7) == [
        "|",
        ["write_date", ">", "2026-05-01 10:00:00"],
        "&",
        ["write_date", "=", "2026-05-01 10:00:00"],
        ["id", ">", 7],
    ]


def test_odoo_or_makes_each_branch_one_expression() -> None:
    a, b, c = (ODOO.condition(name, "=", 1) for name in "abc")
    assert ODOO.any_of(ODOO.all_of(a, b), c) == ["|", "&", *a, *b, *c]


def test_orders_per_dialect() -> None:
    keys: Order = (("last_modified_at", "ASC"), ("id", "ASC"))
    assert TRYTON.order(keys) == [["last_modified_at", "ASC"], ["id", "ASC"]]
    assert ODOO.order(keys) == "last_modified_at asc, id asc"


# -- keyset paging ----------------------------------------------------------------------------------


def _matches(row: dict[str, Any], domain: Any) -> bool:
    """A tiny evaluator of the Tryton domains keyset_pages builds."""
    if not domain:
        return True
    if domain[0] == "OR":
        return any(_matches(row, branch) for branch in domain[1:])
    if isinstance(domain[0], str):
        field, operator, wire = domain
        left, right = TRYTON.decode(row[field]), TRYTON.decode(wire)
        if operator == "in":
            return left in right
        if operator == "=":
            return left == right
        if operator == ">":
            return left > right
        assert operator == ">="
        return left >= right
    return all(_matches(row, clause) for clause in domain)


def _table(count: int, distinct_times: int) -> list[dict[str, Any]]:
    return [
        {
            "id": index,
            "last_modified_at": TRYTON.encode(T0 + timedelta(seconds=index % distinct_times)),
        }
        for index in range(1, count + 1)
    ]


def _query(rows: list[dict[str, Any]], log: list[Domain]) -> Callable[[Domain, Order, int], Any]:
    def query(domain: Domain, order: Order, limit: int) -> list[dict[str, Any]]:
        log.append(domain)
        found = [row for row in rows if _matches(row, domain)]
        found.sort(key=lambda row: (TRYTON.decode(row["last_modified_at"]), row["id"]))
        return found[:limit]

    return query


@pytest.mark.parametrize("page_size", [1, 2, 3, 50])
def test_keyset_pages_never_skip_or_repeat_rows_that_share_a_time(page_size: int) -> None:
    rows = _table(23, distinct_times=3)
    pages = list(
        keyset_pages(
            _query(rows, []),
            TRYTON,
            change_field="last_modified_at",
            since=None,
            page_size=page_size,
        )
    )
    seen = [row["id"] for page in pages for row in page]
    assert sorted(seen) == list(range(1, 24)) and len(seen) == len(set(seen))
    assert all(0 < len(page) <= page_size for page in pages)


def test_keyset_pages_start_at_since_inclusive_and_keep_the_resource_filter() -> None:
    rows = _table(10, distinct_times=10)
    log: list[Domain] = []
    since = T0 + timedelta(seconds=5)
    pages = keyset_pages(
        _query(rows, log),
        TRYTON,
        change_field="last_modified_at",
        since=since,
        page_size=2,
        domain=TRYTON.condition("id", "in", [4, 5, 6, 7, 8]),
    )
    assert [row["id"] for page in pages for row in page] == [5, 6, 7, 8]
    assert log[0][0] == [["id", "in", [4, 5, 6, 7, 8]]]


def test_rows_out_of_order_are_an_upstream_error() -> None:
    rows = _table(3, distinct_times=3)

    def backwards(domain: Domain, order: Order, limit: int) -> list[dict[str, Any]]:
        return list(reversed(rows))

    with pytest.raises(errors.UpstreamError, match="out of"):
        list(
            keyset_pages(
                backwards, TRYTON, change_field="last_modified_at", since=None, page_size=5
            )
        )


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
}


def _full_precision(row: dict[str, Any], domain: Any) -> bool:
    """Evaluates a Tryton domain on the time a source keeps, not on the one it sends."""
    if not domain:
        return True
    if domain[0] == "OR":
        return any(_full_precision(row, branch) for branch in domain[1:])
    if isinstance(domain[0], str):
        field, operator, wire = domain
        return _OPERATORS[operator](row[field], TRYTON.decode(wire))
    return all(_full_precision(row, clause) for clause in domain)


@pytest.mark.parametrize("page_size", [1, 2, 5])
def test_keyset_pages_read_times_sent_to_the_second_by_buckets(page_size: int) -> None:
    # A source that keeps microseconds but sends whole seconds (as Odoo prints write_date).
    kept = [
        {"id": i, "write_date": T0 + timedelta(microseconds=(i * 7919) % 2_000_000)}
        for i in range(1, 13)
    ]

    def query(domain: Domain, order: Order, limit: int) -> list[dict[str, Any]]:
        found = [row for row in kept if _full_precision(row, domain)]
        by_id = [name for name, _ in order] == ["id"]
        found.sort(key=lambda row: row["id"] if by_id else (row["write_date"], row["id"]))
        return [
            {"id": row["id"], "write_date": TRYTON.encode(row["write_date"].replace(microsecond=0))}
            for row in found[:limit]
        ]

    pages = list(
        keyset_pages(
            query,
            TRYTON,
            change_field="write_date",
            since=T0,
            page_size=page_size,
            granularity=timedelta(seconds=1),
        )
    )
    seen = [row["id"] for page in pages for row in page]
    assert sorted(seen) == list(range(1, 13)) and len(seen) == len(set(seen))
    assert all(0 < len(page) <= page_size for page in pages)


# -- errors -----------------------------------------------------------------------------------------

TRYTON_ERRORS = [
    (
        [
            "UserError",
            ['You are not allowed to modify the field "Description" in record "19".', "", None],
        ],
        errors.RecordLocked,
    ),
    (["UserError", ['To delete purchase "19" you must cancel it.', "", None]], errors.RecordLocked),
    (
        ["UserError", ['You can not call "quote" on "19" of "Purchase".', "", None]],
        errors.RecordLocked,
    ),
    (
        ["UserError", ['You are not allowed to access "Purchase".', "Within groups: Stock", None]],
        errors.PermissionDenied,
    ),
    (
        ["UserError", ['You are not allowed to create records of "Line" because ...', "", None]],
        errors.PermissionDenied,
    ),
    (
        [
            "UserError",
            ['You are trying to read records "9" of "Purchase" that don\'t exist.', "", None],
        ],
        errors.NotFound,
    ),
    (["UserError", ['A value is required for field "Party".', "", None]], errors.ValidationFailed),
    (["UserWarning", ["w1", "The date is in the past.", ""]], errors.ValidationFailed),
    (
        ["LoginException", ["password", "Password for admin", "password"]],
        errors.ConnectionReauthRequired,
    ),
    (["ConcurrencyException", "Records were modified in the meanwhile"], errors.RecordLocked),
    (["'no.such.model'", ""], errors.UpstreamError),
    ("garbage", errors.UpstreamError),
]


@pytest.mark.parametrize(("error", "expected"), TRYTON_ERRORS)
def test_tryton_errors_map_to_the_taxonomy(error: Any, expected: type[Exception]) -> None:
    assert type(TRYTON.error_for(error, method="m")) is expected


ODOO_ERRORS = [
    (
        {"code": 200, "data": {"name": "odoo.exceptions.AccessError", "message": "no"}},
        errors.PermissionDenied,
    ),
    (
        {"code": 200, "data": {"name": "odoo.exceptions.MissingError", "message": "gone"}},
        errors.NotFound,
    ),
    ({"code": 100, "message": "Odoo Session Expired", "data": {}}, errors.ConnectionReauthRequired),
    (
        {
            "code": 200,
            "data": {
                "name": "odoo.exceptions.UserError",
                "message": "You cannot modify a confirmed order in this state.",
            },
        },
        errors.RecordLocked,
    ),
    (
        {"code": 200, "data": {"name": "odoo.exceptions.ValidationError", "message": "bad"}},
        errors.ValidationFailed,
    ),
    ({"code": 200, "data": {"name": "builtins.KeyError", "message": "x"}}, errors.UpstreamError),
]


@pytest.mark.parametrize(("error", "expected"), ODOO_ERRORS)
def test_odoo_errors_map_to_the_taxonomy(error: Any, expected: type[Exception]) -> None:
    assert type(ODOO.error_for(error, method="object.execute_kw")) is expected


def test_odoo_envelope_is_a_json_rpc_2_service_call() -> None:
    assert ODOO.envelope(3, "object.execute_kw", ["db", 2]) == {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"service": "object", "method": "execute_kw", "args": ["db", 2]},
        "id": 3,
    }


# -- client and session auth ------------------------------------------------------------------------

LOGIN_URL = "http://tryton.test:8000/erp/rpc/"


class FakeTryton:
    """Answers login and one model method; `expire` makes the next session-bearing call 401."""

    def __init__(self, *, login_status: int = 200) -> None:
        self.login_status = login_status
        self.logins = 0
        self.expire = 0
        self.seen: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["method"] == "common.db.login":
            self.logins += 1
            if self.login_status != 200:
                return httpx.Response(self.login_status, text="<html>no</html>")
            return httpx.Response(
                200, json={"id": body["id"], "result": [1, f"key{self.logins}", None]}
            )
        self.seen.append(request.headers.get("Authorization"))
        if self.expire:
            self.expire -= 1
            return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="Tryton"'})
        if body["method"] == "model.fail":
            return httpx.Response(
                200, json={"id": body["id"], "error": ["UserError", ["Nope.", "", None]]}
            )
        return httpx.Response(200, json={"id": body["id"], "result": body["params"]})


def _client(server: FakeTryton) -> JsonRpcClient:
    auth = TrytonSessionAuth(LOGIN_URL, "admin", "secret")
    http = make_client(
        "http://tryton.test:8000/",
        auth=auth,
        options=SessionOptions(allow_private_urls=True),
        transport=httpx.MockTransport(server),
    )
    return JsonRpcClient(http, "erp/rpc/", TRYTON)


def _token(key: str) -> str:
    return "Session " + base64.b64encode(f"admin:1:{key}".encode()).decode()


def test_the_session_signs_in_once_and_sends_its_session_header() -> None:
    server = FakeTryton()
    client = _client(server)
    assert client.call("model.echo", Decimal("1.5")) == [{"__class__": "Decimal", "decimal": "1.5"}]
    client.call("model.echo")
    assert server.logins == 1 and server.seen == [_token("key1"), _token("key1")]


def test_an_expired_session_signs_in_again_and_resends_once() -> None:
    server = FakeTryton()
    client = _client(server)
    client.call("model.echo")
    server.expire = 1
    assert client.call("model.echo", 2) == [2]
    assert server.logins == 2 and server.seen[-1] == _token("key2")


def test_a_session_refused_after_signing_in_again_needs_reauthorisation() -> None:
    server = FakeTryton()
    client = _client(server)
    client.call("model.echo")
    server.expire = 2
    with pytest.raises(errors.ConnectionReauthRequired):
        client.call("model.echo")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, errors.ConnectionReauthRequired),
        (404, errors.ConnectionReauthRequired),
        (429, errors.RateLimitExceeded),
        (500, errors.UpstreamError),
    ],
)
def test_a_refused_sign_in_maps_to_the_taxonomy(status: int, expected: type[Exception]) -> None:
    with pytest.raises(expected):
        _client(FakeTryton(login_status=status)).call("model.echo")


def test_an_error_member_in_a_200_answer_is_raised() -> None:
    with pytest.raises(errors.ValidationFailed, match="Nope"):
        _client(FakeTryton()).call("model.fail")


def test_an_answer_that_is_not_json_is_an_upstream_error() -> None:
    http = make_client(
        "http://tryton.test:8000/",
        auth=None,
        options=SessionOptions(allow_private_urls=True),
        transport=httpx.MockTransport(lambda request: httpx.Response(200, text="<html>")),
    )
    with pytest.raises(errors.UpstreamError, match="other than JSON"):
        JsonRpcClient(http, "rpc/", TRYTON, anonymous=True).call("common.server.version")


def test_an_unreachable_server_is_connection_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    http = make_client(
        "http://tryton.test:8000/",
        auth=None,
        options=SessionOptions(allow_private_urls=True),
        transport=httpx.MockTransport(refuse),
    )
    with pytest.raises(errors.ConnectionUnavailable):
        JsonRpcClient(http, "rpc/", TRYTON, anonymous=True).call("common.server.version")
