"""The map vocabulary's helpers for declaring many fields at once."""

from __future__ import annotations

from ironbridge.connectors.kit import Number, Text, names, same_names


def test_names_are_split_on_spaces_in_order() -> None:
    assert names("name  partner_id\nstate") == ("name", "partner_id", "state")


def test_same_names_reads_each_field_at_its_own_name_in_order() -> None:
    fields = same_names(Text, "code name email")
    assert list(fields) == ["code", "name", "email"]
    assert fields["email"] == Text("email")
    assert same_names(Number, "cost") == {"cost": Number("cost")}
