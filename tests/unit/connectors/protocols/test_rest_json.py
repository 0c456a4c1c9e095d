"""The REST-JSON family's declarations: filter literals per system, error tables, paging steps.

The same family against real HTTP servers is in `tests/integration/connectors/test_rest_json.py`.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols import http
from ironbridge.connectors.protocols.rest_json import (
    MAXIMO,
    MAXIMO_OSLC,
    MAXIMO_WHERE,
    NETSUITE,
    NETSUITE_Q,
    NETSUITE_RECORDS,
    NETSUITE_SUITEQL,
    SUITEQL,
    ChangeFeed,
    Children,
    Dialect,
    NextLinkPaging,
    OffsetPaging,
    RestJsonClient,
    error_for_response,
    lookup,
    with_children,
)

MOMENT = datetime(2024, 2, 1, 3, 30, 15, tzinfo=UTC)


# --- filter literals --------------------------------------------------------------------------


def test_netsuite_record_filter_is_a_day_in_the_account_time_zone() -> None:
    pacific = dataclasses.replace(NETSUITE_Q, zone=ZoneInfo("America/Los_Angeles"))
    # 03:30 UTC on 1 February is still 31 January in California: the day must not skip it.
    assert pacific.changed_since("lastModifiedDate", MOMENT) == (
        'lastModifiedDate ON_OR_AFTER "01/31/2024"'
    )
    assert NETSUITE_Q.changed_since("lastModifiedDate", MOMENT) == (
        'lastModifiedDate ON_OR_AFTER "02/01/2024"'
    )


def test_suiteql_literals_and_order() -> None:
    assert SUITEQL.changed_since("t.lastmodifieddate", MOMENT) == (
        "t.lastmodifieddate >= TO_TIMESTAMP('2024-02-01 03:30:15', 'YYYY-MM-DD HH24:MI:SS')"
    )
    assert SUITEQL.key_after("tranid", "PO'7") == "tranid > 'PO''7'"
    assert SUITEQL.key_after("id", 42) == "id > 42"
    assert SUITEQL.order("lastmodifieddate", "id") == "lastmodifieddate ASC, id ASC"
    assert SUITEQL.all_of("a = 1", None, "b = 2") == "a = 1 AND b = 2"
    assert SUITEQL.all_of() is None


def test_maximo_where_writes_the_instant_in_utc_whatever_zone_it_came_in() -> None:
    eastern = MOMENT.astimezone(timezone(timedelta(hours=-5)))
    assert MAXIMO_WHERE.changed_since("changedate", eastern) == (
        'changedate>="2024-02-01T03:30:15-00:00"'
    )
    end = MOMENT + timedelta(seconds=1)
    assert MAXIMO_WHERE.all_of(
        MAXIMO_WHERE.changed_since("changedate", MOMENT),
        MAXIMO_WHERE.changed_before("changedate", end),
        MAXIMO_WHERE.key_after("wonum", 'W"1'),
    ) == (
        'changedate>="2024-02-01T03:30:15-00:00" and changedate<"2024-02-01T03:30:16-00:00"'
        ' and wonum>"W\\"1"'
    )
    assert MAXIMO_WHERE.order("changedate", "wonum") == "+changedate,+wonum"


def test_a_moment_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        MAXIMO_WHERE.changed_since("changedate", datetime(2024, 1, 1))


def test_the_record_filter_cannot_sort_so_it_is_no_keyset_listing() -> None:
    assert not NETSUITE_RECORDS.sorts
    assert NETSUITE_SUITEQL.sorts and MAXIMO_OSLC.sorts
    with pytest.raises(ValueError, match="cannot sort"):
        NETSUITE_Q.order("lastModifiedDate")


# --- paging steps -----------------------------------------------------------------------------


def test_offset_paging_counts_on_until_has_more_is_false() -> None:
    paging = OffsetPaging()
    first = paging.first(5000)
    assert first == {"limit": "1000", "offset": "0"}
    assert paging.next({"hasMore": True, "items": []}, first, 1000) == (
        None,
        {"limit": "1000", "offset": "1000"},
    )
    assert paging.next({"hasMore": False}, first, 1000) is None
    # A page that says more follow but holds nothing would otherwise be asked forever.
    assert paging.next({"hasMore": True}, first, 0) is None


def test_next_link_paging_ends_without_a_link() -> None:
    paging = NextLinkPaging()
    assert paging.next({"responseInfo": {"nextPage": {"href": "x?pageno=2"}}}, {}, 3) == (
        "x?pageno=2",
        {},
    )
    assert paging.next({"responseInfo": {}}, {}, 3) is None
    assert paging.rows({"responseInfo": {}}, "Maximo") == []
    with pytest.raises(errors.UpstreamError):
        paging.rows({"member": {"wonum": "1"}}, "Maximo")


def test_lookup_walks_objects_and_list_indexes() -> None:
    body = {"o:errorDetails": [{"detail": "a"}]}
    assert lookup(body, "o:errorDetails.0.detail") == "a"
    assert lookup(body, "o:errorDetails.1.detail") is None
    assert lookup(body, "missing.path") is None


# --- error tables -----------------------------------------------------------------------------


def _response(
    status: int, body: Any = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    request = httpx.Request("GET", "https://example.com/services/rest/record/v1/vendor")
    return httpx.Response(status, json=body, headers=headers, request=request)


def _netsuite(status: int, code: str = "X", detail: str = "Went wrong.") -> dict[str, Any]:
    return {
        "title": "Title",
        "status": status,
        "o:errorDetails": [{"detail": detail, "o:errorCode": code}],
    }


def _maximo(status: int, code: str = "BMXAA0001E") -> dict[str, Any]:
    message = f"{code} - Went wrong."
    return {"Error": {"reasonCode": code, "message": message, "statusCode": str(status)}}


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, errors.ValidationFailed),
        (401, errors.ConnectionReauthRequired),
        (403, errors.PermissionDenied),
        (404, errors.NotFound),
        (409, errors.Conflict),
        (412, errors.RecordLocked),
        (429, errors.RateLimitExceeded),
        (500, errors.UpstreamError),
        (503, errors.ConnectionUnavailable),
        (504, errors.UpstreamTimeout),
    ],
)
@pytest.mark.parametrize(
    ("dialect", "body"), [(NETSUITE, _netsuite), (MAXIMO, _maximo)], ids=["netsuite", "maximo"]
)
def test_statuses_map_to_the_taxonomy(
    status: int, error: type[errors.IronbridgeError], dialect: Dialect, body: Any
) -> None:
    found = error_for_response(_response(status, body(status)), dialect.errors)
    assert type(found) is error
    assert found.message.startswith(dialect.name)
    assert "Went wrong." in found.message


def test_a_rate_limit_without_retry_after_waits_a_second() -> None:
    found = error_for_response(_response(429, _netsuite(429)), NETSUITE.errors)
    assert found.retry_after == 1.0


def test_every_netsuite_detail_with_a_path_becomes_a_field() -> None:
    body = {
        "title": "Bad Request",
        "status": 400,
        "o:errorDetails": [
            {"detail": "Bad vendor.", "o:errorCode": "INVALID_KEY_OR_REF", "o:errorPath": "entity"},
            {"detail": "Bad date.", "o:errorCode": "INVALID_CONTENT", "o:errorPath": "tranDate"},
        ],
    }
    names = {"entity": "vendor_remote_id"}
    found = error_for_response(_response(400, body), NETSUITE.errors, field_names=names.get)
    assert isinstance(found, errors.ValidationFailed)
    assert found.fields == {"vendor_remote_id": "Bad vendor.", "tranDate": "Bad date."}


def test_a_validation_error_without_paths_is_about_the_body() -> None:
    body = _maximo(400, "BMXAA4195E")
    found = error_for_response(_response(400, body), MAXIMO.errors)
    assert isinstance(found, errors.ValidationFailed)
    assert found.fields == {"body": "Maximo BMXAA4195E - Went wrong."}


def test_a_lock_code_wins_over_its_status() -> None:
    body = _netsuite(400, "RCRD_HAS_BEEN_CHANGED", "Record has been changed.")
    found = error_for_response(_response(400, body), NETSUITE.errors)
    assert isinstance(found, errors.RecordLocked)
    assert found.message == "NetSuite RCRD_HAS_BEEN_CHANGED: Record has been changed."


def test_a_body_that_is_not_json_still_maps_by_status() -> None:
    request = httpx.Request("GET", "https://example.com/x?token=secret")
    response = httpx.Response(502, text="<html>Bad gateway</html>", request=request)
    found = error_for_response(response, NETSUITE.errors)
    assert type(found) is errors.UpstreamError
    assert "secret" not in found.message


@pytest.mark.parametrize(
    "link",
    [
        "https://acme.example.evil.com/maximo/api/os/x",
        "http://acme.example/maximo/api/os/x",
        "https://acme.example:8443/maximo/api/os/x",
        "https://user:secret@acme.example/maximo/api/os/x",
        "javascript:alert(1)",
        "http://[::1",
    ],
)
def test_links_off_the_base_origin_are_refused(link: str) -> None:
    client = RestJsonClient(
        http.make_client("https://acme.example/maximo/api/", auth=None, options=SessionOptions()),
        MAXIMO,
    )
    with client.http, pytest.raises(errors.UpstreamError) as caught:
        client.follow(link)
    assert "secret" not in caught.value.message


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ("HTTPS://ACME.example:443/maximo/api/os/x", "https://acme.example/maximo/api/os/x"),
        ("//acme.example/maximo/api/os/y", "https://acme.example/maximo/api/os/y"),
        ("os/z?pageno=2", "https://acme.example/maximo/api/os/z?pageno=2"),
    ],
)
def test_links_on_the_base_origin_are_resolved(link: str, url: str) -> None:
    client = RestJsonClient(
        http.make_client("https://acme.example/maximo/api/", auth=None, options=SessionOptions()),
        MAXIMO,
    )
    with client.http:
        assert str(client.follow(link)) == url


def test_a_netsuite_change_time_in_utc_reads_as_an_aware_instant() -> None:
    feed = ChangeFeed("record/v1/vendor", NETSUITE_RECORDS, "lastModifiedDate", "id")
    row = {"id": "1", "lastModifiedDate": "2024-01-15T10:30:00.000Z"}
    assert feed.change_of(row) == datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
    assert feed.change_of({"id": "2"}) is None
    with pytest.raises(errors.UpstreamError, match="not a date"):
        feed.change_of({"lastModifiedDate": "15/01/2024"})


# --- statements and write keys ----------------------------------------------------------------


def _suiteql_client(sent: list[str]) -> RestJsonClient:
    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.read().decode())
        return httpx.Response(200, json={"items": [{"transaction": "7", "id": "70"}]})

    client = httpx.Client(base_url="https://acct.example/", transport=httpx.MockTransport(answer))
    return RestJsonClient(client, NETSUITE)


FEED = ChangeFeed("q", NETSUITE_SUITEQL, "t.changed", "t.id", key_path="id", statement="S")


def test_children_of_a_page_come_in_one_statement_over_its_keys() -> None:
    sent: list[str] = []
    children = Children("lines", "SELECT * FROM line WHERE transaction IN ({keys})", "transaction")
    rows = with_children(_suiteql_client(sent), FEED, children, [{"id": "7"}, {"id": 8}])
    assert rows == [
        {"id": "7", "lines": [{"transaction": "7", "id": "70"}]},
        {"id": 8, "lines": []},
    ]
    assert len(sent) == 1 and "IN (7, 8)" in sent[0]


def test_a_key_that_is_no_number_never_reaches_a_statement() -> None:
    sent: list[str] = []
    children = Children("lines", "SELECT * FROM line WHERE transaction IN ({keys})", "transaction")
    with pytest.raises(errors.UpstreamError, match="no number"):
        with_children(_suiteql_client(sent), FEED, children, [{"id": "7) OR (1=1"}])
    assert sent == []
