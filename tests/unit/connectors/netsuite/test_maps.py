"""NetSuite's time zones, error paths and idempotency keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ironbridge.connectors.netsuite.connector import idempotency_key
from ironbridge.connectors.netsuite.maps import AccountWire, error_field, write_mapper, zone_of
from ironbridge.model import Entity


@pytest.mark.parametrize(
    ("name", "offset"),
    [("America/Los_Angeles", timedelta(hours=-8)), ("-08:00", timedelta(hours=-8)),
     ("+0530", timedelta(hours=5, minutes=30)), ("UTC", timedelta(0))],
)  # fmt: skip
def test_time_zones_are_read_as_names_or_offsets(name: str, offset: timedelta) -> None:
    assert zone_of(name).utcoffset(datetime(2026, 1, 15)) == offset


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        zone_of("Mars/Olympus")


def test_account_times_are_read_back_to_utc_across_midnight() -> None:
    wire = AccountWire(zone_of("America/Los_Angeles"))
    assert wire.to_datetime("2026-12-02 23:59:50") == datetime(2026, 12, 3, 7, 59, 50, tzinfo=UTC)


@pytest.mark.parametrize(
    ("path", "field"),
    [("entity", "vendor_id"), ("item.items[2].quantity", "lines.2.quantity"),
     ("item.items[0].item", "lines.0.item_id"), ("companyName", "name"), ("other", "other")],
)  # fmt: skip
def test_error_paths_name_unified_fields(path: str, field: str) -> None:
    assert error_field(path) == field


def test_the_same_write_has_the_same_idempotency_key_and_another_write_another() -> None:
    body = {"memo": "a", "item": {"items": [{"quantity": 1}]}}
    key = idempotency_key("POST", "services/rest/record/v1/purchaseOrder", body)
    assert key == idempotency_key("POST", "services/rest/record/v1/purchaseOrder", dict(body))
    assert key != idempotency_key("POST", "services/rest/record/v1/purchaseOrder", {"memo": "b"})
    assert len(key) == 36


def test_order_bodies_use_record_api_shapes() -> None:
    body = write_mapper.to_source(
        Entity.PURCHASE_ORDERS,
        {"vendor_remote_id": "7", "lines": [{"item_remote_id": "9", "quantity": 2}]},
    )
    assert body == {
        "entity": {"id": "7"},
        "item": {"items": [{"item": {"id": "9"}, "quantity": 2}]},
    }
