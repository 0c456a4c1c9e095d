"""The NetSuite emulator checked against NetSuite's published column and field names.

The SuiteQL tables must use the columns of the NetSuite2.com seed tables (`netsuite2_*.csv`),
save the few named in `schema.NOT_IN_SEEDS` with their source; the Record API bodies and
envelopes must use the property names of NetSuite's REST Record API OpenAPI export
(`netsuite-record-fields-derived.json`; purchase orders are checked against vendor bills,
whose item lines are the same sublist). See tests/data/netsuite/PROVENANCE.md.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from ironbridge.testing.emulators.netsuite import RunningEmulator, running_emulator
from ironbridge.testing.emulators.netsuite.emulator import _PO_HEADER, _PO_LINE, _VENDOR
from ironbridge.testing.emulators.netsuite.schema import NOT_IN_SEEDS, TABLES

SPECS = Path(__file__).resolve().parents[1] / "data" / "netsuite"
SEEDS = {
    "transaction": "netsuite2_transaction_data.csv",
    "transactionline": "netsuite2_transaction_line_data.csv",
    "vendor": "netsuite2_vendor_data.csv",
    "item": "netsuite2_item_data.csv",
}
CUSTOM = ("custbody_", "custcol_", "custentity_", "custitem_")


@cache
def seed_columns(table: str) -> frozenset[str]:
    with (SPECS / SEEDS[table]).open(newline="") as handle:
        return frozenset(next(csv.reader(handle)))


@cache
def record_fields(schema: str) -> frozenset[str]:
    derived = json.loads((SPECS / "netsuite-record-fields-derived.json").read_text())
    return frozenset(entry["name"] for entry in derived[schema])


@pytest.mark.parametrize("table", sorted(TABLES))
def test_suiteql_columns_are_netsuites(table: str) -> None:
    own = {c for c in TABLES[table] if not c.startswith(CUSTOM)} - NOT_IN_SEEDS.get(table, set())
    if table not in SEEDS:
        assert not own, f"{table}: no seed names these columns: {sorted(own)}"
        return
    assert own <= seed_columns(table), sorted(own - seed_columns(table))


def test_columns_said_to_be_missing_from_the_seeds_really_are() -> None:
    for table, columns in NOT_IN_SEEDS.items():
        if table in SEEDS:
            assert not columns & seed_columns(table), table


def test_record_bodies_use_record_api_property_names() -> None:
    assert record_fields("vendor") >= _VENDOR
    assert record_fields("vendorBill") >= _PO_HEADER
    assert _PO_LINE - {"expectedReceiptDate"} <= record_fields("vendorBill-itemElement")


@pytest.fixture(scope="module")
def netsuite() -> Iterator[RunningEmulator]:
    with running_emulator() as running:
        yield running


def suiteql(netsuite: RunningEmulator, statement: str, **params: str) -> httpx.Response:
    from ironbridge.connectors.auth.oauth1_hmac_sha256 import OAuth1Signer

    tba = netsuite.tba
    signer = OAuth1Signer(
        tba["consumer_key"],
        tba["consumer_secret"],
        tba["token_id"],
        tba["token_secret"],
        realm=tba["account_id"],
    )
    return httpx.post(
        f"{netsuite.base_url}/services/rest/query/v1/suiteql",
        params=params,
        json={"q": statement},
        headers={"Prefer": "transient"},
        auth=signer,
    )


def test_pages_and_errors_have_netsuites_envelopes(netsuite: RunningEmulator) -> None:
    page: Any = suiteql(netsuite, "SELECT id FROM vendor ORDER BY id", limit="5").json()
    assert set(page) == record_fields("collectionEnvelope")
    assert page["hasMore"] is True and page["count"] == 5 and page["totalResults"] == 40
    error = suiteql(netsuite, "DELETE FROM vendor")
    assert error.status_code == 400
    assert error.headers["content-type"].endswith("type=error")
    assert set(error.json()) == record_fields("nsError")
    assert {"detail", "o:errorCode"} <= set(error.json()["o:errorDetails"][0])
