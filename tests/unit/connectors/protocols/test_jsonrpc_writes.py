import base64
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors import SessionOptions
from ironbridge.connectors.auth import SignIn, SignInContext, SignInMethods, offer
from ironbridge.connectors.protocols.jsonrpc_changes import ModelResource, read_computed
from ironbridge.connectors.protocols.jsonrpc_models import TRYTON_MODELS, ModelClient
from ironbridge.connectors.protocols.jsonrpc_writes import (
    Put,
    Workflow,
    put_rows,
    put_values,
    refused,
)
from ironbridge.model import Entity, PurchaseOrderStatus

OPTIONS = SessionOptions(allow_private_urls=True)


class Tryton:
    """A Tryton JSON-RPC endpoint that knows product 4, unit `kg` (id 2) and sessions."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[Any], str | None]] = []
        self.valid: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        method, params = body["method"], body["params"]
        header = request.headers.get("Authorization")
        self.calls.append((method, params, header))
        if method == "common.db.login":
            key = f"key{len(self.valid)}"
            self.valid.add(key)
            return httpx.Response(200, json={"id": body["id"], "result": [1, key]})
        if not any(header and header.endswith(_token(key)) for key in self.valid):
            return httpx.Response(401)
        if method == "common.db.logout":
            self.valid.clear()
            result: Any = None
        elif method == "model.product.product.search":
            result = [4] if params[0][0][2] == 4 else []
        elif method == "model.product.uom.search":
            result = [2] if params[0][0][2] == "kg" else []
        elif method == "model.purchase.purchase.read":
            nine = {"__class__": "Decimal", "decimal": "9"}
            result = [{"id": i, "total_amount": nine} for i in params[0]]
        else:
            result = {} if method.endswith("get_preferences") else []
        return httpx.Response(200, json={"id": body["id"], "result": result})


def _token(key: str) -> str:
    return base64.b64encode(f"admin:1:{key}".encode()).decode()


SIGN_IN = SignInMethods(offers=(offer("session_login", settings={"prefix": "Session "}),))


def _client(server: Tryton) -> ModelClient:
    def sign_in(login: Any) -> SignIn:
        values = {"username": "admin", "password": "secret"}
        return SIGN_IN.sign_in(values, SignInContext(OPTIONS, "Tryton", login=login))

    return ModelClient(
        "http://erp.test:8000",
        "erp",
        "admin",
        "secret",
        TRYTON_MODELS,
        OPTIONS,
        transport=httpx.MockTransport(server),
        sign_in=sign_in,
    )


LINES = {
    "item_remote_id": Put("product", "product.product"),
    "unit_of_measure": Put("unit", "product.uom", "symbol"),
    "unit_price": Put("unit_price", convert=Decimal),
    "quantity": Put(),
}


def test_nested_rows_are_written_from_a_table_and_name_the_field_they_fail_on() -> None:
    client = _client(Tryton())
    line = {"item_remote_id": "4", "unit_of_measure": "kg", "unit_price": "2.50", "quantity": 1}
    assert put_values(client, line, LINES, skip_none=True, at="lines.0.") == {
        "product": 4,
        "unit": 2,
        "unit_price": Decimal("2.50"),
    }
    with pytest.raises(errors.ValidationFailed) as caught:
        put_values(client, {"item_remote_id": "5"}, LINES, skip_none=True, at="lines.1.")
    assert list(caught.value.fields) == ["lines.1.item_id"]
    with pytest.raises(errors.ValidationFailed) as caught:
        put_values(client, {"unit_of_measure": "lb"}, LINES, skip_none=True, at="lines.1.")
    assert list(caught.value.fields) == ["lines.1.unit_of_measure"]


def test_a_required_lookup_is_made_even_when_left_out_or_null() -> None:
    client = _client(Tryton())
    table = {**LINES, "item_remote_id": Put("product", "product.product", required=True)}
    for line in ({"quantity": 1}, {"item_remote_id": None}):
        with pytest.raises(errors.ValidationFailed) as caught:
            put_values(client, line, table, skip_none=True, at="lines.0.")
        assert caught.value.fields == {
            "lines.0.item_id": "Tryton has no product.product with the id None."
        }
    assert put_values(client, {"item_remote_id": "4"}, table, skip_none=True) == {"product": 4}


def test_rows_written_anew_are_each_named_by_their_place() -> None:
    client = _client(Tryton())
    rows = [{"item_remote_id": "4", "unit_price": None}, {"unit_of_measure": "kg"}]
    assert put_rows(client, rows, LINES, "lines") == [{"product": 4}, {"unit": 2}]
    with pytest.raises(errors.ValidationFailed) as caught:
        put_rows(client, [*rows, {"item_remote_id": "5"}], LINES, "lines")
    assert list(caught.value.fields) == ["lines.2.item_id"]


def test_custom_fields_a_write_may_not_set_are_refused_by_name() -> None:
    table = {"notes": Put("description"), "custom_fields": Put()}
    values = {"notes": "x", "number": "PO-1", "custom_fields": {"reference": "R", "state": "done"}}
    problems = refused(values, table, "Orders", "create", custom=("reference", "comment"))
    assert set(problems) == {"number", "custom_fields.state"}
    assert problems["custom_fields.state"] == "Only reference and comment can be set."


WORKFLOW = Workflow(
    "Tryton",
    "purchase order",
    {
        PurchaseOrderStatus.DRAFT: {"quotation": ("draft",)},
        PurchaseOrderStatus.APPROVED: {"draft": ("quote", "confirm")},
    },
    {
        PurchaseOrderStatus.DRAFT: frozenset({"draft"}),
        PurchaseOrderStatus.APPROVED: frozenset({"confirmed"}),
    },
    refusal="Set draft or approved.",
    before=("draft",),
)


def test_a_workflow_presses_the_buttons_from_the_current_state() -> None:
    assert WORKFLOW.buttons("draft", None) == ((), ())
    assert WORKFLOW.buttons("draft", PurchaseOrderStatus.APPROVED) == ((), ("quote", "confirm"))
    assert WORKFLOW.buttons("confirmed", PurchaseOrderStatus.APPROVED) == ((), ())
    # Back to draft before the other changes are written, so that they are allowed.
    assert WORKFLOW.buttons("quotation", PurchaseOrderStatus.DRAFT) == (("draft",), ())
    with pytest.raises(errors.RecordLocked) as locked:
        WORKFLOW.buttons("done", PurchaseOrderStatus.DRAFT)
    assert locked.value.details == {"state": "done"}
    with pytest.raises(errors.ValidationFailed) as refused_status:
        WORKFLOW.buttons("draft", PurchaseOrderStatus.RECEIVED)
    assert refused_status.value.fields == {"status": "Set draft or approved."}


def test_computed_fields_are_read_only_for_rows_without_their_cache() -> None:
    server = Tryton()
    resource = ModelResource(
        Entity.PURCHASE_ORDERS,
        "purchase.purchase",
        ("total_amount_cache",),
        computed=("total_amount",),
        computed_cache="total_amount_cache",
    )
    rows = [{"id": 1, "total_amount_cache": None}, {"id": 2, "total_amount_cache": "5"}]
    read_computed(_client(server), resource, rows)
    assert [params[0] for method, params, _ in server.calls if method.endswith(".read")] == [[1]]
    assert rows[0]["total_amount"] == {"__class__": "Decimal", "decimal": "9"}
    assert "total_amount" not in rows[1]


def test_a_session_login_signs_in_once_again_after_its_session_ends_and_logs_out() -> None:
    server = Tryton()
    client = _client(server)
    client.search("product.product", [["id", "=", 4]])
    client.rpc.call("common.db.logout")  # the session ends behind the client's back
    assert client.search("product.product", [["id", "=", 4]]) == [4]
    logins = [call for call in server.calls if call[0] == "common.db.login"]
    assert len(logins) == 2
    assert server.calls[-1][2] == f"Session {_token('key0')}"
    client.close()
    assert server.calls[-1][0] == "common.db.logout"
