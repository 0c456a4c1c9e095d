"""The HTTP edges parse, authorize, call one service and render: services open the units of
work. Only the hot read path (authentication and the unified reads) opens its own, on purpose
(see docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import ironbridge

SRC = Path(ironbridge.__file__).parent
EDGES = ("api", "connect", "mcp")
#: Authentication and the unified read path share one unit of work and one thread (the MCP
#: edge authenticates and reads as the API does).
OPEN_THEIR_OWN = {"api/deps.py", "api/routes/records.py", "mcp/endpoint.py", "mcp/calls.py"}


def _opens_unit_of_work(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "uow"
    ]


def test_only_the_hot_read_path_opens_a_unit_of_work_at_the_edges() -> None:
    found = {
        f"{path.relative_to(SRC).as_posix()}:{line}"
        for edge in EDGES
        for path in sorted((SRC / edge).rglob("*.py"))
        for line in _opens_unit_of_work(path)
        if path.relative_to(SRC).as_posix() not in OPEN_THEIR_OWN
    }
    assert found == set()


def test_the_hot_read_path_is_still_where_the_exception_is() -> None:
    # The exception names real sites; once they stop opening units of work, it goes.
    for module in OPEN_THEIR_OWN:
        assert _opens_unit_of_work(SRC / module), module
