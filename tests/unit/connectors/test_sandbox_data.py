import hashlib
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ironbridge.connectors.sandbox import data as sample
from ironbridge.connectors.sandbox.data import ANCHOR, build_sandbox_data, sandbox_data
from ironbridge.model import Entity

DATA = sandbox_data()


def rows(entity: Entity) -> list[dict[str, Any]]:
    return [raw.data for raw in DATA.records[entity]]


def by_key(entity: Entity, key: str) -> Mapping[str, dict[str, Any]]:
    return {row[key]: row for row in rows(entity)}


LOCATIONS = by_key(Entity.LOCATIONS, "LocationCode")
VENDORS = by_key(Entity.VENDORS, "VendorCode")
ITEMS = by_key(Entity.INVENTORY_ITEMS, "ItemCode")
ASSETS = by_key(Entity.ASSETS, "AssetTag")


def _fingerprint() -> str:
    dump = {
        entity.value: [[raw.remote_id, raw.modified_at.isoformat(), raw.data] for raw in records]
        for entity, records in DATA.records.items()
    }
    return hashlib.sha256(json.dumps(dump, sort_keys=True).encode()).hexdigest()


FINGERPRINT_CODE = """
import hashlib, json
from ironbridge.connectors.sandbox.data import sandbox_data
dump = {
    entity.value: [[raw.remote_id, raw.modified_at.isoformat(), raw.data] for raw in records]
    for entity, records in sandbox_data().records.items()
}
print(hashlib.sha256(json.dumps(dump, sort_keys=True).encode()).hexdigest())
"""


@pytest.mark.parametrize(
    ("entity", "at_least"),
    [
        (Entity.LOCATIONS, 30),
        (Entity.VENDORS, 60),
        (Entity.INVENTORY_ITEMS, 150),
        (Entity.ASSETS, 80),
        (Entity.PURCHASE_ORDERS, 250),
        (Entity.WORK_ORDERS, 200),
    ],
)
def test_the_sample_has_enough_records_of_each_entity(entity: Entity, at_least: int) -> None:
    assert len(DATA.records[entity]) >= at_least


def test_another_process_generates_exactly_the_same_data() -> None:
    result = subprocess.run(
        [sys.executable, "-c", FINGERPRINT_CODE],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "987"},
    )
    assert result.stdout.strip() == _fingerprint()


def test_generating_again_gives_the_same_records() -> None:
    again = build_sandbox_data()
    for entity in Entity:
        assert [raw.data for raw in again.records[entity]] == rows(entity)


def test_generating_everything_takes_less_than_a_second() -> None:
    started = time.perf_counter()
    build_sandbox_data()
    assert time.perf_counter() - started < 1.0


def test_the_data_is_built_once_per_process() -> None:
    assert sandbox_data() is DATA


def test_remote_ids_are_unique_per_entity() -> None:
    for entity in Entity:
        remote_ids = [raw.remote_id for raw in DATA.records[entity]]
        assert len(remote_ids) == len(set(remote_ids))


def test_change_times_lie_in_the_180_days_before_the_fixed_anchor() -> None:
    for entity in Entity:
        for raw in DATA.records[entity]:
            assert ANCHOR - timedelta(days=180) <= raw.modified_at <= ANCHOR
            assert raw.data["CreatedOn"] <= raw.data["LastModified"]


def test_some_records_share_a_change_time_in_every_entity() -> None:
    for entity in Entity:
        counts = Counter(raw.modified_at for raw in DATA.records[entity])
        assert max(counts.values()) > 1, entity


def test_records_are_kept_in_change_order() -> None:
    for entity in Entity:
        keys = [raw.change_key for raw in DATA.records[entity]]
        assert keys == sorted(keys)


# -- locations -------------------------------------------------------------------------------

PARENT_TYPES = {
    "Site": None,
    "Plant": "Site",
    "Warehouse": "Site",
    "Area": "Plant",
    "Bin": "Warehouse",
}


def test_locations_form_a_hierarchy_of_consistent_types() -> None:
    for code, row in LOCATIONS.items():
        parent_type = PARENT_TYPES[row["LocationType"]]
        if parent_type is None:
            assert row["ParentCode"] is None, code
        else:
            assert LOCATIONS[row["ParentCode"]]["LocationType"] == parent_type, code
    assert Counter(row["LocationType"] for row in LOCATIONS.values()).keys() == PARENT_TYPES.keys()


# -- inventory -------------------------------------------------------------------------------


def test_items_are_stocked_at_one_to_four_warehouses_that_exist() -> None:
    for code, item in ITEMS.items():
        levels = item["Stock"]
        assert 1 <= len(levels) <= 4, code
        for level in levels:
            assert LOCATIONS[level["Warehouse"]]["LocationType"] == "Warehouse"


def test_stock_figures_are_consistent() -> None:
    for item in ITEMS.values():
        total = Decimal(0)
        for level in item["Stock"]:
            on_hand, committed = Decimal(level["OnHand"]), Decimal(level["Committed"])
            assert Decimal(level["Available"]) == on_hand - committed >= 0
            total += on_hand
        assert Decimal(item["QtyOnHand"]) == total


def test_some_items_are_out_of_stock_everywhere() -> None:
    assert any(Decimal(item["QtyOnHand"]) == 0 for item in ITEMS.values())


# -- assets ----------------------------------------------------------------------------------


def test_assets_stand_in_plant_areas_and_parents_share_their_area() -> None:
    parents = 0
    for tag, asset in ASSETS.items():
        assert LOCATIONS[asset["LocationCode"]]["LocationType"] == "Area", tag
        if asset["ParentTag"] is not None:
            parents += 1
            parent = ASSETS[asset["ParentTag"]]
            assert parent["LocationCode"] == asset["LocationCode"]
            assert parent["ParentTag"] is None
    assert parents > 0


# -- purchase orders -------------------------------------------------------------------------


def test_every_purchase_order_reference_resolves() -> None:
    for order in rows(Entity.PURCHASE_ORDERS):
        vendor = VENDORS[order["VendorCode"]]
        assert order["VendorName"] == vendor["VendorName"]
        assert order["Currency"] == vendor["Currency"]
        for line in order["Lines"]:
            assert line["ItemDescription"] == ITEMS[line["ItemCode"]]["Description"]
            assert line["UoM"] == ITEMS[line["ItemCode"]]["UoM"]
            assert line["Warehouse"] in LOCATIONS


def test_purchase_order_totals_add_up_to_the_cent() -> None:
    for order in rows(Entity.PURCHASE_ORDERS):
        subtotal = Decimal(0)
        for line in order["Lines"]:
            line_total = Decimal(line["LineTotal"])
            assert line_total == Decimal(line["Quantity"]) * Decimal(line["UnitPrice"])
            subtotal += line_total
        assert Decimal(order["SubTotal"]) == subtotal
        assert Decimal(order["DocTotal"]) == subtotal + Decimal(order["TaxAmount"])


def test_purchase_orders_cover_every_status() -> None:
    assert {order["Status"] for order in rows(Entity.PURCHASE_ORDERS)} == set(sample.PO_STATUSES)


def test_received_quantities_match_the_status() -> None:
    for order in rows(Entity.PURCHASE_ORDERS):
        pairs = [
            (Decimal(line["QtyReceived"]), Decimal(line["Quantity"])) for line in order["Lines"]
        ]
        if order["Status"] in ("Received", "Closed"):
            assert all(received == ordered for received, ordered in pairs)
        elif order["Status"] == "Partially Received":
            assert any(0 < received < ordered for received, ordered in pairs)
        else:
            assert all(received == 0 for received, _ in pairs)


def test_some_purchase_orders_carry_custom_fields() -> None:
    orders = rows(Entity.PURCHASE_ORDERS)
    with_custom = [order for order in orders if any(key.startswith("U_") for key in order)]
    assert 0 < len(with_custom) < len(orders)


def test_some_purchase_orders_name_a_vendor_that_is_no_longer_active() -> None:
    assert any(
        VENDORS[order["VendorCode"]]["Status"] != "Active" for order in rows(Entity.PURCHASE_ORDERS)
    )


# -- work orders -----------------------------------------------------------------------------


def test_every_work_order_reference_resolves() -> None:
    for order in rows(Entity.WORK_ORDERS):
        if order["AssetTag"] is not None:
            asset = ASSETS[order["AssetTag"]]
            assert order["AssetName"] == asset["AssetName"]
            assert order["LocationCode"] == asset["LocationCode"]
        assert order["LocationCode"] in LOCATIONS
        for part in order["Parts"]:
            assert part["ItemCode"] in ITEMS


def test_work_order_times_follow_the_status() -> None:
    for order in rows(Entity.WORK_ORDERS):
        status = order["Status"]
        assert (order["ActualFinish"] is not None) == (status in ("Done", "Closed"))
        assert (order["ActualStart"] is not None) == (
            status in ("In Progress", "On Hold", "Done", "Closed")
        )
        if order["ActualFinish"]:
            assert order["ActualStart"] <= order["ActualFinish"] <= order["LastModified"]
        if order["SchedStart"]:
            assert order["SchedStart"] <= order["SchedFinish"]
        assert order["CreatedOn"] <= order["LastModified"]


def test_work_orders_cover_every_status_type_and_priority() -> None:
    orders = rows(Entity.WORK_ORDERS)
    assert {order["Status"] for order in orders} == set(sample.WO_STATUSES)
    assert {order["WorkType"] for order in orders} == set(sample.WO_TYPES)
    assert {order["Priority"] for order in orders} == set(sample.WO_PRIORITIES)


def test_source_times_use_the_sources_own_format() -> None:
    for order in rows(Entity.WORK_ORDERS):
        datetime.strptime(order["LastModified"], "%Y-%m-%d %H:%M:%S")
