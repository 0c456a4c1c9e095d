"""References in unified records: ids only when stored, the referenced record with `expand`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from ironbridge.api import create_app
from ironbridge.bootstrap import Container
from ironbridge.model import REFERENCE_FIELDS, Entity, record_id
from ironbridge.store.records import RecordRepository, RecordWrite

from ..conftest import ConnectionFixture, new_account, new_sandbox_connection
from .test_error_contract import assert_error
from .test_unified_reads import all_pages

#: Entities whose records hold references, with every reference named.
EXPANDABLE = {entity: ",".join(fields) for entity, fields in REFERENCE_FIELDS.items() if fields}


@pytest.fixture
def synced(any_container: Container) -> ConnectionFixture:
    """A sandbox connection after its initial sync, on SQLite or PostgreSQL."""
    return new_sandbox_connection(any_container, new_account(any_container))


@pytest.fixture
def api(any_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(any_container), raise_server_exceptions=False) as client:
        yield client


def references(entity: Entity, record: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(expand name, value) of every reference place in `record`, row by row."""
    for name, field in REFERENCE_FIELDS[entity].items():
        for holder in field.holders(record):
            yield name, holder.get(field.path[-1])


def every_record(client: TestClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """id → stored record of every entity, deleted ones included."""
    return {
        record["id"]: record
        for entity in Entity
        for record in all_pages(
            client, f"/v1/{entity.value}?include_deleted=true", headers, limit=500
        )
    }


def test_stored_references_hold_ids_only(client: TestClient, sandbox: ConnectionFixture) -> None:
    seen = 0
    for entity in EXPANDABLE:
        for record in all_pages(client, f"/v1/{entity.value}", sandbox.headers, limit=500):
            for _, ref in references(entity, record):
                if ref is not None:
                    assert set(ref) == {"id", "remote_id"}, (entity, ref)
                    seen += 1
    assert seen > 1000


def test_expand_embeds_each_named_reference_as_its_stored_record(
    api: TestClient, synced: ConnectionFixture
) -> None:
    stored = every_record(api, synced.headers)
    for entity, names in EXPANDABLE.items():
        plain = all_pages(api, f"/v1/{entity.value}", synced.headers, limit=200)
        expanded = all_pages(api, f"/v1/{entity.value}?expand={names}", synced.headers, limit=200)
        assert [r["id"] for r in expanded] == [r["id"] for r in plain]
        embedded = 0
        for before, after in zip(plain, expanded, strict=True):
            pairs = zip(references(entity, before), references(entity, after), strict=True)
            for (name, ref), (_, shown) in pairs:
                if ref is None:
                    assert shown is None
                elif ref["id"] in stored:
                    assert shown == stored[ref["id"]], (entity, name)
                    assert "remote_data" not in shown
                    embedded += 1
                else:
                    assert shown == ref, (entity, name)
            # Everything but the references is as stored.
            for name in REFERENCE_FIELDS[entity]:
                field = REFERENCE_FIELDS[entity][name]
                for holder in (*field.holders(before), *field.holders(after)):
                    holder.pop(field.path[-1], None)
            assert before == after
        assert embedded, entity
    # One reference alone, on one record.
    order = next(
        o
        for o in all_pages(api, "/v1/purchase-orders", synced.headers, limit=500)
        if o["lines"] and o["lines"][0]["item"]
    )
    one = api.get(
        f"/v1/purchase-orders/{order['id']}?expand=lines.item", headers=synced.headers
    ).json()
    assert one["vendor"] == order["vendor"], "only what is named is expanded"
    item = one["lines"][0]["item"]
    assert item == stored[order["lines"][0]["item"]["id"]] and item["name"]


def test_a_reference_to_a_record_not_stored_stays_as_ids(
    api: TestClient, any_container: Container, synced: ConnectionFixture
) -> None:
    order = api.get("/v1/purchase-orders?limit=1", headers=synced.headers).json()["data"][0]
    missing = {
        "id": record_id(synced.id, Entity.VENDORS, "V-NOT-SYNCED"),
        "remote_id": "V-NOT-SYNCED",
    }
    body = {**order, "remote_id": "PO-ORPHAN", "vendor": missing}
    body["id"] = record_id(synced.id, Entity.PURCHASE_ORDERS, "PO-ORPHAN")
    with any_container.uow() as uow:
        repo = RecordRepository(uow.connection, synced.id)
        at = datetime.fromisoformat(order["updated_at"].replace("Z", "+00:00"))
        repo.upsert(
            "purchase-orders",
            [
                RecordWrite(
                    body["id"],
                    "PO-ORPHAN",
                    at,
                    body["status"],
                    {},
                    json.dumps(body),
                    "{}",
                    "orphan",
                )
            ],
        )
        # A vendor deleted since is still the one the order names: embedded all the same.
        repo.mark_deleted("vendors", [order["vendor"]["remote_id"]])
        uow.commit()
    orphan = api.get(f"/v1/purchase-orders/{body['id']}?expand=vendor", headers=synced.headers)
    assert orphan.status_code == 200, orphan.text
    assert orphan.json()["vendor"] == missing
    gone = api.get(
        f"/v1/purchase-orders/{order['id']}?expand=vendor", headers=synced.headers
    ).json()
    assert gone["vendor"]["id"] == order["vendor"]["id"] and gone["vendor"]["name"]


@contextmanager
def counted_statements(container: Container) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(container.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(container.engine, "before_cursor_execute", count)


def test_expand_costs_one_lookup_per_page_and_nothing_when_absent(
    api: TestClient, any_container: Container, synced: ConnectionFixture
) -> None:
    page = "/v1/purchase-orders?limit=200"
    api.get(page, headers=synced.headers)  # warm up: the first request loads settings
    for path in (page, f"{page}&include=remote_data"):
        with counted_statements(any_container) as plain:
            assert api.get(path, headers=synced.headers).status_code == 200
        everything = f"{path}&expand={EXPANDABLE[Entity.PURCHASE_ORDERS]}"
        with counted_statements(any_container) as expanded:
            body = api.get(everything, headers=synced.headers).json()
        assert len(expanded) == len(plain) + 1, expanded[len(plain) :]
        assert len({o["vendor"]["id"] for o in body["data"]}) > 10
    order_id = body["data"][0]["id"]
    with counted_statements(any_container) as plain:
        api.get(f"/v1/purchase-orders/{order_id}", headers=synced.headers)
    with counted_statements(any_container) as expanded:
        api.get(f"/v1/purchase-orders/{order_id}?expand=vendor", headers=synced.headers)
    assert len(expanded) == len(plain) + 1


def test_expand_with_remote_data_keeps_the_raw_record_of_the_read_one_only(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    path = "/v1/purchase-orders?limit=5&include=remote_data&expand=vendor"
    for order in client.get(path, headers=sandbox.headers).json()["data"]:
        assert order["remote_data"]["PONumber"] == order["number"]
        assert order["vendor"]["name"] and "remote_data" not in order["vendor"]


@pytest.mark.parametrize(
    ("path", "expand", "message"),
    [
        ("/v1/purchase-orders", "name", "not a reference of purchase-orders"),
        ("/v1/purchase-orders", "asset", "one of: vendor, lines.item, lines.location"),
        ("/v1/purchase-orders", "lines", "not a reference"),
        ("/v1/purchase-orders", "lines.vendor", "not a reference"),
        ("/v1/purchase-orders", "vendor,", "not a reference"),
        ("/v1/purchase-orders", "", "not a reference"),
        ("/v1/purchase-orders", "vendor, lines.item", "not a reference"),
        ("/v1/purchase-orders", "VENDOR", "not a reference"),
        ("/v1/inventory-items", "location", "one of: stock_levels.location"),
        ("/v1/vendors", "vendor", "unknown query parameter"),
    ],
)
def test_expand_names_only_references_of_the_entity(
    client: TestClient, sandbox: ConnectionFixture, path: str, expand: str, message: str
) -> None:
    listed = client.get(path, params={"expand": expand}, headers=sandbox.headers)
    error = assert_error(listed, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert message in error["details"]["fields"]["expand"]
    first = client.get(f"{path}?limit=1", headers=sandbox.headers).json()["data"][0]
    one = client.get(f"{path}/{first['id']}", params={"expand": expand}, headers=sandbox.headers)
    error = assert_error(one, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert message in error["details"]["fields"]["expand"]


def test_a_reference_named_twice_is_expanded_once(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    once = client.get("/v1/purchase-orders?limit=3&expand=vendor", headers=sandbox.headers)
    twice = client.get("/v1/purchase-orders?limit=3&expand=vendor,vendor", headers=sandbox.headers)
    assert twice.status_code == 200 and twice.json() == once.json()
    assert "name" in twice.json()["data"][0]["vendor"]


def test_the_api_document_lists_each_entity_s_expandable_references(
    client: TestClient,
) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for entity in Entity:
        for path in (f"/v1/{entity.value}", f"/v1/{entity.value}/{{record_id}}"):
            parameters = {p["name"]: p for p in paths[path]["get"].get("parameters", [])}
            names = REFERENCE_FIELDS[entity]
            if not names:
                assert "expand" not in parameters, path
                continue
            expand = parameters["expand"]
            assert all(f"`{name}`" in expand["description"] for name in names), path
            pattern = expand["schema"]["pattern"]
            assert all(name.replace(".", "\\.") in pattern for name in names), path
