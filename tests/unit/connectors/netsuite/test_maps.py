"""NetSuite's error paths, idempotency keys, write bodies and location types."""

from __future__ import annotations

import pytest

from ironbridge.connectors.base import RawRecord
from ironbridge.connectors.netsuite import connector
from ironbridge.connectors.netsuite.maps import write_mapper
from ironbridge.connectors.protocols.rest_json import write_key
from ironbridge.model import Entity, LocationType


@pytest.mark.parametrize(
    ("path", "field"),
    [("entity", "vendor_id"), ("item.items[2].quantity", "lines.2.quantity"),
     ("item.items[0].item", "lines.0.item_id"), ("item.items[11].rate", "lines.11.unit_price"),
     ("memo", "notes"), ("other", None)],
)  # fmt: skip
def test_error_paths_name_unified_fields(path: str, field: str | None) -> None:
    assert write_mapper.error_names(Entity.PURCHASE_ORDERS)(path) == field


def test_vendor_error_paths_are_read_off_the_vendor_map() -> None:
    names = write_mapper.error_names(Entity.VENDORS)
    assert (names("companyName"), names("isInactive"), names("memo")) == ("name", "status", None)


def test_a_callers_key_gives_one_key_per_write_and_no_key_a_fresh_one() -> None:
    path = "services/rest/record/v1/purchaseOrder"
    key = write_key("order-17", "POST", path)
    assert key == write_key("order-17", "POST", path) and len(key) == 36
    assert key != write_key("order-18", "POST", path)
    assert key != write_key("order-17", "PATCH", path + "/5")
    assert write_key(None, "POST", path) != write_key(None, "POST", path)


def test_order_bodies_use_record_api_shapes() -> None:
    body = write_mapper.to_source(
        Entity.PURCHASE_ORDERS,
        {"vendor_remote_id": "7", "lines": [{"item_remote_id": "9", "quantity": 2}]},
    )
    assert body == {
        "entity": {"id": "7"},
        "item": {"items": [{"item": {"id": "9"}, "quantity": 2}]},
    }


@pytest.mark.parametrize(
    ("code", "kind"),
    [("1", LocationType.SITE), ("2", LocationType.WAREHOUSE), (None, LocationType.WAREHOUSE)],
)
def test_location_types_follow_the_location_type_list(code: str | None, kind: LocationType) -> None:
    row = {"id": "3", "name": "North", "fullname": "North", "isinactive": "F"}
    raw = RawRecord("3", None, row if code is None else {**row, "locationtype": code})
    assert connector.to_unified(Entity.LOCATIONS, raw, lambda e, r: r)["type"] is kind
