"""The OData V2 family: values, literals, payloads, errors, the client and the change reader."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ironbridge import errors
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols import http, odata_v2
from ironbridge.testing.emulators.sap_s4hana import odata as emulator_odata

# --- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/Date(0)/", datetime(1970, 1, 1, tzinfo=UTC)),
        ("/Date(1492098664000)/", datetime(2017, 4, 13, 15, 51, 4, tzinfo=UTC)),
        ("/Date(1492098664123+0000)/", datetime(2017, 4, 13, 15, 51, 4, 123000, tzinfo=UTC)),
        # The offset says where the writer was; the milliseconds are UTC either way.
        ("/Date(1492098664000+0120)/", datetime(2017, 4, 13, 15, 51, 4, tzinfo=UTC)),
        ("/Date(-86400000)/", datetime(1969, 12, 31, tzinfo=UTC)),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    assert odata_v2.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024-01-01", "/Date()/", "Date(1)", "/Date(1+00)/x"])
def test_parse_date_refuses_other_text(text: str) -> None:
    with pytest.raises(ValueError):
        odata_v2.parse_date(text)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 30)))
def test_dates_round_trip_to_the_millisecond(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC)
    truncated = aware.replace(microsecond=aware.microsecond // 1000 * 1000)
    assert odata_v2.parse_date(odata_v2.format_datetimeoffset(aware)) == truncated
    assert odata_v2.parse_date(odata_v2.format_date(aware)) == truncated


def test_a_date_is_midnight_utc() -> None:
    assert odata_v2.format_date(date(2024, 2, 29)) == "/Date(1709164800000)/"


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError):
        odata_v2.format_date(datetime(2024, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("PT14H05M30S", time(14, 5, 30)), ("PT00H00M00S", time(0)), ("PT1H", time(1))],
)
def test_parse_time(text: str, expected: time) -> None:
    assert odata_v2.parse_time(text) == expected
    assert odata_v2.parse_time(odata_v2.format_time(expected)) == expected


def test_literals() -> None:
    moment = datetime(2024, 1, 31, 10, 0, 5, 123456, tzinfo=UTC)
    assert odata_v2.string_literal("O'Neil") == "'O''Neil'"
    assert odata_v2.datetime_literal(date(2024, 1, 31)) == "datetime'2024-01-31T00:00:00'"
    assert odata_v2.datetimeoffset_literal(moment) == "datetimeoffset'2024-01-31T10:00:05.123Z'"
    assert odata_v2.time_literal(time(9, 5)) == "time'PT09H05M00S'"


def test_key_predicates() -> None:
    assert odata_v2.key_predicate({"PurchaseOrder": "45"}) == "('45')"
    assert (
        odata_v2.key_predicate(
            {"Equipment": "1", "ValidityEndDate": "datetime'9999-12-31T00:00:00'"}
        )
        == "(Equipment='1',ValidityEndDate=datetime'9999-12-31T00:00:00')"
    )


def test_keys_after_orders_lexicographically() -> None:
    assert odata_v2.keys_after(("A",), ("x",)) == "A gt 'x'"
    assert odata_v2.keys_after(("A", "B"), ("1", "2")) == "(A gt '1') or (A eq '1' and B gt '2')"


# --- payloads -----------------------------------------------------------------------------------


def test_payload_helpers() -> None:
    collection = {"d": {"results": [{"a": 1}], "__next": "https://h/x?$skiptoken=1"}}
    assert odata_v2.results(collection) == [{"a": 1}]
    assert odata_v2.next_link(collection) == "https://h/x?$skiptoken=1"
    assert odata_v2.next_link({"d": {"results": []}}) is None
    assert odata_v2.single({"d": {"a": 1}}) == {"a": 1}
    entity = {"__metadata": {"etag": 'W/"x"'}, "to_Item": {"results": [{"b": 2}]}}
    assert odata_v2.entity_etag(entity) == 'W/"x"'
    assert odata_v2.nested_results(entity, "to_Item") == [{"b": 2}]
    with pytest.raises(errors.UpstreamError):
        odata_v2.nested_results({"to_Item": {"__deferred": {"uri": "u"}}}, "to_Item")
    with pytest.raises(errors.UpstreamError):
        odata_v2.results({"value": []})


# --- wire ---------------------------------------------------------------------------------------


def test_the_wire_reads_paths_into_expanded_navigations_and_empty_strings_as_nothing() -> None:
    wire = odata_v2.ODataV2Wire("SAP")
    row = {
        "Supplier": "",
        "to_Supplier": {"SupplierName": "Acme"},
        "to_Item": {"results": [{"Qty": "2.50"}, {"Qty": "1"}]},
    }
    assert wire.get(row, "to_Supplier/SupplierName") == "Acme"
    assert wire.is_empty(wire.get(row, "Supplier"))
    assert [wire.to_decimal(item["Qty"]) for item in wire.rows(row, "to_Item")] == [
        Decimal("2.50"),
        Decimal(1),
    ]
    with pytest.raises(errors.UpstreamError, match="did not expand"):
        wire.rows({"to_Item": {"__deferred": {"uri": "u"}}}, "to_Item")


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)))
def test_the_wire_round_trips_dates_and_instants(moment: datetime) -> None:
    wire = odata_v2.ODataV2Wire()
    instant = moment.replace(microsecond=moment.microsecond // 1000 * 1000, tzinfo=UTC)
    assert wire.to_datetime(wire.from_datetime(instant)) == instant
    assert wire.to_date(wire.from_date(instant.date())) == instant.date()
    assert wire.from_date(date(2024, 3, 1)) == "/Date(1709251200000)/"


# --- errors -------------------------------------------------------------------------------------


def _odata_error(status: int) -> httpx.Response:
    body = {"error": {"code": "E17", "message": {"lang": "en", "value": "Something is wrong"}}}
    request = httpx.Request("PATCH", "https://odata.example.com/S/E('1')")
    return httpx.Response(status, json=body, request=request)


def test_a_standard_error_body_gives_code_and_message() -> None:
    raised = odata_v2.error_for_response(_odata_error(400))
    assert isinstance(raised, errors.ValidationFailed)
    assert raised.fields == {"body": "E17: Something is wrong"}


def test_a_body_without_an_error_leaves_the_status_to_speak() -> None:
    request = httpx.Request("GET", "https://odata.example.com/S/E")
    raised = odata_v2.error_for_response(httpx.Response(404, text="nope", request=request))
    assert isinstance(raised, errors.NotFound)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, errors.ConnectionReauthRequired),
        (403, errors.PermissionDenied),
        (404, errors.NotFound),
        (412, errors.RecordLocked),
        (428, errors.UpstreamError),
        (429, errors.RateLimitExceeded),
        (500, errors.UpstreamError),
        (503, errors.ConnectionUnavailable),
    ],
)
def test_statuses_follow_the_table_with_odata_meanings(
    status: int, error: type[errors.IronbridgeError]
) -> None:
    assert type(odata_v2.error_for_response(_odata_error(status))) is error


def test_a_servers_own_reader_names_the_fields_a_400_blames() -> None:
    def reader(response: httpx.Response) -> odata_v2.ErrorBody:
        return odata_v2.ErrorBody("bad order", (("to_Item('2')/Qty", "too many"), ("X", "no")))

    raised = odata_v2.error_for_response(
        _odata_error(400), field_names={"Qty": "lines.quantity"}, reader=reader
    )
    assert isinstance(raised, errors.ValidationFailed)
    assert raised.fields == {"lines.quantity": "too many", "X": "no"}
    assert raised.message == "bad order"


# --- client ------------------------------------------------------------------------------------


def test_query_follows_next_links_on_our_own_base_url() -> None:
    pages = {
        None: {
            "d": {
                "results": [{"K": "1"}],
                "__next": "https://internal-name:8443/base/S/E?$skiptoken=1",
            }
        },
        "1": {"d": {"results": [{"K": "2"}]}},
    }
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json=pages[request.url.params.get("$skiptoken")])

    client = http.make_client(
        "https://93.184.216.34/base/",
        auth=None,
        options=SessionOptions(),
        transport=httpx.MockTransport(handler),
    )
    rows = odata_v2.ODataV2Client(client).query("S/E", filter="K ne ''", top=10)
    assert rows == [{"K": "1"}, {"K": "2"}]
    assert [url.host for url in seen] == ["93.184.216.34", "93.184.216.34"]
    assert seen[1].path == "/base/S/E"


def test_update_sends_if_match() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    client = http.make_client(
        "https://93.184.216.34/",
        auth=None,
        options=SessionOptions(),
        transport=httpx.MockTransport(handler),
    )
    odata_v2.ODataV2Client(client).update("S/E('1')", {"A": "b"}, etag='W/"x"')
    assert seen[0].method == "PATCH"
    assert seen[0].headers["if-match"] == 'W/"x"'
    assert json.loads(seen[0].content) == {"A": "b"}


@given(st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from(["", "x", "y"])), max_size=12))
def test_distinct_reads_each_tuple_once_in_order(rows: list[tuple[str, str]]) -> None:
    properties = {"A": "Edm.String", "B": "Edm.String"}
    table = [{"A": a, "B": b} for a, b in rows]

    def handler(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        text = params.get("$filter")
        keep = emulator_odata.compile_filter(text, properties) if text else (lambda row: True)
        order = emulator_odata.parse_orderby(params["$orderby"], properties)
        found = sorted((row for row in table if keep(row)), key=emulator_odata.order_key(order))
        return httpx.Response(200, json={"d": {"results": found[: int(params["$top"])]}})

    client = http.make_client(
        "https://93.184.216.34/",
        auth=None,
        options=SessionOptions(),
        transport=httpx.MockTransport(handler),
    )
    found = list(odata_v2.ODataV2Client(client).distinct("S/E", ("A", "B"), limit=100))
    assert found == sorted(set(rows))


# --- change reader ------------------------------------------------------------------------------

_PROPERTIES = {"K": "Edm.String", "T": "Edm.DateTimeOffset"}


class FakeService:
    """Answers `ODataV2Client.query` from typed rows with the emulator's own filter engine, so
    the reader is tested against OData semantics rather than against its own string forms."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.queries = 0

    def query(
        self,
        path: str,
        *,
        filter: str | None = None,
        orderby: Sequence[str] = (),
        top: int | None = None,
        expand: Sequence[str] = (),
        **_: Any,
    ) -> list[dict[str, Any]]:
        self.queries += 1
        predicate: Callable[[Any], bool] = (
            emulator_odata.compile_filter(filter, _PROPERTIES) if filter else (lambda row: True)
        )
        order = emulator_odata.parse_orderby(",".join(orderby), _PROPERTIES) if orderby else []
        rows = sorted((r for r in self.rows if predicate(r)), key=emulator_odata.order_key(order))
        return [
            {"K": row["K"], "T": emulator_odata.encode_value("Edm.DateTimeOffset", row["T"])}
            for row in rows[:top]
        ]


_BASE = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
_rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4),  # which millisecond: a few, so many collide
        st.integers(min_value=0, max_value=999),  # microseconds within it, invisible in JSON
    ),
    min_size=0,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(_rows, st.integers(min_value=2, max_value=6), st.integers(min_value=-1, max_value=5))
def test_the_change_reader_yields_each_row_once_in_keyset_order(
    stamps: list[tuple[int, int]], batch: int, since_ms: int
) -> None:
    rows = [
        {"K": f"{index:03d}", "T": _BASE + timedelta(milliseconds=ms, microseconds=micro)}
        for index, (ms, micro) in enumerate(stamps)
    ]
    service = FakeService(rows)
    reader = odata_v2.ChangeReader(service, "S/E", "K", odata_v2.TimestampChange("T"))  # type: ignore[arg-type]
    since = None if since_ms < 0 else _BASE + timedelta(milliseconds=since_ms, microseconds=500)
    got = list(reader.rows(since, batch=batch))
    keys = [(row.modified_at, row.remote_id) for row in got]
    assert keys == sorted(keys)
    assert len({row.remote_id for row in got}) == len(got)
    floor = None if since is None else since.replace(microsecond=since.microsecond // 1000 * 1000)
    expected = {
        row["K"]
        for row in rows
        if floor is None
        or row["T"].replace(microsecond=row["T"].microsecond // 1000 * 1000) >= floor
    }
    assert {row.remote_id for row in got} == expected
    assert service.queries <= len(rows) + 3


def test_merge_changes_keeps_the_order_of_both_streams() -> None:
    first = [
        odata_v2.ChangedRow(_BASE, "b", {}),
        odata_v2.ChangedRow(_BASE + timedelta(1), "a", {}),
    ]
    second = [
        odata_v2.ChangedRow(_BASE, "a", {}),
        odata_v2.ChangedRow(_BASE + timedelta(2), "c", {}),
    ]
    merged = [(row.modified_at, row.remote_id) for row in odata_v2.merge_changes(first, second)]
    assert merged == sorted(merged) and len(merged) == 4


def test_date_and_time_change_filters_need_both_parts() -> None:
    change = odata_v2.DateAndTimeChange("LastChangeDate", "LastChangeTime")
    moment = datetime(2024, 1, 2, 10, 30, 5, tzinfo=UTC)
    assert change.at_or_after(moment) == (
        "(LastChangeDate gt datetime'2024-01-02T00:00:00') or "
        "(LastChangeDate eq datetime'2024-01-02T00:00:00' and LastChangeTime ge time'PT10H30M05S')"
    )
    entity = {"LastChangeDate": "/Date(1704153600000)/", "LastChangeTime": "PT10H30M05S"}
    assert change.read(entity) == moment
    assert change.read({"LastChangeDate": None}) is None


def test_detailed_errors_blame_the_targets_of_failing_details() -> None:
    body = {
        "error": {
            "code": "E1",
            "message": {"value": "Order refused"},
            "details": {
                "items": [
                    {"target": "Qty", "message": "too many"},
                    {"target": "Note", "severity": "info", "message": "fyi"},
                    {"target": "Date", "severity": "warning"},
                    {"severity": "error", "message": "no target"},
                ]
            },
        }
    }
    response = httpx.Response(400, json=body)
    reader = odata_v2.DetailedErrors(
        "Shop", "details/items", failing=frozenset({"error", "warning"})
    )
    assert reader(response) == odata_v2.ErrorBody(
        "Shop E1: Order refused", (("Qty", "too many"), ("Date", "Order refused"))
    )
    assert reader(httpx.Response(500, text="down")) == odata_v2.ErrorBody()
    assert odata_v2.DetailedErrors("Shop", "nowhere")(response).targets == ()
