"""What SAP Gateway adds to OData V2: its error bodies and its CSRF token protocol."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols import http, odata_v2
from ironbridge.connectors.sap_s4hana import gateway as sap_gateway


def _error_for(response: httpx.Response, **kwargs: Any) -> errors.IronbridgeError:
    return odata_v2.error_for_response(response, reader=sap_gateway.read_error, **kwargs)


# --- errors -------------------------------------------------------------------------------------


def _sap_error(
    status: int, details: Sequence[dict[str, str]] = (), **headers: str
) -> httpx.Response:
    body = {
        "error": {
            "code": "06/017",
            "message": {"lang": "en", "value": "Something is wrong"},
            "innererror": {"errordetails": list(details)},
        }
    }
    request = httpx.Request("PATCH", "https://sap.example.com/sap/opu/odata/sap/S/E('1')")
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_field_details_become_validation_fields() -> None:
    response = _sap_error(
        400,
        [
            {"code": "A", "message": "Supplier blocked", "target": "Supplier", "severity": "error"},
            {"code": "B", "message": "just a note", "target": "Plant", "severity": "info"},
        ],
    )
    raised = _error_for(response, field_names={"Supplier": "vendor_id"})
    assert isinstance(raised, errors.ValidationFailed)
    assert raised.fields == {"vendor_id": "Supplier blocked"}
    assert "06/017" in raised.message


def test_a_400_without_targets_is_still_a_validation_failure() -> None:
    raised = _error_for(_sap_error(400))
    assert isinstance(raised, errors.ValidationFailed)
    assert raised.fields == {"body": "SAP 06/017: Something is wrong"}


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, errors.ConnectionReauthRequired),
        (403, errors.PermissionDenied),
        (404, errors.NotFound),
        (412, errors.RecordLocked),
        (428, errors.UpstreamError),
        (429, errors.RateLimitExceeded),
        (500, errors.UpstreamError),
        (503, errors.ConnectionUnavailable),
    ],
)
def test_statuses_follow_the_table_with_odata_meanings(
    status: int, error: type[errors.IronbridgeError]
) -> None:
    assert type(_error_for(_sap_error(status))) is error


def test_a_function_translates_whole_targets() -> None:
    response = _sap_error(400, [{"message": "bad", "target": "to_Item('2')/Qty"}])
    raised = _error_for(response, field_names=lambda target: f"x.{target}")
    assert isinstance(raised, errors.ValidationFailed)
    assert raised.fields == {"x.to_Item('2')/Qty": "bad"}


# --- CSRF ---------------------------------------------------------------------------------------


class FakeGateway:
    """A MockTransport handler that plays SAP's CSRF protocol and records requests."""

    def __init__(self, *, stale_once: bool = False) -> None:
        self.seen: list[httpx.Request] = []
        # Tokens as sent: a resent request is the same object, so its headers change later.
        self.write_tokens: list[str | None] = []
        self.token = "tok-1"
        self.stale_once = stale_once

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if request.method != "GET":
            self.write_tokens.append(request.headers.get("x-csrf-token"))
        if request.headers.get("x-csrf-token") == "Fetch":
            return httpx.Response(
                200,
                json={"d": {"EntitySets": []}},
                headers={"x-csrf-token": self.token, "set-cookie": "SAP_SESSIONID=abc; Path=/"},
            )
        if request.method == "GET":
            return httpx.Response(200, json={"d": {"results": []}})
        if self.stale_once:
            self.stale_once = False
            self.token = "tok-2"
            return httpx.Response(403, headers={"x-csrf-token": "Required"})
        if request.headers.get("x-csrf-token") != self.token:
            return httpx.Response(403, headers={"x-csrf-token": "Required"})
        return httpx.Response(201, json={"d": {"ok": True}})


def _client(gateway: FakeGateway, **params: str) -> httpx.Client:
    auth = sap_gateway.CsrfTokenAuth(httpx.BasicAuth("user", "pw"))
    client = http.make_client(
        "https://93.184.216.34/",
        auth=auth,
        options=SessionOptions(),
        transport=httpx.MockTransport(gateway),
    )
    client.params = httpx.QueryParams(params)
    return client


def _fetches(gateway: FakeGateway) -> list[httpx.Request]:
    return [r for r in gateway.seen if r.headers.get("x-csrf-token") == "Fetch"]


def test_a_write_fetches_a_token_once_and_sends_it_with_the_session_cookie() -> None:
    gateway = FakeGateway()
    with _client(gateway, **{"sap-client": "100"}) as client:
        assert client.post("sap/opu/odata/sap/SRV/Set", json={}).status_code == 201
        assert client.post("sap/opu/odata/sap/SRV/Set", json={}).status_code == 201
    (fetch,) = _fetches(gateway)
    assert fetch.url.path == "/sap/opu/odata/sap/SRV/"
    assert fetch.url.params["sap-client"] == "100"
    writes = [r for r in gateway.seen if r.method == "POST"]
    assert gateway.write_tokens == ["tok-1", "tok-1"]
    assert all("SAP_SESSIONID=abc" in r.headers.get("cookie", "") for r in writes)
    assert all(r.headers["authorization"].startswith("Basic ") for r in gateway.seen)


def test_reads_carry_no_token_and_fetch_none() -> None:
    gateway = FakeGateway()
    with _client(gateway) as client:
        client.get("sap/opu/odata/sap/SRV/Set")
    assert _fetches(gateway) == []


def test_a_stale_token_is_fetched_again_and_the_write_resent_once() -> None:
    gateway = FakeGateway(stale_once=True)
    with _client(gateway) as client:
        client.post("sap/opu/odata/sap/SRV/Set", json={})  # fetch tok-1, refused, fetch tok-2
    assert len(_fetches(gateway)) == 2
    assert gateway.write_tokens == ["tok-1", "tok-2"]


def test_a_token_refused_twice_is_not_retried_forever() -> None:
    gateway = FakeGateway()
    gateway.token = "never-matches"

    def refuse(request: httpx.Request) -> httpx.Response:
        gateway.seen.append(request)
        if request.headers.get("x-csrf-token") == "Fetch":
            return httpx.Response(200, headers={"x-csrf-token": "tok"})
        return httpx.Response(403, headers={"x-csrf-token": "Required"})

    auth = sap_gateway.CsrfTokenAuth(None)
    with httpx.Client(transport=httpx.MockTransport(refuse), auth=auth) as client:
        response = client.post("https://h/sap/opu/odata/sap/SRV/Set", json={})
    assert response.status_code == 403
    assert len([r for r in gateway.seen if r.method == "POST"]) == 2
