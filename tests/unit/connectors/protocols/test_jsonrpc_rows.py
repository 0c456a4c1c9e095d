from __future__ import annotations

from typing import Any

from ironbridge.connectors.kit import PLAIN
from ironbridge.connectors.protocols.jsonrpc_rows import attach, totals
from ironbridge.connectors.protocols.odoo import ODOO_WIRE


def test_children_go_under_their_parent_in_the_order_read() -> None:
    rows: list[dict[str, Any]] = [{"id": 1}, {"id": 2}, {"id": 3}]
    lines = [
        {"id": 10, "order_id": [2, "PO2"]},
        {"id": 11, "order_id": [1, "PO1"]},
        {"id": 12, "order_id": [2, "PO2"]},
    ]
    attach(rows, "lines", lines, "order_id", ODOO_WIRE)
    assert [[line["id"] for line in row["lines"]] for row in rows] == [[11], [10, 12], []]


def test_a_parent_path_is_read_through_the_wire() -> None:
    rows: list[dict[str, Any]] = [{"id": 7}]
    attach(rows, "lines", [{"purchase": {"id": 7}}, {"purchase": {"id": 8}}], "purchase/id", PLAIN)
    assert rows[0]["lines"] == [{"purchase": {"id": 7}}]


def test_rows_of_one_thing_in_several_parts_are_added_up() -> None:
    quants = [
        {"location_id": [8, "WH/Stock"], "quantity": 2.0, "reserved_quantity": 1.0, "lot": "A"},
        {"location_id": [9, "WH/Shelf"], "quantity": 4.0, "reserved_quantity": 0.0, "lot": "A"},
        {"location_id": [8, "WH/Stock"], "quantity": 3.5, "reserved_quantity": 0.5, "lot": "B"},
    ]
    assert totals(quants, "location_id", ("quantity", "reserved_quantity"), ODOO_WIRE) == [
        {"location_id": [8, "WH/Stock"], "quantity": 5.5, "reserved_quantity": 1.5},
        {"location_id": [9, "WH/Shelf"], "quantity": 4.0, "reserved_quantity": 0.0},
    ]


def test_parts_sent_as_floats_add_up_exactly() -> None:
    quants = [
        {"location_id": 8, "quantity": 0.1, "reserved_quantity": 0.1},
        {"location_id": 8, "quantity": 0.2, "reserved_quantity": 0.0},
    ]
    (level,) = totals(quants, "location_id", ("quantity", "reserved_quantity"), PLAIN)
    assert level == {"location_id": 8, "quantity": 0.3, "reserved_quantity": 0.1}


def test_no_rows_have_no_totals() -> None:
    assert totals([], "location_id", ("quantity",), PLAIN) == []


def test_a_column_may_be_one_sum_less_another_as_the_decimals_show() -> None:
    quants = [
        {"location_id": 8, "quantity": 1.0, "reserved_quantity": 0.1},
        {"location_id": 8, "quantity": 0.3, "reserved_quantity": 0.9},
        {"location_id": 9, "quantity": 0.3, "reserved_quantity": 0.1},
    ]
    columns, free = (
        ("quantity", "reserved_quantity"),
        {"available": ("quantity", "reserved_quantity")},
    )
    assert totals(quants, "location_id", columns, PLAIN, less=free) == [
        {"location_id": 8, "quantity": 1.3, "reserved_quantity": 1.0, "available": 0.3},
        {"location_id": 9, "quantity": 0.3, "reserved_quantity": 0.1, "available": 0.2},
    ]
