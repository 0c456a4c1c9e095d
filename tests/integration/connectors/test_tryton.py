"""The Tryton connector against a real Tryton 8.2 server (trytond on SQLite, seeded).

The server is started once per test session; this module gets a copy of the seeded database of
its own (the `tryton` fixture in `conftest.py`), which its tests share: tests that write work on
records they create, or on seeded records no other test here reads for exact values.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors import CheckStage, PassthroughRequest, RawRecord, SessionOptions
from ironbridge.connectors.tryton import connector
from ironbridge.connectors.tryton.connector import TrytonSession
from ironbridge.connectors.tryton.maps import STATUS_MAP, WORK_STATUS
from ironbridge.connectors.tryton.resources import RESOURCES
from ironbridge.model import (
    MODELS,
    Entity,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderStatus,
    WorkOrderType,
    record_id,
)
from ironbridge.testing.conformance import CHECKS, Conformance, WriteSample

from .conftest import TrytonRpc, TrytonServer

OPTIONS = SessionOptions(allow_private_urls=True)


@pytest.fixture
def session(tryton: TrytonServer) -> Iterator[TrytonSession]:
    with connector.session(tryton.admin, options=OPTIONS) as opened:
        yield opened


def ids(entity: Entity, remote_id: str) -> str:
    return record_id("conn_tryton", entity, remote_id)


def unified(entity: Entity, raw: RawRecord) -> dict[str, Any]:
    data = connector.to_unified(entity, raw, ids)
    MODELS[entity].model_validate(data)
    return data


def everything(session: TrytonSession, entity: Entity, **kwargs: Any) -> list[RawRecord]:
    return [raw for page in session.list_changes(entity, None, **kwargs) for raw in page]


def tryton_call(session: TrytonSession, model: str, method: str, *params: Any) -> Any:
    """A raw call through the passthrough, for arranging data the unified API cannot."""
    body = session.passthrough(
        PassthroughRequest("POST", f"/model.{model}.{method}", body=[*params, session.context()])
    ).body
    assert "error" not in body, body
    return body["result"]


def draft_order(session: TrytonSession, **extra: Any) -> RawRecord:
    payload: dict[str, Any] = {
        "vendor_remote_id": "3",
        "lines": [{"item_remote_id": "1", "quantity": "4"}],
        **extra,
    }
    return session.create(Entity.PURCHASE_ORDERS, payload)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the server and the connection check --------------------------------------------------------


def test_the_fixture_starts_a_real_tryton_server(tryton: TrytonServer) -> None:
    # Warm starts copy the template (~2 s); a cold build (venv, modules, seed) takes ~70 s.
    assert tryton.started_in < 600
    with connector.session(tryton.admin, options=OPTIONS) as opened:
        reach = next(iter(opened.check()))
    assert reach.ok and "Tryton 8.2" in reach.message
    assert f"database {tryton.database!r} exists" in reach.message


def test_this_module_writes_to_a_database_no_other_module_sees(
    tryton: TrytonServer, tryton_server: TrytonServer, session: TrytonSession
) -> None:
    assert tryton.database != tryton_server.database
    assert tryton.url == tryton_server.url  # one server, several databases
    order = draft_order(session, custom_fields={"reference": "RFQ-THIS-MODULE-ONLY"})
    with (
        connector.session(tryton_server.admin, options=OPTIONS) as other,
        pytest.raises(errors.NotFound),
    ):
        other.get(Entity.PURCHASE_ORDERS, order.remote_id)


def test_the_check_passes_every_stage_for_the_admin_user(session: TrytonSession) -> None:
    results = list(session.check())
    assert [result.stage for result in results] == list(CheckStage)
    assert all(result.ok for result in results), results
    assert results[-1].message.endswith("and write access.")


def test_a_wrong_url_fails_at_reach(tryton: TrytonServer) -> None:
    credentials = {**tryton.admin, "url": f"http://127.0.0.1:{free_port()}"}
    with connector.session(credentials, options=OPTIONS) as opened:
        results = list(opened.check())
    assert [result.stage for result in results] == [CheckStage.REACH]
    assert not results[0].ok and results[0].fix


def test_an_unknown_database_fails_at_reach(tryton: TrytonServer) -> None:
    with connector.session({**tryton.admin, "database": "nosuchdb"}, options=OPTIONS) as opened:
        results = list(opened.check())
    assert [result.stage for result in results] == [CheckStage.REACH]
    assert "no database named 'nosuchdb'" in results[0].message


def test_a_wrong_password_fails_at_authenticate(tryton: TrytonServer) -> None:
    # One failure only: Tryton delays further sign-ins of a login after repeated failures.
    credentials = {**tryton.clerk, "password": "not-the-password"}
    with connector.session(credentials, options=OPTIONS) as opened:
        results = list(opened.check())
    assert [(result.stage, result.ok) for result in results] == [
        (CheckStage.REACH, True),
        (CheckStage.AUTHENTICATE, False),
    ]
    assert "refused the user name or password" in results[-1].message


def test_a_stock_clerk_passes_with_purchase_writes_reported_as_refused(
    tryton: TrytonServer,
) -> None:
    # What Tryton really does: the Stock group reads purchases, parties, products and
    # locations, and its access rights refuse creating, writing and deleting purchases.
    with connector.session(tryton.clerk, options=OPTIONS) as opened:
        results = list(opened.check())
        assert all(result.ok for result in results), results
        assert "Tryton will refuse: create/write/delete purchase-orders." in results[-1].message
        assert "work-orders" in results[-1].message.split("Tryton will refuse")[0]
        with pytest.raises(errors.PermissionDenied, match="not allowed to access"):
            opened.create(
                Entity.PURCHASE_ORDERS,
                {"vendor_remote_id": "3", "lines": [{"item_remote_id": "1", "quantity": "1"}]},
            )


def test_a_private_address_is_refused_unless_the_deployment_allows_it(
    tryton: TrytonServer,
) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        connector.session(tryton.admin)
    assert "private" in caught.value.fields["url"]


# -- reads ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", connector.spec.entities, ids=str)
def test_every_record_of_each_entity_validates_as_its_unified_model(
    session: TrytonSession, entity: Entity
) -> None:
    records = everything(session, entity, page_size=7)
    assert records
    keys = [(raw.modified_at, int(raw.remote_id)) for raw in records]
    assert keys == sorted(keys)
    assert len({raw.remote_id for raw in records}) == len(records)
    for raw in records:
        data = unified(entity, raw)
        assert data["remote_id"] == raw.remote_id
        assert data["updated_at"] == raw.modified_at


def test_seeded_purchase_orders_map_every_tryton_state(session: TrytonSession) -> None:
    records = everything(session, Entity.PURCHASE_ORDERS)
    states = {raw.data["state"] for raw in records}
    assert {"draft", "quotation", "confirmed", "processing", "done", "cancelled"} <= states
    assert states <= set(STATUS_MAP)
    statuses = {unified(Entity.PURCHASE_ORDERS, raw)["status"] for raw in records}
    assert {
        PurchaseOrderStatus.DRAFT,
        PurchaseOrderStatus.PENDING_APPROVAL,
        PurchaseOrderStatus.APPROVED,
        PurchaseOrderStatus.CLOSED,
        PurchaseOrderStatus.CANCELLED,
    } <= statuses


def test_purchase_orders_carry_amounts_lines_and_custom_fields(session: TrytonSession) -> None:
    records = {raw.remote_id: raw for raw in everything(session, Entity.PURCHASE_ORDERS)}
    for raw in records.values():
        data = unified(Entity.PURCHASE_ORDERS, raw)
        # Drafts have no stored totals; they are computed and still match the lines.
        assert data["subtotal"] == sum(line["line_total"] for line in data["lines"])
        assert data["total"] == data["subtotal"] + data["tax_total"]
        assert data["custom_fields"]["state"] == raw.data["state"]
        assert data["custom_fields"]["reference"].startswith("RFQ-")
        assert data["custom_fields"]["warehouse_code"] == "WH"
        for line in data["lines"]:
            assert line["item"]["remote_id"] and line["unit_of_measure"]
            assert line["location"]["remote_id"] == "5"
    # Comment lines are not ordered goods: they stay in remote_data only.
    with_comment = next(
        raw
        for raw in records.values()
        if any(line["type"] == "comment" for line in raw.data["lines."])
    )
    goods = [line for line in with_comment.data["lines."] if line["type"] == "line"]
    assert len(unified(Entity.PURCHASE_ORDERS, with_comment)["lines"]) == len(goods)


def test_inventory_items_show_stock_per_warehouse(session: TrytonSession) -> None:
    items = {
        raw.data["code"]: unified(Entity.INVENTORY_ITEMS, raw)
        for raw in everything(session, Entity.INVENTORY_ITEMS)
    }
    bolts = items["BOLT-M8X30"]
    assert bolts["currency"] == "USD" and bolts["unit_of_measure"] == "u"
    (level,) = bolts["stock_levels"]
    assert level["location"]["remote_id"] == "5"
    # Seeded 5000; three productions ran, using 8 each; done purchases brought some.
    assert level["on_hand"] >= Decimal(5000) - 3 * Decimal(8)
    assert level["on_hand"] == level["available"] + level["reserved"]
    assert bolts["total_on_hand"] == level["on_hand"]
    assert items["PMP-ASM-100"]["custom_fields"]["purchasable"] is False


def test_vendors_are_every_party_with_contacts_and_address(session: TrytonSession) -> None:
    vendors = {
        raw.data["name"]: unified(Entity.VENDORS, raw)
        for raw in everything(session, Entity.VENDORS)
    }
    bearing = vendors["Bearing World LLC"]
    assert bearing["email"] == "sales@bearingworld.example"
    assert bearing["address"]["city"] == "Detroit" and bearing["address"]["country"] == "US"
    assert vendors["Antriebstechnik GmbH"]["address"]["country"] == "DE"


def test_locations_are_physical_places_with_their_parent(session: TrytonSession) -> None:
    locations = {
        raw.data["code"]: unified(Entity.LOCATIONS, raw)
        for raw in everything(session, Entity.LOCATIONS)
        if raw.data["code"]
    }
    assert locations["WH"]["type"] == "warehouse"
    assert locations["STO"]["type"] == "area"
    assert locations["STO"]["parent"]["remote_id"] == "5"
    assert all(raw.data["type"] != "supplier" for raw in everything(session, Entity.LOCATIONS))


def test_an_unknown_record_is_not_found(session: TrytonSession) -> None:
    with pytest.raises(errors.NotFound):
        session.get(Entity.PURCHASE_ORDERS, "999999")
    with pytest.raises(errors.NotFound):
        session.get(Entity.VENDORS, "not-a-number")


# -- incremental ------------------------------------------------------------------------------------


def test_purchases_changed_in_one_transaction_are_all_listed_across_small_pages(
    session: TrytonSession,
) -> None:
    created = [draft_order(session, notes=f"batch {index}") for index in range(5)]
    before = datetime.now(UTC) - timedelta(seconds=1)
    changed = [int(raw.remote_id) for raw in created]
    # One write call is one transaction: all five get the same write_date, a tie on every page.
    tryton_call(session, "purchase.purchase", "write", changed, {"description": "re-priced"})
    pages = list(session.list_changes(Entity.PURCHASE_ORDERS, before, page_size=2))
    listed = [raw for page in pages for raw in page]
    assert all(len(page) <= 2 for page in pages)
    assert [int(raw.remote_id) for raw in listed if int(raw.remote_id) in changed] == changed
    assert len({raw.modified_at for raw in listed if int(raw.remote_id) in changed}) == 1
    assert all(raw.modified_at >= before for raw in listed)


def test_a_line_written_on_its_own_lists_its_order_again(session: TrytonSession) -> None:
    order = draft_order(session)
    line_id = order.data["lines."][0]["id"]
    before = datetime.now(UTC) - timedelta(seconds=1)
    time.sleep(0.01)
    # Writing a purchase.line directly does not touch the order's own write_date.
    tryton_call(session, "purchase.line", "write", [line_id], {"quantity": 9.0})
    listed = [
        raw
        for page in session.list_changes(Entity.PURCHASE_ORDERS, before, page_size=3)
        for raw in page
    ]
    (again,) = [raw for raw in listed if raw.remote_id == order.remote_id]
    assert again.modified_at > order.modified_at
    assert unified(Entity.PURCHASE_ORDERS, again)["lines"][0]["quantity"] == Decimal(9)


# -- writes ---------------------------------------------------------------------------------------


def test_a_draft_purchase_order_with_lines_is_created_and_reads_back(
    session: TrytonSession,
) -> None:
    raw = session.create(
        Entity.PURCHASE_ORDERS,
        {
            "vendor_remote_id": "3",
            "order_date": datetime(2026, 1, 15).date(),
            "notes": "Created through ironbridge",
            "custom_fields": {"reference": "IB-0001"},
            "lines": [
                {"item_remote_id": "1", "quantity": Decimal(12), "unit_price": Decimal("4.75")},
                {"item_remote_id": "2", "quantity": Decimal(2), "unit_of_measure": "u"},
            ],
        },
    )
    data = unified(Entity.PURCHASE_ORDERS, raw)
    assert data["status"] == PurchaseOrderStatus.DRAFT and data["number"] is None
    assert data["vendor"] == {"id": ids(Entity.VENDORS, "3"), "remote_id": "3"}
    assert data["notes"] == "Created through ironbridge"
    assert data["custom_fields"]["reference"] == "IB-0001"
    assert data["bill_to"]["city"] == "Detroit"  # filled from the party, as the client does
    first, second = data["lines"]
    assert (first["quantity"], first["unit_price"], first["line_total"]) == (
        Decimal(12),
        Decimal("4.75"),
        Decimal("57.00"),
    )
    # No price given: the supplier price list of the product applies.
    assert second["unit_price"] == Decimal("21.40") and second["unit_of_measure"] == "u"
    assert data["total"] == Decimal("57.00") + Decimal("42.80")
    assert session.get(Entity.PURCHASE_ORDERS, raw.remote_id).data["reference"] == "IB-0001"


def test_a_draft_purchase_order_is_updated(session: TrytonSession) -> None:
    order = draft_order(session)
    raw = session.update(
        Entity.PURCHASE_ORDERS,
        order.remote_id,
        {
            "notes": "Changed",
            "expected_delivery_date": datetime(2026, 3, 1).date(),
            "lines": [{"item_remote_id": "8", "quantity": Decimal(100)}],
        },
    )
    data = unified(Entity.PURCHASE_ORDERS, raw)
    assert data["notes"] == "Changed"
    assert str(data["expected_delivery_date"]) == "2026-03-01"
    assert [line["item_code"] for line in data["lines"]] == ["BOLT-M8X30"]
    assert raw.modified_at > order.modified_at


def test_status_changes_press_tryton_workflow_buttons(session: TrytonSession) -> None:
    order = draft_order(session)
    quoted = session.update(
        Entity.PURCHASE_ORDERS, order.remote_id, {"status": PurchaseOrderStatus.PENDING_APPROVAL}
    )
    assert quoted.data["state"] == "quotation" and quoted.data["number"]
    back = session.update(
        Entity.PURCHASE_ORDERS,
        order.remote_id,
        {"status": PurchaseOrderStatus.DRAFT, "notes": "Edited after quotation"},
    )
    assert back.data["state"] == "draft" and back.data["description"] == "Edited after quotation"
    with pytest.raises(errors.ValidationFailed):
        session.update(
            Entity.PURCHASE_ORDERS, order.remote_id, {"status": PurchaseOrderStatus.RECEIVED}
        )


def test_a_confirmed_purchase_order_cannot_be_modified(
    tryton: TrytonServer, session: TrytonSession
) -> None:
    confirmed = next(
        raw
        for raw in everything(session, Entity.PURCHASE_ORDERS)
        if raw.data["state"] == "confirmed"
    )
    with pytest.raises(errors.RecordLocked, match="not allowed to modify"):
        session.update(Entity.PURCHASE_ORDERS, confirmed.remote_id, {"notes": "too late"})
    assert (
        session.get(Entity.PURCHASE_ORDERS, confirmed.remote_id).data["description"] != "too late"
    )


def test_a_draft_purchase_order_is_deleted(session: TrytonSession) -> None:
    order = draft_order(session)
    session.delete(Entity.PURCHASE_ORDERS, order.remote_id)
    with pytest.raises(errors.NotFound):
        session.get(Entity.PURCHASE_ORDERS, order.remote_id)
    with pytest.raises(errors.NotFound):
        session.delete(Entity.PURCHASE_ORDERS, order.remote_id)


def test_deleting_a_processing_purchase_order_is_record_locked(session: TrytonSession) -> None:
    processing = next(
        raw
        for raw in everything(session, Entity.PURCHASE_ORDERS)
        if raw.data["state"] == "processing"
    )
    with pytest.raises(errors.RecordLocked, match="you must cancel"):
        session.delete(Entity.PURCHASE_ORDERS, processing.remote_id)


def test_a_vendor_is_created_and_reads_back(session: TrytonSession) -> None:
    raw = session.create(
        Entity.VENDORS,
        {
            "name": "Gear Works Ltd",
            "email": "sales@gearworks.example",
            "phone": "+44 20 5550 0199",
            "currency": "EUR",
            "payment_terms": "Net 30",
            "address": {
                "line1": "1 Gear Lane",
                "line2": "Unit 4",
                "city": "Leeds",
                "country": "DE",
            },
        },
    )
    data = unified(Entity.VENDORS, raw)
    assert data["name"] == "Gear Works Ltd" and data["code"]
    assert data["email"] == "sales@gearworks.example"
    assert (data["currency"], data["payment_terms"]) == ("EUR", "Net 30")
    assert data["address"] == {
        "line1": "1 Gear Lane",
        "line2": "Unit 4",
        "city": "Leeds",
        "region": None,
        "postal_code": None,
        "country": "DE",
    }
    listed = {record.remote_id for record in everything(session, Entity.VENDORS)}
    assert raw.remote_id in listed


def test_a_vendor_is_updated_contacts_address_and_status_included(
    session: TrytonSession,
) -> None:
    created = session.create(
        Entity.VENDORS,
        {
            "name": "Valve House Inc",
            "email": "old@valvehouse.example",
            "website": "https://valvehouse.example",
            "address": {"line1": "5 Old Road", "city": "Dayton", "country": "US"},
        },
    )
    raw = session.update(
        Entity.VENDORS,
        created.remote_id,
        {
            "name": "Valve House Incorporated",
            "email": "orders@valvehouse.example",
            "phone": "+1 937 555 0100",
            "website": None,
            "currency": "EUR",
            "address": {"line1": "9 New Street", "city": "Columbus", "country": "US"},
            "status": "inactive",
        },
    )
    data = unified(Entity.VENDORS, raw)
    assert data["name"] == "Valve House Incorporated"
    assert (data["email"], data["phone"], data["website"]) == (
        "orders@valvehouse.example",
        "+1 937 555 0100",
        None,
    )
    assert data["currency"] == "EUR" and data["status"] == "inactive"
    assert (data["address"]["line1"], data["address"]["city"]) == ("9 New Street", "Columbus")
    # The address was changed in place, not added beside the old one.
    assert len(raw.data["addresses."]) == 1
    assert raw.modified_at > created.modified_at
    # Deactivated parties are still read (Tryton deactivates rather than deletes).
    listed = {record.remote_id for record in everything(session, Entity.VENDORS)}
    assert created.remote_id in listed


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "blocked"}, "status"),
        ({"address": None}, "address"),
        ({"tax_id": "DE123"}, "tax_id"),
        ({"currency": "XXX"}, "currency"),
    ],
)
def test_vendor_changes_tryton_cannot_make_are_refused_naming_the_field(
    session: TrytonSession, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        session.update(Entity.VENDORS, "3", changes)
    assert field in caught.value.fields


def test_updating_a_missing_vendor_is_not_found(session: TrytonSession) -> None:
    with pytest.raises(errors.NotFound):
        session.update(Entity.VENDORS, "999999", {"name": "Nobody"})


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"vendor_remote_id": "999999"}, "vendor_id"),
        ({"vendor_remote_id": "3", "currency": "XXX"}, "currency"),
        ({"vendor_remote_id": "3", "custom_fields": {"state": "done"}}, "custom_fields.state"),
        ({"vendor_remote_id": "3", "number": "PO-1"}, "number"),
    ],
)
def test_invalid_purchase_orders_are_refused_with_the_field_named(
    session: TrytonSession, payload: dict[str, Any], field: str
) -> None:
    body = {"lines": [{"item_remote_id": "1", "quantity": "1"}], **payload}
    with pytest.raises(errors.ValidationFailed) as caught:
        session.create(Entity.PURCHASE_ORDERS, body)
    assert field in caught.value.fields


def test_a_business_rule_tryton_refuses_is_a_validation_failure(session: TrytonSession) -> None:
    with pytest.raises(errors.ValidationFailed, match="not one of the allowed options"):
        draft_order(session, custom_fields={"invoice_method": "bogus"})


def test_an_expired_session_signs_in_again_once(session: TrytonSession) -> None:
    session.get(Entity.LOCATIONS, "5")
    sent: list[str] = []
    session._http.event_hooks["request"].append(
        lambda request: sent.append(json.loads(request.content)["method"])
    )
    # Log the session out behind the connector's back, as an expiry would.
    session._rpc.call("common.db.logout")
    assert session.get(Entity.LOCATIONS, "5").data["code"] == "WH"
    assert session.get(Entity.LOCATIONS, "5").data["code"] == "WH"
    # The first call after the expiry got 401, signed in once and was resent; later calls use
    # the new session.
    assert sent.count("common.db.login") == 1


def test_passthrough_calls_a_tryton_method_and_returns_its_answer(session: TrytonSession) -> None:
    answer = session.passthrough(
        PassthroughRequest(
            "POST",
            "/model.purchase.purchase.search_count",
            body=[[["state", "=", "done"]], session.context()],
        )
    )
    assert answer.status == 200 and answer.body["result"] == 4
    refused = session.passthrough(
        PassthroughRequest("POST", "/model.purchase.purchase.read", body=[[999999], ["id"], {}])
    )
    assert "error" in refused.body
    with pytest.raises(errors.MethodNotAllowed):
        session.passthrough(PassthroughRequest("GET", "/model.purchase.purchase.read"))
    with pytest.raises(errors.ValidationFailed):
        session.passthrough(PassthroughRequest("POST", "/common.db.drop", body=[]))


def conformance_samples(session: TrytonSession) -> dict[Entity, WriteSample]:
    """The writes the conformance suite makes, as the write tests above make them."""
    states = {
        raw.data["state"]: raw.remote_id for raw in everything(session, Entity.PURCHASE_ORDERS)
    }
    one_line = [{"item_remote_id": "1", "quantity": Decimal(1)}]
    return {
        Entity.PURCHASE_ORDERS: WriteSample(
            create={
                "vendor_remote_id": "3",
                "order_date": date(2026, 1, 15),
                "notes": "Created by the conformance suite",
                "custom_fields": {"reference": "IB-CONFORMANCE"},
                "lines": [
                    {"item_remote_id": "1", "quantity": Decimal(12), "unit_price": Decimal("4.75")}
                ],
            },
            update={
                "notes": "Changed",
                "expected_delivery_date": date(2026, 3, 1),
                "lines": [{"item_remote_id": "8", "quantity": Decimal(100)}],
            },
            # A confirmed order may not be modified, a processing one not deleted.
            locked_update=(states["confirmed"], {"notes": "too late"}),
            locked_delete=states["processing"],
            invalid_create={"vendor_remote_id": "999999", "lines": one_line},
            invalid_update=(states["draft"], {"status": PurchaseOrderStatus.RECEIVED}),
        ),
        Entity.VENDORS: WriteSample(
            create={
                "name": "Conformance Gears Ltd",
                "email": "sales@conformance.example",
                "phone": "+44 20 5550 0199",
                "currency": "EUR",
                "payment_terms": "Net 30",
                "address": {"line1": "1 Gear Lane", "city": "Leeds", "country": "DE"},
            },
            update={
                "name": "Conformance Gears Limited",
                "email": "orders@conformance.example",
                "address": {"line1": "9 New Street", "city": "Columbus", "country": "US"},
                "status": VendorStatus.INACTIVE,
            },
            invalid_update=("3", {"currency": "XXX"}),
        ),
        Entity.INVENTORY_ITEMS: WriteSample(
            adjust=(
                "2",
                {"location_remote_id": "5", "quantity_delta": Decimal(2), "reason": "Found"},
            ),
            invalid_adjust=(
                "2",
                {"location_remote_id": "5", "quantity_delta": Decimal(-1_000_000), "reason": "x"},
            ),
        ),
    }


@pytest.mark.parametrize("check", CHECKS)
def test_the_connector_passes_the_conformance_suite(
    tryton: TrytonServer, session: TrytonSession, check: str
) -> None:
    suite = Conformance(
        connector,
        tryton.admin,
        options=OPTIONS,
        page_size=7,
        max_records=300,
        samples=conformance_samples(session),
    )
    getattr(suite, check)()


# -- work orders (production.work) ----------------------------------------------------------------


def work_orders(session: TrytonSession) -> dict[str, tuple[RawRecord, dict[str, Any]]]:
    """Every work, by its Tryton name (`<operation> @ <production>`), raw and unified."""
    return {
        raw.data["rec_name"]: (raw, unified(Entity.WORK_ORDERS, raw))
        for raw in everything(session, Entity.WORK_ORDERS, page_size=4)
    }


def test_seeded_works_cover_every_tryton_state_and_map_to_work_orders(
    session: TrytonSession,
) -> None:
    works = work_orders(session)
    states = {raw.data["state"] for raw, _ in works.values()}
    assert states == set(WORK_STATUS)  # request, draft, waiting, running, finished, done
    for raw, data in works.values():
        if raw.data["production."]["state"] != "cancelled":
            assert data["status"] == WORK_STATUS[raw.data["state"]]
        assert data["type"] == WorkOrderType.OTHER and data.get("asset") is None
        assert data["number"] == raw.data["rec_name"]
        assert data["title"] == raw.data["operation."]["name"]
        assert data["location"] == {"id": ids(Entity.LOCATIONS, "5"), "remote_id": "5"}
        assert data["custom_fields"]["production"] == raw.data["production."]["number"]
        assert data["custom_fields"]["product"] == "PMP-ASM-100"
    # The production of "@ 5" was cancelled after one work was finished: the work stays
    # "finished" in Tryton, and is cancelled for integrators.
    raw, cancelled = works["Machine housing @ 5"]
    assert raw.data["state"] == "finished" and cancelled["status"] == WorkOrderStatus.CANCELLED
    _, waiting = works["Assemble pump @ 2"]
    assert waiting["status"] == WorkOrderStatus.OPEN
    assert waiting["custom_fields"]["work_center"] == "Assembly Bench A"
    assert waiting["description"] == (
        "Production 2: 1 u [PMP-ASM-100] Centrifugal pump assembly PA-100"
    )
    # Planned by day: the production's planned dates, from the day's start (UTC).
    planned = raw.data["production."]["planned_date"]
    assert cancelled["due_date"].isoformat() == (
        f"{planned['year']:04}-{planned['month']:02}-{planned['day']:02}"
    )
    assert cancelled["scheduled_end"] == datetime.combine(
        cancelled["due_date"], datetime.min.time(), tzinfo=UTC
    )
    assert cancelled["scheduled_start"] < cancelled["scheduled_end"]


def test_work_times_and_hours_come_from_the_cycles(session: TrytonSession) -> None:
    works = work_orders(session)
    _, done = works["Machine housing @ 4"]  # one cycle of 90 minutes, production done
    assert done["status"] == WorkOrderStatus.CLOSED
    assert done["actual_hours"] == Decimal("1.50")
    assert done["actual_end"] - done["actual_start"] == timedelta(minutes=90)
    _, running = works["Machine housing @ 3"]  # a cycle running, no duration yet
    assert running["status"] == WorkOrderStatus.IN_PROGRESS
    assert running["actual_start"] is not None
    assert running["actual_end"] is None and running["actual_hours"] is None
    _, paused = works["Assemble pump @ 3"]  # a cycle made but not run
    assert paused["status"] == WorkOrderStatus.ON_HOLD and paused["actual_start"] is None
    _, planned = works["Assemble pump @ 1"]
    assert planned["status"] == WorkOrderStatus.SCHEDULED


def tryton_time(value: dict[str, Any]) -> datetime:
    return datetime(
        value["year"],
        value["month"],
        value["day"],
        value["hour"],
        value["minute"],
        value["second"],
        value["microsecond"],
        tzinfo=UTC,
    )


def test_booked_time_and_production_changes_list_their_works_again(
    session: TrytonSession, tryton_admin: TrytonRpc
) -> None:
    works = work_orders(session)
    work, _ = works["Machine housing @ 1"]  # finished: one 45-minute cycle done
    # A new cycle, run: both write the work (its state goes waiting, then running).
    (cycle,) = tryton_admin.call("production.work.cycle", "create", [{"work": int(work.remote_id)}])
    tryton_admin.call("production.work.cycle", "run", [cycle])
    (own,) = tryton_admin.call("production.work", "read", [work.data["id"]], ["last_modified_at"])
    # Booking time on the running cycle writes the cycle only.
    tryton_admin.call("production.work.cycle", "write", [cycle], {"duration": _HOURS_2})
    (written,) = tryton_admin.call("production.work.cycle", "read", [cycle], ["last_modified_at"])
    booked_at = tryton_time(written["last_modified_at"])
    assert booked_at > tryton_time(own["last_modified_at"])
    listed = {
        raw.remote_id: raw
        for page in session.list_changes(Entity.WORK_ORDERS, booked_at, page_size=2)
        for raw in page
    }
    again = listed[work.remote_id]
    assert again.modified_at == booked_at
    assert unified(Entity.WORK_ORDERS, again)["actual_hours"] == Decimal("2.75")
    assert unified(Entity.WORK_ORDERS, again)["status"] == WorkOrderStatus.IN_PROGRESS
    assert session.get(Entity.WORK_ORDERS, work.remote_id).modified_at == booked_at
    # Re-planning a production writes the production: both its works come again.
    waiting, _ = works["Machine housing @ 2"]
    production = waiting.data["production"]
    tryton_admin.call("production", "write", [production], {"reference": "re-planned"})
    (changed,) = tryton_admin.call("production", "read", [production], ["last_modified_at"])
    at = tryton_time(changed["last_modified_at"])
    listed = {
        raw.remote_id: raw
        for page in session.list_changes(Entity.WORK_ORDERS, at, page_size=2)
        for raw in page
    }
    ids_of_production = {
        raw.remote_id for raw, _ in works.values() if raw.data["production"] == production
    }
    assert ids_of_production == {r for r in listed if listed[r].data["production"] == production}
    assert all(listed[r].modified_at == at for r in ids_of_production)


_HOURS_2 = {"__class__": "timedelta", "seconds": 7200.0}


def test_a_database_without_the_production_modules_passes_the_check_without_work_orders(
    session: TrytonSession, tryton: TrytonServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tryton's own answer for a model whose module is not activated: a server fault naming it.
    missing = "production.work_not_activated"
    answer = session.passthrough(
        PassthroughRequest("POST", f"/model.{missing}.search_read", body=[[], session.context()])
    ).body
    assert answer["error"][0] == f"'{missing}'"
    # The same database, with the work orders' model named as one it lacks.
    resources = dict(RESOURCES)
    resources[Entity.WORK_ORDERS] = dataclasses.replace(
        RESOURCES[Entity.WORK_ORDERS], model=missing
    )
    # The package exports the connector instance under the name of its module: patch by module.
    monkeypatch.setattr(sys.modules[TrytonSession.__module__], "RESOURCES", resources)
    with connector.session(tryton.admin, options=OPTIONS) as opened:
        results = list(opened.check())
        assert all(result.ok for result in results), results
        (missing,) = results[-1].entities
        assert missing.entity is Entity.WORK_ORDERS and not missing.available
        assert missing.reason is not None and "production_work is not activated" in missing.reason
        assert missing.enable is not None and "production_work" in missing.enable
        assert "Unavailable in this database: work-orders: " in results[-1].message
        assert results[-1].message.startswith("Read access to purchase-orders, inventory-items,")
        # Syncs of work orders find none, rather than failing on every run.
        assert list(opened.list_changes(Entity.WORK_ORDERS, None)) == []
        with pytest.raises(errors.OperationNotSupported) as caught:
            opened.get(Entity.WORK_ORDERS, "1")
        assert "production_work is not activated" in caught.value.details["reason"]
        # The other entities read as before.
        assert opened.get(Entity.LOCATIONS, "5").data["code"] == "WH"


# -- inventory adjustments (stock.inventory) ------------------------------------------------------


def on_hand(session: TrytonSession, product: str) -> Decimal:
    """The item's on-hand quantity in warehouse WH, as the connector reads it back."""
    data = unified(Entity.INVENTORY_ITEMS, session.get(Entity.INVENTORY_ITEMS, product))
    levels = {level["location"]["remote_id"]: level for level in data["stock_levels"]}
    return Decimal(levels["5"]["on_hand"]) if "5" in levels else Decimal(0)


def inventories(rpc: TrytonRpc) -> list[dict[str, Any]]:
    return list(
        rpc.call(
            "stock.inventory",
            "search_read",
            [],
            0,
            None,
            [["id", "ASC"]],
            ["number", "state", "location", "lines.quantity", "lines.moves"],
        )
    )


def test_a_quantity_change_is_a_confirmed_inventory_with_the_reason_in_its_discussion(
    session: TrytonSession, tryton_admin: TrytonRpc
) -> None:
    before = on_hand(session, "2")
    raw = session.adjust_inventory(
        "2",
        {"location_remote_id": "5", "quantity_delta": Decimal("-3"), "reason": "Dropped, bent"},
    )
    levels = unified(Entity.INVENTORY_ITEMS, raw)["stock_levels"]
    assert [level["on_hand"] for level in levels if level["location"]["remote_id"] == "5"] == [
        before - 3
    ]
    assert on_hand(session, "2") == before - 3  # read back again, from Tryton
    latest = inventories(tryton_admin)[-1]
    assert latest["state"] == "done" and latest["location"] == 3  # the warehouse's STO zone
    (line,) = latest["lines."]
    (move,) = tryton_admin.call(
        "stock.move", "read", line["moves"], ["from_location.type", "to_location", "quantity"]
    )
    assert move["from_location."]["type"] == "storage" and move["quantity"] == 3.0
    assert move["to_location"] == 4  # Lost and Found
    (message,) = tryton_admin.call("ir.chat.channel", "get", f"stock.inventory,{latest['id']}")
    assert message["content"].startswith("Dropped, bent\n")
    assert "quantity change -3" in message["content"]


def test_a_stock_clerk_counts_a_storage_location(
    tryton: TrytonServer, session: TrytonSession, tryton_admin: TrytonRpc
) -> None:
    before = on_hand(session, "3")
    tryton_admin.context = {**tryton_admin.context, "locations": [3]}
    try:
        (row,) = tryton_admin.call("product.product", "read", [3], ["quantity"])
    finally:
        tryton_admin.context.pop("locations")
    in_storage = Decimal(str(row["quantity"]))
    with connector.session(tryton.clerk, options=OPTIONS) as clerk:
        clerk.adjust_inventory(
            "3", {"location_remote_id": "3", "new_count": Decimal("50"), "reason": "Cycle count"}
        )
    assert on_hand(session, "3") == before - in_storage + 50
    latest = inventories(tryton_admin)[-1]
    (message,) = tryton_admin.call("ir.chat.channel", "get", f"stock.inventory,{latest['id']}")
    assert message["author"] == "Stock clerk" and "new count 50" in message["content"]


def test_adjustments_tryton_cannot_make_are_refused_and_leave_no_inventory(
    session: TrytonSession, tryton_admin: TrytonRpc
) -> None:
    count = len(inventories(tryton_admin))
    with pytest.raises(errors.ValidationFailed) as caught:
        session.adjust_inventory(
            "2", {"location_remote_id": "5", "quantity_delta": "-1000000", "reason": "oops"}
        )
    assert "less than nothing" in caught.value.fields["quantity_delta"]
    suppliers = tryton_admin.call(
        "stock.location", "search", [["type", "=", "supplier"]], 0, 1, None
    )
    for location in (str(suppliers[0]), "999999"):
        with pytest.raises(errors.ValidationFailed) as caught:
            session.adjust_inventory(
                "2", {"location_remote_id": location, "new_count": "1", "reason": "count"}
            )
        assert "location_id" in caught.value.fields
    with pytest.raises(errors.NotFound):
        session.adjust_inventory(
            "999999", {"location_remote_id": "5", "new_count": "1", "reason": "count"}
        )
    assert len(inventories(tryton_admin)) == count


def test_a_user_without_the_stock_group_may_not_adjust(
    tryton: TrytonServer, tryton_admin: TrytonRpc
) -> None:
    (purchase_group,) = tryton_admin.call(
        "res.group", "search", [["name", "=", "Purchase"]], 0, 1, None
    )
    login, password = f"buyer_{uuid.uuid4().hex[:6]}", "Buyer-Pass-2026!"
    tryton_admin.call(
        "res.user",
        "create",
        [
            {
                "name": "Buyer",
                "login": login,
                "password": password,
                "groups": [["add", [purchase_group]]],
                "companies": [["add", [1]]],
                "company": 1,
            }
        ],
    )
    count = len(inventories(tryton_admin))
    credentials = {**tryton.admin, "username": login, "password": password}
    with connector.session(credentials, options=OPTIONS) as buyer:
        assert "adjust inventory-items" in buyer._refused_writes()
        with pytest.raises(errors.PermissionDenied):
            buyer.adjust_inventory(
                "2", {"location_remote_id": "5", "quantity_delta": "1", "reason": "found"}
            )
    assert len(inventories(tryton_admin)) == count
