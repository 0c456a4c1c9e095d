import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ironbridge import errors
from ironbridge.connectors import CheckStage, PassthroughRequest, RawRecord
from ironbridge.connectors.sandbox import connector
from ironbridge.connectors.sandbox.connector import SandboxSession
from ironbridge.connectors.sandbox.data import ANCHOR, sandbox_data
from ironbridge.model import MODELS, Entity, record_id

DATA = sandbox_data()
SESSION = connector.session({})


def sample(entity: Entity, **match: Any) -> RawRecord:
    """The first sample record whose source fields equal `match`."""
    return next(
        raw
        for raw in DATA.records[entity]
        if all(raw.data.get(key) == value for key, value in match.items())
    )


def ids(entity: Entity, remote_id: str) -> str:
    return record_id("conn_test", entity, remote_id)


ACTIVE_VENDOR = sample(Entity.VENDORS, Status="Active").remote_id
ACTIVE_ITEM = sample(Entity.INVENTORY_ITEMS, Status="Active").remote_id
DRAFT_ORDER = sample(Entity.PURCHASE_ORDERS, Status="Draft").remote_id
NEW_WORK_ORDER = sample(Entity.WORK_ORDERS, Status="New").remote_id
NEW_ORDER = {
    "vendor_remote_id": ACTIVE_VENDOR,
    "lines": [{"item_remote_id": ACTIVE_ITEM, "quantity": "3", "unit_price": "12.50"}],
}


def _stocked_item() -> RawRecord:
    return next(
        raw
        for raw in DATA.records[Entity.INVENTORY_ITEMS]
        if Decimal(raw.data["Stock"][0]["OnHand"]) > Decimal(raw.data["Stock"][0]["Committed"])
        and Decimal(raw.data["Stock"][0]["Committed"]) > 0
    )


# -- connecting ------------------------------------------------------------------------------


def test_the_sandbox_connects_with_empty_credentials() -> None:
    assert isinstance(connector.session({}), SandboxSession)


def test_a_tenant_label_is_accepted_and_shown() -> None:
    session = connector.session({"tenant": "Acme test plant"})
    assert session.tenant == "Acme test plant"
    assert "Acme test plant" in [result.message for result in session.check()][1]


def test_an_unknown_credential_is_rejected() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        connector.session({"password": "x"})
    assert list(caught.value.fields) == ["password"]


def test_the_check_passes_all_three_stages_in_order() -> None:
    results = list(SESSION.check())
    assert [result.stage for result in results] == list(CheckStage)
    assert all(result.ok for result in results)


def test_the_sandbox_needs_no_secret_fields() -> None:
    assert not any(field.required or field.secret for field in connector.spec.auth_fields)


# -- reading ---------------------------------------------------------------------------------


def _all_changes(entity: Entity, since: datetime | None, page_size: int) -> list[list[RawRecord]]:
    return list(SESSION.list_changes(entity, since, page_size=page_size))


@pytest.mark.parametrize("entity", list(Entity))
def test_list_changes_without_since_returns_everything_in_change_order(entity: Entity) -> None:
    records = [raw for page in _all_changes(entity, None, 500) for raw in page]
    assert [raw.remote_id for raw in records] == [raw.remote_id for raw in DATA.records[entity]]
    keys = [raw.change_key for raw in records]
    assert keys == sorted(keys)


_change_times = [raw.modified_at for records in DATA.records.values() for raw in records]


@settings(max_examples=60, deadline=None)
@given(
    entity=st.sampled_from(list(Entity)),
    since=st.one_of(
        st.none(),
        st.sampled_from(_change_times),
        st.datetimes(
            min_value=datetime(2024, 12, 1),
            max_value=datetime(2025, 7, 31),
            timezones=st.just(UTC),
        ),
    ),
    page_size=st.integers(min_value=1, max_value=300),
)
def test_list_changes_honours_since_and_paging(
    entity: Entity, since: datetime | None, page_size: int
) -> None:
    pages = _all_changes(entity, since, page_size)
    expected = [
        raw.remote_id for raw in DATA.records[entity] if since is None or raw.modified_at >= since
    ]
    assert [raw.remote_id for page in pages for raw in page] == expected
    assert all(0 < len(page) <= page_size for page in pages)
    assert all(len(page) == page_size for page in pages[:-1])
    keys = [raw.change_key for page in pages for raw in page]
    assert keys == sorted(keys)


def test_since_includes_records_that_share_the_boundary_time() -> None:
    counts: dict[datetime, int] = {}
    for raw in DATA.records[Entity.PURCHASE_ORDERS]:
        counts[raw.modified_at] = counts.get(raw.modified_at, 0) + 1
    tied = next(moment for moment, count in counts.items() if count > 1)
    first_page = _all_changes(Entity.PURCHASE_ORDERS, tied, 500)[0]
    assert sum(raw.modified_at == tied for raw in first_page) == counts[tied]


def test_since_after_the_last_change_yields_no_pages() -> None:
    assert _all_changes(Entity.VENDORS, ANCHOR + timedelta(seconds=1), 10) == []


@pytest.mark.parametrize(
    ("since", "page_size"),
    [(None, 0), (datetime(2025, 1, 1), 10)],
)
def test_list_changes_refuses_bad_arguments(since: datetime | None, page_size: int) -> None:
    with pytest.raises(ValueError):
        _all_changes(Entity.VENDORS, since, page_size)


def test_get_returns_the_record_by_remote_id() -> None:
    original = DATA.records[Entity.ASSETS][3]
    fetched = SESSION.get(Entity.ASSETS, original.remote_id)
    assert fetched == original
    assert fetched.data is not original.data


def test_get_of_an_unknown_remote_id_is_not_found() -> None:
    with pytest.raises(errors.NotFound, match="PO-999999"):
        SESSION.get(Entity.PURCHASE_ORDERS, "PO-999999")


def test_changing_a_returned_record_does_not_change_the_sandbox() -> None:
    fetched = SESSION.get(Entity.PURCHASE_ORDERS, DRAFT_ORDER)
    fetched.data["Status"] = "Closed"
    fetched.data["Lines"].clear()
    listed = next(iter(SESSION.list_changes(Entity.PURCHASE_ORDERS, None)))[0]
    listed.data["VendorCode"] = "changed"
    assert SESSION.get(Entity.PURCHASE_ORDERS, DRAFT_ORDER).data["Status"] == "Draft"
    assert SESSION.get(Entity.PURCHASE_ORDERS, DRAFT_ORDER).data["Lines"]
    assert DATA.records[Entity.PURCHASE_ORDERS][0].data["VendorCode"] != "changed"


# -- writes: what succeeds and what the answer looks like -------------------------------------


def _valid_unified(entity: Entity, raw: RawRecord) -> Any:
    return MODELS[entity].model_validate(connector.to_unified(entity, raw, ids))


def test_creating_an_order_answers_the_record_as_the_source_would_store_it() -> None:
    created = SESSION.create(
        Entity.PURCHASE_ORDERS, {**NEW_ORDER, "custom_fields": {"ProjectCode": "P-1"}}
    )
    order = _valid_unified(Entity.PURCHASE_ORDERS, created)
    assert order.status == "draft"
    assert order.vendor.remote_id == ACTIVE_VENDOR
    assert order.lines[0].line_total == Decimal("37.50")
    assert order.subtotal == Decimal("37.50")
    assert order.total == order.subtotal + order.tax_total
    assert order.custom_fields == {"ProjectCode": "P-1"}
    assert order.currency == sample(Entity.VENDORS, VendorCode=ACTIVE_VENDOR).data["Currency"]


def test_a_created_record_gets_a_new_remote_id_and_is_not_stored() -> None:
    first = SESSION.create(Entity.PURCHASE_ORDERS, NEW_ORDER)
    second = SESSION.create(Entity.PURCHASE_ORDERS, NEW_ORDER)
    assert first.remote_id != second.remote_id
    for created in (first, second):
        assert DATA.find(Entity.PURCHASE_ORDERS, created.remote_id) is None
        with pytest.raises(errors.NotFound):
            SESSION.get(Entity.PURCHASE_ORDERS, created.remote_id)


def test_a_line_without_price_takes_the_items_standard_cost() -> None:
    created = SESSION.create(
        Entity.PURCHASE_ORDERS,
        {
            "vendor_remote_id": ACTIVE_VENDOR,
            "lines": [{"item_remote_id": ACTIVE_ITEM, "quantity": 2}],
        },
    )
    cost = Decimal(sample(Entity.INVENTORY_ITEMS, ItemCode=ACTIVE_ITEM).data["StdCost"])
    assert Decimal(created.data["Lines"][0]["LineTotal"]) == 2 * cost


def test_updating_answers_the_changed_record_and_leaves_the_original() -> None:
    before = SESSION.get(Entity.PURCHASE_ORDERS, DRAFT_ORDER)
    updated = SESSION.update(Entity.PURCHASE_ORDERS, DRAFT_ORDER, {"notes": "Call before delivery"})
    assert updated.remote_id == DRAFT_ORDER
    assert _valid_unified(Entity.PURCHASE_ORDERS, updated).notes == "Call before delivery"
    assert updated.modified_at > before.modified_at
    for total in ("SubTotal", "TaxAmount", "DocTotal"):
        assert updated.data[total] == before.data[total]
    assert updated.data["Lines"] == before.data["Lines"]
    assert SESSION.get(Entity.PURCHASE_ORDERS, DRAFT_ORDER) == before


def test_updating_work_order_fields_maps_back_to_the_unified_values() -> None:
    updated = SESSION.update(
        Entity.WORK_ORDERS,
        NEW_WORK_ORDER,
        {
            "priority": "urgent",
            "scheduled_start": "2025-07-01T08:00:00Z",
            "scheduled_end": "2025-07-01T12:00:00+00:00",
        },
    )
    order = _valid_unified(Entity.WORK_ORDERS, updated)
    assert order.priority == "urgent"
    assert order.scheduled_end - order.scheduled_start == timedelta(hours=4)


def test_an_empty_update_changes_nothing() -> None:
    assert SESSION.update(Entity.VENDORS, ACTIVE_VENDOR, {}) == SESSION.get(
        Entity.VENDORS, ACTIVE_VENDOR
    )


def test_deleting_a_draft_order_succeeds_and_the_order_remains() -> None:
    SESSION.delete(Entity.PURCHASE_ORDERS, DRAFT_ORDER)
    assert SESSION.get(Entity.PURCHASE_ORDERS, DRAFT_ORDER).data["Status"] == "Draft"


def test_an_adjustment_answers_the_new_stock_and_leaves_the_sample() -> None:
    item = _stocked_item()
    level = item.data["Stock"][0]
    adjusted = SESSION.adjust_inventory(
        item.remote_id,
        {"location_remote_id": level["Warehouse"], "quantity_delta": "5", "reason": "found"},
    )
    unified = _valid_unified(Entity.INVENTORY_ITEMS, adjusted)
    assert unified.stock_levels[0].on_hand == Decimal(level["OnHand"]) + 5
    assert (
        unified.stock_levels[0].available
        == unified.stock_levels[0].on_hand - unified.stock_levels[0].reserved
    )
    assert unified.total_on_hand == Decimal(item.data["QtyOnHand"]) + 5
    assert SESSION.get(Entity.INVENTORY_ITEMS, item.remote_id) == item


def test_a_count_can_open_stock_at_a_new_warehouse() -> None:
    item = sample(Entity.INVENTORY_ITEMS, ItemCode=ACTIVE_ITEM)
    held = {level["Warehouse"] for level in item.data["Stock"]}
    free = next(
        raw.remote_id
        for raw in DATA.records[Entity.LOCATIONS]
        if raw.data["LocationType"] == "Warehouse" and raw.remote_id not in held
    )
    adjusted = SESSION.adjust_inventory(
        item.remote_id, {"location_remote_id": free, "new_count": "7", "reason": "first count"}
    )
    assert {
        "Warehouse": free,
        "OnHand": "7",
        "Committed": "0",
        "Available": "7",
        "ReorderLevel": None,
    } in adjusted.data["Stock"]


# -- writes: business rules ------------------------------------------------------------------

LOCKED_ORDER_STATUSES = ["Approved", "Sent to Vendor", "Partially Received", "Received", "Closed"]


@pytest.mark.parametrize("status", LOCKED_ORDER_STATUSES)
def test_an_approved_or_later_purchase_order_cannot_be_modified(status: str) -> None:
    order = sample(Entity.PURCHASE_ORDERS, Status=status)
    unified_status = _valid_unified(Entity.PURCHASE_ORDERS, order).status.value
    with pytest.raises(errors.RecordLocked) as caught:
        SESSION.update(Entity.PURCHASE_ORDERS, order.remote_id, {"notes": "Change"})
    assert unified_status in caught.value.message
    assert caught.value.details == {"status": unified_status}


@pytest.mark.parametrize("status", [*LOCKED_ORDER_STATUSES, "Awaiting Approval", "Cancelled"])
def test_only_a_draft_purchase_order_can_be_deleted(status: str) -> None:
    order = sample(Entity.PURCHASE_ORDERS, Status=status)
    with pytest.raises(errors.RecordLocked, match="only draft"):
        SESSION.delete(Entity.PURCHASE_ORDERS, order.remote_id)


def test_a_pending_order_can_still_be_changed() -> None:
    order = sample(Entity.PURCHASE_ORDERS, Status="Awaiting Approval")
    updated = SESSION.update(Entity.PURCHASE_ORDERS, order.remote_id, {"status": "approved"})
    assert updated.data["Status"] == "Approved"


@pytest.mark.parametrize("status", ["sent", "received", "partially_received", "closed"])
def test_receipt_statuses_cannot_be_set_by_hand(status: str) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        SESSION.update(Entity.PURCHASE_ORDERS, DRAFT_ORDER, {"status": status})
    assert list(caught.value.fields) == ["status"]


@pytest.mark.parametrize("status", ["Closed", "Cancelled"])
def test_a_closed_or_cancelled_work_order_cannot_be_modified(status: str) -> None:
    order = sample(Entity.WORK_ORDERS, Status=status)
    with pytest.raises(errors.RecordLocked):
        SESSION.update(Entity.WORK_ORDERS, order.remote_id, {"title": "Again"})


@pytest.mark.parametrize("operation", ["create", "update"])
def test_an_unknown_vendor_is_a_validation_failure_on_vendor_id(operation: str) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        if operation == "create":
            SESSION.create(Entity.PURCHASE_ORDERS, {**NEW_ORDER, "vendor_remote_id": "V99999"})
        else:
            SESSION.update(Entity.PURCHASE_ORDERS, DRAFT_ORDER, {"vendor_remote_id": "V99999"})
    assert list(caught.value.fields) == ["vendor_id"]
    assert "V99999" in caught.value.fields["vendor_id"]


def test_a_vendor_on_hold_cannot_receive_new_orders() -> None:
    blocked = sample(Entity.VENDORS, Status="On Hold").remote_id
    with pytest.raises(errors.ValidationFailed) as caught:
        SESSION.create(Entity.PURCHASE_ORDERS, {**NEW_ORDER, "vendor_remote_id": blocked})
    assert "blocked" in caught.value.fields["vendor_id"]


def test_unknown_items_and_locations_are_reported_per_line() -> None:
    lines = [
        {"item_remote_id": "NOPE", "quantity": 1},
        {"description": "Freight", "quantity": 1, "location_remote_id": "NOWHERE"},
    ]
    with pytest.raises(errors.ValidationFailed) as caught:
        SESSION.create(Entity.PURCHASE_ORDERS, {**NEW_ORDER, "lines": lines})
    assert set(caught.value.fields) == {"lines.0.item_id", "lines.1.location_id"}


def test_an_unknown_asset_on_a_work_order_is_a_validation_failure() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        SESSION.create(Entity.WORK_ORDERS, {"title": "Fix", "asset_remote_id": "AST-0"})
    assert list(caught.value.fields) == ["asset_id"]


def test_a_work_order_on_an_asset_takes_the_assets_location() -> None:
    asset = DATA.records[Entity.ASSETS][0]
    created = SESSION.create(
        Entity.WORK_ORDERS, {"title": "Fix", "asset_remote_id": asset.remote_id}
    )
    assert created.data["LocationCode"] == asset.data["LocationCode"]
    assert _valid_unified(Entity.WORK_ORDERS, created).status == "open"


def test_a_vendor_code_that_exists_cannot_be_created_again() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        SESSION.create(Entity.VENDORS, {"name": "Copy", "code": ACTIVE_VENDOR})
    assert list(caught.value.fields) == ["code"]


def test_an_invalid_body_is_a_validation_failure_with_field_paths() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        SESSION.create(Entity.PURCHASE_ORDERS, {**NEW_ORDER, "lines": [{"quantity": -1}]})
    assert "lines.0.quantity" in caught.value.fields


def test_write_payloads_must_carry_remote_ids() -> None:
    with pytest.raises(ValueError, match="vendor_remote_id"):
        SESSION.create(
            Entity.PURCHASE_ORDERS,
            {"vendor_id": ids(Entity.VENDORS, ACTIVE_VENDOR), "lines": NEW_ORDER["lines"]},
        )


def test_removing_stock_from_an_out_of_stock_item_is_a_validation_failure() -> None:
    item = next(
        raw for raw in DATA.records[Entity.INVENTORY_ITEMS] if Decimal(raw.data["QtyOnHand"]) == 0
    )
    with pytest.raises(errors.ValidationFailed) as caught:
        SESSION.adjust_inventory(
            item.remote_id,
            {
                "location_remote_id": item.data["Stock"][0]["Warehouse"],
                "quantity_delta": "-1",
                "reason": "issued",
            },
        )
    assert list(caught.value.fields) == ["quantity_delta"]
    assert "below zero" in caught.value.fields["quantity_delta"]


def test_a_count_below_the_reserved_quantity_is_refused() -> None:
    item = _stocked_item()
    level = item.data["Stock"][0]
    with pytest.raises(errors.ValidationFailed) as caught:
        SESSION.adjust_inventory(
            item.remote_id,
            {"location_remote_id": level["Warehouse"], "new_count": "0", "reason": "count"},
        )
    assert "reserved" in caught.value.fields["new_count"]


def test_stock_can_only_be_adjusted_at_warehouses_and_bins() -> None:
    site = sample(Entity.LOCATIONS, LocationType="Site").remote_id
    with pytest.raises(errors.ValidationFailed, match="location_id"):
        SESSION.adjust_inventory(
            ACTIVE_ITEM, {"location_remote_id": site, "new_count": "1", "reason": "count"}
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda: SESSION.update(Entity.PURCHASE_ORDERS, "PO-0", {"notes": "x"}),
        lambda: SESSION.delete(Entity.PURCHASE_ORDERS, "PO-0"),
        lambda: SESSION.adjust_inventory(
            "ITM-0", {"location_remote_id": "S01-W1", "new_count": 1, "reason": "x"}
        ),
    ],
)
def test_writes_to_unknown_records_are_not_found(call: Callable[[], Any]) -> None:
    with pytest.raises(errors.NotFound):
        call()


# -- the capability matrix matches what works -------------------------------------------------

VALID_WRITES: dict[tuple[Entity, str], Callable[[], Any]] = {
    (Entity.PURCHASE_ORDERS, "create"): lambda: SESSION.create(Entity.PURCHASE_ORDERS, NEW_ORDER),
    (Entity.PURCHASE_ORDERS, "update"): lambda: SESSION.update(
        Entity.PURCHASE_ORDERS, DRAFT_ORDER, {"buyer": "Sam"}
    ),
    (Entity.PURCHASE_ORDERS, "delete"): lambda: SESSION.delete(Entity.PURCHASE_ORDERS, DRAFT_ORDER),
    (Entity.WORK_ORDERS, "create"): lambda: SESSION.create(
        Entity.WORK_ORDERS, {"title": "Inspect"}
    ),
    (Entity.WORK_ORDERS, "update"): lambda: SESSION.update(
        Entity.WORK_ORDERS, NEW_WORK_ORDER, {"assignee": "Kim"}
    ),
    (Entity.VENDORS, "create"): lambda: SESSION.create(Entity.VENDORS, {"name": "New Vendor Ltd"}),
    (Entity.VENDORS, "update"): lambda: SESSION.update(
        Entity.VENDORS, ACTIVE_VENDOR, {"phone": "555"}
    ),
    (Entity.INVENTORY_ITEMS, "adjust"): lambda: SESSION.adjust_inventory(
        ACTIVE_ITEM,
        {
            "location_remote_id": sample(Entity.INVENTORY_ITEMS, ItemCode=ACTIVE_ITEM).data[
                "Stock"
            ][0]["Warehouse"],
            "quantity_delta": "1",
            "reason": "found",
        },
    ),
}


def _attempt(entity: Entity, operation: str) -> Any:
    if (entity, operation) in VALID_WRITES:
        return VALID_WRITES[(entity, operation)]()
    remote_id = DATA.records[entity][0].remote_id
    calls: dict[str, Callable[[], Any]] = {
        "create": lambda: SESSION.create(entity, {}),
        "update": lambda: SESSION.update(entity, remote_id, {}),
        "delete": lambda: SESSION.delete(entity, remote_id),
        "adjust": lambda: SESSION.adjust_inventory(remote_id, {}),
    }
    return calls[operation]()


@pytest.mark.parametrize("entity", list(Entity))
@pytest.mark.parametrize("operation", ["create", "update", "delete", "adjust"])
def test_the_spec_declares_exactly_the_writes_that_work(entity: Entity, operation: str) -> None:
    if operation == "adjust" and entity is not Entity.INVENTORY_ITEMS:
        assert not connector.spec.supports(entity, "adjust")
        return
    if connector.spec.supports(entity, operation):  # type: ignore[arg-type]
        _attempt(entity, operation)
    else:
        with pytest.raises(errors.OperationNotSupported):
            _attempt(entity, operation)


def test_every_entity_is_readable() -> None:
    assert all(connector.spec.supports(entity, "read") for entity in Entity)


def test_the_sample_is_unchanged_after_every_kind_of_write() -> None:
    before = {
        entity: copy.deepcopy([raw.data for raw in DATA.records[entity]]) for entity in Entity
    }
    for write in VALID_WRITES.values():
        write()
    assert {entity: [raw.data for raw in DATA.records[entity]] for entity in Entity} == before


# -- passthrough -----------------------------------------------------------------------------


def test_passthrough_info_describes_the_sandbox() -> None:
    response = SESSION.passthrough(PassthroughRequest("GET", "/info"))
    assert response.status == 200
    assert response.body["system"] == "sandbox"
    assert response.body["records"]["purchase-orders"] == len(DATA.records[Entity.PURCHASE_ORDERS])


def test_passthrough_echo_returns_the_request_without_credentials() -> None:
    request = PassthroughRequest(
        "POST",
        "/echo",
        query={"a": "1"},
        headers={"Authorization": "Bearer secret", "X-Api-Key": "k", "Accept": "application/json"},
        body={"hello": "world"},
    )
    body = SESSION.passthrough(request).body
    assert body == {
        "method": "POST",
        "path": "/echo",
        "query": {"a": "1"},
        "headers": {"Accept": "application/json"},
        "body": {"hello": "world"},
    }


def test_passthrough_to_any_other_path_is_not_found() -> None:
    with pytest.raises(errors.NotFound):
        SESSION.passthrough(PassthroughRequest("GET", "/api/v1/orders"))


def test_an_update_that_leaves_lines_alone_keeps_every_editable_orders_totals() -> None:
    editable = [
        raw
        for raw in DATA.records[Entity.PURCHASE_ORDERS]
        if raw.data["Status"] in ("Draft", "Awaiting Approval")
    ]
    assert editable
    for original in editable:
        updated = SESSION.update(Entity.PURCHASE_ORDERS, original.remote_id, {"buyer": "Sam"})
        for key in ("SubTotal", "TaxAmount", "DocTotal", "Lines"):
            assert updated.data[key] == original.data[key], (original.remote_id, key)
