"""Reading unified records over HTTP: pages, filters, windows, deleted records, raw data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from ironbridge.bootstrap import Container
from ironbridge.model import Entity, record_id
from ironbridge.store.records import RecordRepository, RecordWrite

from ..conftest import ConnectionFixture, new_sandbox_connection
from .test_error_contract import assert_error


def all_pages(
    client: TestClient, path: str, headers: dict[str, str], limit: int = 100
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    sep = "&" if "?" in path else "?"
    url = f"{path}{sep}limit={limit}"
    while True:
        page = client.get(url, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        records += body["data"]
        if not body["next_cursor"]:
            return records
        url = f"{path}{sep}limit={limit}&cursor={body['next_cursor']}"


def test_every_entity_lists_its_sandbox_records(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    status = client.get("/v1/sync", headers=sandbox.headers).json()["data"]
    counts = {s["entity"]: s["records"] for s in status}
    assert all(s["ready"] for s in status)
    assert counts["purchase-orders"] >= 200
    for entity in Entity:
        records = all_pages(client, f"/v1/{entity.value}", sandbox.headers, limit=500)
        assert len(records) == counts[entity.value] > 0
        assert len({r["id"] for r in records}) == len(records)
        keys = [(r["updated_at"], r["id"]) for r in records]
        assert keys == sorted(keys)


def test_default_page_is_100_and_limit_is_capped_at_500(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    page = client.get("/v1/purchase-orders", headers=sandbox.headers).json()
    assert len(page["data"]) == 100 and page["next_cursor"]
    too_big = client.get("/v1/purchase-orders?limit=501", headers=sandbox.headers)
    assert_error(too_big, 400, "VALIDATION_FAILED", "invalid_request_error")


def test_money_is_decimal_strings_and_references_resolve(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    orders = all_pages(client, "/v1/purchase-orders", sandbox.headers, limit=500)
    vendors = {v["id"] for v in all_pages(client, "/v1/vendors", sandbox.headers, limit=500)}
    order = next(o for o in orders if o["lines"])
    assert isinstance(order["total"], str) and isinstance(order["lines"][0]["unit_price"], str)
    assert all(o["vendor"]["id"] in vendors for o in orders)
    one = client.get(f"/v1/vendors/{order['vendor']['id']}", headers=sandbox.headers).json()
    assert one["remote_id"] == order["vendor"]["remote_id"]


def test_pagination_is_stable_under_inserts_and_deletes_between_pages(
    client: TestClient, container: Container, sandbox: ConnectionFixture
) -> None:
    first = client.get("/v1/purchase-orders?limit=50", headers=sandbox.headers).json()
    seen = [r["id"] for r in first["data"]]
    before = {r["id"] for r in all_pages(client, "/v1/purchase-orders", sandbox.headers, 500)}
    deleted = set(sorted(before - set(seen))[:10])
    inserted = {}
    with container.uow() as uow:
        repo = RecordRepository(uow.connection, sandbox.id)
        repo.mark_deleted(
            "purchase-orders", repo.remote_ids_for("purchase-orders", deleted).values()
        )
        template = json.loads(first["data"][0] and json.dumps(first["data"][0]))
        # One new record sorts before the cursor (already passed), one after it.
        for remote, when in (
            ("NEW-EARLY", datetime(2000, 1, 1, tzinfo=UTC)),
            ("NEW-LATE", datetime.now(UTC) + timedelta(days=1)),
        ):
            new_id = record_id(sandbox.id, Entity.PURCHASE_ORDERS, remote)
            body = {**template, "id": new_id, "remote_id": remote, "updated_at": when.isoformat()}
            text = json.dumps(body)
            repo.upsert(
                "purchase-orders",
                [RecordWrite(new_id, remote, when, body["status"], {}, text, "{}", remote)],
            )
            inserted[remote] = new_id
        uow.commit()
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(
            f"/v1/purchase-orders?limit=50&cursor={cursor}", headers=sandbox.headers
        ).json()
        seen += [r["id"] for r in page["data"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)), "no record twice"
    assert (before - deleted) <= set(seen), "every surviving record once"
    assert not (deleted & set(seen[50:])), "deleted records are not served"
    assert inserted["NEW-LATE"] in seen and inserted["NEW-EARLY"] not in seen


def test_status_and_reference_filters(client: TestClient, sandbox: ConnectionFixture) -> None:
    approved = all_pages(client, "/v1/purchase-orders?status=approved", sandbox.headers)
    assert approved and all(o["status"] == "approved" for o in approved)
    vendor_id = approved[0]["vendor"]["id"]
    by_vendor = all_pages(client, f"/v1/purchase-orders?vendor_id={vendor_id}", sandbox.headers)
    assert by_vendor and all(o["vendor"]["id"] == vendor_id for o in by_vendor)
    orders = all_pages(client, "/v1/work-orders", sandbox.headers, 500)
    asset_id = next(o["asset"]["id"] for o in orders if o.get("asset"))
    for_asset = all_pages(client, f"/v1/work-orders?asset_id={asset_id}", sandbox.headers)
    assert for_asset and all(o["asset"]["id"] == asset_id for o in for_asset)
    assert len(for_asset) < len(orders)
    bad = client.get("/v1/purchase-orders?status=shipped", headers=sandbox.headers)
    assert (
        "status"
        in assert_error(bad, 400, "VALIDATION_FAILED", "invalid_request_error")["details"]["fields"]
    )


def test_modified_window_filters(client: TestClient, sandbox: ConnectionFixture) -> None:
    records = all_pages(client, "/v1/purchase-orders", sandbox.headers, 500)
    middle = records[len(records) // 2]["updated_at"]
    after = all_pages(client, f"/v1/purchase-orders?modified_after={middle}", sandbox.headers, 500)
    before = all_pages(
        client, f"/v1/purchase-orders?modified_before={middle}", sandbox.headers, 500
    )
    assert all(r["updated_at"] >= middle for r in after)
    assert all(r["updated_at"] < middle for r in before)
    assert len(after) + len(before) == len(records)
    bad = client.get("/v1/purchase-orders?modified_after=12345", headers=sandbox.headers)
    assert_error(bad, 400, "VALIDATION_FAILED", "invalid_request_error")


def test_deleted_records_only_with_include_deleted(
    client: TestClient, container: Container, sandbox: ConnectionFixture
) -> None:
    vendor = client.get("/v1/vendors?limit=1", headers=sandbox.headers).json()["data"][0]
    before_delete = datetime.now(UTC) - timedelta(seconds=1)
    with container.uow() as uow:
        RecordRepository(uow.connection, sandbox.id).mark_deleted("vendors", [vendor["remote_id"]])
        uow.commit()
    live = all_pages(client, "/v1/vendors", sandbox.headers, 500)
    assert vendor["id"] not in {v["id"] for v in live}
    everything = all_pages(client, "/v1/vendors?include_deleted=true", sandbox.headers, 500)
    assert vendor["id"] in {v["id"] for v in everything}
    read = client.get(f"/v1/vendors/{vendor['id']}", headers=sandbox.headers)
    assert read.status_code == 200
    # The record says it is deleted, and when: a poller of recent changes sees the deletion.
    assert read.json()["deleted"] is True
    assert datetime.fromisoformat(read.json()["updated_at"]) >= before_delete
    recent = client.get(
        "/v1/vendors",
        params={"include_deleted": "true", "modified_after": before_delete.isoformat()},
        headers=sandbox.headers,
    ).json()["data"]
    assert [v["id"] for v in recent] == [vendor["id"]]
    assert recent[0]["deleted"] is True


def test_remote_data_only_when_asked(client: TestClient, sandbox: ConnectionFixture) -> None:
    plain = client.get("/v1/purchase-orders?limit=1", headers=sandbox.headers).json()["data"][0]
    assert "remote_data" not in plain or plain["remote_data"] is None
    rich = client.get(
        "/v1/purchase-orders?limit=1&include=remote_data", headers=sandbox.headers
    ).json()["data"][0]
    assert rich["id"] == plain["id"]
    assert isinstance(rich["remote_data"], dict)
    assert plain["number"] in rich["remote_data"].values()
    one = client.get(
        f"/v1/purchase-orders/{plain['id']}?include=remote_data", headers=sandbox.headers
    ).json()
    assert one["remote_data"] == rich["remote_data"]


def test_unknown_and_foreign_ids_are_404(
    client: TestClient, container: Container, sandbox: ConnectionFixture
) -> None:
    assert_error(
        client.get("/v1/purchase-orders/po_" + "0" * 32, headers=sandbox.headers),
        404,
        "NOT_FOUND",
        "invalid_request_error",
    )
    vendor = client.get("/v1/vendors?limit=1", headers=sandbox.headers).json()["data"][0]
    assert_error(
        client.get(f"/v1/purchase-orders/{vendor['id']}", headers=sandbox.headers),
        404,
        "NOT_FOUND",
        "invalid_request_error",
    )
    other = new_sandbox_connection(container, sandbox.account, "other-customer")
    assert_error(
        client.get(f"/v1/vendors/{vendor['id']}", headers=other.headers),
        404,
        "NOT_FOUND",
        "invalid_request_error",
    )


def test_field_mapping_takes_effect_on_the_next_read(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    order = client.get(
        "/v1/purchase-orders?limit=1&include=remote_data", headers=sandbox.headers
    ).json()["data"][0]
    raw_key = next(
        k for k, v in order["remote_data"].items() if isinstance(v, str) and k != "PONumber"
    )
    mapped = client.patch(
        f"/v1/connections/{sandbox.id}",
        json={
            "field_mappings": {
                "purchase-orders": {"custom_fields.source_copy": raw_key, "notes": "PONumber"}
            }
        },
        headers=sandbox.account.headers,
    )
    assert mapped.status_code == 200, mapped.text
    again = client.get(f"/v1/purchase-orders/{order['id']}", headers=sandbox.headers).json()
    assert again["custom_fields"]["source_copy"] == order["remote_data"][raw_key]
    assert again["notes"] == order["remote_data"]["PONumber"]
    cleared = client.patch(
        f"/v1/connections/{sandbox.id}",
        json={"field_mappings": {}},
        headers=sandbox.account.headers,
    )
    assert cleared.status_code == 200
    back = client.get(f"/v1/purchase-orders/{order['id']}", headers=sandbox.headers).json()
    assert "source_copy" not in back["custom_fields"]
    assert back["notes"] == order["notes"]
