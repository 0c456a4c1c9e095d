"""The Business Central connector driven over HTTP against the Business Central emulator."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors.base import Availability, CheckStage, RawRecord, SessionOptions
from ironbridge.connectors.business_central import connector
from ironbridge.connectors.business_central.connector import BusinessCentralSession
from ironbridge.model import (
    MODELS,
    Entity,
    PurchaseOrderStatus,
    VendorStatus,
    record_id,
)
from ironbridge.testing.conformance import CHECKS, Conformance, WriteSample
from ironbridge.testing.emulators import EMULATORS, serve_emulator
from ironbridge.testing.emulators.business_central import (
    BusinessCentralEmulator,
    CompanyService,
    RunningEmulator,
    running_emulator,
)

LOCAL = SessionOptions(allow_private_urls=True, timeout=5.0)
EXPECTED_COUNTS = {
    Entity.PURCHASE_ORDERS: 300,
    Entity.VENDORS: 40,
    Entity.INVENTORY_ITEMS: 60,
    Entity.LOCATIONS: 5,
    Entity.ASSETS: 50,
}


def ids(entity: Entity, remote_id: str) -> str:
    return record_id("conn_bc_test", entity, remote_id)


@pytest.fixture
def cronus(bc: RunningEmulator) -> CompanyService:
    return bc.emulator.company()


@pytest.fixture
def session(bc: RunningEmulator) -> Iterator[BusinessCentralSession]:
    with connector.session(bc.credentials(), options=LOCAL) as opened:
        yield opened


def read_all(
    session: BusinessCentralSession,
    entity: Entity,
    since: datetime | None = None,
    page_size: int = 70,
) -> list[RawRecord]:
    records: list[RawRecord] = []
    for page in session.list_changes(entity, since, page_size=page_size):
        assert 0 < len(page) <= page_size
        records.extend(page)
    return records


def unified(entity: Entity, raw: RawRecord) -> Any:
    return MODELS[entity].model_validate(connector.to_unified(entity, raw, ids))


def first(company: CompanyService, name: str, **where: Any) -> dict[str, Any]:
    return next(r for r in company.rows(name) if all(r[k] == v for k, v in where.items()))


def new_order(company: CompanyService, **overrides: Any) -> dict[str, Any]:
    vendor = first(company, "vendors", blocked=" ")
    item = first(company, "items", type="Inventory")
    location = first(company, "locations", code="EAST")
    return {
        "vendor_remote_id": vendor["id"],
        "order_date": date(2026, 11, 2),
        "required_date": date(2026, 11, 30),
        "buyer": "JR",
        "lines": [
            {
                "item_remote_id": item["id"],
                "quantity": Decimal("5"),
                "unit_price": Decimal("12.5"),
                "location_remote_id": location["id"],
                "required_date": date(2026, 11, 20),
            },
            {"item_remote_id": item["id"], "quantity": Decimal("2"), "description": "Spare"},
        ],
        **overrides,
    }


# --- connecting ----------------------------------------------------------------------------------


def test_the_checks_pass_and_name_the_company_when_several_exist(bc: RunningEmulator) -> None:
    with connector.session(bc.credentials(), options=LOCAL) as opened:
        assert [(r.stage, r.ok) for r in opened.check()] == [
            (CheckStage.REACH, True),
            (CheckStage.AUTHENTICATE, True),
            (CheckStage.PERMISSIONS, True),
        ]
    with connector.session(bc.credentials(company=""), options=LOCAL) as opened:
        *_, last = opened.check()
    assert last.stage is CheckStage.PERMISSIONS and not last.ok
    assert "'CRONUS USA, Inc.'" in last.message and "'My Company'" in last.message


def test_an_entity_the_app_may_not_read_is_unavailable(bc: RunningEmulator) -> None:
    bc.emulator.denied.add("fixedAssets")
    with connector.session(bc.credentials(), options=LOCAL) as opened:
        *_, last = opened.check()
    assert last.stage is CheckStage.PERMISSIONS and last.ok
    (missing,) = last.entities
    assert missing.entity is Entity.ASSETS and missing.status is Availability.UNAVAILABLE
    assert "permission set" in (missing.enable or "")


def test_a_company_is_found_by_its_id_or_name_in_any_case(bc: RunningEmulator) -> None:
    mine = bc.emulator.company_id("My Company")
    for chosen in (mine, "my company"):
        with connector.session(bc.credentials(company=chosen), options=LOCAL) as opened:
            assert len(read_all(opened, Entity.VENDORS)) == 2


def test_a_wrong_secret_fails_at_authenticate(bc: RunningEmulator) -> None:
    with connector.session(bc.credentials(client_secret="nope"), options=LOCAL) as opened:
        results = list(opened.check())
    assert [(r.stage, r.ok) for r in results] == [
        (CheckStage.REACH, True),
        (CheckStage.AUTHENTICATE, False),
    ]
    assert "secret" in (results[-1].fix or "")


def test_an_unknown_environment_fails_at_reach(bc: RunningEmulator) -> None:
    with connector.session(bc.credentials(environment="Nowhere"), options=LOCAL) as opened:
        (result,) = list(opened.check())
    assert result.stage is CheckStage.REACH and not result.ok


def test_an_expired_secret_mid_session_is_reauth_required(bc: RunningEmulator) -> None:
    with connector.session(bc.credentials(), options=LOCAL) as opened:
        assert read_all(opened, Entity.LOCATIONS)
        bc.emulator.expire_secret()
        with pytest.raises(errors.ConnectionReauthRequired):
            read_all(opened, Entity.LOCATIONS)


def test_the_emulator_is_registered_by_both_names() -> None:
    assert EMULATORS["bc"] is EMULATORS["business_central"]


# --- reads ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", sorted(EXPECTED_COUNTS))
def test_a_full_read_maps_every_record(session: BusinessCentralSession, entity: Entity) -> None:
    records = read_all(session, entity)
    assert len(records) == EXPECTED_COUNTS[entity]
    assert [r.change_key for r in records] == sorted(r.change_key for r in records)
    for raw in records:
        unified(entity, raw)


def test_orders_read_in_every_status_with_their_lines(session: BusinessCentralSession) -> None:
    orders = [unified(Entity.PURCHASE_ORDERS, r) for r in read_all(session, Entity.PURCHASE_ORDERS)]
    statuses = {order.status for order in orders}
    assert statuses == {
        PurchaseOrderStatus.DRAFT,
        PurchaseOrderStatus.PENDING_APPROVAL,
        PurchaseOrderStatus.SENT,
        PurchaseOrderStatus.PARTIALLY_RECEIVED,
        PurchaseOrderStatus.RECEIVED,
    }
    assert all(order.lines and order.vendor is not None for order in orders)
    one = orders[0]
    assert one.total == one.subtotal + one.tax_total
    assert sum((line.line_total for line in one.lines), Decimal(0)) == one.subtotal


def test_an_incremental_read_returns_what_changed_since(
    session: BusinessCentralSession, cronus: CompanyService
) -> None:
    everything = read_all(session, Entity.PURCHASE_ORDERS)
    since = everything[-1].modified_at
    assert since is not None
    order = first(cronus, "purchaseOrders", status="Draft")
    cronus.touch("purchaseOrders", order["id"], purchaser="ZZ")
    changed = read_all(session, Entity.PURCHASE_ORDERS, since)
    assert [r.remote_id for r in changed] == [everything[-1].remote_id, order["id"]]
    assert unified(Entity.PURCHASE_ORDERS, changed[-1]).buyer == "ZZ"


def test_blank_texts_and_empty_guids_read_as_no_value(session: BusinessCentralSession) -> None:
    vendors = [unified(Entity.VENDORS, r) for r in read_all(session, Entity.VENDORS)]
    assert {v.currency for v in vendors} == {None, "CAD"}
    assert {v.status for v in vendors} == {VendorStatus.ACTIVE, VendorStatus.BLOCKED}


def test_an_unknown_or_malformed_id_is_not_found(session: BusinessCentralSession) -> None:
    for remote_id in ("not-a-guid", "9d3f1f0e-0000-4000-8000-000000000000"):
        with pytest.raises(errors.NotFound):
            session.get(Entity.VENDORS, remote_id)


def test_work_orders_are_not_offered() -> None:
    assert not connector.spec.supports(Entity.WORK_ORDERS, "read")
    assert Entity.WORK_ORDERS not in connector.spec.entities


# --- writes --------------------------------------------------------------------------------------


def test_an_order_is_created_with_its_lines_in_one_request(
    bc: RunningEmulator, session: BusinessCentralSession, cronus: CompanyService
) -> None:
    before = len(bc.emulator.requests)
    created = session.create(Entity.PURCHASE_ORDERS, new_order(cronus))
    posts = [r for r in bc.emulator.requests[before:] if r[0] == "POST" and "token" not in r[1]]
    assert len(posts) == 1, "header and lines go in one deep insert"
    order = unified(Entity.PURCHASE_ORDERS, created)
    assert order.status is PurchaseOrderStatus.DRAFT and order.number
    assert [line.line_number for line in order.lines] == [10000, 20000]
    assert order.lines[0].quantity == Decimal(5) and order.lines[0].unit_price == Decimal("12.5")
    # The second line takes the item's unit cost; Business Central works out the amounts.
    cost = first(cronus, "items", type="Inventory")["unitCost"]
    assert order.lines[1].unit_price == cost
    assert order.subtotal == Decimal("62.50") + 2 * cost
    assert order.total == order.subtotal + order.tax_total


def test_a_header_update_carries_the_etag_it_read(
    bc: RunningEmulator, session: BusinessCentralSession, cronus: CompanyService
) -> None:
    order = first(cronus, "purchaseOrders", status="Draft")
    updated = session.update(Entity.PURCHASE_ORDERS, order["id"], {"buyer": "MH"})
    assert unified(Entity.PURCHASE_ORDERS, updated).buyer == "MH"
    assert cronus.row("purchaseOrders", order["id"])["purchaser"] == "MH"


def test_a_stale_etag_is_a_conflict_that_says_what_happened(
    bc: RunningEmulator, session: BusinessCentralSession, cronus: CompanyService
) -> None:
    order = first(cronus, "purchaseOrders", status="Draft")
    bc.emulator.faults.concurrent_change_writes = 1
    with pytest.raises(errors.Conflict) as caught:
        session.update(Entity.PURCHASE_ORDERS, order["id"], {"buyer": "MH"})
    assert caught.value.code == "CONFLICT"
    assert "changed in Business Central after ironbridge read it" in caught.value.message
    assert cronus.row("purchaseOrders", order["id"])["purchaser"] != "MH"


@pytest.mark.parametrize("status", ["Open", "In Review"])
def test_an_order_that_is_not_a_draft_is_locked(
    session: BusinessCentralSession, cronus: CompanyService, status: str
) -> None:
    order = first(cronus, "purchaseOrders", status=status)
    with pytest.raises(errors.RecordLocked) as caught:
        session.update(Entity.PURCHASE_ORDERS, order["id"], {"buyer": "MH"})
    assert "Status must be equal to 'Open'" in caught.value.message
    with pytest.raises(errors.RecordLocked):
        session.delete(Entity.PURCHASE_ORDERS, order["id"])


def test_new_lines_replace_the_old_ones_in_one_atomic_batch(
    bc: RunningEmulator, session: BusinessCentralSession, cronus: CompanyService
) -> None:
    order = next(
        r for r in cronus.rows("purchaseOrders")
        if r["status"] == "Draft" and len(r["purchaseOrderLines"]) > 1
    )  # fmt: skip
    item = first(cronus, "items", type="Inventory", number="1010")
    line = {"item_remote_id": item["id"], "quantity": Decimal(7), "unit_price": Decimal(3)}
    before = len(bc.emulator.requests)
    updated = session.update(Entity.PURCHASE_ORDERS, order["id"], {"buyer": "RB", "lines": [line]})
    batches = [r for r in bc.emulator.requests[before:] if r[1].endswith("$batch")]
    assert len(batches) == 1
    result = unified(Entity.PURCHASE_ORDERS, updated)
    assert result.buyer == "RB"
    assert [(x.item.remote_id, x.quantity, x.unit_price) for x in result.lines] == [
        (item["id"], Decimal(7), Decimal(3))
    ]
    assert result.subtotal == Decimal(21)


def test_a_refused_line_leaves_the_order_as_it_was(
    session: BusinessCentralSession, cronus: CompanyService
) -> None:
    order = first(cronus, "purchaseOrders", status="Draft")
    lines = [dict(line) for line in order["purchaseOrderLines"]]
    bad = {"item_remote_id": "9d3f1f0e-0000-4000-8000-000000000000", "quantity": Decimal(1)}
    with pytest.raises(errors.ValidationFailed):
        session.update(Entity.PURCHASE_ORDERS, order["id"], {"buyer": "RB", "lines": [bad]})
    kept = cronus.row("purchaseOrders", order["id"])
    assert kept["purchaseOrderLines"] == lines and kept["purchaser"] != "RB"


def test_more_lines_than_one_batch_holds_are_refused_before_sending(
    bc: RunningEmulator, session: BusinessCentralSession, cronus: CompanyService
) -> None:
    order = first(cronus, "purchaseOrders", status="Draft")
    item = first(cronus, "items", type="Inventory")
    lines = [{"item_remote_id": item["id"], "quantity": Decimal(1)}] * 100
    before = len(bc.emulator.requests)
    with pytest.raises(errors.ValidationFailed) as caught:
        session.update(Entity.PURCHASE_ORDERS, order["id"], {"lines": lines})
    assert set(caught.value.fields) == {"lines"}
    assert not any(r[1].endswith("$batch") for r in bc.emulator.requests[before:])


def test_lines_of_a_released_order_are_locked(
    session: BusinessCentralSession, cronus: CompanyService
) -> None:
    order = first(cronus, "purchaseOrders", status="Open")
    item = first(cronus, "items", type="Inventory")
    line = {"item_remote_id": item["id"], "quantity": Decimal(1)}
    with pytest.raises(errors.RecordLocked):
        session.update(Entity.PURCHASE_ORDERS, order["id"], {"lines": [line]})


def test_a_refused_line_names_the_unified_field(
    session: BusinessCentralSession, cronus: CompanyService
) -> None:
    payload = new_order(cronus)
    payload["lines"][1] = {"description": "no item", "quantity": Decimal(1)}
    with pytest.raises(errors.ValidationFailed) as caught:
        session.create(Entity.PURCHASE_ORDERS, payload)
    assert set(caught.value.fields) == {"lines.1.item_remote_id"}


def test_vendors_are_created_and_updated(
    session: BusinessCentralSession, cronus: CompanyService
) -> None:
    created = session.create(
        Entity.VENDORS,
        {
            "name": "Tailwind Traders",
            "email": "ap@tailwind.example.com",
            "address": {"line1": "1 Main St", "city": "Boise", "country": "US"},
        },
    )
    vendor = unified(Entity.VENDORS, created)
    assert vendor.code and vendor.status is VendorStatus.ACTIVE
    assert vendor.address is not None and vendor.address.city == "Boise"
    updated = session.update(
        Entity.VENDORS, created.remote_id, {"phone": "+1 555 0100", "status": VendorStatus.BLOCKED}
    )
    assert cronus.row("vendors", created.remote_id)["blocked"] == "All"
    assert unified(Entity.VENDORS, updated).phone == "+1 555 0100"
    with pytest.raises(errors.ValidationFailed) as caught:
        session.update(Entity.VENDORS, created.remote_id, {"status": VendorStatus.INACTIVE})
    assert set(caught.value.fields) == {"status"}


# --- the contract --------------------------------------------------------------------------------


def samples(company: CompanyService) -> dict[Entity, WriteSample]:
    blocked = first(company, "vendors", blocked="All")
    draft = first(company, "purchaseOrders", status="Draft")
    released = first(company, "purchaseOrders", status="Open")
    taken = first(company, "vendors", blocked=" ")
    return {
        Entity.PURCHASE_ORDERS: WriteSample(
            create=new_order(company),
            update={"buyer": "MH", "required_date": date(2026, 12, 24)},
            locked_update=(released["id"], {"buyer": "MH"}),
            locked_delete=released["id"],
            invalid_create=new_order(company, vendor_remote_id=blocked["id"]),
            invalid_update=(draft["id"], {"vendor_remote_id": blocked["id"]}),
        ),
        Entity.VENDORS: WriteSample(
            create={"name": "Conformance Supplies", "email": "c@example.com", "currency": "CAD"},
            update={"phone": "+1 555 0199", "website": "www.conformance.example.com"},
            invalid_create={"name": "Twin", "code": taken["number"]},
            invalid_update=(taken["id"], {"status": VendorStatus.INACTIVE}),
        ),
    }


@pytest.mark.parametrize("check", CHECKS)
def test_the_connector_passes_the_conformance_suite(
    bc: RunningEmulator, cronus: CompanyService, check: str
) -> None:
    suite = Conformance(connector, bc.credentials(), options=LOCAL, samples=samples(cronus))
    getattr(suite, check)()


def test_seeded_change_times_are_in_the_past() -> None:
    with running_emulator() as running:
        rows = running.emulator.company().rows("purchaseOrders")
        assert max(r["lastModifiedDateTime"] for r in rows) < datetime.now(UTC)


def test_serve_emulator_prints_where_to_connect_and_applies_faults() -> None:
    out = io.StringIO()
    stop = threading.Event()
    thread = threading.Thread(
        target=serve_emulator,
        args=("bc",),
        kwargs={"faults": "rate_limit=1,retry_after=3", "out": out, "stop": stop},
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not out.getvalue() and time.monotonic() < deadline:
            stop.wait(0.02)
        started = json.loads(out.getvalue().splitlines()[0])
        state = BusinessCentralEmulator()
        origin = started["base_url"]
        values = {
            "tenant": state.tenant,
            "environment": state.environment,
            "client_id": started["username"],
            "client_secret": started["password"],
            "api_url": origin,
            "token_url": origin + state.token_path,
            "company": "CRONUS USA, Inc.",
        }
        with connector.session(values, options=LOCAL) as opened:
            with pytest.raises(errors.RateLimitExceeded) as caught:
                read_all(opened, Entity.LOCATIONS)
            assert caught.value.retry_after == 3
            assert len(read_all(opened, Entity.LOCATIONS)) == 5
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
