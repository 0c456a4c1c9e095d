"""The OData v4 family against a real OData v4 service on 127.0.0.1 (`ironbridge.testing`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols import http, odata_v4
from ironbridge.connectors.protocols.odata_v4 import ChangeReader, ODataV4Client, QueryOptions
from ironbridge.testing.odata_v4 import EntitySet, ODataV4Service, serving

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _items(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{index:08d}-0000-0000-0000-000000000000",
            "number": f"I{index:03d}",
            "unitCost": Decimal("10.10") + index,
            "lastModifiedDateTime": T0 + timedelta(minutes=index),
            "lines": [{"sequence": 10, "quantity": Decimal(index)}],
        }
        for index in range(1, count + 1)
    ]


def _service(count: int = 7, **options: Any) -> ODataV4Service:
    items = EntitySet(
        "id",
        _items(count),
        navigation=frozenset({"lines"}),
        read_only=frozenset({"number"}),
        stamp="lastModifiedDateTime",
    )
    return ODataV4Service({"items": items}, root="/api/v2.0/", **options)


@pytest.fixture
def service() -> ODataV4Service:
    return _service()


@pytest.fixture
def base_url(service: ODataV4Service) -> Iterator[str]:
    with serving(service) as url:
        yield url


def _client(base_url: str, **options: Any) -> ODataV4Client:
    session = http.make_client(base_url, auth=None, options=SessionOptions(allow_private_urls=True))
    return ODataV4Client(session, **options)


# -- reading --------------------------------------------------------------------------------------


def test_pages_follow_next_links_at_the_preferred_page_size(
    service: ODataV4Service, base_url: str
) -> None:
    client = _client(base_url, max_page_size=3)
    pages = list(client.pages("items", QueryOptions(orderby=("number asc",))))
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [row["number"] for page in pages for row in page] == [f"I{i:03d}" for i in range(1, 8)]
    assert all(r.headers.get("prefer") == "odata.maxpagesize=3" for r in service.requests)
    assert [r.query.get("$skiptoken") for r in service.requests] == [None, "3", "6"]


def test_a_relative_next_link_is_followed_from_the_page_it_came_in() -> None:
    with serving(_service(next_link_origin="")) as base_url:
        rows = _client(base_url, max_page_size=4).query("items")
    assert len(rows) == 7


def test_top_is_honoured_across_server_pages(base_url: str) -> None:
    rows = _client(base_url).query("items", QueryOptions(top=5), max_page_size=2)
    assert [row["number"] for row in rows] == ["I001", "I002", "I003", "I004", "I005"]


def test_a_next_link_to_another_port_is_not_followed() -> None:
    elsewhere = _service()
    with serving(elsewhere) as other_url:
        origin = other_url.removesuffix("/api/v2.0/")
        with serving(_service(next_link_origin=origin)) as base_url:
            client = _client(base_url, max_page_size=2)
            with pytest.raises(errors.UpstreamError, match="another address"):
                client.query("items")
    assert elsewhere.requests == []


def test_a_next_link_under_another_host_name_is_not_followed(
    service: ODataV4Service, base_url: str
) -> None:
    # The same machine by another name is another origin: the credentials stay where given.
    service.next_link_origin = base_url.removesuffix("/api/v2.0/").replace("127.0.0.1", "localhost")
    with pytest.raises(errors.UpstreamError, match="another address"):
        _client(base_url, max_page_size=2).query("items")
    assert len(service.requests) == 1


def test_select_and_expand_shape_the_entities(base_url: str) -> None:
    client = _client(base_url)
    plain = client.query("items", QueryOptions(top=1, select=("number",)))
    expanded = client.query("items", QueryOptions(top=1, expand=("lines",)))
    assert set(plain[0]) == {"@odata.etag", "number"}
    assert expanded[0]["lines"] == [{"sequence": 10, "quantity": 1.0}]
    assert odata_v4.WIRE.lookup(expanded[0], "lines/0/quantity") == 1.0


def test_a_datetime_filter_is_sent_as_a_bare_utc_literal(
    service: ODataV4Service, base_url: str
) -> None:
    since = datetime(2025, 1, 1, 3, 3, tzinfo=ZoneInfo("Europe/Berlin"))
    condition = f"lastModifiedDateTime ge {odata_v4.literal(since)}"
    rows = _client(base_url).query("items", QueryOptions(filter=condition))
    assert service.requests[0].query["$filter"] == "lastModifiedDateTime ge 2025-01-01T02:03:00Z"
    assert [row["number"] for row in rows] == []  # the sample's last change is at 00:07
    rows = _client(base_url).query(
        "items", QueryOptions(filter=f"lastModifiedDateTime gt {odata_v4.literal(T0)}")
    )
    assert len(rows) == 7


# -- writes and ETags -----------------------------------------------------------------------------

_ID = "00000001-0000-0000-0000-000000000000"


def test_an_update_carries_the_etag_read_and_a_stale_one_is_record_locked(
    service: ODataV4Service, base_url: str
) -> None:
    client = _client(base_url)
    path = f"items({_ID})"
    entity, etag = client.get(path)
    assert etag == entity["@odata.etag"] == 'W/"1"'
    updated = client.update(path, {"unitCost": Decimal("12.5")}, etag=etag)
    assert updated is not None and updated["unitCost"] == 12.5
    assert service.requests[-1].headers["if-match"] == 'W/"1"'
    with pytest.raises(errors.RecordLocked):
        client.update(path, {"unitCost": Decimal("13")}, etag=etag)
    client.update(path, {"unitCost": Decimal("14")}, etag="*")
    assert client.get(path)[0]["unitCost"] == 14


def test_an_update_without_an_etag_reads_the_current_one_first(
    service: ODataV4Service, base_url: str
) -> None:
    client = _client(base_url)
    client.update(f"items({_ID})", {"unitCost": 1}, etag='W/"1"')
    client.update(f"items({_ID})", {"unitCost": 2})
    get, patch = service.requests[-2:]
    assert (get.method, patch.method) == ("GET", "PATCH")
    assert patch.headers["if-match"] == 'W/"2"'


def test_business_centrals_409_entity_changed_is_record_locked_too() -> None:
    service = _service(stale_etag=(409, "Request_EntityChanged"))
    with serving(service) as base_url:
        with pytest.raises(errors.RecordLocked, match="changed"):
            _client(base_url).delete(f"items({_ID})", etag='W/"7"')
        _client(base_url).delete(f"items({_ID})")
        with pytest.raises(errors.NotFound):
            _client(base_url).get(f"items({_ID})")


def test_create_sends_nested_lines_as_a_deep_insert(base_url: str) -> None:
    client = _client(base_url)
    created = client.create(
        "items",
        {"unitCost": Decimal("3.25"), "lines": [{"sequence": 10, "quantity": Decimal("2")}]},
    )
    assert created["unitCost"] == 3.25 and created["lines"] == [{"sequence": 10, "quantity": 2.0}]
    entity, _ = client.get(f"items({created['id']})", expand=("lines",))
    assert entity["lines"] == created["lines"]


def test_a_refused_property_is_a_validation_failure_on_its_unified_field(base_url: str) -> None:
    with pytest.raises(errors.ValidationFailed) as failure:
        _client(base_url).create("items", {"number": "X"}, field_names={"number": "item_number"})
    assert set(failure.value.fields) == {"item_number"}


# -- the error table -------------------------------------------------------------------------------

ERROR_TABLE: list[tuple[int, str, dict[str, str], type[errors.IronbridgeError]]] = [
    (400, "BadRequest", {}, errors.ValidationFailed),
    (401, "Authentication_InvalidCredentials", {}, errors.ConnectionReauthRequired),
    (403, "Authorization_Denied", {}, errors.PermissionDenied),
    (404, "BadRequest_ResourceNotFound", {}, errors.NotFound),
    (409, "Internal_EntityWithSameKeyExists", {}, errors.Conflict),
    (409, "Request_EntityChanged", {}, errors.RecordLocked),
    (412, "PreconditionFailed", {}, errors.RecordLocked),
    (429, "TooManyRequests", {"Retry-After": "7"}, errors.RateLimitExceeded),
    (500, "Internal_ServerError", {}, errors.UpstreamError),
    (502, "BadGateway", {"Retry-After": "4"}, errors.UpstreamError),
    (503, "Unavailable", {"Retry-After": "9"}, errors.ConnectionUnavailable),
    (504, "GatewayTimeout", {}, errors.UpstreamTimeout),
]


@pytest.mark.parametrize(("status", "code", "headers", "expected"), ERROR_TABLE)
def test_errors_map_to_the_taxonomy(
    service: ODataV4Service,
    base_url: str,
    status: int,
    code: str,
    headers: dict[str, str],
    expected: type[errors.IronbridgeError],
) -> None:
    service.fail_next(status, code, "It went wrong.  CorrelationId: 1", headers=headers)
    with pytest.raises(errors.IronbridgeError) as failure:
        _client(base_url).query("items")
    assert type(failure.value) is expected
    assert code in failure.value.message
    if "Retry-After" in headers:
        assert failure.value.retry_after == float(headers["Retry-After"])


def test_a_body_that_is_not_json_is_an_upstream_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>sign in</html>")

    session = http.make_client(
        "http://127.0.0.1/api/",
        auth=None,
        options=SessionOptions(allow_private_urls=True),
        transport=httpx.MockTransport(handler),
    )
    with pytest.raises(errors.UpstreamError, match="without JSON"):
        ODataV4Client(session).query("items")


# -- change reading --------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [2, 3, 10])
def test_the_change_reader_reads_each_record_once_through_truncated_times(page_size: int) -> None:
    # Nine records within two milliseconds: the service orders by microseconds it does not show.
    rows = [
        {
            "id": f"R{index}",
            "lastModifiedDateTime": T0 + timedelta(microseconds=(index * 211) % 2000),
        }
        for index in range(9)
    ]
    service = ODataV4Service({"items": EntitySet("id", rows)}, root="/api/v2.0/")
    with serving(service) as base_url:
        reader = ChangeReader(_client(base_url), "items", "id", "lastModifiedDateTime")
        pages = list(reader.pages(T0, page_size=page_size))
    keys = [(row.modified_at, row.key) for page in pages for row in page]
    assert keys == sorted(keys) and len(keys) == 9 == len({key for _, key in keys})
    assert service.requests[0].query["$filter"] == "lastModifiedDateTime ge 2025-01-01T00:00:00Z"
    assert service.requests[0].headers["prefer"] == f"odata.maxpagesize={page_size}"


def test_the_change_reader_pages_exact_stamps_after_the_last_record(
    service: ODataV4Service, base_url: str
) -> None:
    reader = ChangeReader(
        _client(base_url),
        "items",
        "id",
        "lastModifiedDateTime",
        granularity=timedelta(0),
        key_type="Edm.Guid",
        select=("number",),
    )
    since = T0 + timedelta(minutes=2)
    pages = list(reader.pages(since, page_size=2))
    assert [row.row["number"] for page in pages for row in page] == [
        "I002", "I003", "I004", "I005", "I006", "I007",
    ]  # fmt: skip
    second = service.requests[1].query
    assert second["$filter"] == (
        "(lastModifiedDateTime gt 2025-01-01T00:03:00Z) or (lastModifiedDateTime eq "
        "2025-01-01T00:03:00Z and id gt 00000003-0000-0000-0000-000000000000)"
    )
    assert second["$select"] == "id,lastModifiedDateTime,number"


# -- $batch ----------------------------------------------------------------------------------------

_OTHER = "00000002-0000-0000-0000-000000000000"


def test_a_batch_reports_each_requests_outcome(service: ODataV4Service, base_url: str) -> None:
    client = _client(base_url)
    results = odata_v4.send_batch(
        client,
        [
            odata_v4.BatchRequest("PATCH", f"items({_ID})", {"unitCost": Decimal("5")}, 'W/"1"'),
            odata_v4.BatchRequest("PATCH", f"items({_OTHER})", {"unitCost": 6}, 'W/"9"'),
            odata_v4.BatchRequest("GET", f"items({_ID})"),
        ],
    )
    assert [result.status for result in results] == [200, 412, 200]
    assert results[0].error is None and results[2].body["unitCost"] == 5
    assert isinstance(results[1].error, errors.RecordLocked)
    (request,) = service.requests
    assert request.path == "/api/v2.0/$batch"


def test_an_atomic_batch_is_undone_when_one_request_fails(base_url: str) -> None:
    client = _client(base_url)
    results = odata_v4.send_batch(
        client,
        [
            odata_v4.BatchRequest("PATCH", f"items({_ID})", {"unitCost": 5}, "*"),
            odata_v4.BatchRequest("PATCH", f"items({_OTHER})", {"number": "X"}, "*"),
        ],
        atomic=True,
    )
    assert isinstance(results[0].error, errors.UpstreamError)
    assert isinstance(results[1].error, errors.ValidationFailed)
    assert client.get(f"items({_ID})")[0]["unitCost"] == 11.1


def test_a_batch_never_names_another_address(base_url: str) -> None:
    with pytest.raises(ValueError, match="relative"):
        odata_v4.send_batch(
            _client(base_url), [odata_v4.BatchRequest("GET", "http://169.254.169.254/x")]
        )
