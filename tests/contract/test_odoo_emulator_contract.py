"""The Odoo emulator against what real Odoo 18.0 and 19.0 servers were seen to answer.

Each test is one observed fact: the envelope (no `result` member for None), error codes, the
JSON-2 statuses and redirect, the renamed fields, `write_date` precision, and the locking
rules of purchase orders.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ironbridge.testing.emulators.odoo import (
    DEFAULT_DATABASE,
    ORDER_COUNT,
    OdooEmulator,
    RunningEmulator,
    parse,
    running_emulator,
)

DB = DEFAULT_DATABASE


@pytest.fixture(params=[18, 19], ids=["odoo18", "odoo19"])
def odoo(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    with running_emulator(version=request.param) as running:
        yield running


def rpc(odoo: RunningEmulator, service: str, method: str, *args: Any) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "method": "call", "id": 7,
            "params": {"service": service, "method": method, "args": list(args)}}  # fmt: skip
    response = httpx.post(f"{odoo.base_url}/jsonrpc", json=body)
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def execute(odoo: RunningEmulator, model: str, method: str, *args: Any, **kw: Any) -> Any:
    return rpc(odoo, "object", "execute_kw", DB, 2, odoo.api_key, model, method, list(args), kw)


def json2(odoo: RunningEmulator, model: str, method: str, key: str | None = None,
          **body: Any) -> httpx.Response:  # fmt: skip
    headers = {"Authorization": f"bearer {key or odoo.api_key}", "X-Odoo-Database": DB}
    return httpx.post(f"{odoo.base_url}/json/2/{model}/{method}", json=body, headers=headers,
                      follow_redirects=False)  # fmt: skip


def test_a_wrong_password_on_login_is_false_and_on_execute_kw_access_denied(
    odoo: RunningEmulator,
) -> None:
    assert rpc(odoo, "common", "login", DB, "admin", "wrong") == {"jsonrpc": "2.0", "id": 7,
                                                                  "result": False}  # fmt: skip
    assert rpc(odoo, "common", "authenticate", DB, "admin", odoo.api_key, {})["result"] == 2
    error = rpc(odoo, "object", "execute_kw", DB, 2, "wrong", "res.partner", "search", [[]])
    assert error["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert error["error"]["code"] == (0 if odoo.emulator.version >= 19 else 200)
    assert bool(error["error"]["data"]["debug"]) is (odoo.emulator.version < 19)


def test_an_unknown_database_answers_the_drivers_error(odoo: RunningEmulator) -> None:
    error = rpc(odoo, "common", "login", "nope", "admin", odoo.api_key)["error"]
    assert error["data"]["name"] == "psycopg2.OperationalError"


def test_a_method_returning_none_answers_without_result(odoo: RunningEmulator) -> None:
    (draft,) = execute(odoo, "purchase.order", "search", [["state", "=", "draft"]], limit=1)[
        "result"
    ]
    answer = execute(odoo, "purchase.order", "button_cancel", [draft])
    assert answer == {"jsonrpc": "2.0", "id": 7}


def test_19_renames_note_and_uom_and_warns_on_jsonrpc(odoo: RunningEmulator) -> None:
    new = odoo.emulator.version >= 19
    header, line = ("note", "product_uom_id") if new else ("notes", "product_uom")
    old_header = "notes" if new else "note"
    assert "result" in execute(odoo, "purchase.order", "search_read", [], fields=[header], limit=1)
    assert "result" in execute(odoo, "purchase.order.line", "read", [1], fields=[line])
    refused = execute(odoo, "purchase.order", "search_read", [], fields=[old_header], limit=1)
    assert refused["error"]["data"]["name"] == "builtins.ValueError"
    assert bool(odoo.emulator.warnings) is new


def test_json2_on_19_and_its_statuses_and_a_redirect_on_18(odoo: RunningEmulator) -> None:
    response = json2(odoo, "res.partner", "search_count", domain=[["supplier_rank", ">", 0]])
    if odoo.emulator.version < 19:
        assert response.status_code == 303 and "/web/login" in response.headers["location"]
        return
    assert (
        response.status_code == 200 and response.json() == 32
    )  # active, shared or of the first company
    bad = json2(odoo, "res.partner", "search_count", key="nope")
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
    assert json2(odoo, "no.such.model", "search_read").status_code == 404
    assert json2(odoo, "res.partner", "search_read", fields=["nope"]).status_code == 500
    assert json2(odoo, "res.partner", "search_count", bogus=1).status_code == 422
    locked = json2(odoo, "purchase.order", "search", domain=[["locked", "=", True]], limit=1)
    refused = json2(odoo, "purchase.order", "button_cancel", ids=locked.json())
    assert refused.status_code == 422 and "unlock" in refused.json()["message"]


def test_an_expired_api_key_signs_in_nowhere(odoo: RunningEmulator) -> None:
    key = odoo.emulator.add_api_key("admin", expires_at=datetime.now(UTC) - timedelta(days=1))
    assert rpc(odoo, "common", "login", DB, "admin", key)["result"] is False


def test_18_keeps_write_date_microseconds_19_compares_whole_seconds(
    odoo: RunningEmulator,
) -> None:
    (row,) = execute(odoo, "purchase.order", "search_read", [], fields=["write_date"],
                     order="write_date asc, id asc", limit=1)["result"]  # fmt: skip
    found = execute(odoo, "purchase.order", "search", [["write_date", "=", row["write_date"]]])
    assert bool(found["result"]) is (odoo.emulator.version >= 19)


def test_seeded_orders_are_in_every_state_and_share_seconds(odoo: RunningEmulator) -> None:
    rows = execute(odoo, "purchase.order", "search_read", [], fields=["state", "write_date"],
                   context={"allowed_company_ids": [1, 2]})  # fmt: skip
    states = {row["state"] for row in rows["result"]}
    expected = {"draft", "sent", "to approve", "purchase", "cancel"}
    assert states == expected | ({"done"} if odoo.emulator.version < 19 else set())
    stamps = [row["write_date"] for row in rows["result"]]
    assert len(stamps) == ORDER_COUNT and len(set(stamps)) < ORDER_COUNT / 2


def test_locked_orders_refuse_deletion_but_take_a_note_and_a_price(
    odoo: RunningEmulator,
) -> None:
    new = odoo.emulator.version >= 19
    domain = [["locked", "=", True]] if new else [["state", "=", "done"]]
    (order,) = execute(odoo, "purchase.order", "search_read", domain, fields=["order_line"],
                       limit=1)["result"]  # fmt: skip
    refused = execute(odoo, "purchase.order", "unlink", [order["id"]])
    assert "cancel it first" in refused["error"]["data"]["message"]
    note = "note" if new else "notes"
    assert execute(odoo, "purchase.order", "write", [order["id"]], {note: "ok"})["result"]
    line = order["order_line"][0]
    changed = execute(odoo, "purchase.order", "write", [order["id"]],
                      {"order_line": [[1, line, {"price_unit": 9.5}]]})  # fmt: skip
    assert changed["result"] is True
    partner = execute(odoo, "purchase.order", "write", [order["id"]], {"partner_id": 3})
    assert partner["error"]["data"]["name"] == "odoo.exceptions.UserError"
    cancel = execute(odoo, "purchase.order", "button_cancel", [order["id"]])
    assert "error" in cancel
    if new:
        execute(odoo, "purchase.order", "button_unlock", [order["id"]])
        received = odoo.emulator.db().children("purchase.order.line", "order_id", order["id"])
        rows = odoo.emulator.db().tables["purchase.order.line"]
        cancel = execute(odoo, "purchase.order", "button_cancel", [order["id"]])
        assert ("error" in cancel) is any(rows[i]["qty_received"] for i in received)


def test_company_context_limits_reads_and_refuses_foreign_companies(
    odoo: RunningEmulator,
) -> None:
    first = execute(odoo, "purchase.order", "search_count", [])["result"]
    both = execute(odoo, "purchase.order", "search_count", [],
                   context={"allowed_company_ids": [1, 2]})["result"]  # fmt: skip
    assert first < both == ORDER_COUNT
    foreign = execute(odoo, "purchase.order", "search_count", [],
                      context={"allowed_company_ids": [9]})  # fmt: skip
    assert foreign["error"]["data"]["name"] == "odoo.exceptions.AccessError"


def test_quants_apply_the_counted_quantity(odoo: RunningEmulator) -> None:
    (quant,) = execute(odoo, "stock.quant", "search_read", [], fields=["quantity"],
                       limit=1)["result"]  # fmt: skip
    execute(odoo, "stock.quant", "write", [quant["id"]], {"inventory_quantity": 3.0})
    assert execute(odoo, "stock.quant", "action_apply_inventory", [quant["id"]]) == {
        "jsonrpc": "2.0", "id": 7}  # fmt: skip
    (after,) = execute(odoo, "stock.quant", "read", [quant["id"]], fields=["quantity"])["result"]
    assert after["quantity"] == 3.0


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        (["|", ["a", "=", 1], "&", ["b", "=", 2], ["c", "=", 3]], True),
        (["!", ["a", "=", 1]], False),
        ([["a", "in", [2, 3]]], False),
        ([["name", "ilike", "GEAR"]], True),
        ([["a", "=", 1], ["b", "=", 5]], False),
    ],
)
def test_domains_are_prefix_expressions(domain: list[Any], expected: bool) -> None:
    from ironbridge.testing.emulators.odoo.domain import matches

    row = {"a": 1, "b": 2, "c": 4, "name": "Gear Works"}
    assert matches(parse(domain), row.__getitem__, lambda leaf: set()) is expected


def test_a_malformed_domain_is_refused() -> None:
    with pytest.raises(ValueError, match="needs two operands"):
        parse(["|", ["a", "=", 1]])


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="not emulated"):
        OdooEmulator(version=16)
