"""SAP S/4HANA's tables and the rules tables cannot say, without a network."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironbridge import errors
from ironbridge.connectors import kit
from ironbridge.connectors.base import RawRecord
from ironbridge.connectors.protocols import odata_v2
from ironbridge.connectors.sap_s4hana import connector, mapping, maps
from ironbridge.connectors.sap_s4hana.spec import SPEC
from ironbridge.model import (
    MODELS,
    Entity,
    PurchaseOrderStatus,
    WorkOrderStatus,
    record_id,
)


def ids(entity: Entity, remote_id: str) -> str:
    return record_id("conn_unit", entity, remote_id)


def item(
    number: str, *, delivered: bool = False, invoiced: bool = False, **extra: Any
) -> dict[str, Any]:
    return {
        "PurchaseOrderItem": number,
        "PurchasingDocumentDeletionCode": "",
        "IsCompletelyDelivered": delivered,
        "IsFinallyInvoiced": invoiced,
        "OrderQuantity": "4",
        "NetPriceAmount": "25.00",
        "NetPriceQuantity": "10",
        "Plant": "1710",
        "StorageLocation": "",
        "Material": "",
        "PurchaseOrderItemText": "Service",
        "PurchaseOrderQuantityUnit": "H",
        "to_ScheduleLine": {"results": []},
        **extra,
    }


def order(
    status: str = "02", deletion: str = "", items: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "PurchaseOrder": "4500000001",
        "PurchasingProcessingStatus": status,
        "PurchasingDocumentDeletionCode": deletion,
        "Supplier": "17300001",
        "CreationDate": "/Date(1704067200000)/",
        "PurchaseOrderDate": "/Date(1704067200000)/",
        "DocumentCurrency": "EUR",
        "PaymentTerms": "",
        "CompanyCode": "1710",
        "YY1_Project": "P-7",
        "to_PurchaseOrderItem": {"results": items if items is not None else [item("10")]},
    }


STATUS_CASES = [
    ("01", "", [item("10")], PurchaseOrderStatus.DRAFT),
    ("03", "", [item("10")], PurchaseOrderStatus.PENDING_APPROVAL),
    ("08", "", [item("10")], PurchaseOrderStatus.DRAFT),
    ("02", "", [item("10"), item("20")], PurchaseOrderStatus.SENT),
    ("05", "", [item("10", delivered=True), item("20")], PurchaseOrderStatus.PARTIALLY_RECEIVED),
    ("02", "", [item("10", delivered=True)], PurchaseOrderStatus.RECEIVED),
    ("02", "", [item("10", delivered=True, invoiced=True)], PurchaseOrderStatus.CLOSED),
    ("02", "L", [item("10", delivered=True)], PurchaseOrderStatus.CANCELLED),
    ("02", "S", [item("10")], PurchaseOrderStatus.SENT),
    # A deleted item is a cancelled line; the live ones decide.
    (
        "02",
        "",
        [item("10", delivered=True), item("20", PurchasingDocumentDeletionCode="L")],
        PurchaseOrderStatus.RECEIVED,
    ),
]


@pytest.mark.parametrize(("status", "deletion", "items", "expected"), STATUS_CASES)
def test_purchase_order_status_combines_deletion_processing_and_receipts(
    status: str, deletion: str, items: list[dict[str, Any]], expected: PurchaseOrderStatus
) -> None:
    assert mapping.purchase_order_status(order(status, deletion, items)) is expected


@pytest.mark.parametrize(
    ("field", "value"),
    [("PurchasingProcessingStatus", "99"), ("PurchasingDocumentDeletionCode", "X")],
)
def test_a_code_missing_from_a_table_is_an_upstream_error(field: str, value: str) -> None:
    data = order()
    data[field] = value
    with pytest.raises(errors.UpstreamError, match=field):
        mapping.purchase_order_status(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CRTD MANC NMAT", WorkOrderStatus.OPEN),
        ("REL NMAT PRC", WorkOrderStatus.SCHEDULED),
        ("REL PCNF NMAT", WorkOrderStatus.IN_PROGRESS),
        ("REL CNF", WorkOrderStatus.COMPLETED),
        ("REL LKD", WorkOrderStatus.ON_HOLD),
        ("TECO PRC", WorkOrderStatus.COMPLETED),
        ("CLSD", WorkOrderStatus.CLOSED),
        ("CRTD DLFL", WorkOrderStatus.CANCELLED),
    ],
)
def test_the_most_decisive_system_status_wins(text: str, expected: WorkOrderStatus) -> None:
    assert mapping.work_order_status(text) is expected


def test_a_status_text_without_a_lifecycle_status_is_an_upstream_error() -> None:
    with pytest.raises(errors.UpstreamError):
        mapping.work_order_status("NMAT PRC")


def test_a_purchase_order_maps_to_a_valid_record_with_prices_per_price_unit() -> None:
    raw = RawRecord("4500000001", datetime(2024, 1, 2, tzinfo=UTC), order())
    record = MODELS[Entity.PURCHASE_ORDERS].model_validate(
        connector.to_unified(Entity.PURCHASE_ORDERS, raw, ids)
    )
    line = record.lines[0]  # type: ignore[attr-defined]
    assert line.unit_price == Decimal("2.5")  # 25.00 per 10 units
    assert line.line_total == Decimal("10.00")
    assert line.item is None and line.location.remote_id == "1710"
    assert record.custom_fields == {"CompanyCode": "1710", "YY1_Project": "P-7"}
    assert record.payment_terms is None  # type: ignore[attr-defined]


def test_every_capability_entity_has_a_map() -> None:
    assert set(SPEC.entities) == set(maps.MAPS)


@given(
    st.text(alphabet="0123456789ABCDEF", min_size=1, max_size=4),
    st.text(alphabet="0123456789ABCDEF", max_size=4),
)
def test_location_ids_split_back_into_plant_and_storage_location(plant: str, place: str) -> None:
    row = {"Plant": plant, "StorageLocation": place}
    remote_id = maps._PLACE.read(row, kit.MapContext(maps.WIRE, _no_ids))
    assert remote_id == (f"{plant}/{place}" if place else plant)
    written: dict[str, Any] = {}
    maps._PLACE.write(remote_id, written, maps.WIRE)
    assert written == ({"Plant": plant, "StorageLocation": place} if place else {"Plant": plant})


def _no_ids(entity: Entity, remote_id: str) -> str:
    raise AssertionError("a location key reads no reference")


# --- writes -------------------------------------------------------------------------------------

ORG = {"CompanyCode": "1710", "PurchasingOrganization": "1710", "PurchasingGroup": "001"}


def create_body(payload: dict[str, Any]) -> dict[str, Any]:
    return mapping.MAPPER.to_source(Entity.PURCHASE_ORDERS, payload, creating=True)


def update_body(changes: dict[str, Any]) -> dict[str, Any]:
    return mapping.MAPPER.to_source(Entity.PURCHASE_ORDERS, changes)


def test_a_create_body_is_one_deep_insert() -> None:
    body = create_body(
        {
            "vendor_remote_id": "17300001",
            "order_date": date(2024, 3, 1),
            "required_date": date(2024, 3, 20),
            "custom_fields": ORG,
            "lines": [
                {
                    "item_remote_id": "TG0011",
                    "quantity": Decimal(5),
                    "location_remote_id": "1710/171A",
                },
                {
                    "description": "Service",
                    "quantity": Decimal("1.5"),
                    "unit_of_measure": "H",
                    "unit_price": Decimal(80),
                    "location_remote_id": "1720",
                    "required_date": date(2024, 3, 5),
                },
            ],
        }
    )
    assert body["Supplier"] == "17300001"
    assert body["PurchaseOrderType"] == "NB"
    assert body["PurchaseOrderDate"] == "/Date(1709251200000)/"
    first, second = body["to_PurchaseOrderItem"]["results"]
    assert (first["PurchaseOrderItem"], first["Plant"], first["StorageLocation"]) == (
        "10",
        "1710",
        "171A",
    )
    assert (
        first["to_ScheduleLine"]["results"][0]["ScheduleLineDeliveryDate"]
        == "/Date(1710892800000)/"
    )
    assert (second["Plant"], second["NetPriceAmount"], second["NetPriceQuantity"]) == (
        "1720",
        "80",
        "1",
    )
    assert "StorageLocation" not in second
    assert (
        second["to_ScheduleLine"]["results"][0]["ScheduleLineDeliveryDate"]
        == "/Date(1709596800000)/"
    )


def test_a_create_body_names_everything_sap_could_not_take() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        create_body(
            {
                "number": "X",
                "vendor_remote_id": "1",
                "custom_fields": {"Unknown": "x"},
                "lines": [{"description": "no unit", "quantity": Decimal(1)}],
            }
        )
    assert set(caught.value.fields) == {
        "number",
        "custom_fields.Unknown",
        "custom_fields.CompanyCode",
        "custom_fields.PurchasingOrganization",
        "custom_fields.PurchasingGroup",
        "lines.0.location_id",
        "lines.0.unit_of_measure",
    }


def test_an_update_body_clears_text_and_refuses_to_clear_dates() -> None:
    assert update_body({"payment_terms": None}) == {"PaymentTerms": ""}
    with pytest.raises(errors.ValidationFailed) as caught:
        update_body({"order_date": None, "lines": []})
    assert set(caught.value.fields) == {"order_date", "lines"}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("Supplier", "vendor_id"),
        ("CompanyCode", "custom_fields.CompanyCode"),
        ("to_PurchaseOrderItem(PurchaseOrderItem='20')/Plant", "lines.1.location_id"),
        (
            "/A_PurchaseOrderItem(PurchaseOrder='',PurchaseOrderItem='10')/OrderQuantity",
            "lines.0.quantity",
        ),
        ("to_PurchaseOrderItem('30')/OrderQuantity", "lines.2.quantity"),
        ("SomethingElse", "SomethingElse"),
    ],
)
def test_sap_error_targets_become_unified_paths(target: str, expected: str) -> None:
    assert odata_v2.TargetNames.of(mapping.MAPPER.maps[Entity.PURCHASE_ORDERS])(target) == expected
