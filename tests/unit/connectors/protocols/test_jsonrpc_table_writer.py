"""`TableWriter`: one model's writes as a table, its state's buttons pressed around them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors import SessionOptions
from ironbridge.connectors.protocols.jsonrpc_models import TRYTON_MODELS, ModelClient
from ironbridge.connectors.protocols.jsonrpc_writes import (
    Put,
    TableWriter,
    Workflow,
    WriteOperation,
    ensure_writable,
    put_values,
)
from ironbridge.model import PurchaseOrderStatus

TABLE = {"notes": Put("description"), "status": Put()}
WORKFLOW = Workflow(
    "Tryton",
    "purchase order",
    {
        PurchaseOrderStatus.DRAFT: {"quotation": ("draft",)},
        PurchaseOrderStatus.APPROVED: {"draft": ("confirm",)},
    },
    {
        PurchaseOrderStatus.DRAFT: frozenset({"draft"}),
        PurchaseOrderStatus.APPROVED: frozenset({"confirmed"}),
    },
    refusal="Set draft or approved.",
    before=("draft",),
)


class Orders(TableWriter):
    model, what = "purchase.purchase", "purchase order"
    reads, workflow = ("state",), WORKFLOW

    def values(
        self, values: Mapping[str, Any], current: Mapping[str, Any], operation: WriteOperation
    ) -> dict[str, Any]:
        ensure_writable(values, TABLE, "Orders", operation)
        return put_values(self.client, values, TABLE, skip_none=operation == "create")


def _writer(rows: list[dict[str, Any]]) -> tuple[Orders, list[tuple[str, list[Any]]]]:
    calls: list[tuple[str, list[Any]]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        calls.append((body["method"], body["params"]))
        result: Any = None
        if body["method"] == "common.db.login":
            result = [1, "key", None]
        elif body["method"].endswith("get_preferences"):
            result = {"company": 1}
        elif body["method"].endswith("search_read"):
            result = rows
        elif body["method"].endswith("create"):
            result = [12]
        return httpx.Response(200, json={"id": body["id"], "result": result})

    client = ModelClient(
        "http://erp.test:8000",
        "erp",
        "admin",
        "secret",
        TRYTON_MODELS,
        SessionOptions(allow_private_urls=True),
        transport=httpx.MockTransport(answer),
    )
    return Orders(client), calls


def _methods(calls: list[tuple[str, list[Any]]]) -> list[str]:
    return [method for method, _ in calls if method.startswith("model.purchase")]


def test_a_create_sends_the_values_the_table_makes() -> None:
    writer, calls = _writer([])
    assert writer.create({"notes": "urgent", "status": None}) == 12
    assert calls[-1][0] == "model.purchase.purchase.create"
    assert calls[-1][1][0] == [{"description": "urgent"}]


def test_an_update_presses_a_return_to_draft_before_the_write() -> None:
    writer, calls = _writer([{"id": 4, "state": "quotation"}])
    writer.update(4, {"notes": "later", "status": PurchaseOrderStatus.DRAFT})
    assert _methods(calls) == [
        "model.purchase.purchase.search_read",
        "model.purchase.purchase.draft",
        "model.purchase.purchase.write",
    ]


def test_an_update_presses_other_buttons_after_the_write() -> None:
    writer, calls = _writer([{"id": 4, "state": "draft"}])
    writer.update(4, {"notes": "later", "status": PurchaseOrderStatus.APPROVED})
    assert _methods(calls) == [
        "model.purchase.purchase.search_read",
        "model.purchase.purchase.write",
        "model.purchase.purchase.confirm",
    ]


def test_an_update_of_a_reached_status_only_writes() -> None:
    writer, calls = _writer([{"id": 4, "state": "confirmed"}])
    writer.update(4, {"status": PurchaseOrderStatus.APPROVED})
    assert _methods(calls) == ["model.purchase.purchase.search_read"]


def test_an_update_of_a_missing_record_is_not_found() -> None:
    writer, _ = _writer([])
    with pytest.raises(errors.NotFound, match="No Tryton purchase order has the id 4"):
        writer.update(4, {"notes": "later"})


def test_a_field_the_table_lacks_is_refused() -> None:
    writer, _ = _writer([{"id": 4, "state": "draft"}])
    with pytest.raises(errors.ValidationFailed) as caught:
        writer.update(4, {"number": "PO-9"})
    assert "number" in caught.value.fields


class Parties(TableWriter):
    model, what = "party.party", "party"
    table, records = {"name": Put("name", update=False)}, "Parties"

    def values(
        self, values: Mapping[str, Any], current: Mapping[str, Any], operation: WriteOperation
    ) -> dict[str, Any]:
        return put_values(self.client, values, self.table, skip_none=False)


def test_a_writer_with_a_table_refuses_what_it_cannot_write_before_reading() -> None:
    orders, calls = _writer([{"id": 7}])
    parties = Parties(orders.client)
    with pytest.raises(errors.ValidationFailed) as refused:
        parties.update(7, {"name": "New"})
    assert refused.value.details["fields"] == {
        "name": "Parties cannot be given this field through ironbridge."
    }
    assert calls == []
    assert parties.create({"name": "New"}) == 12
