"""Every registered connector passes the conformance suite against a live target."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ironbridge.connectors import default_registry
from ironbridge.connectors.sandbox.data import sandbox_data
from ironbridge.model import Entity, WorkOrderPriority
from ironbridge.testing.conformance import CHECKS, Conformance, WriteSample

#: Credentials for connectors whose target needs nothing started. Connectors against servers
#: and emulators run the same suite in their own integration tests.
TARGETS = {"sandbox": {}}


def _sandbox_id(entity: Entity, **match: Any) -> str:
    """The first sandbox sample record whose source fields equal `match`."""
    return next(
        raw.remote_id
        for raw in sandbox_data().records[entity]
        if all(raw.data.get(key) == value for key, value in match.items())
    )


def _sandbox_samples() -> Mapping[Entity, WriteSample]:
    vendor = _sandbox_id(Entity.VENDORS, Status="Active")
    item = _sandbox_id(Entity.INVENTORY_ITEMS, Status="Active")
    draft = _sandbox_id(Entity.PURCHASE_ORDERS, Status="Draft")
    approved = _sandbox_id(Entity.PURCHASE_ORDERS, Status="Approved")
    stocked = next(
        raw
        for raw in sandbox_data().records[Entity.INVENTORY_ITEMS]
        if Decimal(raw.data["Stock"][0]["OnHand"]) > 0
    )
    return {
        Entity.PURCHASE_ORDERS: WriteSample(
            create={
                "vendor_remote_id": vendor,
                "notes": "Conformance order",
                "lines": [
                    {"item_remote_id": item, "quantity": Decimal(3), "unit_price": Decimal("12.50")}
                ],
            },
            update={"notes": "Call before delivery"},
            update_target=draft,
            delete_target=draft,
            locked_update=(approved, {"notes": "Too late"}),
            locked_delete=approved,
            invalid_create={
                "vendor_remote_id": "V99999",
                "lines": [{"item_remote_id": item, "quantity": Decimal(1)}],
            },
            invalid_update=(draft, {"status": "received"}),
        ),
        Entity.WORK_ORDERS: WriteSample(
            create={"title": "Replace the seal", "asset_remote_id": _sandbox_id(Entity.ASSETS)},
            update={
                "priority": WorkOrderPriority.URGENT,
                "scheduled_start": datetime(2025, 7, 1, 8, tzinfo=UTC),
            },
            update_target=_sandbox_id(Entity.WORK_ORDERS, Status="New"),
            locked_update=(_sandbox_id(Entity.WORK_ORDERS, Status="Closed"), {"title": "Again"}),
            invalid_create={"title": "Fix", "asset_remote_id": "AST-0"},
        ),
        Entity.VENDORS: WriteSample(
            create={"name": "Gear Works Ltd", "email": "sales@gearworks.example"},
            update={"phone": "+1 937 555 0100"},
            update_target=vendor,
            invalid_create={"name": "Copy", "code": vendor},
        ),
        Entity.INVENTORY_ITEMS: WriteSample(
            adjust=(
                stocked.remote_id,
                {
                    "location_remote_id": stocked.data["Stock"][0]["Warehouse"],
                    "quantity_delta": Decimal(5),
                    "reason": "Found behind the shelf",
                },
            ),
            invalid_adjust=(
                stocked.remote_id,
                {
                    "location_remote_id": stocked.data["Stock"][0]["Warehouse"],
                    "quantity_delta": Decimal(-1_000_000),
                    "reason": "Too many",
                },
            ),
        ),
    }


SAMPLES: dict[str, Mapping[Entity, WriteSample]] = {"sandbox": _sandbox_samples()}


def test_every_registered_connector_has_a_conformance_target() -> None:
    registered = {c.spec.id for c in default_registry()}
    covered = set(TARGETS) | {
        "sap_s4hana",
        "tryton",
        "netsuite",
        "business_central",
        "maximo",
        "odoo",
    }
    assert registered <= covered, f"no conformance target for {registered - covered}"


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("connector_id", sorted(TARGETS))
def test_connector_conforms(connector_id: str, check: str) -> None:
    connector = default_registry().get(connector_id)
    suite = Conformance(connector, TARGETS[connector_id], samples=SAMPLES[connector_id])
    getattr(suite, check)()
