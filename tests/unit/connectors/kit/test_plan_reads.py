"""A map's `FieldPlan` reads a decoded JSON object as its fields read it one by one."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors import kit
from ironbridge.model import Entity

_GUID = "00000000-0000-0000-0000-000000000000"


class _EmptyTexts(kit.Wire):
    name = "Empties"
    empty_texts = frozenset(("", _GUID))


class _Decoding(kit.Wire):
    """A wire with its own emptiness and decimals, without `empty_texts`."""

    def is_empty(self, value: Any) -> bool:
        return value is None or value == ""

    def to_decimal(self, value: Any) -> Decimal:
        return super().to_decimal(value) * 2


FIELDS: dict[str, kit.Field] = {
    "text": kit.Text("text"),
    "number": kit.Number("number"),
    "whole": kit.Number("whole"),
    "zero": kit.Number("zero"),
    "negative_zero": kit.Number("negative_zero"),
    "day": kit.Day("day"),
    "vendor": kit.Ref(Entity.VENDORS, "vendor"),
    "prefixed": kit.Ref(Entity.VENDORS, "vendor", prefix="V:"),
    "count": kit.Integer("count"),
}
ROWS: list[dict[str, Any]] = [
    {
        "text": "Valve",
        "number": 12.5,
        "whole": 3,
        "zero": 0.0,
        "negative_zero": -0.0,
        "day": "2026-02-21",
        "vendor": "v-1",
        "count": 4.0,
    },
    {
        "text": 17,
        "number": "12.50",
        "whole": True,
        "zero": "",
        "negative_zero": _GUID,
        "day": "2026-02-21T10:00:00Z",
        "vendor": 42,
        "count": "",
    },
    {"text": "", "number": None, "day": _GUID, "vendor": "", "count": None},
    {"text": _GUID, "vendor": _GUID, "number": -0.0, "zero": 0.0},
    {"vendor": {"id": "nested"}, "text": ["a", "list"]},
]


def _ids(entity: Entity, remote_id: str) -> str:
    return f"{entity.value}:{remote_id}"


def _shown(values: dict[str, Any]) -> list[str]:
    # A Decimal by its text too: 12.5 and 12.50 are equal, not the same.
    return [f"{type(v).__name__}:{v}" for v in values.values()]


@pytest.mark.parametrize("wire", [kit.PLAIN, _EmptyTexts(), _Decoding()], ids=type)
@pytest.mark.parametrize("row", ROWS)
@pytest.mark.parametrize("name", list(FIELDS))
def test_a_plan_reads_as_each_field_does(wire: kit.Wire, row: dict[str, Any], name: str) -> None:
    ctx = kit.MapContext(wire, _ids)
    field = {name: FIELDS[name]}
    try:
        alone = {name: FIELDS[name].read(row, ctx)}
    except (ValueError, TypeError, ArithmeticError) as exc:
        with pytest.raises(errors.UpstreamError, match=f"for {name} is unreadable"):
            kit.read_fields(kit.FieldPlan.of(field), row, ctx)
        with pytest.raises(errors.UpstreamError, match=re.escape(f"unreadable ({exc})")):
            kit.read_rows(kit.FieldPlan.of(field), [row], ctx)
        return
    planned = kit.read_fields(kit.FieldPlan.of(field), row, ctx)
    assert planned == alone
    assert _shown(planned) == _shown(alone)
    # Read again (numbers seen before), the same.
    again = kit.read_rows(kit.FieldPlan.of(field), [row, row], ctx)
    assert [_shown(values) for values in again] == [_shown(alone)] * 2


def test_a_negative_zero_keeps_its_sign_after_a_zero() -> None:
    ctx = kit.MapContext(kit.PLAIN, _ids)
    plan = kit.FieldPlan.of({"amount": kit.Number("amount")})
    first, second, third = kit.read_rows(
        plan, [{"amount": 0.0}, {"amount": -0.0}, {"amount": 0.0}], ctx
    )
    assert (str(first["amount"]), str(second["amount"]), str(third["amount"])) == (
        "0.0",
        "-0.0",
        "0.0",
    )


def test_an_unreadable_value_names_its_field() -> None:
    ctx = kit.MapContext(_EmptyTexts(), _ids)
    with pytest.raises(errors.UpstreamError, match="for day"):
        kit.read_fields(kit.FieldPlan.of(FIELDS), {"day": "not a date"}, ctx)
