"""An agent's reads through `/mcp`, with the mcp SDK's client over streamable HTTP: the tools it
is offered, and records matching what the REST API returns for the same connection token."""

from __future__ import annotations

import pytest
from mcp import Client, MCPError
from mcp.types import INVALID_PARAMS, CallToolResult, ListToolsResult

from ironbridge.model import PurchaseOrderStatus

from .conftest import Live, answer


def _tools(live: Live) -> ListToolsResult:
    async def scenario(client: Client) -> ListToolsResult:
        return await client.list_tools()

    return live.agent(live.sandbox.token, scenario)


def test_an_agent_is_offered_the_reads_and_the_sandbox_writes_annotated(live: Live) -> None:
    tools = {tool.name: tool for tool in _tools(live).tools}
    reads = {"describe_connection", "list_records", "get_record", "sync_status"}
    # The sandbox's writes (its capability matrix), and nothing it cannot do.
    writes = {
        "create_purchase_order",
        "update_purchase_order",
        "delete_purchase_order",
        "create_work_order",
        "update_work_order",
        "change_work_order_status",
        "create_vendor",
        "update_vendor",
        "adjust_inventory",
    }
    assert set(tools) == reads | writes
    for name in reads:
        assert tools[name].annotations is not None
        assert tools[name].annotations.read_only_hint is True
        assert tools[name].annotations.destructive_hint is False
    for name in writes:
        annotations = tools[name].annotations
        assert annotations is not None and annotations.destructive_hint is True
        assert annotations.read_only_hint is False
        schema = tools[name].input_schema
        assert "idempotency_key" in schema["required"], name
        assert schema["properties"]["dry_run"]["type"] == "boolean"
    for tool in tools.values():
        # One connection per token: no tool could name another.
        assert "connection_id" not in tool.input_schema["properties"], tool.name
    create = tools["create_purchase_order"].input_schema
    assert set(create["required"]) == {"lines", "idempotency_key"}
    assert {"vendor_id", "vendor_remote_id", "currency", "dry_run"} <= set(create["properties"])
    assert tools["change_work_order_status"].input_schema["required"] == [
        "status",
        "idempotency_key",
        "record_id",
    ]
    assert "cannot be modified" in (tools["update_purchase_order"].description or "")


@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_clients_of_either_protocol_era_are_served(live: Live, mode: str) -> None:
    async def scenario(client: Client) -> tuple[str, CallToolResult]:
        return client.protocol_version, await client.call_tool("sync_status", {})

    version, result = live.agent(live.sandbox.token, scenario, mode=mode)
    assert version.startswith("2025-" if mode == "legacy" else "2026-")
    assert not result.is_error and answer(result)["data"]


def test_describe_connection_tells_the_system_its_entities_and_their_values(live: Live) -> None:
    described = answer(live.call(live.sandbox.token, "describe_connection", {}))
    assert described["connection"]["id"] == live.sandbox.id
    assert described["connection"]["system"] == "sandbox"
    assert described["connection"]["status"] == "active"
    orders = described["entities"]["purchase-orders"]
    assert orders["available"] is True
    assert orders["operations"] == ["read", "create", "update", "delete"]
    assert {"id", "number", "status", "vendor", "lines", "total"} <= set(orders["fields"])
    assert orders["values"]["status"] == [s.value for s in PurchaseOrderStatus]
    assert set(orders["filters"]) == {"status", "vendor_id"}
    assert described["entities"]["inventory-items"]["operations"] == ["read", "adjust"]
    assert "priority" in described["entities"]["work-orders"]["values"]


def test_list_records_pages_and_filters_as_the_rest_api_does(live: Live) -> None:
    token = live.sandbox.token
    first = answer(
        live.call(
            token,
            "list_records",
            {"entity": "purchase-orders", "filters": {"status": "approved"}, "limit": 3},
        )
    )
    assert len(first["data"]) == 3 and first["next_cursor"]
    assert {record["status"] for record in first["data"]} == {"approved"}
    rest = live.rest("GET", "/v1/purchase-orders?status=approved&limit=3", token).json()
    assert first == rest
    second = answer(
        live.call(
            token,
            "list_records",
            {
                "entity": "purchase-orders",
                "filters": {"status": "approved"},
                "limit": 3,
                "cursor": first["next_cursor"],
            },
        )
    )
    assert not {r["id"] for r in first["data"]} & {r["id"] for r in second["data"]}

    everything = live.rest("GET", "/v1/work-orders?limit=500", token).json()["data"]
    middle = sorted(r["updated_at"] for r in everything)[len(everything) // 2]
    recent = answer(
        live.call(
            token,
            "list_records",
            {"entity": "work-orders", "modified_after": middle, "limit": 100},
        )
    )
    assert 0 < len(recent["data"]) < len(everything)
    assert (
        recent
        == live.rest(
            "GET", "/v1/work-orders", token, params={"modified_after": middle, "limit": 100}
        ).json()
    )


def test_get_record_answers_the_record_the_rest_api_answers(live: Live) -> None:
    token = live.sandbox.token
    listed = live.rest("GET", "/v1/purchase-orders?limit=1", token).json()["data"][0]
    record = answer(
        live.call(token, "get_record", {"entity": "purchase-orders", "record_id": listed["id"]})
    )
    assert record == live.rest("GET", f"/v1/purchase-orders/{listed['id']}", token).json()
    expanded = answer(
        live.call(
            token,
            "get_record",
            {"entity": "purchase-orders", "record_id": listed["id"], "expand": "vendor"},
        )
    )
    assert expanded["vendor"]["id"] == listed["vendor"]["id"] and "name" in expanded["vendor"]


def test_sync_status_shows_every_synced_entity_ready(live: Live) -> None:
    status = answer(live.call(live.sandbox.token, "sync_status", {}))["data"]
    assert {s["entity"] for s in status} == {
        "purchase-orders",
        "work-orders",
        "inventory-items",
        "vendors",
        "assets",
        "locations",
    }
    assert all(s["ready"] and s["records"] > 0 for s in status)


def test_bad_read_arguments_are_named_in_the_error(live: Live) -> None:
    def fields(tool: str, arguments: dict[str, object]) -> dict[str, str]:
        result = live.call(live.sandbox.token, tool, arguments)
        assert result.is_error
        error = answer(result)["error"]
        assert error["code"] == "VALIDATION_FAILED" and error["request_id"].startswith("req_")
        found: dict[str, str] = error["details"]["fields"]
        return found

    assert "purchase-orders" in fields("list_records", {"entity": "orders"})["entity"]
    assert "100" in fields("list_records", {"entity": "vendors", "limit": 101})["limit"]
    assert set(fields("list_records", {"entity": "vendors", "filters": {"colour": "red"}})) == {
        "colour"
    }
    assert (
        "approved"
        in fields("list_records", {"entity": "purchase-orders", "filters": {"status": "done"}})[
            "status"
        ]
    )
    assert set(fields("get_record", {"entity": "vendors"})) == {"record_id"}
    assert set(fields("sync_status", {"entity": "vendors"})) == {"entity"}


@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_an_unknown_tool_is_a_protocol_error_and_a_failing_call_a_tool_result(
    live: Live, mode: str
) -> None:
    async def scenario(client: Client) -> tuple[MCPError, CallToolResult]:
        with pytest.raises(MCPError) as unknown:
            await client.call_tool("delete_everything", {})
        failing = await client.call_tool("get_record", {"entity": "vendors", "record_id": "x"})
        return unknown.value, failing

    unknown, failing = live.agent(live.sandbox.token, scenario, mode=mode)
    # A JSON-RPC error, as the MCP specification asks for a tool the server does not have.
    assert unknown.code == INVALID_PARAMS
    assert unknown.message == "Unknown tool: delete_everything"
    # A known tool that fails still answers a result the agent can read and act on.
    assert failing.is_error
    assert answer(failing)["error"]["code"] == "NOT_FOUND"
