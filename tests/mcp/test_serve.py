"""`ironbridge serve`, as users run it, answers MCP at `/mcp`: the session manager runs in the
server's lifespan."""

from __future__ import annotations

from pathlib import Path

import httpx

from ..e2e.conftest import serving


def test_ironbridge_serve_answers_mcp_with_the_demo_token(tmp_path: Path) -> None:
    with serving(tmp_path / "data") as served:
        response = httpx.post(
            f"{served.base}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={
                "Authorization": f"Bearer {served.token}",
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2025-11-25",
            },
            timeout=30,
        )
        assert response.status_code == 200, response.text
        names = {tool["name"] for tool in response.json()["result"]["tools"]}
        assert {"describe_connection", "list_records", "adjust_inventory"} <= names
