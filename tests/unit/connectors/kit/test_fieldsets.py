from __future__ import annotations

from decimal import Decimal

from ironbridge.connectors import kit
from ironbridge.connectors.kit import MapContext, Number, Text, each, read_fields


def _ids(entity: object, remote_id: str) -> str:
    return remote_id


def test_each_declares_one_converter_per_field_in_the_order_given() -> None:
    assert each(Text, code="ref", name="display/name") == {
        "code": Text("ref"),
        "name": Text("display/name"),
    }
    assert list(each(Number, b="x", a="y")) == ["b", "a"]


def test_fields_declared_at_once_read_and_write_as_declared_one_by_one() -> None:
    fields = each(Number, subtotal="net", total="gross")
    row = {"net": "10.50", "gross": 12}
    assert read_fields(fields, row, MapContext(kit.PLAIN, _ids)) == {
        "subtotal": Decimal("10.50"),
        "total": Decimal(12),
    }
    assert kit.write_fields(fields, {"total": Decimal("3")}, kit.PLAIN) == {"gross": "3"}


def test_no_fields_is_an_empty_table() -> None:
    assert each(Text) == {}
