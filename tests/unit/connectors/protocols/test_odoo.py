"""Edge cases of Odoo's wire (`protocols.odoo`, `jsonrpc.OdooDialect`): many2one pairs,
`false`, answers without `result`, JSON-2 error bodies and statuses, and 19.0's renamed fields.
The happy paths run against the emulator in tests/integration/connectors/test_odoo.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols.jsonrpc import ODOO, change_time
from ironbridge.connectors.protocols.odoo import ODOO_WIRE, OdooClient

LOCAL = SessionOptions(allow_private_urls=True)


def test_a_many2one_reads_as_its_id_or_its_name() -> None:
    row = {"partner_id": [7, "Gear Works"], "user_id": False, "active": False}
    assert ODOO_WIRE.get(row, "partner_id") == 7
    assert ODOO_WIRE.get(row, "partner_id/name") == "Gear Works"
    assert ODOO_WIRE.get(row, "user_id/name") is None
    # `false` is a value for booleans and no value for anything else.
    assert ODOO_WIRE.get(row, "active") is False and ODOO_WIRE.is_empty(row["user_id"])


def test_writes_take_ids_as_numbers_and_amounts_as_floats() -> None:
    out: dict[str, Any] = {}
    ODOO_WIRE.put(out, "partner_id", "12")
    ODOO_WIRE.put(out, "ref", "12")
    assert out == {"partner_id": 12, "ref": "12"}
    assert ODOO_WIRE.from_decimal(Decimal("12.50")) == 12.5
    moment = datetime(2026, 11, 2, 8, 0, 1, 900_000, tzinfo=UTC)
    assert ODOO_WIRE.from_datetime(moment) == "2026-11-02 08:00:01"


def test_an_answer_without_result_is_none_and_an_empty_one_an_error() -> None:
    assert ODOO.unwrap({"jsonrpc": "2.0", "id": 3}, method="object.execute_kw") is None
    with pytest.raises(errors.UpstreamError):
        ODOO.unwrap("not an object", method="object.execute_kw")


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("In order to delete a purchase order, you must cancel it first.", errors.RecordLocked),
        ("Unable to cancel purchase order(s): P00011. You must first unlock them.",
         errors.RecordLocked),
        ("Unable to cancel purchase order P00005 as some receptions have already been done.",
         errors.RecordLocked),
        ("There is no line to confirm on this order.", errors.ValidationFailed),
    ],
)  # fmt: skip
def test_user_errors_are_locks_or_validation_failures(message: str, error: type) -> None:
    found = ODOO.error_for(
        {"code": 200, "data": {"name": "odoo.exceptions.UserError", "message": message}},
        method="object.execute_kw",
    )
    assert isinstance(found, error) and message in found.message


def test_change_times_are_utc_and_a_missing_one_is_an_upstream_error() -> None:
    assert change_time(ODOO, "2026-11-02 08:00:01") == datetime(2026, 11, 2, 8, 0, 1, tzinfo=UTC)
    with pytest.raises(errors.UpstreamError):
        change_time(ODOO, None)


def json2_server(status: int, body: Any, seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/web/version":
            info = {"server_version": "19.0", "server_version_info": [19, 0, 0, "final", 0, ""]}
            return httpx.Response(200, json={"jsonrpc": "2.0", "id": 0, "result": info})
        if request.url.path.endswith("/context_get"):
            return httpx.Response(200, json={"lang": "en_US", "uid": 2})
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handle)


def client(transport: httpx.MockTransport, companies: str = "") -> OdooClient:
    form = {"url": "http://odoo.test", "database": "db", "username": "u", "api_key": "k",
            "companies": companies}  # fmt: skip
    return OdooClient.of(form, LOCAL, transport=transport)


@pytest.mark.parametrize(
    ("status", "name", "error"),
    [
        (401, "odoo.exceptions.AccessDenied", errors.ConnectionReauthRequired),
        (403, "odoo.exceptions.AccessError", errors.PermissionDenied),
        (404, "odoo.exceptions.MissingError", errors.NotFound),
        (422, "odoo.exceptions.ValidationError", errors.ValidationFailed),
        (500, "builtins.ValueError", errors.UpstreamError),
    ],
)
def test_json2_errors_keep_odoos_classification(status: int, name: str, error: type) -> None:
    body = {"name": name, "message": "Refused.", "arguments": [], "context": {}, "debug": ""}
    with pytest.raises(error):
        client(json2_server(status, body, [])).read("res.partner", [1], ["name"])


def test_json2_sends_named_parameters_companies_and_19s_field_names() -> None:
    seen: list[httpx.Request] = []
    odoo = client(json2_server(200, [], seen), companies="1, 2")
    odoo.search_read("purchase.order", [], ["notes", "locked"], limit=5)
    call = seen[-1]
    body = json.loads(call.content)
    assert call.url.path == "/json/2/purchase.order/search_read"
    assert call.headers["Authorization"] == "bearer k" and call.headers["X-Odoo-Database"] == "db"
    assert body["fields"] == ["note", "locked"] and body["limit"] == 5
    assert body["context"]["allowed_company_ids"] == [1, 2]


def test_company_ids_must_be_numbers() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        client(json2_server(200, [], []), companies="Ironworks")
    assert "companies" in caught.value.fields
