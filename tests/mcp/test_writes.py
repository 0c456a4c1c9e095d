"""An agent's writes through `/mcp` on the sandbox: dry runs that reach nothing, real writes,
idempotency keys shared with the REST API, and refusals in the error contract."""

from __future__ import annotations

import re
from typing import Any

from mcp.types import CallToolResult

from .conftest import Live, answer


def _order(live: Live) -> dict[str, Any]:
    """A valid new purchase order's fields: an active vendor, one active item."""
    token = live.sandbox.token
    vendor = live.rest("GET", "/v1/vendors?status=active&limit=1", token).json()["data"][0]
    item = live.rest("GET", "/v1/inventory-items?status=active&limit=1", token).json()["data"][0]
    return {
        "vendor_id": vendor["id"],
        "currency": "USD",
        "lines": [{"item_id": item["id"], "quantity": "5", "unit_price": "12.50"}],
    }


def _number(record: dict[str, Any]) -> int:
    return int(re.sub(r"\D", "", record["remote_id"]))


def _error(result: CallToolResult) -> dict[str, Any]:
    assert result.is_error
    error: dict[str, Any] = answer(result)["error"]
    assert set(error) == {"code", "type", "message", "request_id", "details"}
    assert error["request_id"].startswith("req_")
    return error


def test_a_dry_run_checks_the_write_and_reaches_nothing(live: Live) -> None:
    token = live.sandbox.token
    order = _order(live)
    first = answer(live.call(token, "create_purchase_order", {**order, "idempotency_key": "a"}))
    preview = answer(
        live.call(
            token, "create_purchase_order", {**order, "idempotency_key": "b", "dry_run": True}
        )
    )
    assert preview["dry_run"] is True and preview["operation"] == "create"
    # References are resolved to the source's own ids, as the connector would receive them.
    assert preview["payload"]["vendor_remote_id"] and "vendor_id" not in preview["payload"]
    # The sandbox numbers each created order: the dry run took no number...
    second = answer(live.call(token, "create_purchase_order", {**order, "idempotency_key": "c"}))
    assert _number(second) == _number(first) + 1
    # ... and kept nothing under its key: the real write with that key goes through.
    third = answer(live.call(token, "create_purchase_order", {**order, "idempotency_key": "b"}))
    assert _number(third) == _number(second) + 1

    bad = live.call(
        token,
        "create_purchase_order",
        {**order, "vendor_id": "vnd_" + "0" * 32, "idempotency_key": "d", "dry_run": True},
    )
    error = _error(bad)
    assert error["code"] == "VALIDATION_FAILED" and "vendor_id" in error["details"]["fields"]


def test_a_dry_run_on_a_record_shows_it_as_stored(live: Live) -> None:
    token = live.sandbox.token
    draft = live.rest("GET", "/v1/purchase-orders?status=draft&limit=1", token).json()["data"][0]
    preview = answer(
        live.call(
            token,
            "update_purchase_order",
            {
                "record_id": draft["id"],
                "notes": "Call before delivery",
                "idempotency_key": "n1",
                "dry_run": True,
            },
        )
    )
    assert preview["payload"] == {"notes": "Call before delivery"}
    assert preview["current"] == draft
    assert live.rest("GET", f"/v1/purchase-orders/{draft['id']}", token).json() == draft


def test_a_real_write_answers_the_record_and_the_rest_api_knows_its_key(live: Live) -> None:
    token = live.sandbox.token
    order = _order(live)
    result = live.call(token, "create_purchase_order", {**order, "idempotency_key": "po-7"})
    assert not result.is_error
    created = answer(result)
    assert created["id"].startswith("po_") and created["status"] == "draft"
    assert created["lines"][0]["line_total"] == "62.50"
    assert result.structured_content == created
    # The same write sent to the REST API with the same key is the same write: answered from
    # the idempotency store, not sent to the system again.
    rest = live.rest(
        "POST", "/v1/purchase-orders", token, json=order, headers={"Idempotency-Key": "po-7"}
    )
    assert rest.status_code == 201
    assert rest.headers["Idempotent-Replayed"] == "true"
    assert rest.json() == created

    work_order = live.rest("GET", "/v1/work-orders?status=open&limit=1", token).json()["data"][0]
    moved = answer(
        live.call(
            token,
            "change_work_order_status",
            {"record_id": work_order["id"], "status": "in_progress", "idempotency_key": "wo-1"},
        )
    )
    assert moved["id"] == work_order["id"] and moved["status"] == "in_progress"

    item = next(
        i
        for i in live.rest("GET", "/v1/inventory-items?limit=100", token).json()["data"]
        if i["stock_levels"]
    )
    location = item["stock_levels"][0]["location"]["id"]
    adjusted = answer(
        live.call(
            token,
            "adjust_inventory",
            {
                "record_id": item["id"],
                "location_id": location,
                "new_count": "1000",
                "reason": "cycle count",
                "idempotency_key": "count-1",
            },
        )
    )
    level = next(s for s in adjusted["stock_levels"] if s["location"]["id"] == location)
    assert level["on_hand"] in ("1000", "1000.00")


def test_repeating_a_key_replays_the_first_answer_without_writing_again(live: Live) -> None:
    token = live.sandbox.token
    order = _order(live)
    arguments = {**order, "idempotency_key": "order-2026-0001"}
    first = live.call(token, "create_purchase_order", arguments)
    again = live.call(token, "create_purchase_order", arguments)
    assert answer(again) == answer(first)
    assert first.meta is None or "io.ironbridge/idempotent-replayed" not in first.meta
    assert again.meta is not None and again.meta["io.ironbridge/idempotent-replayed"] is True
    # A fresh key writes again: the system numbers the new order after the first.
    fresh = answer(
        live.call(token, "create_purchase_order", {**order, "idempotency_key": "order-2026-0002"})
    )
    assert _number(fresh) == _number(answer(first)) + 1
    reused = live.call(token, "create_purchase_order", {**arguments, "currency": "EUR"})
    assert _error(reused)["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_refusals_are_tool_errors_in_the_error_contract(live: Live) -> None:
    token = live.sandbox.token
    approved = live.rest("GET", "/v1/purchase-orders?status=approved&limit=1", token).json()[
        "data"
    ][0]
    arguments = {"record_id": approved["id"], "notes": "x", "idempotency_key": "locked-1"}
    locked = _error(live.call(token, "update_purchase_order", arguments))
    assert locked["code"] == "RECORD_LOCKED"
    # A refusal is kept under its key too, and told again with this call's request id.
    again = _error(live.call(token, "update_purchase_order", arguments))
    assert again["code"] == "RECORD_LOCKED" and again["request_id"] != locked["request_id"]

    missing_key = _error(
        live.call(token, "create_purchase_order", {**_order(live), "currency": "dollars"})
    )
    assert missing_key["code"] == "VALIDATION_FAILED"
    # Every bad argument at once: the control arguments' and the body's.
    assert set(missing_key["details"]["fields"]) == {"idempotency_key", "currency"}
    unknown = _error(
        live.call(token, "create_purchase_order", {**_order(live), "idempotency_key": "u", "x": 1})
    )
    assert set(unknown["details"]["fields"]) == {"x"}
    work_order = live.rest("GET", "/v1/work-orders?limit=1", token).json()["data"][0]
    bad_status = _error(
        live.call(
            token,
            "change_work_order_status",
            {"record_id": work_order["id"], "status": "finished", "idempotency_key": "s"},
        )
    )
    assert "status" in bad_status["details"]["fields"]
    # A write the system does not offer, though another system might: not listed, and refused.
    asset = live.rest("GET", "/v1/assets?limit=1", token).json()["data"][0]
    unsupported = _error(
        live.call(
            token,
            "update_asset",
            {"record_id": asset["id"], "name": "Pump 7", "idempotency_key": "asset-1"},
        )
    )
    assert unsupported["code"] == "OPERATION_NOT_SUPPORTED"


def test_dry_runs_of_a_delete_and_an_adjustment_show_what_would_happen(live: Live) -> None:
    token = live.sandbox.token
    draft = live.rest("GET", "/v1/purchase-orders?status=draft&limit=1", token).json()["data"][0]
    preview = answer(
        live.call(
            token,
            "delete_purchase_order",
            {"record_id": draft["id"], "idempotency_key": "del-1", "dry_run": True},
        )
    )
    assert preview["operation"] == "delete" and preview["payload"] is None
    assert preview["current"] == draft
    deleted = answer(
        live.call(
            token, "delete_purchase_order", {"record_id": draft["id"], "idempotency_key": "del-1"}
        )
    )
    assert deleted["id"] == draft["id"] and deleted["deleted"] is True

    item = next(
        i
        for i in live.rest("GET", "/v1/inventory-items?limit=100", token).json()["data"]
        if i["stock_levels"]
    )
    level = item["stock_levels"][0]
    preview = answer(
        live.call(
            token,
            "adjust_inventory",
            {
                "record_id": item["id"],
                "location_id": level["location"]["id"],
                "quantity_delta": "-1",
                "reason": "damaged",
                "idempotency_key": "adj-1",
                "dry_run": True,
            },
        )
    )
    assert preview["payload"]["location_remote_id"] == level["location"]["remote_id"]
    assert preview["payload"]["quantity_delta"] == "-1"
    assert preview["current"] == item
