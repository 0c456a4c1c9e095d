"""The Business Central emulator serves the properties, and the types, Microsoft documents.

The property tables of the API v2.0 resource pages (`tests/data/business_central/`, see its
PROVENANCE.md) are read as data; every entity the emulator serves must have exactly those
properties (plus `@odata.etag`, and the expanded `purchaseOrderLines`), each of its documented
type.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ironbridge.testing.emulators.business_central import SCOPE, RunningEmulator, running_emulator

DATA = Path(__file__).resolve().parents[1] / "data" / "business_central"
_ROW = re.compile(r"^\|(?P<name>\w+)\|(?P<type>[^|]+)\|")


def documented(page: str) -> dict[str, str]:
    """Property → documented type, from a page's "Properties" table."""
    text = (DATA / page).read_text(encoding="utf-8")
    table = text.split("## Properties", 1)[1].split("## JSON", 1)[0]
    rows = (_ROW.match(line.strip()) for line in table.splitlines())
    return {m["name"]: m["type"].strip() for m in rows if m and m["name"] != "Property"}


def _guid(value: Any) -> bool:
    return isinstance(value, str) and str(uuid.UUID(value)) == value


def _date(value: Any) -> bool:
    return value is None or (isinstance(value, str) and bool(date.fromisoformat(value)))


def _datetime(value: Any) -> bool:
    return isinstance(value, str) and value.endswith("Z") and bool(datetime.fromisoformat(value))


TYPES = {
    "GUID": _guid,
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "decimal": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "date": _date,
    "datetime": _datetime,
}
#: Documented option types and the values the pages list for them.
OPTIONS = {
    "NAV.purchaseOrderEntityBufferStatus": {"Draft", "In Review", "Open"},
    "NAV.invoiceLineAggLineType": {
        "Comment",
        "Account",
        "Item",
        "Resource",
        "Fixed Asset",
        "Charge",
    },
    "NAV.vendorBlocked": {" ", "Payment", "All"},
    "NAV.itemType": {"Inventory", "Service", "Non-Inventory"},
}


@pytest.fixture(scope="module")
def bc() -> Iterator[RunningEmulator]:
    with running_emulator() as running:
        yield running


def read(bc: RunningEmulator, entity_set: str, **params: str) -> list[dict[str, Any]]:
    state = bc.emulator
    token = httpx.post(
        bc.token_url,
        data={"grant_type": "client_credentials", "scope": SCOPE},
        auth=(state.client_id, state.client_secret),
    ).json()["access_token"]
    url = f"{bc.base_url}{state.root}companies({state.company_id()})/{entity_set}"
    response = httpx.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["value"]
    return rows


def check(rows: list[dict[str, Any]], properties: dict[str, str], extra: set[str]) -> None:
    assert rows
    for row in rows:
        assert set(row) - extra == set(properties), set(row) ^ set(properties)
        for name, kind in properties.items():
            valid = OPTIONS[kind].__contains__ if kind in OPTIONS else TYPES[kind]
            assert valid(row[name]), f"{name}: {row[name]!r} is not a {kind}"


@pytest.mark.parametrize(
    ("entity_set", "page"),
    [("vendors", "dynamics_vendor.md"), ("items", "dynamics_item.md")],
)
def test_entities_have_the_documented_properties(
    bc: RunningEmulator, entity_set: str, page: str
) -> None:
    check(read(bc, entity_set), documented(page), {"@odata.etag"})


def test_purchase_orders_and_their_lines_have_the_documented_properties(
    bc: RunningEmulator,
) -> None:
    orders = read(bc, "purchaseOrders", **{"$expand": "purchaseOrderLines"})
    check(orders, documented("dynamics_purchaseorder.md"), {"@odata.etag", "purchaseOrderLines"})
    lines = [line for order in orders for line in order["purchaseOrderLines"]]
    check(lines, documented("dynamics_purchaseorderline.md"), {"@odata.etag"})


def test_the_pages_were_read() -> None:
    assert len(documented("dynamics_purchaseorder.md")) > 40
    assert "receivedQuantity" in documented("dynamics_purchaseorderline.md")
