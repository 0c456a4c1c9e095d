from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironbridge import errors
from ironbridge.connectors import RawRecord
from ironbridge.connectors.sandbox import connector, data, maps
from ironbridge.connectors.sandbox.data import sandbox_data
from ironbridge.model import (
    CREATE_MODELS,
    MODELS,
    UPDATE_MODELS,
    Entity,
    PurchaseOrderStatus,
    record_id,
)

DATA = sandbox_data()
ALL_RECORDS = [(entity, raw) for entity in Entity for raw in DATA.records[entity]]

# What the sandbox source really sends, per status-like field: its own code lists.
SOURCE_CODES: list[tuple[Entity, str, tuple[Any, ...]]] = [
    (Entity.PURCHASE_ORDERS, "Status", data.PO_STATUSES),
    (Entity.WORK_ORDERS, "Status", data.WO_STATUSES),
    (Entity.WORK_ORDERS, "Priority", data.WO_PRIORITIES),
    (Entity.WORK_ORDERS, "WorkType", data.WO_TYPES),
    (Entity.INVENTORY_ITEMS, "Status", data.ITEM_STATUSES),
    (Entity.VENDORS, "Status", data.VENDOR_STATUSES),
    (Entity.ASSETS, "Status", data.ASSET_STATUSES),
    (Entity.ASSETS, "Criticality", data.ASSET_CRITICALITIES),
    (Entity.LOCATIONS, "LocationType", data.LOCATION_TYPES),
    (Entity.LOCATIONS, "Status", data.LOCATION_STATUSES),
]


def ids_for(connection_id: str) -> Any:
    return lambda entity, remote_id: record_id(connection_id, entity, remote_id)


IDS = ids_for("conn_test")


def _table(entity: Entity, source: str) -> Mapping[Any, Any]:
    return next(
        declared.table
        for declared in maps.STATUS_TABLES
        if declared.entity is entity and declared.source == source
    )


@pytest.mark.parametrize(("entity", "source", "codes"), SOURCE_CODES)
def test_every_source_code_appears_in_its_table(
    entity: Entity, source: str, codes: tuple[Any, ...]
) -> None:
    assert set(_table(entity, source)) == set(codes)


@pytest.mark.parametrize(("entity", "source", "codes"), SOURCE_CODES)
def test_every_code_in_the_sample_is_one_the_table_knows(
    entity: Entity, source: str, codes: tuple[Any, ...]
) -> None:
    seen = {raw.data[source] for raw in DATA.records[entity]}
    assert seen <= set(_table(entity, source))


def test_every_status_table_is_listed_for_these_checks() -> None:
    assert len(maps.STATUS_TABLES) == len(SOURCE_CODES)


@pytest.mark.parametrize(
    ("entity", "source", "table"), [(t.entity, t.source, t.table) for t in maps.STATUS_TABLES]
)
def test_status_tables_map_one_code_to_each_member_so_writes_can_invert_them(
    entity: Entity, source: str, table: Mapping[Any, Any]
) -> None:
    members = list(table.values())
    assert len(members) == len(set(members))
    for code, member in table.items():
        assert maps.source_code(table, member) == code


def test_every_member_of_a_mapped_enum_is_reachable_from_the_source() -> None:
    for declared in maps.STATUS_TABLES:
        assert set(declared.table.values()) == set(declared.enum)


def test_an_unknown_status_fails_loudly_instead_of_defaulting() -> None:
    raw = DATA.records[Entity.PURCHASE_ORDERS][0]
    broken = RawRecord(raw.remote_id, raw.modified_at, {**raw.data, "Status": "Parked"})
    with pytest.raises(errors.UpstreamError, match="Parked"):
        connector.to_unified(Entity.PURCHASE_ORDERS, broken, IDS)


def test_an_unreadable_amount_is_an_upstream_error_naming_the_record() -> None:
    raw = DATA.records[Entity.PURCHASE_ORDERS][0]
    broken = RawRecord(raw.remote_id, raw.modified_at, {**raw.data, "DocTotal": "12,50"})
    with pytest.raises(errors.UpstreamError, match=raw.remote_id):
        connector.to_unified(Entity.PURCHASE_ORDERS, broken, IDS)


@pytest.mark.parametrize("entity", list(Entity))
def test_every_sample_record_maps_to_a_valid_unified_record(entity: Entity) -> None:
    model = MODELS[entity]
    for raw in DATA.records[entity]:
        unified = connector.to_unified(entity, raw, IDS)
        assert "remote_data" not in unified
        record = model.model_validate(unified)
        assert record.id == record_id("conn_test", entity, raw.remote_id)
        assert record.remote_id == raw.remote_id
        assert record.updated_at == raw.modified_at
        assert record.deleted is False


@given(st.sampled_from(ALL_RECORDS), st.text(min_size=1, max_size=30))
def test_any_record_maps_validly_for_any_connection(
    case: tuple[Entity, RawRecord], connection_id: str
) -> None:
    entity, raw = case
    record = MODELS[entity].model_validate(
        connector.to_unified(entity, raw, ids_for(connection_id))
    )
    assert record.id == record_id(connection_id, entity, raw.remote_id)
    for name in type(record).model_fields:
        value = getattr(record, name)
        # Every reference carries both ids, whatever the order records are synced in.
        if name in {"vendor", "asset", "location", "parent"} and value is not None:
            assert value.id is not None and value.remote_id


@pytest.mark.parametrize("entity", list(Entity))
def test_the_map_covers_every_field_of_the_record(entity: Entity) -> None:
    common = {"id", "remote_id", "created_at", "updated_at", "deleted", "custom_fields"}
    mapped = set(maps.MAPS[entity].fields) | common | {"remote_data"}
    assert mapped == set(MODELS[entity].model_fields)


def test_purchase_order_mapping_reads_the_sources_own_fields() -> None:
    raw = next(raw for raw in DATA.records[Entity.PURCHASE_ORDERS] if "U_ProjectCode" in raw.data)
    order = MODELS[Entity.PURCHASE_ORDERS].model_validate(
        connector.to_unified(Entity.PURCHASE_ORDERS, raw, IDS)
    )
    dumped = order.model_dump()
    assert dumped["number"] == raw.data["PONumber"]
    # The source copies the vendor's name into the order; the unified order keeps the pointer
    # only, so a renamed vendor changes the vendor record alone.
    assert raw.data["VendorName"]
    assert order.model_dump(mode="json")["vendor"] == {
        "id": record_id("conn_test", Entity.VENDORS, raw.data["VendorCode"]),
        "remote_id": raw.data["VendorCode"],
    }
    assert dumped["total"] == Decimal(raw.data["DocTotal"])
    assert dumped["custom_fields"]["ProjectCode"] == raw.data["U_ProjectCode"]
    assert dumped["lines"][0]["item"]["remote_id"] == raw.data["Lines"][0]["ItemCode"]
    assert dumped["created_at"] == datetime.strptime(
        raw.data["CreatedOn"], "%Y-%m-%d %H:%M:%S"
    ).replace(tzinfo=UTC)


def test_orders_without_user_defined_fields_have_empty_custom_fields() -> None:
    raw = next(
        raw for raw in DATA.records[Entity.PURCHASE_ORDERS] if "U_ProjectCode" not in raw.data
    )
    assert connector.to_unified(Entity.PURCHASE_ORDERS, raw, IDS)["custom_fields"] == {}


@pytest.mark.parametrize("entity", list(Entity))
def test_every_write_field_has_somewhere_to_go_in_the_source(entity: Entity) -> None:
    record_map = maps.MAPS[entity]
    writable = {field_map.payload_key(name) for name, field_map in record_map.fields.items()}
    for model in (CREATE_MODELS[entity], UPDATE_MODELS[entity]):
        # The connector sees `<stem>_remote_id` where the caller may have sent `<stem>_id`.
        expected = set(model.model_fields) - {f"{stem}_id" for stem in model.references}
        assert expected - {"custom_fields"} <= writable, model.__name__


def test_to_source_translates_a_payload_into_the_sources_vocabulary() -> None:
    payload = {
        "vendor_remote_id": "V10001",
        "required_date": datetime(2025, 7, 1, tzinfo=UTC).date(),
        "lines": [
            {"item_remote_id": "ITM-10001", "quantity": Decimal("2"), "unit_price": Decimal("3.5")}
        ],
        "custom_fields": {"ProjectCode": "PRJ-1"},
    }
    assert maps.to_source(Entity.PURCHASE_ORDERS, payload) == {
        "VendorCode": "V10001",
        "RequiredDate": "2025-07-01",
        "Lines": [
            {
                "ItemCode": "ITM-10001",
                "Quantity": "2",
                "UnitPrice": "3.5",
            }
        ],
        "U_ProjectCode": "PRJ-1",
    }


def test_to_source_refuses_a_field_it_cannot_store() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        maps.to_source(Entity.VENDORS, {"name": "Acme", "rating": "A"})
    assert list(caught.value.fields) == ["rating"]


def test_statuses_are_written_back_as_source_codes() -> None:
    out = maps.to_source(Entity.PURCHASE_ORDERS, {"status": PurchaseOrderStatus.CANCELLED})
    assert out == {"Status": "Cancelled"}
