"""The records store: one row per (connection, entity, remote id), always scoped by connection."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    tuple_,
    type_coerce,
    update,
)

from .bulk import conflict_insert, insert_rows
from .push import push_subscriptions
from .tables import (
    connection_errors,
    record_counts,
    records,
    sync_runs,
    sync_seen,
    sync_states,
)
from .types import utcnow

__all__ = [
    "RecordChange",
    "RecordQuery",
    "RecordRepository",
    "RecordWrite",
    "StoredRecord",
    "content_hash",
    "erase_synced_history",
    "same_unified",
]

# A record's content hash has two halves of 32 hex digits: SHA-256 of its unified JSON, then of
# its raw JSON. Change events follow the first half only; the second keeps the stored raw
# record (`remote_data`, and what field mappings re-project from) current when the source
# changed only fields ironbridge does not map.
#
# The unified half leaves out the record's `updated_at`: when a record was changed is not what
# it holds. A source that stamps a record again without changing what ironbridge maps (an
# unmapped field written, a dependent row touched), or a record the source cannot stamp at all,
# must not look changed.
_HALF = 32
# `updated_at` is the fourth member of every unified record, after `id`, `remote_id` and
# `created_at` (scalars): the first `,"updated_at":` in the compact text is the record's own.
# (A quote inside a JSON string is always escaped, so the pattern cannot match inside one.)
_UPDATED_AT = re.compile(r',"updated_at":(?:"[^"]*"|null)')

#: Most ids one `IN` list of a lookup carries.
_IN_CHUNK = 10_000


def content_hash(unified: str, raw: str) -> str:
    """The content hash of a record whose unified and raw JSON texts are `unified` and `raw`.

    The unified half is taken without the record's `updated_at`.
    """
    content = _UPDATED_AT.sub("", unified, count=1)
    return (
        hashlib.sha256(content.encode()).hexdigest()[:_HALF]
        + hashlib.sha256(raw.encode()).hexdigest()[:_HALF]
    )


def same_unified(first: str, second: str) -> bool:
    """Whether two content hashes are of the same unified content."""
    return first[:_HALF] == second[:_HALF]


@dataclass(frozen=True, slots=True)
class RecordWrite:
    """A record as mapped by a connector, ready to upsert.

    `snapshot` marks a record its source keeps no change time for: its `modified_at` (and the
    `updated_at` in `unified`) is when it was read, which the store keeps only when the
    content is new.
    """

    id: str
    remote_id: str
    modified_at: datetime
    status: str | None
    filters: dict[str, Any]
    unified: str
    raw: str
    content_hash: str
    deleted: bool = False
    snapshot: bool = False


@dataclass(frozen=True, slots=True)
class RecordChange:
    """What an upsert did to one record: `created`, `updated` or `deleted`."""

    id: str
    remote_id: str
    change: str
    unified: str


@dataclass(frozen=True, slots=True)
class StoredRecord:
    id: str
    remote_id: str
    modified_at: datetime
    unified: str
    raw: str
    deleted: bool
    content_hash: str


@dataclass(frozen=True, slots=True)
class RecordQuery:
    """A list request: filters, window and keyset position."""

    modified_after: datetime | None = None
    modified_before: datetime | None = None
    include_deleted: bool = False
    status: str | None = None
    filters: Mapping[str, str] | None = None
    after: tuple[datetime, str] | None = None
    limit: int = 100


def _as_utc(value: Any) -> datetime:
    # SQLite hands back the stored text, PostgreSQL a datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


_STORED, _TEXTS, _TEXTS_RAW = "stored", "texts", "texts_raw"
_COLUMNS: dict[str, tuple[Any, ...]] = {
    _STORED: (
        records.c.id,
        records.c.remote_id,
        records.c.modified_at,
        records.c.unified,
        records.c.raw,
        records.c.deleted,
        records.c.content_hash,
    ),
    # The time as stored text: only the last row's is parsed, for the next cursor.
    _TEXTS: (records.c.id, type_coerce(records.c.modified_at, String), records.c.unified),
    _TEXTS_RAW: (
        records.c.id,
        type_coerce(records.c.modified_at, String),
        records.c.unified,
        records.c.raw,
    ),
}


@dataclass(frozen=True, slots=True)
class _PageShape:
    """What a page statement's text depends on; its values are bound parameters."""

    columns: str
    include_deleted: bool
    #: The lower bound: "after" a cursor, "since" `modified_after`, or None.
    bound: str | None
    before: bool
    status: bool
    filters: tuple[str, ...]


@lru_cache(maxsize=256)
def _page_statement(shape: _PageShape) -> Any:
    """The page statement of one shape, built once: a list request then costs SQLAlchemy a
    cache lookup instead of building, and keying, a statement of a dozen clauses."""
    stmt = select(*_COLUMNS[shape.columns]).where(
        records.c.connection_id == bindparam("connection_id"),
        records.c.entity == bindparam("entity"),
    )
    if not shape.include_deleted:
        stmt = stmt.where(records.c.deleted.is_(False))
    if shape.bound == "after":
        # A row value: written as `modified_at > at OR (modified_at = at AND id > last)`,
        # neither SQLite nor PostgreSQL seeks to the cursor, and every row before it is read
        # again, so paging through N records costs O(N²).
        cursor = tuple_(
            bindparam("after_at", type_=records.c.modified_at.type),
            bindparam("after_id", type_=records.c.id.type),
        )
        stmt = stmt.where(tuple_(records.c.modified_at, records.c.id) > cursor)
    elif shape.bound == "since":
        stmt = stmt.where(records.c.modified_at >= bindparam("since"))
    if shape.before:
        stmt = stmt.where(records.c.modified_at < bindparam("before"))
    if shape.status:
        stmt = stmt.where(records.c.status == bindparam("status"))
    for index, name in enumerate(shape.filters):
        stmt = stmt.where(records.c.filters[name].as_string() == bindparam(f"filter_{index}"))
    return stmt.order_by(records.c.modified_at, records.c.id).limit(bindparam("limit"))


class RecordRepository:
    """Records of one connection."""

    def __init__(self, conn: Connection, connection_id: str) -> None:
        self._conn = conn
        self.connection_id = connection_id

    def _scope(self, entity: str) -> Any:
        return and_(records.c.connection_id == self.connection_id, records.c.entity == entity)

    def page(self, entity: str, query: RecordQuery) -> list[StoredRecord]:
        """One page in (modified_at, id) order, stable under inserts and deletes."""
        stmt, params = self._filtered(_STORED, entity, query)
        return [StoredRecord(*row) for row in self._conn.execute(stmt, params)]

    def texts(
        self, entity: str, query: RecordQuery, *, with_raw: bool = False
    ) -> tuple[list[str], tuple[datetime, str] | None]:
        """The stored JSON of one page of `query.limit` records, and the (modified_at, id) key
        of its last record when more follow (else None).

        The hot path of list requests: only the text columns are read, and only one row's
        time is parsed (for the next cursor).
        """
        probe = replace(query, limit=query.limit + 1)
        stmt, params = self._filtered(_TEXTS_RAW if with_raw else _TEXTS, entity, probe)
        rows = self._conn.execute(stmt, params).all()
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        if with_raw:
            texts = [f'{row[2][:-1]},"remote_data":{row[3]}}}' for row in rows]
        else:
            texts = [row[2] for row in rows]
        if not more:
            return texts, None
        last = rows[-1]
        return texts, (_as_utc(last[1]), last[0])

    def _filtered(
        self, columns: str, entity: str, query: RecordQuery
    ) -> tuple[Any, dict[str, Any]]:
        """The page statement for `query` and its parameters.

        The page starts at one lower bound on (modified_at, id), a seek in `ix_records_page`:
        the cursor, or `modified_after` when that lies past the cursor (each implies the other
        where it is the greater; with both, the planner would seek by one and filter by the
        other).
        """
        params: dict[str, Any] = {
            "connection_id": self.connection_id,
            "entity": entity,
            "limit": query.limit,
        }
        bound: str | None = None
        if query.after is not None and (
            query.modified_after is None or query.after[0] >= query.modified_after
        ):
            bound = "after"
            params["after_at"], params["after_id"] = query.after
        elif query.modified_after is not None:
            bound = "since"
            params["since"] = query.modified_after
        if query.modified_before is not None:
            params["before"] = query.modified_before
        if query.status is not None:
            params["status"] = query.status
        filters = tuple(query.filters or ())
        for index, name in enumerate(filters):
            params[f"filter_{index}"] = (query.filters or {})[name]
        shape = _PageShape(
            columns,
            query.include_deleted,
            bound,
            query.modified_before is not None,
            query.status is not None,
            filters,
        )
        return _page_statement(shape), params

    def get(self, entity: str, record_id: str) -> StoredRecord | None:
        row = self._conn.execute(
            select(
                records.c.id,
                records.c.remote_id,
                records.c.modified_at,
                records.c.unified,
                records.c.raw,
                records.c.deleted,
                records.c.content_hash,
            ).where(self._scope(entity), records.c.id == record_id)
        ).first()
        return StoredRecord(*row) if row else None

    def unified_by_id(self, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """id → (entity, stored unified JSON) of the given records that are stored, deleted
        ones included: one query whatever their entities (one per `_IN_CHUNK` ids, which keeps
        far below SQLite's limit on bound values)."""
        wanted = sorted(set(ids))
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(wanted), _IN_CHUNK):
            rows = self._conn.execute(
                select(records.c.id, records.c.entity, records.c.unified).where(
                    records.c.connection_id == self.connection_id,
                    records.c.id.in_(wanted[start : start + _IN_CHUNK]),
                )
            )
            found.update((row.id, (row.entity, row.unified)) for row in rows)
        return found

    def ids_for_remote(self, entity: str, remote_ids: Iterable[str]) -> dict[str, str]:
        """remote id → ironbridge id, for the given remote ids that are stored."""
        wanted = list(set(remote_ids))
        if not wanted:
            return {}
        rows = self._conn.execute(
            select(records.c.remote_id, records.c.id).where(
                self._scope(entity), records.c.remote_id.in_(wanted)
            )
        )
        return {r.remote_id: r.id for r in rows}

    def remote_ids_for(self, entity: str, ids: Iterable[str]) -> dict[str, str]:
        """ironbridge id → remote id, for live records only."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = self._conn.execute(
            select(records.c.id, records.c.remote_id).where(
                self._scope(entity), records.c.id.in_(wanted), records.c.deleted.is_(False)
            )
        )
        return {r.id: r.remote_id for r in rows}

    def upsert(
        self, entity: str, batch: Sequence[RecordWrite], *, now: datetime | None = None
    ) -> list[RecordChange]:
        """Insert new records, update changed ones (by content hash), skip the rest.

        A record whose unified content is unchanged keeps its stored unified JSON and
        `modified_at`, whatever time it was read with: only a change to what ironbridge maps
        dates a record and is an event. When only unmapped source fields changed, the raw JSON
        is replaced silently. `now` (the caller's clock) is when the records were seen.

        Callers hold the connection's sync lock, so read-then-write cannot race another writer
        of the same rows; this keeps one code path for SQLite and PostgreSQL.
        """
        if not batch:
            return []
        latest: dict[str, RecordWrite] = {}
        for item in batch:  # a page may repeat a record; the last version wins
            latest[item.remote_id] = item
        existing = {
            r.remote_id: (r.content_hash, r.deleted, r.snapshot)
            for r in self._conn.execute(
                select(
                    records.c.remote_id,
                    records.c.content_hash,
                    records.c.deleted,
                    records.c.snapshot,
                ).where(self._scope(entity), records.c.remote_id.in_(list(latest)))
            )
        }
        now = now or utcnow()
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        silent: list[dict[str, Any]] = []
        changes: list[RecordChange] = []
        live = 0  # how many more live records the entity has after this batch
        for item in latest.values():
            before = existing.get(item.remote_id)
            if before is None:
                if item.deleted:
                    continue
                live += 1
                inserts.append(self._row(item))
                changes.append(RecordChange(item.id, item.remote_id, "created", item.unified))
            elif before[1] == item.deleted and same_unified(before[0], item.content_hash):
                if before[0] != item.content_hash or before[2] != item.snapshot:
                    # Only unmapped source fields changed: kept, but nothing to tell anyone.
                    silent.append(
                        {
                            "b_remote_id": item.remote_id,
                            "raw": item.raw,
                            "content_hash": item.content_hash,
                            "snapshot": item.snapshot,
                        }
                    )
            else:
                updates.append(
                    {
                        "b_remote_id": item.remote_id,
                        "modified_at": item.modified_at,
                        "status": item.status,
                        "filters": item.filters,
                        "unified": item.unified,
                        "raw": item.raw,
                        "content_hash": item.content_hash,
                        "deleted": item.deleted,
                        "snapshot": item.snapshot,
                    }
                )
                live += int(before[1]) - int(item.deleted)
                kind = "deleted" if item.deleted else ("created" if before[1] else "updated")
                changes.append(RecordChange(item.id, item.remote_id, kind, item.unified))
        # Values shared by the whole batch are converted once, not again for every row.
        insert_rows(
            self._conn,
            records,
            inserts,
            {
                "connection_id": self.connection_id,
                "entity": entity,
                "first_seen_at": now,
                "synced_at": now,
            },
        )
        for rows in (updates, silent):
            if rows:
                self._update_by_remote_id(entity, rows, synced_at=now)
        self._count_live(entity, live)
        return changes

    def _count_live(self, entity: str, delta: int) -> None:
        """Add `delta` to the entity's live record count (one atomic statement, so concurrent
        writers of the same connection add up rather than overwrite each other)."""
        if not delta:
            return
        stmt = conflict_insert(self._conn, record_counts).values(
            connection_id=self.connection_id, entity=entity, live=delta
        )
        self._conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[record_counts.c.connection_id, record_counts.c.entity],
                set_={"live": record_counts.c.live + stmt.excluded.live},
            )
        )

    def live_count(self, entity: str) -> int:
        """How many live (not deleted) records the entity has, read from the kept count."""
        found = self._conn.execute(
            select(record_counts.c.live).where(
                record_counts.c.connection_id == self.connection_id,
                record_counts.c.entity == entity,
            )
        ).scalar()
        return int(found or 0)

    def _update_by_remote_id(
        self, entity: str, rows: list[dict[str, Any]], *, synced_at: datetime
    ) -> None:
        names = [name for name in rows[0] if name != "b_remote_id"]
        self._conn.execute(
            update(records)
            .where(
                records.c.connection_id == self.connection_id,
                records.c.entity == entity,
                records.c.remote_id == bindparam("b_remote_id"),
            )
            .values({**{name: bindparam(name) for name in names}, "synced_at": synced_at}),
            rows,
        )

    def unseen_remote_ids(
        self, entity: str, run_id: str, *, since: datetime | None = None
    ) -> list[str]:
        """Remote ids of live records that the full run `run_id` did not read: those it finds
        vanished from the source. With `since` (a history window) only records changed at or
        after it, and snapshot records, which their source returns whole on every read."""
        seen = exists().where(
            sync_seen.c.connection_id == self.connection_id,
            sync_seen.c.run_id == run_id,
            sync_seen.c.remote_id == records.c.remote_id,
        )
        stmt = select(records.c.remote_id).where(
            self._scope(entity), records.c.deleted.is_(False), ~seen
        )
        if since is not None:
            stmt = stmt.where(or_(records.c.modified_at >= since, records.c.snapshot.is_(True)))
        return list(self._conn.execute(stmt).scalars())

    def mark_deleted(self, entity: str, remote_ids: Iterable[str]) -> list[RecordChange]:
        """Mark vanished records deleted (after a complete full pass only).

        The stored JSON says so too (`deleted: true`, `updated_at` = now), and the record's
        change time moves to now, so `GET` shows it deleted and a `modified_after` poller with
        `include_deleted` sees the deletion.
        """
        wanted = list(remote_ids)
        if not wanted:
            return []
        rows = self._conn.execute(
            select(records.c.id, records.c.remote_id, records.c.unified, records.c.raw).where(
                self._scope(entity), records.c.remote_id.in_(wanted), records.c.deleted.is_(False)
            )
        ).all()
        if not rows:
            return []
        now = utcnow()
        stamp = now.isoformat().replace("+00:00", "Z")
        changes = []
        updates = []
        for row in rows:
            data = json.loads(row.unified)
            data["deleted"] = True
            data["updated_at"] = stamp
            unified = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
            updates.append(
                {
                    "b_id": row.id,
                    "unified": unified,
                    "content_hash": content_hash(unified, row.raw),
                }
            )
            changes.append(RecordChange(row.id, row.remote_id, "deleted", unified))
        self._conn.execute(
            update(records)
            .where(self._scope(entity), records.c.id == bindparam("b_id"))
            .values(
                deleted=True,
                modified_at=now,
                synced_at=now,
                unified=bindparam("unified"),
                content_hash=bindparam("content_hash"),
            ),
            updates,
        )
        self._count_live(entity, -len(rows))
        return changes

    def all_raw(self, entity: str, *, after_id: str | None, limit: int) -> list[StoredRecord]:
        """Records in id order, for re-projection after a mapping change."""
        stmt = select(
            records.c.id,
            records.c.remote_id,
            records.c.modified_at,
            records.c.unified,
            records.c.raw,
            records.c.deleted,
            records.c.content_hash,
        ).where(self._scope(entity))
        if after_id is not None:
            stmt = stmt.where(records.c.id > after_id)
        stmt = stmt.order_by(records.c.id).limit(limit)
        return [StoredRecord(*row) for row in self._conn.execute(stmt)]

    def set_projection(self, entity: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Replace unified JSON (and derived columns) of existing records, by id."""
        if not rows:
            return
        self._conn.execute(
            update(records)
            .where(self._scope(entity), records.c.id == bindparam("b_id"))
            .values(
                unified=bindparam("unified"),
                status=bindparam("status"),
                filters=bindparam("filters"),
                content_hash=bindparam("content_hash"),
            ),
            [dict(r) for r in rows],
        )

    def count(self, entity: str, *, include_deleted: bool = False) -> int:
        """Count the entity's records (reads every one of them: see `live_count`)."""
        stmt = select(func.count()).select_from(records).where(self._scope(entity))
        if not include_deleted:
            stmt = stmt.where(records.c.deleted.is_(False))
        return int(self._conn.execute(stmt).scalar_one())

    def delete_all(self) -> int:
        """Delete the connection's synced history."""
        self._conn.execute(
            record_counts.delete().where(record_counts.c.connection_id == self.connection_id)
        )
        result = self._conn.execute(
            records.delete().where(records.c.connection_id == self.connection_id)
        )
        return int(result.rowcount)

    @staticmethod
    def _row(item: RecordWrite) -> dict[str, Any]:
        return {
            "id": item.id,
            "remote_id": item.remote_id,
            "modified_at": item.modified_at,
            "status": item.status,
            "filters": item.filters,
            "unified": item.unified,
            "raw": item.raw,
            "content_hash": item.content_hash,
            "deleted": item.deleted,
            "snapshot": item.snapshot,
        }


def erase_synced_history(conn: Connection, connection_id: str) -> int:
    """Delete what syncing one connection produced: its records, its sync states and runs, and
    its error log (in the caller's transaction). Returns how many records were deleted.

    The connection row and its events stay: events are the account's record of what happened,
    and their deliveries refer to them.
    """
    deleted = RecordRepository(conn, connection_id).delete_all()
    for table in (sync_seen, sync_runs, sync_states, connection_errors, push_subscriptions):
        conn.execute(table.delete().where(table.c.connection_id == connection_id))
    return deleted
