"""docs/mcp.md says what the server offers: every tool of the catalog in its table, and agent
configurations an agent host can read."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ironbridge.mcp import READ_TOOLS, WRITE_TOOLS

DOC = Path(__file__).parents[2] / "docs" / "mcp.md"


def test_the_tools_table_lists_every_tool_and_no_other() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("| tool |") : text.index("\n\n", text.index("| tool |"))]
    listed = {
        name
        for row in table.splitlines()[2:]
        for name in re.findall(r"`([a-z_]+)`", row.split("|")[1])
    }
    assert listed == {t.name for t in READ_TOOLS} | {t.name for t in WRITE_TOOLS}


def test_the_agent_configurations_are_json_naming_the_endpoint_and_a_bearer() -> None:
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    configs = [json.loads(block) for block in blocks if "mcpServers" in block]
    assert len(configs) == 2
    for config in configs:
        (server,) = config["mcpServers"].values()
        words = json.dumps(server)
        assert "/mcp" in words and "Bearer ib_conn_" in words
