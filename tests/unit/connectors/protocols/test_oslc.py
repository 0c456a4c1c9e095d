"""OSLC query terms: literals, equality and membership, and the properties a listing selects."""

from __future__ import annotations

from ironbridge.connectors.protocols import rest_json
from ironbridge.connectors.protocols.rest_json.oslc import equals, literal, one_of, selecting


def test_literals_quote_text_and_escape_its_quotes_but_leave_integers_bare() -> None:
    assert literal("BEDFORD") == '"BEDFORD"'
    assert literal('12" PIPE') == '"12\\" PIPE"'
    assert literal(1001) == "1001"


def test_terms_compare_one_value_or_a_list() -> None:
    assert equals("siteid", "BEDFORD") == 'siteid="BEDFORD"'
    assert one_of("siteid", ["BEDFORD", "NASHUA"]) == 'siteid in ["BEDFORD","NASHUA"]'


def test_selecting_adds_the_properties_to_the_listings_fixed_parameters() -> None:
    listing = selecting(rest_json.MAXIMO_OSLC, "wonum,status")
    assert listing.params == {"lean": "1", "stablepaging": "1", "oslc.select": "wonum,status"}
    assert rest_json.MAXIMO_OSLC.params == {"lean": "1", "stablepaging": "1"}
    assert listing.filter_param == "oslc.where"
