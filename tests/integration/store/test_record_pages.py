"""A list page seeks to its cursor in an index, so it costs the same at any depth: checked on the
plan SQLite and PostgreSQL choose for the very query the read path runs, over a store that also
holds another connection's records and another entity's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event

from ironbridge.accounts import create_account
from ironbridge.bootstrap import Container
from ironbridge.connections import ConnectionCreate, connect
from ironbridge.store.records import RecordQuery, RecordRepository, RecordWrite

ENTITY = "purchase-orders"
#: This connection's purchase orders; the other connection and entity add half as many each.
ROWS = 6_000
LIMIT = 100
BASE = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = ["open", "open", "closed", "closed", "closed", "open", "closed", "open", "open", "draft"]


def modified_at(i: int) -> datetime:
    # Three records a second: pages must break ties on id.
    return BASE + timedelta(seconds=i // 3)


def write(connection_id: str, entity: str, i: int) -> RecordWrite:
    record_id = f"po_{connection_id[-8:]}{entity[:2]}{i:06d}"
    unified = json.dumps({"id": record_id, "remote_id": str(i), "note": "x" * 200})
    return RecordWrite(
        id=record_id,
        remote_id=str(i),
        modified_at=modified_at(i),
        status=STATUSES[i % len(STATUSES)],
        filters={"vendor_id": f"vnd_{i % 2}"},
        unified=unified,
        raw="{}",
        content_hash=f"{i:064d}",
        deleted=i % 40 == 0,
    )


@dataclass
class Store:
    container: Container
    connection_id: str

    @property
    def engine(self) -> Engine:
        return self.container.engine

    @property
    def dialect(self) -> str:
        return self.container.engine.dialect.name


def fill(container: Container, connection_id: str, entity: str, count: int) -> None:
    for start in range(0, count, 1_000):
        batch = [write(connection_id, entity, i) for i in range(start, min(count, start + 1_000))]
        with container.uow() as uow:
            RecordRepository(uow.connection, connection_id).upsert(entity, batch)
            uow.commit()


@pytest.fixture
def store(any_container: Container) -> Store:
    ids = []
    with any_container.uow() as uow:
        account = create_account(uow, "Pages")
        for customer in ("paged", "other"):
            view, _ = connect(
                uow,
                any_container.cipher,
                any_container.registry,
                account.id,
                ConnectionCreate(
                    system="sandbox", end_customer_id=customer, end_customer_name=customer
                ),
                options=any_container.session_options,
            )
            ids.append(view.id)
    paged, other = ids
    fill(any_container, paged, ENTITY, ROWS)
    fill(any_container, paged, "vendors", ROWS // 2)
    fill(any_container, other, ENTITY, ROWS // 2)
    if any_container.engine.dialect.name == "postgresql":
        # What autovacuum would have done by now: the planner sees the table as it is.
        with any_container.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE records")
    return Store(any_container, paged)


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SQL text and parameters of every statement run on `engine` meanwhile."""
    seen: list[tuple[str, Any]] = []

    def record(
        conn: Connection, cursor: Any, sql: str, params: Any, context: Any, many: bool
    ) -> None:
        seen.append((sql, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@dataclass(frozen=True)
class Plan:
    """How the database reads one page: the index searched with what condition, whether it
    sorts, and (PostgreSQL) how many rows the scan read."""

    detail: str
    sorts: bool
    rows_read: int | None


def page_plan(store: Store, query: RecordQuery) -> Plan:
    with store.container.uow(readonly=True) as uow, statements(store.engine) as seen:
        RecordRepository(uow.connection, store.connection_id).texts(ENTITY, query)
    ((sql, params),) = [(s, p) for s, p in seen if "FROM records" in s]
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
            details = [row[-1] for row in rows]
            (scan,) = [d for d in details if " records " in f"{d} "]
            return Plan(scan, any("TEMP B-TREE" in d for d in details), None)
        (document,) = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params).one()
    nodes = list(_nodes(document[0]["Plan"]))
    (scan,) = [n for n in nodes if n.get("Relation Name") == "records"]
    detail = f"{scan['Node Type']} {scan.get('Index Name')}: {scan.get('Index Cond')}"
    read = scan["Actual Rows"] + scan.get("Rows Removed by Filter", 0)
    return Plan(detail, any(n["Node Type"] == "Sort" for n in nodes), read)


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


#: The key of the record nine tenths of the way in: a page near the end of the list.
DEEP = (modified_at(ROWS * 9 // 10), f"po_{{}}pu{ROWS * 9 // 10:06d}")

SEEK = "(connection_id=? AND entity=? AND (modified_at,id)>(?,?))"
STATUS_SEEK = "(connection_id=? AND entity=? AND status=? AND (modified_at,id)>(?,?))"

VARIANTS = {
    "cursor": (RecordQuery(), f"ix_records_page {SEEK}"),
    "include_deleted": (RecordQuery(include_deleted=True), f"ix_records_page {SEEK}"),
    "status": (RecordQuery(status="open"), f"ix_records_status_page {STATUS_SEEK}"),
    "rare status": (RecordQuery(status="draft"), f"ix_records_status_page {STATUS_SEEK}"),
    "filter": (RecordQuery(filters={"vendor_id": "vnd_1"}), f"ix_records_page {SEEK}"),
    "modified_after before the cursor": (
        RecordQuery(modified_after=BASE + timedelta(minutes=5)),
        f"ix_records_page {SEEK}",
    ),
    "modified_before": (
        RecordQuery(modified_before=modified_at(ROWS)),
        f"ix_records_page {SEEK[:-1]} AND modified_at<?)",
    ),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_deep_page_seeks_to_its_cursor(store: Store, variant: str) -> None:
    query, sqlite_search = VARIANTS[variant]
    at, template = DEEP
    deep = replace(query, after=(at, template.format(store.connection_id[-8:])), limit=LIMIT)
    plan = page_plan(store, deep)
    assert not plan.sorts, plan
    if store.dialect == "sqlite":
        assert plan.detail == f"SEARCH records USING INDEX {sqlite_search}"
        return
    # The cursor bounds the index scan, rather than filtering the rows read from the start.
    assert plan.detail.startswith("Index Scan"), plan
    assert "ROW(modified_at, (id)::text) > ROW(" in plan.detail, plan
    # A page reads about its own length (twice that where a filter keeps every other record),
    # never what lies before the cursor, nor every record of a status that one in ten has.
    assert plan.rows_read is not None
    assert plan.rows_read <= 3 * (LIMIT + 1), plan


def test_modified_after_past_the_cursor_seeks_to_modified_after(store: Store) -> None:
    since = modified_at(ROWS * 9 // 10)
    plan = page_plan(store, RecordQuery(modified_after=since, after=(BASE, "po_"), limit=LIMIT))
    assert not plan.sorts, plan
    if store.dialect == "sqlite":
        assert plan.detail == (
            "SEARCH records USING INDEX ix_records_page (connection_id=? AND entity=? AND "
            "modified_at>?)"
        )
    else:
        assert "modified_at >=" in plan.detail and "ROW(" not in plan.detail, plan
        assert plan.rows_read is not None and plan.rows_read <= 2 * LIMIT, plan


def expected_ids(store: Store, query: RecordQuery) -> list[str]:
    """What the list holds, in list order (record i's key grows with i)."""
    wanted = []
    for i in range(ROWS):
        record = write(store.connection_id, ENTITY, i)
        if record.deleted and not query.include_deleted:
            continue
        if query.status is not None and record.status != query.status:
            continue
        if any(record.filters[k] != v for k, v in (query.filters or {}).items()):
            continue
        if query.modified_after is not None and record.modified_at < query.modified_after:
            continue
        wanted.append(record.id)
    return wanted


@pytest.mark.parametrize(
    "query",
    [
        RecordQuery(),
        RecordQuery(include_deleted=True, status="draft"),
        RecordQuery(filters={"vendor_id": "vnd_0"}, modified_after=modified_at(ROWS // 2)),
    ],
    ids=["all", "deleted too, one status", "filter and modified_after"],
)
def test_following_cursors_lists_every_record_once_in_order(
    store: Store, query: RecordQuery
) -> None:
    seen: list[str] = []
    after = None
    with store.container.uow(readonly=True) as uow:
        repo = RecordRepository(uow.connection, store.connection_id)
        while True:
            texts, after = repo.texts(ENTITY, replace(query, after=after, limit=500))
            seen += [json.loads(text)["id"] for text in texts]
            if after is None:
                break
    assert seen == expected_ids(store, query)


def test_a_cursor_in_another_zone_names_the_same_instant(store: Store) -> None:
    at, template = DEEP
    last = template.format(store.connection_id[-8:])
    elsewhere = at.astimezone(timezone(timedelta(hours=2)))
    with store.container.uow(readonly=True) as uow:
        repo = RecordRepository(uow.connection, store.connection_id)
        in_utc, _ = repo.texts(ENTITY, RecordQuery(after=(at, last), limit=5))
        in_zone, _ = repo.texts(ENTITY, RecordQuery(after=(elsewhere, last), limit=5))
    assert in_zone == in_utc
    # Ids here grow with the list order; the cursor's record itself was deleted meanwhile.
    following = [i for i in expected_ids(store, RecordQuery()) if i > last][:5]
    assert [json.loads(text)["id"] for text in in_utc] == following
