"""The map vocabulary's helpers for declaring many fields at once, and a wire's empty values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ironbridge.connectors.kit import PLAIN, MapContext, Number, Ref, Text, Wire, names, same_names
from ironbridge.model import Entity


def test_names_are_split_on_spaces_in_order() -> None:
    assert names("name  partner_id\nstate") == ("name", "partner_id", "state")


def test_same_names_reads_each_field_at_its_own_name_in_order() -> None:
    fields = same_names(Text, "code name email")
    assert list(fields) == ["code", "name", "email"]
    assert fields["email"] == Text("email")
    assert same_names(Number, "cost") == {"cost": Number("cost")}


def test_a_context_for_codes_only_reads_values_and_refuses_references() -> None:
    ctx = MapContext.codes_only(PLAIN)
    assert Number("qty").read({"qty": "2.5"}, ctx) == Decimal("2.5")
    with pytest.raises(TypeError, match="reference"):
        Ref(Entity.VENDORS, "vendor").read({"vendor": "V1"}, ctx)


class _Blanks(Wire):
    empty_texts = frozenset(("", "-"))


def test_a_wire_reads_none_and_its_empty_texts_as_no_value() -> None:
    wire = _Blanks()
    assert [wire.is_empty(value) for value in (None, "", "-", "x", 0, False)] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert [PLAIN.is_empty(value) for value in (None, "", "-")] == [True, False, False]
