"""Nested rows of one kind, numbered by their place among rows of every kind."""

from __future__ import annotations

from decimal import Decimal

from ironbridge.connectors.kit import PLAIN, MapContext, Number, Numbered, Text

CTX = MapContext(PLAIN, lambda entity, remote_id: f"{entity.value}:{remote_id}")
ROW = {
    "lines": [
        {"kind": "goods", "sku": "A", "qty": 2},
        {"kind": "comment", "sku": None, "qty": None},
        {"kind": "goods", "sku": "B", "qty": "1.5"},
    ]
}


def test_numbered_keeps_the_rows_asked_for_with_their_place_among_all() -> None:
    lines = Numbered("lines", {"sku": Text("sku"), "qty": Number("qty")}, {"kind": "goods"})
    assert lines.read(ROW, CTX) == [
        {"sku": "A", "qty": Decimal(2), "line_number": 1},
        {"sku": "B", "qty": Decimal("1.5"), "line_number": 3},
    ]


def test_numbered_reads_every_row_without_a_filter_under_the_number_named() -> None:
    lines = Numbered("lines", {"kind": Text("kind")}, number="position")
    assert [line["position"] for line in lines.read(ROW, CTX)] == [1, 2, 3]
    assert Numbered("lines", {}).read({}, CTX) == []
