"""Custom fields writes may set: a source's own codes, checked as the source checks them."""

from __future__ import annotations

from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors.kit import PLAIN, CustomCodes, Mapper, RecordMap, Text
from ironbridge.model import Entity

ORDERS = CustomCodes(
    fixed=frozenset({"Company"}),
    required=("Company", "Group"),
    defaults={"Kind": "NB"},
)
MAPPER = Mapper(
    "Testy",
    PLAIN,
    {
        Entity.PURCHASE_ORDERS: RecordMap(
            {"currency": Text("Currency")},
            custom_fields={name: Text(name) for name in ("Company", "Group", "Kind")},
            extension_prefixes=("U_",),
            custom_codes=ORDERS,
        )
    },
)


def _problems(payload: dict[str, Any], *, creating: bool) -> dict[str, str]:
    with pytest.raises(errors.ValidationFailed) as caught:
        MAPPER.to_source(Entity.PURCHASE_ORDERS, payload, creating=creating)
    return dict(caught.value.fields)


def test_a_new_record_gets_its_codes_defaults_and_extension_fields() -> None:
    custom = {"Company": "1710", "Group": "001", "U_Project": "P-7"}
    body = MAPPER.to_source(
        Entity.PURCHASE_ORDERS, {"currency": "EUR", "custom_fields": custom}, creating=True
    )
    assert body == {
        "Currency": "EUR",
        "Company": "1710",
        "Group": "001",
        "Kind": "NB",
        "U_Project": "P-7",
    }


def test_a_new_record_names_the_codes_it_lacks_and_the_fields_no_one_can_write() -> None:
    problems = _problems({"custom_fields": {"Group": " ", "Other": "x"}}, creating=True)
    assert set(problems) == {
        "custom_fields.Company",
        "custom_fields.Group",
        "custom_fields.Other",
    }
    assert problems["custom_fields.Company"] == (
        "Testy needs Company for a new purchase order; set it in custom_fields."
    )
    assert problems["custom_fields.Other"] == (
        "Not a writable Testy field: use Company, Group, Kind or a U_ extension field."
    )


def test_a_change_sets_codes_but_not_the_fixed_ones() -> None:
    body = MAPPER.to_source(Entity.PURCHASE_ORDERS, {"custom_fields": {"Group": "002"}})
    assert body == {"Group": "002"}
    problems = _problems({"custom_fields": {"Company": "1720", "Kind": 3}}, creating=False)
    assert problems == {
        "custom_fields.Company": "Testy fixes Company when the purchase order is created.",
        "custom_fields.Kind": "Kind must be a non-empty Testy code.",
    }
