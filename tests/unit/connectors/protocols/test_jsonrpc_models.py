import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors import PassthroughRequest, SessionOptions
from ironbridge.connectors.protocols.jsonrpc_models import (
    ODOO_MODELS,
    TRYTON_MODELS,
    ModelClient,
    ModelDialect,
)

Answer = Callable[[str, list[Any]], Any]


class FakeServer:
    """Records each JSON-RPC call (method, params) and answers through `answer`."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.calls: list[tuple[str, list[Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if "params" in body and isinstance(body["params"], dict):  # Odoo's JSON-RPC 2.0
            method = f"{body['params']['service']}.{body['params']['method']}"
            params = body["params"]["args"]
        else:
            method, params = body["method"], body["params"]
        self.calls.append((method, params))
        if method == "common.db.login":
            return httpx.Response(200, json={"id": body["id"], "result": [1, "key", None]})
        return httpx.Response(200, json={"id": body["id"], "result": self.answer(method, params)})


OPTIONS = SessionOptions(allow_private_urls=True)


def _client(dialect: ModelDialect, server: FakeServer, username: str = "admin") -> ModelClient:
    return ModelClient(
        "http://erp.test:8000",
        "erp",
        username,
        "secret",
        dialect,
        OPTIONS,
        transport=httpx.MockTransport(server),
    )


def _tryton_answers(method: str, params: list[Any]) -> Any:
    if method == "model.res.user.get_preferences":
        return {"company": 1, "employee": None, "language": "fr"}
    if method == "model.ir.model.search_read":
        return [{"id": 9, "name": "production.work"}]
    if method.endswith(".search"):
        return [4]
    return []


def test_tryton_model_calls_take_every_parameter_by_position_with_the_context_last() -> None:
    server = FakeServer(_tryton_answers)
    client = _client(TRYTON_MODELS, server)
    client.search_read("purchase.purchase", [], ["number"], order=(("id", "ASC"),), limit=5)
    client.press("purchase.purchase", "confirm", [4])
    client.delete("purchase.purchase", [4])
    preferences, search_read, press, delete = server.calls[1:]
    assert preferences == ("model.res.user.get_preferences", [True, {}])
    context = {"language": "en", "company": 1}
    assert search_read == (
        "model.purchase.purchase.search_read",
        [[], 0, 5, [["id", "ASC"]], ["number"], context],
    )
    assert press == ("model.purchase.purchase.confirm", [[4], context])
    assert delete == ("model.purchase.purchase.delete", [[4], context])


def test_which_optional_models_exist_is_asked_once_for_all_of_them() -> None:
    server = FakeServer(_tryton_answers)
    client = _client(TRYTON_MODELS, server)
    optional = ["production.work", "quality.inspection"]
    assert client.present("production.work", optional)
    assert not client.present("quality.inspection", optional)
    assert client.present("purchase.purchase", optional)  # not optional: always there
    asked = [params for method, params in server.calls if method == "model.ir.model.search_read"]
    assert len(asked) == 1
    assert asked[0][0] == [["name", "in", sorted(optional)]]


def test_lookups_for_writes_name_the_field_they_fail_on() -> None:
    found: dict[str, list[int]] = {"none": [], "one": [7], "two": [7, 8]}
    server = FakeServer(
        lambda method, params: found[params[0][0][2]] if method.endswith(".search") else {}
    )
    client = _client(TRYTON_MODELS, server)
    assert client.find("currency.currency", "code", "one", "currency") == 7
    for value, state in (("none", "no"), ("two", "more than one")):
        with pytest.raises(errors.ValidationFailed) as caught:
            client.find("currency.currency", "code", value, "currency")
        assert caught.value.fields == {
            "currency": f"Tryton has {state} currency.currency with code {value!r}."
        }
    with pytest.raises(errors.ValidationFailed) as caught:
        client.existing("party.party", "x1", "vendor_id")
    assert caught.value.fields == {"vendor_id": "Tryton has no party.party with the id x1."}


def _odoo_answers(method: str, params: list[Any]) -> Any:
    if method == "common.login":
        return 7 if params[1] == "admin" else False
    if params[4] == "context_get":
        return {"lang": "de_DE", "tz": "Europe/Berlin", "uid": 7}
    return [1]


def test_odoo_model_calls_go_through_execute_kw_after_one_sign_in() -> None:
    server = FakeServer(_odoo_answers)
    client = _client(ODOO_MODELS, server)
    client.search_read("purchase.order", [], ["name"], limit=2)
    client.delete("purchase.order", [1])
    login, preferences, search_read, unlink = server.calls
    assert login == ("common.login", ["erp", "admin", "secret"])
    assert preferences[1][:5] == ["erp", 7, "secret", "res.users", "context_get"]
    context = {"lang": "en_US", "tz": "Europe/Berlin", "uid": 7}
    assert search_read == (
        "object.execute_kw",
        [
            "erp",
            7,
            "secret",
            "purchase.order",
            "search_read",
            [[]],
            {"fields": ["name"], "offset": 0, "limit": 2, "order": None, "context": context},
        ],
    )
    assert unlink[1][3:6] == ["purchase.order", "unlink", [[1]]]


def test_an_odoo_sign_in_refused_needs_reauthorisation() -> None:
    client = _client(ODOO_MODELS, FakeServer(_odoo_answers), username="nobody")
    with pytest.raises(errors.ConnectionReauthRequired, match="nobody"):
        client.search("purchase.order", [])


def test_a_bad_url_is_reported_against_the_url_field() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        ModelClient("ftp://erp.test", "erp", "admin", "x", TRYTON_MODELS, OPTIONS)
    assert set(caught.value.fields) == {"url"}


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (PassthroughRequest("POST", "/common.db.drop", body=[]), "path"),
        (PassthroughRequest("POST", "/model.a.read", query={"x": "1"}), "query"),
        (PassthroughRequest("POST", "/model.a.read", body={"ids": [1]}), "body"),
    ],
)
def test_raw_calls_tryton_cannot_take_are_refused(request_: PassthroughRequest, field: str) -> None:
    client = _client(TRYTON_MODELS, FakeServer(_tryton_answers))
    with pytest.raises(errors.ValidationFailed) as caught:
        client.passthrough(request_)
    assert set(caught.value.fields) == {field}


def test_a_raw_call_returns_the_answer_as_it_came() -> None:
    server = FakeServer(lambda method, params: params)
    client = _client(TRYTON_MODELS, server)
    answer = client.passthrough(PassthroughRequest("POST", "/model.a.read", body=[[1], ["id"], {}]))
    assert answer.status == 200 and answer.body["result"] == [[1], ["id"], {}]
    # Through the session, with the parameters exactly as given (no context added).
    assert [method for method, _ in server.calls] == ["common.db.login", "model.a.read"]
    assert server.calls[1][1] == [[1], ["id"], {}]


def test_the_users_company_is_read_from_the_company_the_context_names() -> None:
    def answer(method: str, params: list[Any]) -> Any:
        if method == "model.res.user.get_preferences":
            return {"company": 3}
        return [{"id": params[0][0], "currency.": {"code": "EUR"}}]

    server = FakeServer(answer)
    company = _client(TRYTON_MODELS, server).company("company.company", ["currency.code"])
    assert company == {"id": 3, "currency.": {"code": "EUR"}}
    assert server.calls[-1][0] == "model.company.company.read"
    assert server.calls[-1][1][:2] == [[3], ["currency.code"]]
    without = FakeServer(lambda method, params: {} if "preferences" in method else [])
    assert _client(TRYTON_MODELS, without).company("company.company", ["name"]) is None
    assert [method for method, _ in without.calls] == [
        "common.db.login",
        "model.res.user.get_preferences",
    ]


def test_a_client_is_made_from_the_connect_forms_fields() -> None:
    server = FakeServer(lambda method, params: {"company": 1} if "preferences" in method else [])
    form = {"url": "http://erp.test:8000", "database": "erp", "username": "ib", "password": "pw"}
    client = ModelClient.from_form(
        form, TRYTON_MODELS, OPTIONS, transport=httpx.MockTransport(server)
    )
    assert (client.database, client.username) == ("erp", "ib")
    client.search("party.party", [])
    assert server.calls[0] == ("common.db.login", ["ib", {"password": "pw"}, "en"])


def test_a_record_named_by_id_is_read_or_refused_on_the_field_that_named_it() -> None:
    def answer(method: str, params: list[Any]) -> Any:
        if method == "model.stock.location.search_read":
            return [{"id": 4, "name": "WH"}] if params[0] == [["id", "=", 4]] else []
        return {}

    server = FakeServer(answer)
    client = _client(TRYTON_MODELS, server)
    missing = "No location {id}."
    assert client.record("stock.location", "4", ["name"], "location_id", missing) == {
        "id": 4,
        "name": "WH",
    }
    asked = len(server.calls)
    for remote_id in ("5", "WH-1"):
        with pytest.raises(errors.ValidationFailed) as refused:
            client.record("stock.location", remote_id, ["name"], "location_id", missing)
        assert refused.value.details["fields"] == {"location_id": f"No location {remote_id}."}
    assert len(server.calls) == asked + 1  # an id that is no number is not asked for
