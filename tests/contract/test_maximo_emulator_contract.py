"""The Maximo emulator checked against the notes on IBM's JSON API (the spec folder's
PROVENANCE.md and PROTOCOLS.md section 5, and IBM's Maximo REST client README).

- Each object structure shows the attributes the notes list for it (`FIELDS`).
- Collections are `{"member", "href", "responseInfo"}`; `_rowstamp` is on every record;
  `oslc.pageSize` pages through `responseInfo.nextPage.href` with `pageno`, `collectioncount=1`
  adds `totalCount`, `lean=1` drops the `spi:`/`rdf:` names.
- A member's id is `_` + base64 of its key (`_QkVERk9SRC83MTAw` is `BEDFORD/7100`).
- Errors are `{"Error": {"reasonCode", "message", "statusCode", "extendedError"}}` with the
  message starting with the code and the status as text (BMXAA8727E for an unknown member).
- A create answers 201 with `Location`, and the record itself only with `properties: *`.
- An update without `patchtype: MERGE` replaces a child array; with it, merges (README 3.3).
- A status change is the `wsmethod:changeStatus` action, not a field write.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ironbridge.testing.emulators import serve_emulator
from ironbridge.testing.emulators.maximo import RunningEmulator, running_emulator

#: "Fields to model" of PROVENANCE.md, per object structure (children after the dot).
FIELDS = {
    "mxapiwodetail": {
        "wonum",
        "siteid",
        "orgid",
        "description",
        "status",
        "statusdate",
        "worktype",
        "wopriority",
        "assetnum",
        "location",
        "reportdate",
        "schedstart",
        "schedfinish",
        "changedate",
        "changeby",
        "workorderid",
        "_rowstamp",
    },
    "mxapiasset": {
        "assetnum",
        "siteid",
        "description",
        "status",
        "location",
        "assettype",
        "serialnum",
        "changedate",
        "assetuid",
    },
    "mxapipo": {
        "ponum",
        "revisionnum",
        "siteid",
        "orgid",
        "vendor",
        "status",
        "orderdate",
        "totalcost",
        "currencycode",
        "changedate",
    },
    "mxapipo.poline": {"polinenum", "itemnum", "orderqty", "unitcost", "linecost", "storeloc"},
    "mxapiinventory": {
        "itemnum",
        "itemsetid",
        "location",
        "siteid",
        "curbaltotal",
        "avblbalance",
        "issueunit",
        "status",
    },
    "mxapiinventory.invbalances": {"binnum", "lotnum", "curbal"},
    "mxapiwodetail.wostatus": {"status", "changedate", "changeby", "memo"},
}


@pytest.fixture(scope="module")
def maximo() -> Iterator[RunningEmulator]:
    with running_emulator() as running:
        yield running


@pytest.fixture
def client(maximo: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{maximo.base_url}/maximo/api/", headers={"apikey": maximo.password}
    ) as http:
        yield http


def members(client: httpx.Client, structure: str, **params: str) -> list[dict[str, Any]]:
    response = client.get(f"os/{structure}", params={"lean": "1", **params})
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["member"]
    return rows


@pytest.mark.parametrize("structure", sorted(FIELDS))
def test_each_structure_shows_the_attributes_the_notes_list(
    client: httpx.Client, structure: str
) -> None:
    parent, _, child = structure.partition(".")
    rows = members(client, parent, **{"oslc.select": "*"})
    assert rows
    shown: set[str] = set()
    for row in rows:
        for item in row.get(child, []) if child else [row]:
            shown |= set(item)
    assert FIELDS[structure] <= shown, sorted(FIELDS[structure] - shown)


def test_a_collection_pages_through_next_page_links(client: httpx.Client) -> None:
    first = client.get(
        "os/mxapiwodetail",
        params={
            "lean": "1",
            "oslc.pageSize": "150",
            "collectioncount": "1",
            "oslc.select": "wonum",
        },
    ).json()
    assert set(first) == {"member", "href", "responseInfo"}
    info = first["responseInfo"]
    assert info["totalCount"] == 400 and info["pagenum"] == 1 and len(first["member"]) == 150
    assert "pageno=2" in info["nextPage"]["href"]
    seen = [row["wonum"] for row in first["member"]]
    link: str | None = info["nextPage"]["href"]
    while link:
        page = client.get(link).json()
        seen += [row["wonum"] for row in page["member"]]
        link = page["responseInfo"].get("nextPage", {}).get("href")
    assert len(seen) == len(set(seen)) == 400
    assert all(row["_rowstamp"].isdigit() for row in first["member"])


def test_without_lean_names_carry_their_namespaces(client: httpx.Client) -> None:
    page = client.get("os/mxapiasset", params={"oslc.pageSize": "1"}).json()
    (row,) = page["rdfs:member"]
    assert "rdf:about" in row and "spi:assetnum" in row and "oslc:responseInfo" in page


def test_a_member_id_is_the_base64_of_its_key(client: httpx.Client) -> None:
    (row,) = members(client, "mxapiwodetail", **{"oslc.where": 'wonum="1001"'})
    member = row["href"].rsplit("/", 1)[-1]
    assert member.startswith("_")
    decoded = base64.b64decode(member[1:].replace("-", "=")).decode()
    assert decoded == f"{row['siteid']}/{row['wonum']}"
    assert client.get(row["href"], params={"lean": "1"}).json()["wonum"] == "1001"


def test_errors_use_the_bmxaa_body(client: httpx.Client, maximo: RunningEmulator) -> None:
    missing = client.get("os/mxapiwodetail/_WFlaLzk5OTk-", params={"lean": "1"})
    assert missing.status_code == 404
    error = missing.json()["Error"]
    assert error["reasonCode"] == "BMXAA8727E" and error["statusCode"] == "404"
    assert error["message"].startswith("BMXAA8727E - ")
    assert error["extendedError"]["moreInfo"]["href"].endswith("/BMXAA8727E")
    refused = httpx.get(f"{maximo.base_url}/maximo/api/os/mxapiasset", headers={"apikey": "no"})
    assert refused.status_code == 401 and refused.json()["Error"]["reasonCode"] == "BMXAA7901E"


def test_where_filters_by_change_date_and_refuses_unknown_attributes(client: httpx.Client) -> None:
    rows = members(client, "mxapiwodetail", **{"oslc.select": "changedate"})
    pivot = sorted(row["changedate"] for row in rows)[200]
    later = members(
        client,
        "mxapiwodetail",
        **{"oslc.where": f'changedate>="{pivot}"', "oslc.select": "changedate"},
    )
    assert len(later) == sum(1 for row in rows if row["changedate"] >= pivot)
    wrong = client.get("os/mxapiwodetail", params={"lean": "1", "oslc.where": 'nothing="x"'})
    assert wrong.status_code == 400 and wrong.json()["Error"]["reasonCode"].startswith("BMXAA")
    broken = client.get("os/mxapiwodetail", params={"lean": "1", "oslc.where": "wonum=="})
    assert broken.status_code == 400


def _new_order(client: httpx.Client, properties: bool) -> httpx.Response:
    body = {
        "siteid": "BEDFORD",
        "vendor": "VEN001",
        "poline": [
            {
                "polinenum": 1,
                "itemnum": _an_item(client),
                "orderqty": 2,
                "unitcost": 5,
                "storeloc": "CENTRAL",
            },
        ],
    }
    headers = {"properties": "*"} if properties else {}
    return client.post("os/mxapipo", params={"lean": "1"}, json=body, headers=headers)


def _an_item(client: httpx.Client) -> str:
    (row,) = members(
        client,
        "mxapiinventory",
        **{"oslc.where": 'location="CENTRAL"', "oslc.pageSize": "1", "oslc.select": "itemnum"},
    )
    return str(row["itemnum"])


def test_a_create_answers_location_and_the_record_only_when_asked(client: httpx.Client) -> None:
    bare = _new_order(client, properties=False)
    assert (
        bare.status_code == 201 and not bare.content and "/os/mxapipo/_" in bare.headers["Location"]
    )
    full = _new_order(client, properties=True)
    assert full.status_code == 201 and full.json()["status"] == "WAPPR"
    assert full.json()["href"] == full.headers["Location"]


def test_an_update_replaces_child_arrays_and_a_merge_adds_to_them(client: httpx.Client) -> None:
    order = _new_order(client, properties=True).json()
    line = {
        "polinenum": 2,
        "itemnum": _an_item(client),
        "orderqty": 1,
        "unitcost": 3,
        "storeloc": "CENTRAL",
    }
    patch = {"x-method-override": "PATCH", "properties": "*"}
    merged = client.post(
        order["href"],
        params={"lean": "1"},
        json={"poline": [line]},
        headers={**patch, "patchtype": "MERGE"},
    ).json()
    assert [item["polinenum"] for item in merged["poline"]] == [1, 2]
    line3 = {**line, "polinenum": 3}
    replaced = client.post(
        order["href"], params={"lean": "1"}, json={"poline": [line3]}, headers=patch
    ).json()
    assert [item["polinenum"] for item in replaced["poline"]] == [3]
    assert int(replaced["_rowstamp"]) > int(merged["_rowstamp"]) > int(order["_rowstamp"])


def test_a_stale_if_match_is_refused(client: httpx.Client) -> None:
    order = _new_order(client, properties=True).json()
    headers = {"x-method-override": "PATCH", "If-Match": str(int(order["_rowstamp"]) - 1)}
    stale = client.post(order["href"], json={"description": "late"}, headers=headers)
    assert stale.status_code == 412 and stale.json()["Error"]["reasonCode"] == "BMXAA8229W"


def test_status_changes_are_an_action_with_maximos_rules(client: httpx.Client) -> None:
    created = client.post(
        "os/mxapiwodetail",
        params={"lean": "1"},
        headers={"properties": "*"},
        json={"siteid": "BEDFORD", "description": "Contract check"},
    ).json()
    action = {"lean": "1", "action": "wsmethod:changeStatus"}
    moved = client.post(
        created["href"], params=action, json={"status": "INPRG"}, headers={"properties": "*"}
    )
    assert moved.status_code == 200 and moved.json()["status"] == "INPRG"
    back = client.post(created["href"], params=action, json={"status": "CAN"})
    assert back.status_code == 400 and back.json()["Error"]["reasonCode"] == "BMXAA4590E"
    same = client.post(created["href"], params=action, json={"status": "INPRG"})
    assert "BMXAA0032E" in same.json()["Error"]["message"]
    client.post(created["href"], params=action, json={"status": "CLOSE"})
    closed = client.post(created["href"], params=action, json={"status": "COMP"})
    assert closed.json()["Error"]["reasonCode"] == "BMXAA0031E"


def test_sites_customise_status_synonyms(client: httpx.Client) -> None:
    (domain,) = members(
        client,
        "mxapidomain",
        **{"oslc.where": 'domainid="WOSTATUS"', "oslc.select": "domainid,synonymdomain{*}"},
    )
    nashua = {
        row["value"]: row["maxvalue"]
        for row in domain["synonymdomain"]
        if row["siteid"] == "NASHUA"
    }
    assert nashua == {"WAITPARTS": "WMATL", "DISPATCH": "APPR"}
    orders = members(
        client, "mxapiwodetail", **{"oslc.where": 'status="WAITPARTS"', "oslc.select": "siteid"}
    )
    assert orders and {row["siteid"] for row in orders} == {"NASHUA"}


def test_ironbridge_emulate_maximo_serves_with_the_printed_key() -> None:
    out = io.StringIO()
    stop = threading.Event()
    server = threading.Thread(
        target=serve_emulator, args=("maximo",), kwargs={"out": out, "stop": stop}
    )
    server.start()
    try:
        deadline = time.monotonic() + 10
        while not out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        started = json.loads(out.getvalue())
        answer = httpx.get(
            f"{started['base_url']}/maximo/api/os/mxapioperloc",
            params={"lean": "1", "oslc.pageSize": "1"},
            headers={"apikey": started["password"]},
        )
        assert answer.status_code == 200 and len(answer.json()["member"]) == 1
    finally:
        stop.set()
        server.join()
