"""The SDK against a running ironbridge, through a connection token: reads across pages, writes
with idempotency keys, adjustments, passthrough, sync and typed errors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ironbridge.client import (
    AuthenticationFailed,
    Client,
    IdempotencyKeyReused,
    NotFound,
    OperationNotSupported,
    PermissionDenied,
    RecordLocked,
    ValidationFailed,
    models,
)

from .conftest import Served

RESOURCES = {
    "purchase_orders": models.PurchaseOrder,
    "work_orders": models.WorkOrder,
    "inventory_items": models.InventoryItem,
    "vendors": models.Vendor,
    "assets": models.Asset,
    "locations": models.Location,
}


def test_the_token_sees_its_own_connection(plant: Client, served: Served) -> None:
    connection = plant.connection.get()
    assert connection.id == served.plant.id
    assert connection.system == "sandbox" and connection.status == "active"


def test_list_walks_every_page_by_cursor(plant: Client) -> None:
    walked = list(plant.purchase_orders.list(status="approved", limit=7))
    one_page = plant.purchase_orders.page(status="approved", limit=500)
    assert one_page.next_cursor is None
    assert [po.id for po in walked] == [po.id for po in one_page.data]
    assert len(walked) > 7, "the filter must span several pages for this test to mean anything"
    assert {po.status for po in walked} == {"approved"}


def test_page_returns_one_page_and_its_cursor(plant: Client) -> None:
    first = plant.vendors.page(limit=3)
    assert len(first.data) == 3 and first.next_cursor
    second = plant.vendors.page(limit=3, cursor=first.next_cursor)
    assert not {v.id for v in first.data} & {v.id for v in second.data}


@pytest.mark.parametrize("attribute", sorted(RESOURCES))
def test_every_entity_lists_and_gets_typed_records(plant: Client, attribute: str) -> None:
    resource = getattr(plant, attribute)
    first = next(iter(resource.list(limit=5)))
    assert isinstance(first, RESOURCES[attribute])
    again = resource.get(first.id)
    assert again.id == first.id and isinstance(again, RESOURCES[attribute])


def test_remote_data_and_modified_filters_pass_through(plant: Client) -> None:
    vendor = next(iter(plant.vendors.list(limit=1)))
    with_raw = plant.vendors.get(vendor.id, include="remote_data")
    assert with_raw.remote_data
    # `modified_after` bounds when ironbridge last saw a change: nothing is newer than tomorrow.
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert list(plant.vendors.list(modified_after=tomorrow)) == []
    every = list(plant.vendors.list(limit=500))
    assert len(list(plant.vendors.list(modified_before=tomorrow, limit=500))) == len(every)


def _new_order(plant: Client) -> dict[str, Any]:
    vendor = next(v for v in plant.vendors.list(limit=100) if v.status == "active")
    item = next(iter(plant.inventory_items.list(status="active", limit=1)))
    return {
        "vendor_id": vendor.id,
        "currency": "USD",
        "lines": [{"item_id": item.id, "quantity": "5", "unit_price": "12.50"}],
    }


def test_a_purchase_order_is_created_updated_and_deleted(plant: Client) -> None:
    created = plant.purchase_orders.create(_new_order(plant))
    assert created.id.startswith("po_") and created.status == "draft"
    assert created.lines and created.lines[0].line_total == "62.50"
    draft = next(iter(plant.purchase_orders.list(status="draft", limit=1)))
    updated = plant.purchase_orders.update(draft.id, notes="call before delivery")
    assert updated.notes == "call before delivery"
    deleted = plant.purchase_orders.delete(draft.id)
    assert deleted.deleted is True


def test_work_orders_and_vendors_are_written(plant: Client) -> None:
    work_order = plant.work_orders.create(title="Replace pump seal", priority="high")
    assert work_order.title == "Replace pump seal"
    open_order = next(
        w for w in plant.work_orders.list(limit=100) if w.status not in ("closed", "cancelled")
    )
    assert plant.work_orders.update(open_order.id, priority="low").priority == "low"
    code = f"V-{uuid.uuid4().hex[:6]}"
    vendor = plant.vendors.create(name="Bolt & Nut Ltd", code=code)
    assert vendor.name == "Bolt & Nut Ltd"
    some = next(iter(plant.vendors.list(limit=1)))
    assert plant.vendors.update(some.id, name="Renamed").name == "Renamed"


def test_writes_the_connector_lacks_raise_operation_not_supported(plant: Client) -> None:
    asset = next(iter(plant.assets.list(limit=1)))
    location = next(iter(plant.locations.list(limit=1)))
    item = next(iter(plant.inventory_items.list(limit=1)))
    work_order = next(iter(plant.work_orders.list(limit=1)))
    vendor = next(iter(plant.vendors.list(limit=1)))
    attempts = [
        lambda: plant.assets.create(tag="A-1", name="Pump"),
        lambda: plant.assets.update(asset.id, name="Pump 2"),
        lambda: plant.assets.delete(asset.id),
        lambda: plant.locations.create(code="L-1", name="Bay"),
        lambda: plant.locations.update(location.id, name="Bay 2"),
        lambda: plant.locations.delete(location.id),
        lambda: plant.inventory_items.create(code="I-1", description="Bolt"),
        lambda: plant.inventory_items.update(item.id, description="Bolt 2"),
        lambda: plant.inventory_items.delete(item.id),
        lambda: plant.work_orders.delete(work_order.id),
        lambda: plant.vendors.delete(vendor.id),
    ]
    for attempt in attempts:
        with pytest.raises((OperationNotSupported, ValidationFailed)) as raised:
            attempt()
        assert raised.value.status == 400 and raised.value.request_id
        if isinstance(raised.value, OperationNotSupported):
            assert raised.value.details["connector"] == "sandbox"


def test_modifying_an_approved_order_raises_record_locked(plant: Client) -> None:
    approved = next(iter(plant.purchase_orders.list(status="approved", limit=1)))
    with pytest.raises(RecordLocked) as raised:
        plant.purchase_orders.update(approved.id, notes="rush")
    error = raised.value
    assert error.code == "RECORD_LOCKED" and error.status == 409
    assert error.request_id and error.request_id.startswith("req_")


def test_an_idempotency_key_replays_the_first_answer(plant: Client) -> None:
    body = _new_order(plant)
    key = f"order-{uuid.uuid4()}"
    first = plant.purchase_orders.create(body, idempotency_key=key)
    again = plant.purchase_orders.create(body, idempotency_key=key)
    assert again.id == first.id
    with pytest.raises(IdempotencyKeyReused):
        plant.purchase_orders.create({**body, "currency": "EUR"}, idempotency_key=key)
    # Without a key of the caller's, each call gets its own and makes its own record.
    assert plant.purchase_orders.create(body).id != plant.purchase_orders.create(body).id


def test_an_adjustment_answers_the_new_stock_level(plant: Client) -> None:
    stocked = next(
        i
        for i in plant.inventory_items.list(limit=500)
        if i.stock_levels and i.total_on_hand not in ("0", "0.00")
    )
    level = stocked.stock_levels[0]
    assert level.location is not None
    after = plant.inventory_items.adjust(
        stocked.id, location_id=level.location.id, new_count="1000", reason="cycle count"
    )
    new_level = next(
        s for s in after.stock_levels or [] if s.location and s.location.id == level.location.id
    )
    assert new_level.on_hand in ("1000", "1000.00")


def test_passthrough_reaches_the_source(plant: Client) -> None:
    answer = plant.passthrough("GET", "/info")
    assert answer.status == 200 and answer.body


def test_sync_status_start_and_history(plant: Client, served: Served) -> None:
    status = plant.sync.status()
    assert {entry.entity for entry in status.data} >= {"vendors", "purchase-orders"}
    queued = plant.sync.start(["vendors"])
    assert queued.runs
    runs = list(plant.sync.runs(entity="vendors", limit=1))
    assert len(runs) >= 2 and {run.entity for run in runs} == {"vendors"}
    assert plant.sync.runs_page(limit=1).next_cursor
    accepted = plant.inbound.notify(served.plant.id, "vendors")
    assert accepted.runs
    with pytest.raises(PermissionDenied):
        plant.inbound.notify(served.other.id, "vendors")


def test_errors_are_typed_and_carry_the_request_id(plant: Client, served: Served) -> None:
    with pytest.raises(NotFound) as missing:
        plant.vendors.get("vnd_does_not_exist")
    assert missing.value.status == 404 and missing.value.request_id
    with (
        Client("ib_conn_not_a_token", base_url=served.url) as stranger,
        pytest.raises(AuthenticationFailed) as refused,
    ):
        stranger.connection.get()
    assert refused.value.status == 401
    with pytest.raises((PermissionDenied, AuthenticationFailed)):
        plant.connections.page()
