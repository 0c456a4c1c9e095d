"""The kit's computed converters, and writes that refuse with reasons, without a network."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors.kit import (
    PLAIN,
    Day,
    First,
    Joined,
    Least,
    Level,
    Line,
    Link,
    MapContext,
    Mapper,
    Matching,
    Number,
    Pick,
    Ratio,
    RecordMap,
    Ref,
    Sorted,
    Template,
    Text,
    Tokens,
    When,
    first_text,
    read_paths,
)
from ironbridge.model import Entity, WorkOrderStatus


def _ids(entity: Entity, remote_id: str) -> str:
    return f"{entity.value}:{remote_id}"


CTX = MapContext(PLAIN, _ids)

ADDRESSES: dict[str, Any] = {
    "Addresses": [
        {"No": "10", "Street": "Main St", "House": "2", "Mail": [{"At": "b@x"}]},
        {
            "No": "9",
            "Street": "Side St",
            "House": None,
            "Mail": [{"At": "a@x"}, {"At": "d@x", "Default": True}],
        },
    ]
}


def test_pick_reads_the_row_first_in_number_order_and_prefers_the_flagged_one() -> None:
    mail = Pick("Addresses", Pick("Mail", Text("At"), prefer="Default"), order="No")
    assert mail.read(ADDRESSES, CTX) == "d@x"  # address 9 sorts before 10, as numbers
    street = Pick("Addresses", {"line1": Joined(("Street", "House"))}, order="No")
    assert street.read(ADDRESSES, CTX) == {"line1": "Side St"}
    assert Pick("Nothing", Text("At")).read(ADDRESSES, CTX) is None


def test_pick_and_sorted_leave_out_rows_that_match_skip() -> None:
    rows = {"Lines": [{"No": "20", "Del": "L"}, {"No": "100"}, {"No": "30"}]}
    assert Pick("Lines", Text("No"), skip={"Del": "L"}).read(rows, CTX) == "100"
    lines = Sorted("Lines", {"n": Text("No")}, order="No", skip={"Del": "L"}).read(rows, CTX)
    assert lines == [{"n": "30"}, {"n": "100"}]


def test_template_joined_and_matching_build_text_from_parts() -> None:
    row = {"Plant": "1710", "Sloc": "171A", "Country": "DEU", "Currency": "EUR"}
    assert Template("Storage {Sloc} (plant {Plant})").read(row, CTX) == "Storage 171A (plant 1710)"
    assert Joined(("Plant", "Sloc"), "/").read(row, CTX) == "1710/171A"
    assert Joined(("Missing",)).read(row, CTX) is None
    assert Matching(Text("Country"), "[A-Z]{2}").read(row, CTX) is None
    assert Matching(Text("Currency"), "[A-Z]{3}").read(row, CTX) == "EUR"


def test_prices_per_price_unit() -> None:
    price = Ratio(Number("Price"), Number("Per"))
    assert price.read({"Price": "25.00", "Per": "10"}, CTX) == Decimal("2.5")
    assert price.read({"Price": "4", "Per": None}, CTX) == Decimal(4)  # no price unit: one
    assert price.read({"Price": "4", "Per": "0"}, CTX) == Decimal(4)
    assert price.read({"Price": "4", "Per": "-1"}, CTX) is None
    assert price.read({"Per": "3"}, CTX) is None


def test_when_least_and_link() -> None:
    row = {
        "Done": True,
        "Qty": "4",
        "Dates": [{"Day": "2024-03-05"}, {"Day": None}, {"Day": "2024-03-01"}],
        "Plant": "1710",
        "Sloc": None,
    }
    assert When("Done", Number("Qty"), Decimal(0)).read(row, CTX) == Decimal(4)
    assert When("Open", Number("Qty"), Decimal(0)).read(row, CTX) == Decimal(0)
    assert Least("Dates", Day("Day")).read(row, CTX) == date(2024, 3, 1)
    assert Least("None", Day("Day")).read(row, CTX) is None
    link = Link(Entity.LOCATIONS, Joined(("Plant", "Sloc"), "/"))
    assert link.read(row, CTX) == {"id": "locations:1710", "remote_id": "1710"}


def test_tokens_take_the_most_decisive_status_and_fail_without_one() -> None:
    status = Tokens("Text", (("CLSD", WorkOrderStatus.CLOSED), ("REL", WorkOrderStatus.SCHEDULED)))
    assert status.read({"Text": "REL NMAT CLSD"}, CTX) is WorkOrderStatus.CLOSED
    assert status.read({"Text": "REL NMAT"}, CTX) is WorkOrderStatus.SCHEDULED
    with pytest.raises(errors.UpstreamError, match="CLSD, REL"):
        status.read({"Text": "NMAT"}, CTX)


MAPPER = Mapper(
    "Testy",
    PLAIN,
    {
        Entity.PURCHASE_ORDERS: RecordMap(
            {
                "number": Text("No", writable=False),
                "vendor": Ref(Entity.VENDORS, "Vendor"),
                "title": First((Text("Title"), Template("Order {No}"))),
            },
            refusals={"number": "Testy numbers orders itself."},
            unclearable=frozenset({"vendor_remote_id"}),
        )
    },
)


def test_writes_refuse_with_the_fields_reason_and_report_the_callers_problems_too() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        MAPPER.to_source(
            Entity.PURCHASE_ORDERS,
            {"number": "7", "vendor_remote_id": None, "title": "x"},
            problems={"lines.0.quantity": "Too many."},
        )
    assert caught.value.fields == {
        "lines.0.quantity": "Too many.",
        "vendor_id": "Testy cannot clear this field.",
        "number": "Testy numbers orders itself.",
        "title": "Testy cannot write this field.",
    }
    assert MAPPER.to_source(Entity.PURCHASE_ORDERS, {"vendor_remote_id": "V1"}) == {"Vendor": "V1"}


def test_first_text_reads_the_first_path_with_text() -> None:
    name = first_text("name label code")
    assert name == First((Text("name"), Text("label"), Text("code")))
    assert name.read({"name": None, "code": 17}, CTX) == "17"
    assert name.read({"label": "Pump"}, CTX) == "Pump"


def test_level_tells_the_top_of_a_hierarchy_from_what_sits_below() -> None:
    level = Level("superior", {"top": "site", "below": "area"})
    assert level.read({"superior": ""}, CTX) == "site"
    assert level.read({"superior": "PLANT-1"}, CTX) == "area"


def test_line_reads_the_first_line_of_multi_line_text_or_the_rest_as_one() -> None:
    row = {"street": "  1 Main St \n Unit 4\n\n  Back door "}
    assert Line("street").read(row, CTX) == "1 Main St"
    assert Line("street", rest=True).read(row, CTX) == "Unit 4 Back door"
    assert Line("street", rest=True).read({"street": "1 Main St"}, CTX) is None
    assert Line("street").read({}, CTX) is None


def test_matching_converts_a_match_and_read_paths_asks_for_what_it_checks() -> None:
    country = Matching(Text("country/code"), "..", str.upper)
    assert country.read({"country": {"code": "us"}}, CTX) == "US"
    assert country.read({"country": {"code": "usa"}}, CTX) is None
    assert read_paths([Matching(Text("country.code"), "..")]) == ("country.code",)
