"""Reads of a listing that posts a statement (SuiteQL): whole results, and child rows.

A statement reads one table; a record's children (an order's lines, an item's stock per
location) come from a second statement over the keys of a whole page of parents at once
(`Children`), never one request per parent. Keys are written bare, so only integer keys are
taken (`with_children` refuses any other), and no caller text reaches a statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ironbridge import errors
from ironbridge.connectors.protocols.rest_json.changes import ChangeFeed
from ironbridge.connectors.protocols.rest_json.client import RestJsonClient

__all__ = ["Children", "statement_rows", "with_children"]


@dataclass(frozen=True)
class Children:
    """Rows read with a page of parents by `statement` (`{keys}`: the parents' keys), kept on
    each parent under `name`, matched by their column `parent`."""

    name: str
    statement: str
    parent: str


def statement_rows(
    client: RestJsonClient,
    feed: ChangeFeed,
    statement: str | None = None,
    where: Sequence[str] = (),
    *,
    page_size: int = 1000,
) -> list[dict[str, Any]]:
    """Every row of `statement` (the feed's own by default) under the conditions `where`,
    ordered by the feed's key."""
    pages = client.pages(
        feed.path, feed.listing, page_size=page_size, where=where,
        order=[feed.key_field] if where else [], statement=statement or feed.statement,
    )  # fmt: skip
    return [row for page in pages for row in page]


def with_children(
    client: RestJsonClient,
    feed: ChangeFeed,
    children: Children | None,
    rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """`rows` with their children under `children.name` (an empty list for none), read in one
    statement; `rows` as they are when the feed declares no children."""
    if children is None or not rows:
        return rows
    keys = [feed.key_of(row) for row in rows]
    if not all(isinstance(key, int) or str(key).isdigit() for key in keys):
        raise errors.UpstreamError(f"{client.dialect.name} sent a record key that is no number.")
    statement = children.statement.replace("{keys}", ", ".join(str(int(k)) for k in keys))
    found: dict[str, list[dict[str, Any]]] = {}
    for child in statement_rows(client, feed, statement):
        found.setdefault(str(child.get(children.parent)), []).append(child)
    return [
        {**row, children.name: found.get(str(key), [])} for row, key in zip(rows, keys, strict=True)
    ]
