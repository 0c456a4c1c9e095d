"""Who may use `/mcp`: a connection token sees its own connection only; admin keys and missing
tokens are refused with the error contract; the REST API's rate limit counts MCP requests."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from mcp import MCPError

from ironbridge.api import create_app
from ironbridge.bootstrap import Container

from ..api.test_error_contract import assert_error
from ..conftest import new_account, new_sandbox_connection
from .conftest import Live, answer, serving

LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    leaves: list[BaseException] = []
    for exc in group.exceptions:
        leaves += _leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc]
    return leaves


def test_an_admin_key_or_no_token_is_refused(live: Live) -> None:
    refused = live.post(live.account.admin_key, LIST_TOOLS)
    error = assert_error(refused, 401, "AUTHENTICATION_FAILED", "authentication_error")
    assert error["details"] == {"given": "admin_key", "expected": "connection_token"}
    missing = live.post(None, LIST_TOOLS)
    assert_error(missing, 401, "AUTHENTICATION_FAILED", "authentication_error")
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    # The SDK's client cannot get past the refusal either.
    with pytest.raises(BaseExceptionGroup) as raised:
        live.call(live.account.admin_key, "describe_connection", {})
    assert any(isinstance(leaf, MCPError) for leaf in _leaves(raised.value))
    assert live.post(live.sandbox.token, LIST_TOOLS).status_code == 200
    # Stateless: no session to stream to or to end.
    stream = httpx.get(f"{live.url}/mcp", headers={"Authorization": f"Bearer {live.sandbox.token}"})
    assert_error(stream, 405, "METHOD_NOT_ALLOWED", "invalid_request_error")


def test_another_connections_records_are_invisible(live: Live) -> None:
    other_account = new_account(live.container, "Other Integrator")
    other = new_sandbox_connection(live.container, other_account, customer="cust-9")
    theirs = live.rest("GET", "/v1/purchase-orders?limit=500", other.token).json()["data"]
    ours = answer(
        live.call(live.sandbox.token, "list_records", {"entity": "purchase-orders", "limit": 100})
    )["data"]
    assert ours and not {r["id"] for r in ours} & {r["id"] for r in theirs}
    result = live.call(
        live.sandbox.token,
        "get_record",
        {"entity": "purchase-orders", "record_id": theirs[0]["id"]},
    )
    assert result.is_error
    assert answer(result)["error"]["code"] == "NOT_FOUND"
    described = answer(live.call(live.sandbox.token, "describe_connection", {}))
    assert described["connection"]["id"] == live.sandbox.id
    # No argument can name the other connection.
    sneaky = live.call(
        live.sandbox.token,
        "list_records",
        {"entity": "purchase-orders", "connection_id": other.id},
    )
    assert answer(sneaky)["error"]["details"]["fields"] == {
        "connection_id": "Extra inputs are not permitted"
    }


def test_mcp_requests_count_against_the_connections_rate_limit(
    tmp_path: Path, store: dict[str, object]
) -> None:
    with serving(tmp_path, rate_limit_per_minute=5, **store) as live:
        token = live.sandbox.token
        for _ in range(3):
            assert live.post(token, LIST_TOOLS).status_code == 200
        for _ in range(2):
            assert live.rest("GET", "/v1/connection", token).status_code == 200
        limited = live.post(token, LIST_TOOLS)
        error = assert_error(limited, 429, "RATE_LIMIT_EXCEEDED", "rate_limit_error")
        assert int(limited.headers["Retry-After"]) > 0
        assert error["details"] == {"limit_per_minute": 5}


def test_the_app_serves_without_the_mcp_extra(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if `mcp` were not installed: importing it, or anything of it, fails.
    for name in [n for n in sys.modules if n == "mcp" or n.startswith("mcp.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "mcp", None)
    for name in [n for n in sys.modules if n.startswith("ironbridge.mcp")]:
        monkeypatch.delitem(sys.modules, name)
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        assert client.get("/healthz").status_code == 200
        assert_error(
            client.post("/mcp", json=LIST_TOOLS), 404, "NOT_FOUND", "invalid_request_error"
        )
