"""The REST-JSON family against real HTTP servers on 127.0.0.1 that answer as NetSuite and
Maximo do: paging to the end, change filters, error bodies, writes, and links to elsewhere."""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from ironbridge import errors
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols import http
from ironbridge.connectors.protocols.rest_json import (
    MAXIMO,
    MAXIMO_OSLC,
    NETSUITE,
    NETSUITE_RECORDS,
    NETSUITE_SUITEQL,
    ChangeFeed,
    Dialect,
    RestJsonClient,
    changed_pages,
    keyset_pages,
)

from .json_server import Answer, JsonServer, Seen, json_server

EASTERN = ZoneInfo("America/New_York")
START = datetime(2024, 1, 31, 9, 0, tzinfo=UTC)
NETSUITE_ROOT = "services/rest/"
MAXIMO_ROOT = "maximo/api/"
SUITEQL = "SELECT id, lastmodifieddate FROM transaction WHERE {where} ORDER BY {order}"

#: NetSuite's `nsError` for a bad line quantity (PROTOCOLS.md, section 4).
NETSUITE_INVALID = {
    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
    "title": "Bad Request",
    "status": 400,
    "o:errorDetails": [
        {
            "detail": "Invalid value for quantity: -3.",
            "o:errorCode": "INVALID_CONTENT",
            "o:errorPath": "item.items[0].quantity",
        }
    ],
}

#: Maximo's error body for a missing record (PROTOCOLS.md, section 5).
MAXIMO_NOT_FOUND = {
    "Error": {
        "extendedError": {
            "moreInfo": {"href": "http://host/maximo/oslc/error/messages/BMXAA8727E"}
        },
        "reasonCode": "BMXAA8727E",
        "message": "BMXAA8727E - The OSLC resource MXAPIWODETAIL with the ID 7100 was not found.",
        "statusCode": "404",
    }
}


def _stamp(index: int) -> datetime:
    # Three records per minute, so pages cut through records that share a change time.
    return START + timedelta(minutes=index // 3)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<": operator.lt,
}


def _suiteql_holds(condition: str, row: dict[str, Any]) -> bool:
    match = re.fullmatch(r"(\w+) (>=|<|>) (.+)", condition)
    assert match is not None, condition
    name, op, value = match.groups()
    if name == "lastmodifieddate":
        stamp = re.fullmatch(r"TO_TIMESTAMP\('([^']+)', 'YYYY-MM-DD HH24:MI:SS'\)", value)
        assert stamp is not None, condition
        bound = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        return _COMPARE[op](row["lastmodifieddate"], bound)
    assert name == "id", condition
    return _COMPARE[op](int(row["id"]), int(value))


def _oslc_holds(condition: str, row: dict[str, Any]) -> bool:
    match = re.fullmatch(r'(\w+)(>=|<|>)"(.*)"', condition)
    assert match is not None, condition
    name, op, value = match.groups()
    if name == "changedate":
        return _COMPARE[op](row["changedate"], datetime.fromisoformat(value))
    assert name == "wonum", condition
    return _COMPARE[op](row["wonum"], value)


# --- fake NetSuite ----------------------------------------------------------------------------


class FakeNetSuite:
    """SuiteQL and the purchase order record collection, over 25 records."""

    def __init__(self, count: int = 25) -> None:
        self.rows = [{"id": str(i), "lastmodifieddate": _stamp(i)} for i in range(1, count + 1)]
        self.created: dict[str, dict[str, Any]] = {}
        self.base = ""

    def _page(self, rows: list[dict[str, Any]], seen: Seen) -> Answer:
        limit, offset = int(seen.params["limit"]), int(seen.params["offset"])
        page = rows[offset : offset + limit]
        return Answer(
            body={
                "links": [],
                "count": len(page),
                "hasMore": offset + limit < len(rows),
                "offset": offset,
                "totalResults": len(rows),
                "items": page,
            }
        )

    def __call__(self, seen: Seen) -> Answer:
        path = seen.path.removeprefix("/services/rest/")
        if path == "query/v1/suiteql" and seen.method == "POST":
            statement = seen.body["q"]
            where, _, order = statement.partition(" WHERE ")[2].partition(" ORDER BY ")
            rows = list(self.rows)
            for condition in where.split(" AND "):
                if condition != "1 = 1":
                    rows = [row for row in rows if _suiteql_holds(condition, row)]
            if order == "lastmodifieddate ASC, id ASC":
                rows.sort(key=lambda row: (row["lastmodifieddate"], int(row["id"])))
            elif order == "id ASC":
                rows.sort(key=lambda row: int(row["id"]))
            text = [
                {**row, "lastmodifieddate": row["lastmodifieddate"].isoformat()} for row in rows
            ]
            return self._page(text, seen)
        if path == "record/v1/purchaseOrder" and seen.method == "GET":
            rows = list(reversed(self.rows))  # the record collection has no order of its own
            since = re.fullmatch(
                r'lastModifiedDate ON_OR_AFTER "(\d\d)/(\d\d)/(\d{4})"', seen.params.get("q", "")
            )
            if since:
                month, day, year = (int(part) for part in since.groups())
                bound = datetime(year, month, day, tzinfo=UTC)
                rows = [row for row in rows if row["lastmodifieddate"] >= bound]
            return self._page([{"id": row["id"], "links": []} for row in rows], seen)
        if path == "record/v1/purchaseOrder" and seen.method == "POST":
            new_id = str(600 + len(self.created))
            self.created[new_id] = {"id": new_id, **seen.body}
            location = f"{self.base}services/rest/record/v1/purchaseOrder/{new_id}"
            return Answer(204, headers={"Location": location})
        match = re.fullmatch(r"record/v1/purchaseOrder/(\d+)", path)
        if match and match.group(1) in self.created:
            record = self.created[match.group(1)]
            if seen.method == "GET":
                return Answer(body={**record, "expanded": seen.params.get("expandSubResources")})
            if seen.method == "PATCH":
                record.update(seen.body)
                return Answer(204)
            if seen.method == "DELETE":
                del self.created[match.group(1)]
                return Answer(204)
        return Answer(404, {"title": "Not Found", "status": 404, "o:errorDetails": []})


# --- fake Maximo ------------------------------------------------------------------------------


class FakeMaximo:
    """MXAPIWODETAIL over 23 work orders, with `changedate` shown in US Eastern time."""

    def __init__(self, count: int = 23) -> None:
        self.rows = [{"wonum": f"WO{i:04d}", "changedate": _stamp(i)} for i in range(1, count + 1)]
        self.created: dict[str, dict[str, Any]] = {}
        self.base = ""
        self.next_host: str | None = None
        self.before_list: Callable[[int], None] | None = None
        self.lists = 0

    def _href(self, member: str) -> str:
        return f"{self.base}maximo/api/os/mxapiwodetail/{member}"

    def __call__(self, seen: Seen) -> Answer:
        path = seen.path.removeprefix("/maximo/api/")
        if path == "os/mxapiwodetail" and seen.method == "GET":
            self.lists += 1
            if self.before_list is not None:
                self.before_list(self.lists)
            rows = list(reversed(self.rows))
            where = seen.params.get("oslc.where")
            for condition in where.split(" and ") if where else ():
                rows = [row for row in rows if _oslc_holds(condition, row)]
            order = seen.params.get("oslc.orderBy")
            if order == "+changedate,+wonum":
                rows.sort(key=lambda row: (row["changedate"], row["wonum"]))
            elif order == "+wonum":
                rows.sort(key=lambda row: row["wonum"])
            size, number = int(seen.params["oslc.pageSize"]), int(seen.params.get("pageno", "1"))
            page = rows[(number - 1) * size : number * size]
            info: dict[str, Any] = {"pagenum": number}
            if number * size < len(rows):
                query = urlencode({**seen.params, "pageno": str(number + 1)})
                host = self.next_host or self.base
                info["nextPage"] = {"href": f"{host}maximo/api/os/mxapiwodetail?{query}"}
            members = [
                {
                    **row,
                    "changedate": row["changedate"].astimezone(EASTERN).isoformat(),
                    "href": self._href(row["wonum"]),
                }
                for row in page
            ]
            return Answer(body={"member": members, "responseInfo": info})
        if path == "os/mxapiwodetail" and seen.method == "POST":
            member = f"_{len(self.created) + 1:04d}"
            record = {**seen.body, "href": self._href(member)}
            self.created[member] = record
            if seen.headers.get("properties") == "*":
                return Answer(201, record, {"Location": record["href"]})
            return Answer(201, headers={"Location": record["href"]})
        match = re.fullmatch(r"os/mxapiwodetail/(_\d+)", path)
        if match and match.group(1) in self.created:
            record = self.created[match.group(1)]
            if seen.method == "POST" and seen.headers.get("x-method-override") == "PATCH":
                record.update(seen.body)
                return Answer(204)
            if seen.method == "POST" and seen.params.get("action") == "wsmethod:changeStatus":
                record["status"] = seen.body["status"]
                return Answer(200, record) if seen.headers.get("properties") else Answer(204)
            if seen.method == "DELETE":
                del self.created[match.group(1)]
                return Answer(204)
        return Answer(404, MAXIMO_NOT_FOUND)


# --- fixtures ---------------------------------------------------------------------------------


def _client(server: JsonServer, root: str, dialect: Dialect) -> RestJsonClient:
    client = http.make_client(
        server.url + root, auth=None, options=SessionOptions(allow_private_urls=True)
    )
    return RestJsonClient(client, dialect)


@pytest.fixture
def netsuite() -> Iterator[tuple[FakeNetSuite, JsonServer, RestJsonClient]]:
    fake = FakeNetSuite()
    with json_server(fake) as server:
        fake.base = server.url
        client = _client(server, NETSUITE_ROOT, NETSUITE)
        with client.http:
            yield fake, server, client


@pytest.fixture
def maximo() -> Iterator[tuple[FakeMaximo, JsonServer, RestJsonClient]]:
    fake = FakeMaximo()
    with json_server(fake) as server:
        fake.base = server.url
        client = _client(server, MAXIMO_ROOT, MAXIMO)
        with client.http:
            yield fake, server, client


SUITEQL_FEED = ChangeFeed(
    "query/v1/suiteql",
    NETSUITE_SUITEQL,
    change_field="lastmodifieddate",
    key_field="id",
    statement=SUITEQL,
)
RECORDS_FEED = ChangeFeed("record/v1/purchaseOrder", NETSUITE_RECORDS, "lastModifiedDate", "id")
WORK_ORDERS = ChangeFeed("os/mxapiwodetail", MAXIMO_OSLC, "changedate", "wonum")


def _ids(pages: Iterator[list[dict[str, Any]]], key: str) -> list[str]:
    return [row[key] for page in pages for row in page]


# --- paging -----------------------------------------------------------------------------------


def test_suiteql_pages_by_offset_to_the_end_without_duplicates(netsuite: Any) -> None:
    _fake, server, client = netsuite
    ids = _ids(changed_pages(client, SUITEQL_FEED, None, page_size=10), "id")
    assert ids == [str(i) for i in range(1, 26)]
    assert [seen.params["offset"] for seen in server.seen] == ["0", "10", "20"]
    assert all(seen.headers["prefer"] == "transient" for seen in server.seen)
    assert server.seen[0].body == {
        "q": "SELECT id, lastmodifieddate FROM transaction WHERE 1 = 1 "
        "ORDER BY lastmodifieddate ASC, id ASC"
    }


def test_record_collection_pages_until_has_more_is_false(netsuite: Any) -> None:
    _fake, _server, client = netsuite
    pages = list(client.pages("record/v1/purchaseOrder", NETSUITE_RECORDS, page_size=7))
    ids = [row["id"] for page in pages for row in page]
    assert [len(page) for page in pages] == [7, 7, 7, 4]
    assert sorted(ids, key=int) == [str(i) for i in range(1, 26)]
    assert len(set(ids)) == len(ids)


def test_maximo_follows_next_links_to_the_end_without_duplicates(maximo: Any) -> None:
    _fake, server, client = maximo
    ids = _ids(changed_pages(client, WORK_ORDERS, None, page_size=5), "wonum")
    assert ids == [f"WO{i:04d}" for i in range(1, 24)]
    first, *later = server.seen
    assert first.params == {
        "lean": "1",
        "stablepaging": "1",
        "oslc.pageSize": "5",
        "oslc.orderBy": "+changedate,+wonum",
    }
    assert [seen.params["pageno"] for seen in later] == ["2", "3", "4", "5"]


# --- change filters ---------------------------------------------------------------------------


def test_suiteql_reads_exactly_the_records_changed_since_in_change_then_id_order(
    netsuite: Any,
) -> None:
    _fake, server, client = netsuite
    since = START + timedelta(minutes=4)  # records 12, 13, 14 share this minute
    ids = _ids(changed_pages(client, SUITEQL_FEED, since, page_size=4), "id")
    assert ids == [str(i) for i in range(12, 26)]
    assert (
        "lastmodifieddate >= TO_TIMESTAMP('2024-01-31 09:04:00', 'YYYY-MM-DD HH24:MI:SS')"
        in (server.seen[0].body["q"])
    )


def test_maximo_where_takes_the_change_time_with_its_offset(maximo: Any) -> None:
    _fake, server, client = maximo
    since = datetime(2024, 1, 31, 4, 6, tzinfo=EASTERN)  # 09:06 UTC: records 18 to 23
    pages = list(changed_pages(client, WORK_ORDERS, since, page_size=4))
    assert _ids(iter(pages), "wonum") == [f"WO{i:04d}" for i in range(18, 24)]
    assert server.seen[0].params["oslc.where"] == 'changedate>="2024-01-31T09:06:00-00:00"'
    # Each row's change time reads back as the same instant, whatever zone Maximo wrote it in.
    first = pages[0][0]
    assert first["changedate"] == "2024-01-31T04:06:00-05:00"
    assert WORK_ORDERS.change_of(first) == datetime(2024, 1, 31, 9, 6, tzinfo=UTC)


def test_record_filter_reads_whole_days_in_the_account_time_zone(netsuite: Any) -> None:
    fake, server, client = netsuite
    fake.rows.append({"id": "99", "lastmodifieddate": datetime(2024, 1, 30, 23, 0, tzinfo=UTC)})
    ids = _ids(changed_pages(client, RECORDS_FEED, START, page_size=100), "id")
    assert server.seen[0].params["q"] == 'lastModifiedDate ON_OR_AFTER "01/31/2024"'
    assert sorted(ids, key=int) == [str(i) for i in range(1, 26)]


# --- keyset reads ---------------------------------------------------------------------------

SUITEQL_KEYSET = dataclasses.replace(SUITEQL_FEED, key_order=int)


def test_suiteql_keyset_reads_every_record_once_one_request_per_seek(netsuite: Any) -> None:
    _fake, server, client = netsuite
    # Pages of two across buckets of three records sharing a change time.
    pages = list(keyset_pages(client, SUITEQL_KEYSET, None, page_size=2))
    keys = [row.key for page in pages for row in page]
    assert keys == [str(i) for i in range(1, 26)]
    assert all(seen.params["offset"] == "0" for seen in server.seen)
    statements = [seen.body["q"] for seen in server.seen]
    # A bucket fuller than a page is read by key, with the id compared as a number.
    assert any("AND id > 13 ORDER BY id ASC" in statement for statement in statements), statements


def test_maximo_keyset_reads_from_since_by_buckets_with_and_only(maximo: Any) -> None:
    _fake, server, client = maximo
    since = START + timedelta(minutes=2)  # records 6 to 23
    pages = list(keyset_pages(client, WORK_ORDERS, since, page_size=2))
    keys = [row.key for page in pages for row in page]
    assert keys == [f"WO{i:04d}" for i in range(6, 24)]
    assert all(" or " not in seen.params.get("oslc.where", "") for seen in server.seen)
    assert all("pageno" not in seen.params for seen in server.seen)


def test_a_record_changed_while_reading_is_read_again_and_none_is_skipped(maximo: Any) -> None:
    fake, _server, client = maximo

    def touch(count: int) -> None:
        if count == 3:  # WO0002 has been read; it is changed now, after everything else
            fake.rows[1]["changedate"] = START + timedelta(hours=1)

    fake.before_list = touch
    keys = [
        row.key for page in keyset_pages(client, WORK_ORDERS, None, page_size=4) for row in page
    ]
    assert sorted(set(keys)) == [f"WO{i:04d}" for i in range(1, 24)]
    assert keys.count("WO0002") == 2 and keys[-1] == "WO0002"


def test_a_listing_that_cannot_sort_is_no_keyset_feed(netsuite: Any) -> None:
    _fake, _server, client = netsuite
    with pytest.raises(ValueError, match="sorts"):
        next(keyset_pages(client, RECORDS_FEED, None, page_size=10))


# --- errors -----------------------------------------------------------------------------------


def _failing(status: int, body: Any, headers: dict[str, str] | None = None) -> Any:
    return lambda _seen: Answer(status, body, headers or {})


def test_a_netsuite_validation_error_names_the_field_it_is_about() -> None:
    with json_server(_failing(400, NETSUITE_INVALID)) as server:
        client = _client(server, NETSUITE_ROOT, NETSUITE)
        with pytest.raises(errors.ValidationFailed) as caught:
            client.create(
                "record/v1/purchaseOrder",
                {"item": {"items": [{"quantity": -3}]}},
                field_names={"item.items[0].quantity": "lines[0].quantity"},
            )
    assert caught.value.fields == {"lines[0].quantity": "Invalid value for quantity: -3."}
    assert caught.value.message == "NetSuite INVALID_CONTENT: Invalid value for quantity: -3."


def test_a_maximo_missing_record_is_not_found_with_its_reason_code() -> None:
    with json_server(_failing(404, MAXIMO_NOT_FOUND)) as server:
        client = _client(server, MAXIMO_ROOT, MAXIMO)
        with pytest.raises(errors.NotFound) as caught:
            client.get("os/mxapiwodetail/_QkVERk9SRC83MTAw")
    assert caught.value.message.startswith("Maximo BMXAA8727E - The OSLC resource")


@pytest.mark.parametrize(
    ("dialect", "root", "body"),
    [
        (
            NETSUITE,
            NETSUITE_ROOT,
            {
                "title": "Bad Request",
                "status": 400,
                "o:errorDetails": [
                    {"detail": "Record has been changed.", "o:errorCode": "RCRD_HAS_BEEN_CHANGED"}
                ],
            },
        ),
        (
            MAXIMO,
            MAXIMO_ROOT,
            {
                "Error": {
                    "reasonCode": "BMXAA8229W",
                    "message": "BMXAA8229W - Record has been updated by another user.",
                    "statusCode": "400",
                }
            },
        ),
    ],
    ids=["netsuite", "maximo"],
)
def test_a_record_changed_by_someone_else_is_locked(
    dialect: Dialect, root: str, body: dict[str, Any]
) -> None:
    with json_server(_failing(400, body)) as server:
        client = _client(server, root, dialect)
        with pytest.raises(errors.RecordLocked):
            client.update("record/1", {"memo": "x"})


def test_too_many_requests_says_when_to_retry() -> None:
    body = {
        "title": "Too Many Requests",
        "status": 429,
        "o:errorDetails": [
            {
                "detail": "Concurrent request limit exceeded.",
                "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED",
            }
        ],
    }
    with json_server(_failing(429, body, {"Retry-After": "7"})) as server:
        client = _client(server, NETSUITE_ROOT, NETSUITE)
        with pytest.raises(errors.RateLimitExceeded) as caught:
            list(client.pages("record/v1/vendor", NETSUITE_RECORDS, page_size=10))
    assert caught.value.retry_after == 7.0
    assert "CONCURRENCY_LIMIT_EXCEEDED" in caught.value.message


# --- writes -----------------------------------------------------------------------------------


def test_a_netsuite_create_is_read_back_from_its_location(netsuite: Any) -> None:
    _fake, server, client = netsuite
    created = client.create("record/v1/purchaseOrder", {"memo": "pens"})
    assert created.remote_id == "600"
    assert created.record == {"id": "600", "memo": "pens", "expanded": "true"}
    assert [(seen.method, seen.path) for seen in server.seen] == [
        ("POST", "/services/rest/record/v1/purchaseOrder"),
        ("GET", "/services/rest/record/v1/purchaseOrder/600"),
    ]


def test_a_maximo_create_returns_the_record_it_asked_for(maximo: Any) -> None:
    _fake, server, client = maximo
    created = client.create("os/mxapiwodetail", {"wonum": "WO9000", "description": "Pump"})
    assert created.remote_id == "_0001"
    assert created.record is not None and created.record["description"] == "Pump"
    assert len(server.seen) == 1 and server.seen[0].headers["properties"] == "*"


def test_updates_and_deletes_as_each_system_writes(netsuite: Any, maximo: Any) -> None:
    ns_fake, ns_server, ns_client = netsuite
    mx_fake, mx_server, mx_client = maximo
    ns_id = ns_client.create("record/v1/purchaseOrder", {"memo": "a"}).remote_id
    ns_client.update(f"record/v1/purchaseOrder/{ns_id}", {"memo": "b"})
    assert ns_fake.created[str(ns_id)]["memo"] == "b"
    assert ns_server.seen[-1].method == "PATCH"

    created = mx_client.create("os/mxapiwodetail", {"wonum": "WO9001", "description": "a"})
    assert created.location is not None
    mx_client.update(mx_client.follow(created.location), {"description": "b"})
    assert mx_fake.created["_0001"]["description"] == "b"
    update = mx_server.seen[-1]
    assert (update.method, update.headers["x-method-override"], update.headers["patchtype"]) == (
        "POST",
        "PATCH",
        "MERGE",
    )

    ns_client.delete(f"record/v1/purchaseOrder/{ns_id}")
    mx_client.delete(mx_client.follow(created.location))
    assert ns_fake.created == {} and mx_fake.created == {}
    with pytest.raises(errors.NotFound):
        mx_client.delete(mx_client.follow(created.location))


def test_a_maximo_action_is_a_post_with_its_wsmethod_and_lean_answers(
    netsuite: Any, maximo: Any
) -> None:
    _fake, server, client = maximo
    created = client.create("os/mxapiwodetail", {"wonum": "WO9002", "status": "WAPPR"})
    assert created.location is not None
    answered = client.act(client.follow(created.location), "changeStatus", {"status": "APPR"})
    assert answered is not None and answered["status"] == "APPR"
    act = server.seen[-1]
    assert (act.method, act.params) == ("POST", {"lean": "1", "action": "wsmethod:changeStatus"})
    assert server.seen[0].params == {"lean": "1"}, "writes ask for lean answers too"
    with pytest.raises(ValueError, match="no actions"):
        netsuite[2].act("record/v1/purchaseOrder/1", "close", {})


# --- links to elsewhere -----------------------------------------------------------------------


def test_a_next_link_to_another_host_is_refused_and_never_requested(maximo: Any) -> None:
    fake, server, client = maximo
    with json_server() as elsewhere:
        fake.next_host = elsewhere.url
        with pytest.raises(errors.UpstreamError) as caught:
            list(client.pages("os/mxapiwodetail", MAXIMO_OSLC, page_size=5))
        assert elsewhere.seen == []
    assert "mxe.oslc.webappurl" in caught.value.message
    assert len(server.seen) == 1


def test_a_created_location_on_another_host_is_not_read_back() -> None:
    with json_server() as elsewhere:
        answer = Answer(204, headers={"Location": f"{elsewhere.url}record/v1/purchaseOrder/1"})
        with json_server(lambda _seen: answer) as server:
            client = _client(server, NETSUITE_ROOT, NETSUITE)
            with pytest.raises(errors.UpstreamError):
                client.create("record/v1/purchaseOrder", {"memo": "x"})
        assert elsewhere.seen == []


def test_a_server_linking_to_a_page_it_already_served_stops_paging() -> None:
    def loop(seen: Seen) -> Answer:
        href = "/maximo/api/os/mxapiwodetail?oslc.pageSize=1&pageno=2"
        return Answer(
            body={"member": [{"wonum": "1"}], "responseInfo": {"nextPage": {"href": href}}}
        )

    with json_server(loop) as server:
        client = _client(server, MAXIMO_ROOT, MAXIMO)
        with pytest.raises(errors.UpstreamError, match="twice"):
            list(client.pages("os/mxapiwodetail", MAXIMO_OSLC, page_size=1))
    # The first page, then the linked page, which links to itself.
    assert len(server.seen) == 2


def test_a_record_address_on_another_host_is_never_requested() -> None:
    with json_server() as elsewhere, json_server() as server:
        client = _client(server, MAXIMO_ROOT, MAXIMO)
        for target in (f"{elsewhere.url}maximo/api/os/mxapiwodetail/_1", "http://169.254.169.254/"):
            with pytest.raises(errors.UpstreamError, match="another address"):
                client.update(target, {"description": "x"})
        assert elsewhere.seen == [] and server.seen == []
