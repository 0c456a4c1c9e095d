"""What maps derive from the whole row: totals over nested rows, objects of the row's fields."""

from __future__ import annotations

from decimal import Decimal

from ironbridge.connectors.kit import PLAIN, MapContext, Text, gathered, total

CTX = MapContext(PLAIN, lambda entity, remote_id: f"{entity.value}:{remote_id}")
ON_HAND = total("total_on_hand", "inventory", "curbaltotal")


def test_a_total_sums_a_number_over_the_nested_rows() -> None:
    row = {"inventory": [{"curbaltotal": 2.5}, {"curbaltotal": "4"}, {"curbaltotal": None}]}
    assert ON_HAND(row, CTX) == {"total_on_hand": Decimal("6.5")}
    assert ON_HAND({}, CTX) == {"total_on_hand": Decimal(0)}


def test_gathered_reads_the_rows_own_fields_as_one_object() -> None:
    address = gathered("address", {"city": Text("city"), "postal_code": Text("zip")})
    assert address({"city": "Bedford", "zip": 1730, "company": "ACME"}, CTX) == {
        "address": {"city": "Bedford", "postal_code": "1730"}
    }
