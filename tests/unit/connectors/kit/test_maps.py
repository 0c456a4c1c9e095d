"""The kit's map vocabulary: one declaration reads and writes, through any family's wire."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors import RawRecord
from ironbridge.connectors.kit import (
    PLAIN,
    Code,
    Const,
    Day,
    First,
    Flags,
    MapContext,
    Mapper,
    Number,
    Numbered,
    Place,
    RecordMap,
    Ref,
    Rows,
    Stamp,
    Text,
    Variants,
    Wire,
    ensure_resolved,
    read_paths,
)
from ironbridge.model import Entity, PurchaseOrderStatus, VendorStatus


def _ids(entity: Entity, remote_id: str) -> str:
    return f"{entity.value}:{remote_id}"


CTX = MapContext(PLAIN, _ids)


class _Blank(Wire):
    """A wire like SAP's: `""` means nothing, and its status tables decide what it means."""

    name = "Blanky"
    blank = ""
    blank_write = ""

    def is_empty(self, value: Any) -> bool:
        return value is None or value == ""


STATUS: Mapping[Any, PurchaseOrderStatus] = {
    "D": PurchaseOrderStatus.DRAFT,
    "X": PurchaseOrderStatus.CANCELLED,
}


def test_paths_reach_into_nested_objects_and_lists() -> None:
    row = {"to_Supplier": {"Name": "Acme"}, "Lines": {"results": [{"Qty": "2.5"}]}}
    assert Text("to_Supplier/Name").read(row, CTX) == "Acme"
    lines = Rows("Lines", {"quantity": Number("Qty")}).read(row, CTX)
    assert lines == [{"quantity": Decimal("2.5")}]


def test_numbers_dates_and_instants_are_typed() -> None:
    row = {"n": 0.1, "d": "2025-03-01", "t": "2025-03-01T10:15:00+02:00"}
    assert Number("n").read(row, CTX) == Decimal("0.1")
    assert Day("d").read(row, CTX) == date(2025, 3, 1)
    assert Stamp("t").read(row, CTX) == datetime(2025, 3, 1, 8, 15, tzinfo=UTC)


def test_an_unknown_code_fails_the_record_unless_the_table_is_of_customizing() -> None:
    with pytest.raises(errors.UpstreamError, match=r"'Q'.*does not know"):
        Code("s", STATUS).read({"s": "Q"}, CTX)
    assert Code("s", STATUS, otherwise=None).read({"s": "Q"}, CTX) is None


def test_a_blank_code_is_no_value_or_the_tables_own_code_by_wire() -> None:
    assert Code("s", STATUS).read({"s": None}, CTX) is None
    blank = MapContext(_Blank(), _ids)
    with pytest.raises(errors.UpstreamError, match="Blanky sent s ''"):
        Code("s", STATUS).read({"s": ""}, blank)
    assert Code("s", {**STATUS, "": PurchaseOrderStatus.SENT}).read({}, blank) == "sent"


def test_a_refined_code_is_decided_by_another_field() -> None:
    status = Code("s", STATUS, refine={"P": Code("t", {"r": PurchaseOrderStatus.RECEIVED})})
    assert status.read({"s": "P", "t": "r"}, CTX) is PurchaseOrderStatus.RECEIVED


def test_references_hold_ids_only_and_read_nested_objects() -> None:
    assert Ref(Entity.VENDORS, "v").read({"v": 7}, CTX) == {"id": "vendors:7", "remote_id": "7"}
    assert Ref(Entity.VENDORS, "v").read({"v": {"id": 3, "name": "x"}}, CTX) == {
        "id": "vendors:3",
        "remote_id": "3",
    }
    assert Ref(Entity.LOCATIONS, "f", prefix="FL:").read({"f": "A"}, CTX) == {
        "id": "locations:FL:A",
        "remote_id": "FL:A",
    }


def test_flags_take_the_first_set() -> None:
    flags = Flags(
        (("deleted", VendorStatus.INACTIVE), ("blocked", VendorStatus.BLOCKED)), VendorStatus.ACTIVE
    )
    assert flags.read({"blocked": True}, CTX) is VendorStatus.BLOCKED
    assert flags.read({}, CTX) is VendorStatus.ACTIVE


MAPPER = Mapper(
    "Testy",
    PLAIN,
    {
        Entity.VENDORS: RecordMap(
            {"code": Text("Code"), "status": Code("Status", {"A": VendorStatus.ACTIVE})},
            created=Stamp("Created"),
            custom_fields={"rating": Text("Rating", writable=False)},
            extension_prefixes=("U_",),
            strip_prefix=True,
        )
    },
)


def test_a_mapper_reads_a_whole_record_with_custom_fields() -> None:
    raw = RawRecord("V1", None, {"Code": "V1", "Status": "A", "Rating": "B", "U_Region": "N"})
    unified = MAPPER.to_unified(Entity.VENDORS, raw, _ids)
    assert unified["code"] == "V1" and unified["status"] is VendorStatus.ACTIVE
    assert unified["custom_fields"] == {"rating": "B", "Region": "N"}


def test_a_mapper_names_the_record_it_cannot_read() -> None:
    raw = RawRecord("V2", None, {"Code": "V2", "Status": "Z"})
    with pytest.raises(errors.UpstreamError, match=r"Testy vendor V2: .*'Z'"):
        MAPPER.to_unified(Entity.VENDORS, raw, _ids)


def test_writes_go_through_the_same_declarations_and_refuse_the_rest() -> None:
    body = MAPPER.to_source(
        Entity.VENDORS, {"status": VendorStatus.ACTIVE, "custom_fields": {"Region": "S"}}
    )
    assert body == {"Status": "A", "U_Region": "S"}
    with pytest.raises(errors.ValidationFailed) as caught:
        MAPPER.to_source(Entity.VENDORS, {"code": "V9", "rating": "A"})
    assert list(caught.value.fields) == ["rating"]


def test_a_blank_wire_clears_with_its_own_blank() -> None:
    assert Mapper("B", _Blank(), MAPPER.maps).to_source(Entity.VENDORS, {"code": None}) == {
        "Code": ""
    }


def test_unresolved_references_are_refused_in_models_and_plain_payloads() -> None:
    with pytest.raises(ValueError, match="vendor_id reached the Testy connector unresolved"):
        ensure_resolved({"lines": [{"x": 1}], "vendor_id": "vnd_1"}, "Testy")
    with pytest.raises(ValueError, match="item_id"):
        ensure_resolved({"lines": [{"item_id": "itm_1"}]}, "Testy")
    ensure_resolved({"vendor_remote_id": "V1", "tax_id": "DE1"}, "Testy")


def test_a_mapper_dates_records_whose_map_declares_no_creation_time() -> None:
    mapper = Mapper(
        "Testy",
        PLAIN,
        {
            Entity.VENDORS: RecordMap({"code": Text("Code")}),
            Entity.LOCATIONS: RecordMap({"code": Text("Code")}, created=Stamp("Opened")),
        },
        created=Stamp("Made"),
    )
    row = {"Code": "A", "Made": "2026-01-02T03:04:05Z", "Opened": "2025-01-01T00:00:00Z"}
    vendor = mapper.to_unified(Entity.VENDORS, RawRecord("A", None, row), _ids)
    location = mapper.to_unified(Entity.LOCATIONS, RawRecord("A", None, row), _ids)
    assert vendor["created_at"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert location["created_at"] == datetime(2025, 1, 1, tzinfo=UTC)


def test_read_paths_are_the_paths_a_table_reads_nested_ones_under_theirs_each_once() -> None:
    lines = Numbered("lines", {"item": Ref(Entity.INVENTORY_ITEMS, "product")}, {"type": "line"})
    fields = {
        "status": Code("state", {"a": 1}, {"b": Code("sub_state", {"c": 2})}),
        "total": First((Number("total_cache"), Number("total"))),
        "address": Place("address", {"city": Text("city"), "kind": Const("x")}),
        "rows": Rows("moves", {"qty": Number("quantity"), "state": Text("state")}),
        "again": Text("state"),
        "lines": lines,
    }
    assert read_paths(fields.values()) == (
        "state",
        "sub_state",
        "total_cache",
        "total",
        "address.city",
        "moves.quantity",
        "moves.state",
        "lines.product",
        "lines.type",
    )
    assert read_paths([Text("code")], "parent.") == ("parent.code",)


def test_variants_choose_a_map_by_remote_id_prefix_then_by_a_field_that_holds_a_value() -> None:
    site, store = RecordMap({"code": Text("Site")}), RecordMap({"code": Text("Store")})
    choose = Variants(Entity.LOCATIONS, {"S:": site}, {"Store": store})
    assert choose(Entity.LOCATIONS, RawRecord("S:1", None, {"Store": "A"})) is site
    assert choose(Entity.LOCATIONS, RawRecord("1/A", None, {"Store": "A"})) is store
    assert choose(Entity.LOCATIONS, RawRecord("1", None, {"Store": ""})) is None
    assert choose(Entity.ASSETS, RawRecord("S:1", None, {})) is None
