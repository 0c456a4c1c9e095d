from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from ironbridge import errors
from ironbridge.model import (
    Entity,
    InventoryAdjustment,
    PurchaseOrderCreate,
    PurchaseOrderUpdate,
    WorkOrderCreate,
    WorkOrderUpdate,
    field_errors,
    parse_input,
    record_id,
    resolve_references,
)

VENDOR_ID = record_id("conn", Entity.VENDORS, "V1")
ITEM_ID = record_id("conn", Entity.INVENTORY_ITEMS, "ITM-1")
LOCATION_ID = record_id("conn", Entity.LOCATIONS, "S01-W1")


def _fields(model: type[Any], payload: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(errors.ValidationFailed) as caught:
        parse_input(model, payload)
    return caught.value.fields


# -- InventoryAdjustment -----------------------------------------------------------------------

ADJUSTMENT = {"location_remote_id": "S01-W1", "reason": "cycle count"}


@pytest.mark.parametrize(
    ("quantities", "expected"),
    [
        ({"quantity_delta": "-3"}, ("quantity_delta", Decimal("-3"))),
        ({"new_count": "12"}, ("new_count", Decimal("12"))),
    ],
)
def test_an_adjustment_takes_a_delta_or_a_count(
    quantities: dict[str, str], expected: tuple[str, Decimal]
) -> None:
    adjustment = parse_input(InventoryAdjustment, {**ADJUSTMENT, **quantities})
    name, value = expected
    assert getattr(adjustment, name) == value


@pytest.mark.parametrize(
    "quantities",
    [{}, {"quantity_delta": "1", "new_count": "1"}, {"quantity_delta": None, "new_count": None}],
)
def test_an_adjustment_needs_exactly_one_of_delta_or_count(quantities: dict[str, Any]) -> None:
    fields = _fields(InventoryAdjustment, {**ADJUSTMENT, **quantities})
    assert fields == {"quantity_delta": "Give exactly one of quantity_delta or new_count."}


def test_a_zero_delta_is_rejected_as_a_no_op() -> None:
    assert "quantity_delta" in _fields(InventoryAdjustment, {**ADJUSTMENT, "quantity_delta": 0})


def test_a_count_cannot_be_negative() -> None:
    assert "new_count" in _fields(InventoryAdjustment, {**ADJUSTMENT, "new_count": "-1"})


@pytest.mark.parametrize("reason", ["", "   ", "x" * 256])
def test_an_adjustment_reason_is_1_to_255_characters(reason: str) -> None:
    fields = _fields(InventoryAdjustment, {**ADJUSTMENT, "reason": reason, "new_count": 1})
    assert "reason" in fields


def test_an_adjustment_needs_a_location() -> None:
    fields = _fields(InventoryAdjustment, {"reason": "count", "new_count": 1})
    assert fields == {"location_id": "location_id or location_remote_id is required."}


# -- references and strictness ---------------------------------------------------------------

ORDER = {"vendor_remote_id": "V1", "lines": [{"item_remote_id": "ITM-1", "quantity": "2"}]}


def test_unknown_fields_are_rejected() -> None:
    assert _fields(PurchaseOrderCreate, {**ORDER, "vendr": "V1"}) == {
        "vendr": "Extra inputs are not permitted"
    }


def test_a_reference_is_given_by_id_or_by_remote_id_not_both() -> None:
    fields = _fields(PurchaseOrderCreate, {**ORDER, "vendor_id": VENDOR_ID})
    assert fields == {"vendor_id": "Give vendor_id or vendor_remote_id, not both."}


def test_a_required_reference_must_be_given() -> None:
    fields = _fields(PurchaseOrderCreate, {"lines": ORDER["lines"]})
    assert fields == {"vendor_id": "vendor_id or vendor_remote_id is required."}


def test_an_id_of_the_wrong_entity_is_rejected() -> None:
    fields = _fields(PurchaseOrderCreate, {"vendor_id": ITEM_ID, "lines": ORDER["lines"]})
    assert "vendor_id" in fields


def test_errors_in_lines_name_the_line() -> None:
    fields = _fields(PurchaseOrderCreate, {"vendor_remote_id": "V1", "lines": [{"quantity": 0}]})
    assert "lines.0.quantity" in fields


def test_a_line_without_item_or_description_is_rejected() -> None:
    fields = _fields(PurchaseOrderCreate, {"vendor_remote_id": "V1", "lines": [{"quantity": 1}]})
    assert fields == {
        "lines.0.item_id": "A line needs an item (item_id or item_remote_id) or a description."
    }


def test_an_order_needs_at_least_one_line() -> None:
    assert "lines" in _fields(PurchaseOrderCreate, {"vendor_remote_id": "V1", "lines": []})


def test_an_update_may_omit_everything() -> None:
    assert parse_input(PurchaseOrderUpdate, {}).model_fields_set == set()


@pytest.mark.parametrize("name", ["status", "vendor_remote_id", "lines"])
def test_an_update_cannot_null_a_field_the_record_requires(name: str) -> None:
    assert _fields(PurchaseOrderUpdate, {name: None}) == {
        name: f"{name} may be omitted but not null."
    }


def test_an_update_may_clear_an_optional_field_with_null() -> None:
    update = parse_input(PurchaseOrderUpdate, {"notes": None})
    assert update.model_fields_set == {"notes"}
    assert update.notes is None


def test_a_schedule_cannot_end_before_it_starts() -> None:
    fields = _fields(
        WorkOrderCreate,
        {
            "title": "Fix",
            "scheduled_start": "2025-01-02T00:00:00Z",
            "scheduled_end": "2025-01-01T00:00:00Z",
        },
    )
    assert fields == {"scheduled_end": "scheduled_end is before its start."}


def test_field_errors_flattens_nested_locations() -> None:
    with pytest.raises(ValidationError) as caught:
        WorkOrderUpdate.model_validate({"parts_used": [{"item_remote_id": "I", "quantity": -1}]})
    assert list(field_errors(caught.value)) == ["parts_used.0.quantity"]


# -- resolve_references ----------------------------------------------------------------------

REMOTE_IDS = {
    (Entity.VENDORS, VENDOR_ID): "V1",
    (Entity.INVENTORY_ITEMS, ITEM_ID): "ITM-1",
    (Entity.LOCATIONS, LOCATION_ID): "S01-W1",
}


def _resolve(entity: Entity, ironbridge_id: str) -> str:
    try:
        return REMOTE_IDS[(entity, ironbridge_id)]
    except KeyError:
        raise errors.NotFound() from None


def test_references_are_resolved_to_remote_ids_including_in_lines() -> None:
    body = parse_input(
        PurchaseOrderCreate,
        {
            "vendor_id": VENDOR_ID,
            "lines": [{"item_id": ITEM_ID, "location_id": LOCATION_ID, "quantity": "4"}],
        },
    )
    payload = resolve_references(body, _resolve)
    assert payload == {
        "vendor_remote_id": "V1",
        "lines": [
            {"item_remote_id": "ITM-1", "location_remote_id": "S01-W1", "quantity": Decimal("4")}
        ],
    }


def test_remote_ids_given_by_the_caller_pass_through() -> None:
    body = parse_input(PurchaseOrderCreate, ORDER)
    assert resolve_references(body, _resolve) == {
        "vendor_remote_id": "V1",
        "lines": [{"item_remote_id": "ITM-1", "quantity": Decimal("2")}],
    }


def test_only_fields_the_caller_set_are_in_the_payload() -> None:
    body = parse_input(WorkOrderUpdate, {"title": "New title", "asset_id": None})
    assert resolve_references(body, _resolve) == {"title": "New title", "asset_remote_id": None}


def test_an_unknown_id_is_a_validation_failure_naming_its_path() -> None:
    unknown_item = record_id("other", Entity.INVENTORY_ITEMS, "X")
    body = parse_input(
        PurchaseOrderCreate,
        {"vendor_id": VENDOR_ID, "lines": [{"item_id": unknown_item, "quantity": 1}]},
    )
    with pytest.raises(errors.ValidationFailed) as caught:
        resolve_references(body, _resolve)
    assert caught.value.fields == {
        "lines.0.item_id": f"No inventory item has the id {unknown_item}."
    }


def test_python_values_keep_their_types_in_the_payload() -> None:
    body = parse_input(
        WorkOrderUpdate, {"actual_start": "2025-01-01T08:00:00+01:00", "actual_hours": "1.5"}
    )
    payload = resolve_references(body, _resolve)
    assert payload == {
        "actual_start": datetime(2025, 1, 1, 7, 0, tzinfo=UTC),
        "actual_hours": Decimal("1.5"),
    }
