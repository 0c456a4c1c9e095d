"""An incremental sync, and reading the sync status, cost what the changes cost, not what the
store holds: every statement that reads or writes `records` seeks by record (remote) id.

Shown on the query plans each database chose for the statements the run actually sent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event

from ironbridge.model import Entity
from ironbridge.store.events import EventQuery, EventRepository
from ironbridge.sync import sync_status
from ironbridge.testing.source import purchase_order

from .conftest import SourceConnection

# `records` as a table name, not `record_counts` nor a column such as `records_seen`.
_RECORDS = re.compile(r'\b(FROM|UPDATE|JOIN|INTO)\s+"?records"?(\s|$)', re.IGNORECASE)
# A seek by one record: on the remote id (the upsert's lookups and updates) or the id.
_BY_RECORD = re.compile(r"\b(remote_id|id)\b\)?(::text)?\s*(=|IN)", re.IGNORECASE)


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool):  # type: ignore[no-untyped-def]
        sent.append((statement, params[0] if many else params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def _sqlite_scans(engine: Engine, statement: str, params: Any) -> list[str]:
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
    # e.g. `SEARCH records USING INDEX sqlite_autoindex_records_1 (connection_id=? AND
    # entity=? AND remote_id=?)` is a seek; `SCAN records` or a search on the connection and
    # entity alone reads the whole entity.
    return [
        row.detail
        for row in plan
        if re.search(r"\b(SCAN|SEARCH) records\b", row.detail)
        and not re.search(r"\b(remote_id|id)=\?", row.detail)
    ]


def _postgres_scans(engine: Engine, statement: str, params: Any) -> list[str]:
    with engine.connect() as conn:
        # The test store is small: without this the planner may read it whole because that is
        # cheap, which says nothing about a store of a million records. Fresh statistics tell
        # it what autovacuum would tell it about a real store.
        conn.exec_driver_sql("ANALYZE records")
        conn.exec_driver_sql("SET enable_seqscan = off")
        (plan,) = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", params).one()
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def conds(node: dict[str, Any]) -> list[str]:
        found = [node[k] for k in ("Index Cond", "Recheck Cond") if k in node]
        return found + [c for child in node.get("Plans", []) for c in conds(child)]

    def walk(node: dict[str, Any]) -> Iterator[str]:
        if node.get("Relation Name") == "records" and not any(
            _BY_RECORD.search(cond) for cond in conds(node)
        ):
            yield f"{node['Node Type']} on records {node.get('Index Name')} {conds(node)}"
        for child in node.get("Plans", []):
            yield from walk(child)

    return list(walk(plan[0]["Plan"]))


def whole_entity_reads(engine: Engine, sent: list[tuple[str, Any]]) -> list[str]:
    explain = _postgres_scans if engine.dialect.name == "postgresql" else _sqlite_scans
    found = []
    for statement, params in sent:
        if _RECORDS.search(statement) and not statement.lstrip().upper().startswith("INSERT"):
            found += [f"{scan}: {statement}" for scan in explain(engine, statement, params)]
    return found


def test_incremental_sync_and_sync_status_seek_records_by_id(
    source_connection: SourceConnection,
) -> None:
    container = source_connection.container
    source_connection.sync(trigger="initial")
    now = datetime.now(UTC)
    for i in range(5):
        source_connection.source.put(
            Entity.PURCHASE_ORDERS, f"P{i * 40:05d}", purchase_order(i * 40, status="received"), now
        )
    with statements(container.engine) as sent:
        source_connection.sync()
        with container.uow() as uow:
            connection = uow.connections.get(source_connection.account.id, source_connection.id)
            assert connection is not None
            (status,) = sync_status(uow, connection, container.registry)
    assert status.records == 300
    with container.uow(readonly=True) as uow:
        found = EventRepository(uow.connection, source_connection.account.id).find(
            EventQuery(types=["purchase_order.updated"], limit=100)
        )
    # The stored record's JSON went into each event as it is, and reads back as the record.
    assert sorted(e.data["remote_id"] for e in found) == [f"P{i * 40:05d}" for i in range(5)]
    assert {e.data["status"] for e in found} == {"received"}
    assert any(_RECORDS.search(s) for s, _ in sent), "the run wrote the changes"
    reads = whole_entity_reads(container.engine, sent)
    assert reads == []
