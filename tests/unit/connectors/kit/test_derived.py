"""What maps derive from the whole row: objects of the row's own fields."""

from __future__ import annotations

from ironbridge.connectors.kit import PLAIN, MapContext, Text, gathered

CTX = MapContext(PLAIN, lambda entity, remote_id: f"{entity.value}:{remote_id}")


def test_gathered_reads_the_rows_own_fields_as_one_object() -> None:
    address = gathered("address", {"city": Text("city"), "postal_code": Text("zip")})
    assert address({"city": "Bedford", "zip": 1730, "company": "ACME"}, CTX) == {
        "address": {"city": "Bedford", "postal_code": "1730"}
    }
