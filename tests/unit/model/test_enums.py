from enum import StrEnum

import pytest
from pydantic import ValidationError

from ironbridge.model import (
    AssetCriticality,
    AssetStatus,
    InventoryItemStatus,
    LocationStatus,
    LocationType,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrder,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
    record_id,
)
from ironbridge.model import Entity as E

ENUMS: list[type[StrEnum]] = [
    PurchaseOrderStatus,
    WorkOrderStatus,
    WorkOrderPriority,
    WorkOrderType,
    InventoryItemStatus,
    VendorStatus,
    AssetStatus,
    AssetCriticality,
    LocationType,
    LocationStatus,
]

EXPECTED_VALUES = {
    PurchaseOrderStatus: [
        "draft",
        "pending_approval",
        "approved",
        "sent",
        "partially_received",
        "received",
        "closed",
        "cancelled",
    ],
    WorkOrderStatus: [
        "open",
        "scheduled",
        "in_progress",
        "on_hold",
        "completed",
        "cancelled",
        "closed",
    ],
    WorkOrderPriority: ["low", "medium", "high", "urgent"],
    WorkOrderType: ["corrective", "preventive", "inspection", "emergency", "other"],
    InventoryItemStatus: ["active", "inactive", "discontinued"],
    VendorStatus: ["active", "inactive", "blocked"],
    AssetStatus: ["operating", "not_operating", "under_maintenance", "decommissioned"],
    AssetCriticality: ["low", "medium", "high", "critical"],
    LocationType: ["site", "plant", "warehouse", "area", "bin"],
}


@pytest.mark.parametrize("enum", list(EXPECTED_VALUES), ids=lambda enum: enum.__name__)
def test_enum_values_are_the_documented_contract(enum: type[StrEnum]) -> None:
    assert [member.value for member in enum] == EXPECTED_VALUES[enum]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda enum: enum.__name__)
def test_every_member_is_documented_in_its_enum_docstring(enum: type[StrEnum]) -> None:
    # The docstring becomes the OpenAPI description integrators read.
    doc = enum.__doc__ or ""
    for member in enum:
        assert f"- `{member.value}`: " in doc, member


def _work_order(**changes: object) -> dict[str, object]:
    return {
        "id": record_id("c", E.WORK_ORDERS, "WO-1"),
        "remote_id": "WO-1",
        "updated_at": "2025-01-01T00:00:00Z",
        "title": "Fix pump",
        "status": "open",
        **changes,
    }


def test_a_record_accepts_known_enum_values() -> None:
    order = WorkOrder.model_validate(_work_order(priority="urgent", type="emergency"))
    assert order.priority is WorkOrderPriority.URGENT
    assert order.type is WorkOrderType.EMERGENCY


@pytest.mark.parametrize(
    "changes",
    [{"status": "done"}, {"priority": "critical"}, {"type": "PM"}, {"status": "Open"}],
)
def test_a_record_rejects_values_outside_its_enums(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        WorkOrder.model_validate(_work_order(**changes))
