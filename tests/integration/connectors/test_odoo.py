"""The Odoo connector against its emulator over real HTTP, as 18.0 (`/jsonrpc`) and 19.0
(JSON-2): connecting, reads across `write_date`'s second precision, companies, stage maps per
database, writes under Odoo's locking rules, API-key expiry, and the conformance suite."""

from __future__ import annotations

import io
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors.base import CheckStage, PassthroughRequest, SessionOptions
from ironbridge.connectors.odoo import connector
from ironbridge.connectors.odoo.connector import OdooSession
from ironbridge.model import Entity, PurchaseOrderStatus, VendorStatus, WorkOrderStatus
from ironbridge.testing.conformance import CHECKS, Conformance, WriteSample
from ironbridge.testing.emulators import serve_emulator
from ironbridge.testing.emulators.odoo import (
    DEFAULT_DATABASE,
    ORDER_COUNT,
    OdooEmulator,
    RunningEmulator,
    running_emulator,
)

LOCAL = SessionOptions(allow_private_urls=True)
ORDERS, VENDORS, ITEMS = Entity.PURCHASE_ORDERS, Entity.VENDORS, Entity.INVENTORY_ITEMS
WORK = Entity.WORK_ORDERS


def ids(entity: Entity, remote_id: str) -> str:
    return f"{entity.value}:{remote_id}"


def session(odoo: RunningEmulator, **extra: str) -> OdooSession:
    return connector.session(odoo.credentials(**extra), options=LOCAL)


def listed(s: OdooSession, entity: Entity, since: datetime | None = None, size: int = 500) -> Any:
    return [raw for page in s.list_changes(entity, since, page_size=size) for raw in page]


def unified(s: OdooSession, entity: Entity, remote_id: str) -> dict[str, Any]:
    return connector.to_unified(entity, s.get(entity, remote_id), ids)


def order_in(odoo: RunningEmulator, **match: Any) -> int:
    rows = odoo.emulator.db().tables["purchase.order"].values()
    return next(row["id"] for row in rows if all(row.get(k) == v for k, v in match.items()))


def locked(odoo: RunningEmulator) -> int:
    if odoo.emulator.version >= 19:
        return order_in(odoo, locked=True, company_id=1)
    return order_in(odoo, state="done", company_id=1)


# -- connect ---------------------------------------------------------------------------------


def test_connects_with_the_protocol_of_the_servers_version(odoo: RunningEmulator) -> None:
    with session(odoo) as s:
        results = list(s.check())
        assert [r.stage for r in results] == list(CheckStage) and all(r.ok for r in results)
        assert f"Odoo {odoo.emulator.server_version}" in results[0].message
        assert len(listed(s, Entity.LOCATIONS)) == 5  # those of the default company
    protocols = {protocol for protocol, *_ in odoo.emulator.calls}
    # 19.0 is read through JSON-2 only: no deprecated /jsonrpc call, no warning logged.
    assert protocols == ({"json2"} if odoo.emulator.version >= 19 else {"jsonrpc"})
    assert not odoo.emulator.warnings


def test_a_wrong_api_key_fails_the_authenticate_stage(odoo: RunningEmulator) -> None:
    with session(odoo, api_key="not-a-key") as s:
        results = list(s.check())
    assert [(r.stage, r.ok) for r in results] == [
        (CheckStage.REACH, True),
        (CheckStage.AUTHENTICATE, False),
    ]
    assert "API key" in (results[-1].fix or "")


def test_an_unknown_database_fails_the_reach_stage(odoo: RunningEmulator) -> None:
    with session(odoo, database="nope") as s:
        results = list(s.check())
    assert results[-1].stage is CheckStage.REACH and not results[-1].ok
    assert "nope" in results[-1].message


def test_an_expired_api_key_asks_for_a_new_one(odoo: RunningEmulator) -> None:
    with session(odoo) as s:
        assert s.get(VENDORS, "1")
        odoo.emulator.expire_keys()
        with pytest.raises(errors.ConnectionReauthRequired):
            s.get(VENDORS, "2")
    with session(odoo) as s, pytest.raises(errors.ConnectionReauthRequired):
        listed(s, VENDORS)


def test_a_missing_app_makes_its_entities_unavailable() -> None:
    missing = ("maintenance.request", "maintenance.equipment", "maintenance.stage")
    emulator = OdooEmulator(version=19, missing_models=missing)
    with running_emulator(emulator=emulator) as odoo, session(odoo) as s:
        results = list(s.check())
        assert results[-1].ok
        assert {item.entity for item in results[-1].entities} == {WORK, Entity.ASSETS}
        assert listed(s, WORK) == []
        with pytest.raises(errors.EntityUnavailable):
            s.get(WORK, "1")


# -- reads -----------------------------------------------------------------------------------


def test_orders_read_in_every_status_with_lines_and_notes(odoo: RunningEmulator) -> None:
    with session(odoo, companies="1,2") as s:
        records = listed(s, ORDERS)
        order = unified(s, ORDERS, "2")
    assert len(records) == ORDER_COUNT
    statuses = {connector.to_unified(ORDERS, raw, ids)["status"] for raw in records}
    P = PurchaseOrderStatus
    assert statuses == {P.DRAFT, P.SENT, P.PENDING_APPROVAL, P.APPROVED, P.PARTIALLY_RECEIVED,
                        P.RECEIVED, P.CLOSED, P.CANCELLED}  # fmt: skip
    assert order["notes"] == "Order 2" and order["vendor"]["remote_id"] == "2"
    assert [line["line_number"] for line in order["lines"]] == [1, 2]
    assert order["lines"][0]["unit_of_measure"] == "Units"
    assert order["subtotal"] == sum(line["line_total"] for line in order["lines"])


def test_companies_limit_what_is_read(odoo: RunningEmulator) -> None:
    with session(odoo) as s:
        first = {raw.data["company_id"][0] for raw in listed(s, ORDERS)}
    with session(odoo, companies="2") as s:
        second = listed(s, ORDERS)
    assert first == {1} and {raw.data["company_id"][0] for raw in second} == {2}
    assert len(second) == ORDER_COUNT // 5


@pytest.mark.parametrize("size", [1, 7, 64])
def test_pages_neither_repeat_nor_skip_across_shared_seconds(
    odoo: RunningEmulator, size: int
) -> None:
    # Seeded orders are written several per second, microseconds apart in random id order:
    # 18.0 shows the seconds and compares microseconds, 19.0 compares seconds.
    with session(odoo, companies="1,2") as s:
        pages = list(s.list_changes(ORDERS, None, page_size=size))
    keys = [(raw.modified_at, int(raw.remote_id)) for page in pages for raw in page]
    assert all(len(page) <= size for page in pages)
    assert keys == sorted(keys) and len(set(keys)) == len(keys) == ORDER_COUNT


def test_changes_since_a_moment_include_its_whole_second(odoo: RunningEmulator) -> None:
    with session(odoo, companies="1,2") as s:
        everything = listed(s, ORDERS)
        middle = everything[len(everything) // 2].modified_at
        later = listed(s, ORDERS, middle + timedelta(microseconds=400_000), size=5)
    expected = {raw.remote_id for raw in everything if raw.modified_at >= middle}
    assert {raw.remote_id for raw in later} == expected


def test_a_line_changed_on_its_own_brings_its_order(odoo: RunningEmulator) -> None:
    with session(odoo) as s:
        since = datetime.now(UTC) - timedelta(seconds=1)
        line = odoo.emulator.db().children("purchase.order.line", "order_id", 7)[0]
        odoo.emulator.change("purchase.order.line", line, {"price_unit": 99.0})
        changed = listed(s, ORDERS, since)
        order = unified(s, ORDERS, "7")
    assert [raw.remote_id for raw in changed] == ["7"]
    assert order["lines"][0]["unit_price"] == Decimal("99.0")


def test_archived_records_read_as_inactive(odoo: RunningEmulator) -> None:
    with session(odoo) as s:
        vendor = unified(s, VENDORS, "13")
        asset = unified(s, Entity.ASSETS, "25")
        location = unified(s, Entity.LOCATIONS, "13")
    assert vendor["status"] == VendorStatus.INACTIVE and vendor["address"]["country"] == "US"
    assert asset["status"] == "decommissioned" and location["status"] == "inactive"


def test_items_carry_stock_per_internal_location(odoo: RunningEmulator) -> None:
    with session(odoo, companies="1,2") as s:
        item = unified(s, ITEMS, "1")
    quants = [q for q in odoo.emulator.db().tables["stock.quant"].values() if q["product_id"] == 1]
    expected = {str(q["location_id"]): Decimal(str(q["quantity"])) for q in quants}
    assert {lv["location"]["remote_id"]: lv["on_hand"] for lv in item["stock_levels"]} == expected
    assert item["total_on_hand"] == sum(expected.values())


def test_stage_maps_are_read_from_each_database() -> None:
    stages = {"plant_b": (("Reported", 1, False), ("Waiting parts", 5, False), ("Fixed", 9, True))}
    emulator = OdooEmulator(version=19, databases=("ironworks", "plant_b"), stages=stages)
    with running_emulator(emulator=emulator) as odoo:
        for database, done in (("ironworks", "Repaired"), ("plant_b", "Fixed")):
            with session(odoo, database=database) as s:
                statuses = {
                    connector.to_unified(WORK, raw, ids)["custom_fields"]["stage"]:
                    connector.to_unified(WORK, raw, ids)["status"]
                    for raw in listed(s, WORK) if not raw.data["archive"]
                }  # fmt: skip
                moved = s.update(WORK, "2", {"status": WorkOrderStatus.COMPLETED})
                assert connector.to_unified(WORK, moved, ids)["custom_fields"]["stage"] == done
            assert statuses[done] == WorkOrderStatus.COMPLETED
        assert statuses == {
            "Reported": "open",
            "Waiting parts": "in_progress",
            "Fixed": "completed",
        }


def test_an_unknown_id_is_not_found(odoo: RunningEmulator) -> None:
    with session(odoo) as s:
        for remote_id in ("99999", "P1", "0"):
            with pytest.raises(errors.NotFound):
                s.get(ORDERS, remote_id)


# -- writes ----------------------------------------------------------------------------------

ORDER = {
    "vendor_remote_id": "3",
    "notes": "From ironbridge",
    "required_date": datetime(2026, 12, 20).date(),
    "lines": [
        {"item_remote_id": "4", "quantity": Decimal(3), "unit_price": Decimal("12.50")},
        {"item_remote_id": "5", "quantity": Decimal(1), "description": "Spare seal"},
    ],
}


def test_an_order_is_created_confirmed_and_cancelled(odoo: RunningEmulator) -> None:
    with session(odoo) as s:
        created = connector.to_unified(ORDERS, s.create(ORDERS, dict(ORDER)), ids)
        confirmed = s.update(ORDERS, created["remote_id"], {"status": PurchaseOrderStatus.APPROVED})
        cancelled = s.update(
            ORDERS, created["remote_id"], {"status": PurchaseOrderStatus.CANCELLED}
        )
    assert created["status"] == "draft" and created["notes"] == "From ironbridge"
    assert [(ln["item"]["remote_id"], ln["quantity"], ln["unit_price"]) for ln in created["lines"]] == [
        ("4", Decimal(3), Decimal("12.5")), ("5", Decimal(1), Decimal(ln_price(odoo, 5)))]  # fmt: skip
    assert connector.to_unified(ORDERS, confirmed, ids)["status"] == "approved"
    assert connector.to_unified(ORDERS, cancelled, ids)["status"] == "cancelled"


def ln_price(odoo: RunningEmulator, product: int) -> str:
    return str(odoo.emulator.db().tables["product.product"][product]["standard_price"])


def test_a_draft_order_is_updated_and_its_lines_replaced(odoo: RunningEmulator) -> None:
    draft = str(order_in(odoo, state="draft"))
    with session(odoo) as s:
        changes = {"notes": "Rush", "lines": [{"item_remote_id": "9", "quantity": Decimal(7)}]}
        order = connector.to_unified(ORDERS, s.update(ORDERS, draft, changes), ids)
    assert order["notes"] == "Rush"
    assert [(ln["item"]["remote_id"], ln["quantity"]) for ln in order["lines"]] == [("9", 7)]


def test_locked_orders_take_a_note_but_refuse_other_changes(odoo: RunningEmulator) -> None:
    order = str(locked(odoo))
    with session(odoo) as s:
        assert unified(s, ORDERS, order)["status"] == "closed"
        noted = s.update(ORDERS, order, {"notes": "Invoice expected"})
        assert connector.to_unified(ORDERS, noted, ids)["notes"] == "Invoice expected"
        with pytest.raises(errors.RecordLocked, match="locked"):
            s.update(ORDERS, order, {"vendor_remote_id": "4"})
        with pytest.raises(errors.RecordLocked, match="cancel it first"):
            s.delete(ORDERS, order)
        with pytest.raises(errors.RecordLocked):
            s.update(ORDERS, order, {"status": PurchaseOrderStatus.CANCELLED})


def test_cancelling_a_locked_order_without_receipts(odoo: RunningEmulator) -> None:
    order = locked(odoo)
    db = odoo.emulator.db()
    for line in db.children("purchase.order.line", "order_id", order):
        odoo.emulator.change("purchase.order.line", line, {"qty_received": 0.0})
    with session(odoo) as s:
        if odoo.emulator.version >= 19:  # 19.0 refuses until the order is unlocked
            with pytest.raises(errors.RecordLocked, match="You must first unlock them"):
                s.update(ORDERS, str(order), {"status": PurchaseOrderStatus.CANCELLED})
            db.tables["purchase.order"][order]["locked"] = False
        cancelled = s.update(ORDERS, str(order), {"status": PurchaseOrderStatus.CANCELLED})
    assert connector.to_unified(ORDERS, cancelled, ids)["status"] == "cancelled"


def test_received_lines_cannot_be_replaced(odoo: RunningEmulator) -> None:
    received = str(order_in(odoo, state="purchase", company_id=1))
    with session(odoo) as s, pytest.raises(errors.RecordLocked, match="received"):
        s.update(ORDERS, received, {"lines": [{"item_remote_id": "2", "quantity": Decimal(1)}]})


def test_a_line_needs_a_product_of_the_database(odoo: RunningEmulator) -> None:
    draft = str(order_in(odoo, state="draft"))
    lines = [{"item_remote_id": "9", "quantity": Decimal(1)}, {"description": "Freight"}]
    with session(odoo) as s:
        with pytest.raises(errors.ValidationFailed) as missing:
            s.update(ORDERS, draft, {"lines": lines})
        with pytest.raises(errors.ValidationFailed) as unknown:
            s.create(ORDERS, {**ORDER, "lines": [{"item_remote_id": "999", "quantity": 1}]})
    assert missing.value.fields == {
        "lines.1.item_id": "Odoo has no product.product with the id None."
    }
    assert unknown.value.fields == {
        "lines.0.item_id": "Odoo has no product.product with the id 999."
    }


def test_odoos_user_errors_are_validation_failures_with_its_message(odoo: RunningEmulator) -> None:
    with session(odoo) as s:
        empty = s.create(ORDERS, {"vendor_remote_id": "3", "lines": []})
        with pytest.raises(errors.ValidationFailed) as caught:
            s.update(ORDERS, empty.remote_id, {"status": PurchaseOrderStatus.APPROVED})
        assert caught.value.fields == {"body": "There is no line to confirm on this order."}
        with pytest.raises(errors.ValidationFailed) as unknown:
            s.create(ORDERS, {**ORDER, "vendor_remote_id": "999"})
        assert "vendor_id" in unknown.value.fields
        with pytest.raises(errors.ValidationFailed):
            s.update(ORDERS, empty.remote_id, {"status": PurchaseOrderStatus.RECEIVED})


def test_vendors_are_created_and_updated(odoo: RunningEmulator) -> None:
    address = {"line1": "1 Mill Lane", "city": "Ghent", "postal_code": "9000", "country": "BE"}
    with session(odoo) as s:
        created = s.create(VENDORS, {"name": "Gear Works BV", "email": "a@gw.example",
                                     "address": address})  # fmt: skip
        vendor = connector.to_unified(VENDORS, created, ids)
        updated = s.update(VENDORS, created.remote_id, {"status": VendorStatus.INACTIVE,
                                                        "phone": "+32 9 555 01"})  # fmt: skip
        with pytest.raises(errors.ValidationFailed):
            s.update(VENDORS, created.remote_id, {"status": VendorStatus.BLOCKED})
        with pytest.raises(errors.ValidationFailed):
            s.create(VENDORS, {"name": "X", "address": {**address, "country": "ZZ"}})
    assert vendor["address"]["country"] == "BE" and vendor["status"] == "active"
    after = connector.to_unified(VENDORS, updated, ids)
    assert after["status"] == "inactive" and after["phone"] == "+32 9 555 01"


def test_maintenance_requests_are_created_and_moved(odoo: RunningEmulator) -> None:
    with session(odoo) as s:
        created = s.create(WORK, {"title": "Replace the seal", "asset_remote_id": "3",
                                  "priority": "high", "estimated_hours": Decimal(2)})  # fmt: skip
        request = connector.to_unified(WORK, created, ids)
        moved = s.update(WORK, created.remote_id, {"status": WorkOrderStatus.IN_PROGRESS})
        cancelled = s.update(WORK, created.remote_id, {"status": WorkOrderStatus.CANCELLED})
        with pytest.raises(errors.ValidationFailed):
            s.update(WORK, created.remote_id, {"status": WorkOrderStatus.ON_HOLD})
    assert (request["status"], request["priority"], request["asset"]["remote_id"]) == (
        "open", "high", "3")  # fmt: skip
    assert connector.to_unified(WORK, moved, ids)["custom_fields"]["stage"] == "In Progress"
    assert connector.to_unified(WORK, cancelled, ids)["status"] == "cancelled"


def test_stock_is_adjusted_through_quants(odoo: RunningEmulator) -> None:
    with session(odoo) as s:
        before = {
            lv["location"]["remote_id"]: lv["on_hand"]
            for lv in unified(s, ITEMS, "3")["stock_levels"]
        }
        after = s.adjust_inventory("3", {"location_remote_id": "8", "quantity_delta": Decimal(5),
                                         "reason": "Found behind the shelf"})  # fmt: skip
        counted = s.adjust_inventory("3", {"location_remote_id": "10", "new_count": Decimal(2),
                                           "reason": "Cycle count"})  # fmt: skip
        with pytest.raises(errors.ValidationFailed):
            s.adjust_inventory("3", {"location_remote_id": "8", "quantity_delta": Decimal(-10_000),
                                     "reason": "Too many"})  # fmt: skip
        with pytest.raises(errors.ValidationFailed):
            s.adjust_inventory("3", {"location_remote_id": "3", "new_count": Decimal(1),
                                     "reason": "A vendor location"})  # fmt: skip
    levels = {lv["location"]["remote_id"]: lv["on_hand"]
              for lv in connector.to_unified(ITEMS, after, ids)["stock_levels"]}  # fmt: skip
    assert levels["8"] == before.get("8", 0) + 5
    final = {lv["location"]["remote_id"]: lv["on_hand"]
             for lv in connector.to_unified(ITEMS, counted, ids)["stock_levels"]}  # fmt: skip
    assert final["10"] == 2


def test_stock_quantities_add_up_as_the_decimals_odoo_shows(odoo: RunningEmulator) -> None:
    # Odoo sends quantities as floats: 1.3 held less 1.0 reserved is 0.3 available, not
    # 0.30000000000000004.
    with session(odoo) as s:
        product, level = next(
            (str(number), lv)
            for number in range(1, 40)
            for lv in unified(s, ITEMS, str(number))["stock_levels"]
            if lv["reserved"]
        )
        place = level["location"]["remote_id"]
        count = level["reserved"] + Decimal("0.3")
        counted = s.adjust_inventory(product, {"location_remote_id": place, "new_count": count,
                                               "reason": "Cycle count"})  # fmt: skip
    (after,) = [lv for lv in connector.to_unified(ITEMS, counted, ids)["stock_levels"]
                if lv["location"]["remote_id"] == place]  # fmt: skip
    assert (after["on_hand"], after["available"]) == (count, Decimal("0.3"))


# -- resilience ------------------------------------------------------------------------------


def test_an_unavailable_server_is_connection_unavailable(odoo: RunningEmulator) -> None:
    odoo.emulator.faults.fail_requests = 50
    with session(odoo) as s, pytest.raises(errors.ConnectionUnavailable):
        listed(s, VENDORS)
    odoo.emulator.faults.fail_requests = 0
    with session(odoo) as s:
        assert len(listed(s, VENDORS)) == 35


# -- conformance -----------------------------------------------------------------------------


def samples(version: int) -> dict[Entity, WriteSample]:
    locked_order = "11"
    return {
        ORDERS: WriteSample(
            create=ORDER, update={"notes": "Changed by the suite"}, update_target="1",
            locked_update=(locked_order, {"vendor_remote_id": "4"}), locked_delete=locked_order,
            invalid_create={**ORDER, "vendor_remote_id": "99999"},
            invalid_update=("1", {"status": PurchaseOrderStatus.RECEIVED}),
        ),
        VENDORS: WriteSample(create={"name": "Suite Vendor", "phone": "+1 555 0999"},
                             update={"phone": "+1 555 0888"}, update_target="2"),
        WORK: WriteSample(create={"title": "Suite request", "asset_remote_id": "2"},
                          update={"description": "Changed"}, update_target="3",
                          invalid_create={"title": "Bad", "asset_remote_id": "2", "type": "emergency"}),
        ITEMS: WriteSample(
            adjust=("2", {"location_remote_id": "8", "quantity_delta": Decimal(4), "reason": "Suite"}),
            invalid_adjust=("2", {"location_remote_id": "8", "quantity_delta": Decimal(-99_999),
                                  "reason": "Too many"}),
        ),
    }  # fmt: skip


@pytest.mark.parametrize("check", CHECKS)
def test_the_connector_passes_the_conformance_suite(odoo: RunningEmulator, check: str) -> None:
    suite = Conformance(connector, odoo.credentials(), options=LOCAL,
                        samples=samples(odoo.emulator.version))  # fmt: skip
    getattr(suite, check)()


# -- the command line ------------------------------------------------------------------------


def test_emulate_odoo_answers_as_the_version_asked_for() -> None:
    out, stop = io.StringIO(), threading.Event()
    thread = threading.Thread(target=serve_emulator, args=("odoo",),
                              kwargs={"out": out, "stop": stop, "version": "19"})  # fmt: skip
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        started = json.loads(out.getvalue().splitlines()[0])
        form = {"url": started["base_url"], "database": DEFAULT_DATABASE,
                "username": started["username"], "api_key": started["password"]}  # fmt: skip
        with connector.session(form, options=LOCAL) as s:
            assert s.client.connect() == 19 and listed(s, VENDORS)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_emulate_refuses_versions_it_does_not_have() -> None:
    with pytest.raises(ValueError, match="not emulated"):
        serve_emulator("odoo", version="16", out=io.StringIO(), stop=threading.Event())
    with pytest.raises(ValueError, match="one version only"):
        serve_emulator("netsuite", version="2", out=io.StringIO(), stop=threading.Event())


def test_passthrough_sends_one_service_call(odoo: RunningEmulator) -> None:
    with session(odoo) as s:
        answer = s.passthrough(PassthroughRequest("POST", "/common.version", body=[]))
        refused = s.passthrough(PassthroughRequest("POST", "/object.execute_kw", body=[
            DEFAULT_DATABASE, 2, "wrong", "res.partner", "search", [[]]]))  # fmt: skip
    assert answer.status == 200
    assert answer.body["result"]["server_version"] == odoo.emulator.server_version
    assert refused.body["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
