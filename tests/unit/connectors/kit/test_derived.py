"""What maps derive from the whole row: objects of the row's own fields, priced lines, stock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ironbridge.connectors.kit import (
    PLAIN,
    Code,
    Day,
    Joined,
    MapContext,
    Number,
    Rows,
    Text,
    booked_time,
    gathered,
    place_levels,
    priced_lines,
    stock_levels,
)

CTX = MapContext(PLAIN, lambda entity, remote_id: f"{entity.value}:{remote_id}")


def test_gathered_reads_the_rows_own_fields_as_one_object() -> None:
    address = gathered("address", {"city": Text("city"), "postal_code": Text("zip")})
    assert address({"city": "Bedford", "zip": 1730, "company": "ACME"}, CTX) == {
        "address": {"city": "Bedford", "postal_code": "1730"}
    }


def test_priced_lines_total_each_line_to_the_cent_and_the_order_when_all_are_priced() -> None:
    lines = Rows(
        "lines",
        {
            "quantity": Number("qty"),
            "unit_price": Number("price"),
            "required_date": Day("due"),
        },
    )
    derive = priced_lines(lines)
    priced = derive(
        {
            "lines": [
                {"qty": "3", "price": "0.335", "due": "2026-05-02"},
                {"qty": "1", "price": "10", "due": "2026-04-30"},
            ]
        },
        CTX,
    )
    assert [line["line_total"] for line in priced["lines"]] == [Decimal("1.01"), Decimal("10.00")]
    assert priced["subtotal"] == Decimal("11.01")
    assert priced["required_date"] == date(2026, 4, 30)
    unpriced = derive({"lines": [{"qty": "1", "price": None, "due": None}]}, CTX)
    assert unpriced["lines"][0]["line_total"] is None
    assert (unpriced["subtotal"], unpriced["required_date"]) == (None, None)
    assert derive({"lines": []}, CTX)["subtotal"] is None


def test_stock_levels_sum_rows_per_place_and_reserve_what_may_not_be_used() -> None:
    derive = stock_levels(
        "stock",
        Joined(("plant", "bin"), "/"),
        Number("qty"),
        Code("type", table={"free": True, "blocked": False}),
    )
    rows = [
        {"plant": "P1", "bin": "B", "qty": "5", "type": "free"},
        {"plant": "P1", "bin": "B", "qty": "2", "type": "blocked"},
        {"plant": "P1", "bin": None, "qty": None, "type": "free"},
        {"plant": "P0", "bin": "A", "qty": "1.5", "type": "free"},
    ]
    found = derive({"stock": rows}, CTX)
    assert found["total_on_hand"] == Decimal("8.5")
    assert found["stock_levels"] == [
        {
            "location": {"id": "locations:P0/A", "remote_id": "P0/A"},
            "on_hand": Decimal("1.5"),
            "available": Decimal("1.5"),
            "reserved": Decimal(0),
            "reorder_point": None,
        },
        {
            "location": {"id": "locations:P1", "remote_id": "P1"},
            "on_hand": Decimal(0),
            "available": Decimal(0),
            "reserved": Decimal(0),
            "reorder_point": None,
        },
        {
            "location": {"id": "locations:P1/B", "remote_id": "P1/B"},
            "on_hand": Decimal(7),
            "available": Decimal(5),
            "reserved": Decimal(2),
            "reorder_point": None,
        },
    ]


def test_place_levels_are_read_one_row_per_place_in_order() -> None:
    levels = place_levels(
        "stock", Text("at"), Number("held"), Number("free"), expected=Number("coming")
    )
    row = {
        "stock": [
            {"at": 9, "held": 5, "free": 3, "coming": 0},
            {"at": 2, "held": None, "free": None, "coming": 0},
            {"at": 4, "held": 0, "free": None, "coming": 6},
            {"at": 1, "held": 2, "free": None, "coming": None},
        ]
    }
    assert levels(row, CTX) == {
        "stock_levels": [
            {
                "location": {"id": "locations:9", "remote_id": "9"},
                "on_hand": Decimal(5),
                "available": Decimal(3),
                "reserved": Decimal(2),
                "reorder_point": None,
            },
            {
                "location": {"id": "locations:4", "remote_id": "4"},
                "on_hand": Decimal(0),
                "available": Decimal(0),
                "reserved": Decimal(0),
                "reorder_point": None,
            },
            {
                "location": {"id": "locations:1", "remote_id": "1"},
                "on_hand": Decimal(2),
                "available": Decimal(2),
                "reserved": Decimal(0),
                "reorder_point": None,
            },
        ],
        "total_on_hand": Decimal(7),
    }
    assert levels({}, CTX) == {"stock_levels": [], "total_on_hand": Decimal(0)}


def test_booked_time_runs_from_the_entries_stamps_and_durations() -> None:
    booked = booked_time("cycles", stamp="at", duration="took", ended={"state": frozenset({"end"})})
    noon = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    cycles = [
        {"state": "done", "at": noon, "took": timedelta(hours=2)},
        {"state": "running", "at": noon + timedelta(hours=1), "took": None},
        {"state": "cancelled", "at": noon - timedelta(days=1), "took": timedelta(hours=9)},
        {"state": "done", "at": None, "took": timedelta(hours=5)},
        {"state": "done", "at": noon + timedelta(hours=3), "took": timedelta(minutes=30)},
    ]
    assert booked({"state": "end", "cycles": cycles}, CTX) == {
        "actual_start": noon - timedelta(hours=2),
        "actual_end": noon + timedelta(hours=3),
        "actual_hours": Decimal("2.50"),
    }
    assert booked({"state": "open", "cycles": cycles}, CTX)["actual_end"] is None
    assert booked({"state": "end"}, CTX) == dict.fromkeys(
        ("actual_start", "actual_end", "actual_hours")
    )
