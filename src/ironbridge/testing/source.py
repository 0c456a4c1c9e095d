"""A test source system backed by a SQLite file: tests and benchmarks change its data between
sync runs, from any process, and can make it slow or failing.

Records are stored in unified shape (without ids), so the connector's mapping is a copy. Use it
through the `testsource` connector, registered with `IRONBRIDGE_CONNECTORS=
ironbridge.testing.source:connector` or `ConnectorRegistry([connector])`, and the credentials
`{"path": "/path/to/source.db"}`.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from .. import errors
from ..connectors import (
    AuthField,
    Capability,
    CheckResult,
    CheckStage,
    Connector,
    ConnectorSession,
    ConnectorSpec,
    IdFactory,
    RawRecord,
    SessionOptions,
)
from ..model import REFERENCE_FIELDS, Entity

__all__ = ["SourceDB", "TestSourceConnector", "connector"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    entity TEXT NOT NULL, remote_id TEXT NOT NULL, modified_at TEXT NOT NULL,
    data TEXT NOT NULL, PRIMARY KEY (entity, remote_id));
CREATE INDEX IF NOT EXISTS records_changes ON records (entity, modified_at, remote_id);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SourceDB:
    """The source's data, and switches that make it misbehave (shared through the file)."""

    def __init__(self, path: str) -> None:
        self.path = path
        with self._db() as db:
            db.executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def put(
        self,
        entity: Entity,
        remote_id: str,
        data: Mapping[str, Any],
        modified_at: datetime | None = None,
    ) -> None:
        self.put_many(entity, [(remote_id, data, modified_at)])

    def put_many(
        self, entity: Entity, rows: Iterable[tuple[str, Mapping[str, Any], datetime | None]]
    ) -> None:
        now = datetime.now(UTC)
        with self._db() as db:
            db.executemany(
                "INSERT INTO records VALUES (?, ?, ?, ?) ON CONFLICT (entity, remote_id) "
                "DO UPDATE SET modified_at = excluded.modified_at, data = excluded.data",
                [
                    (entity.value, rid, _iso(when or now), json.dumps(dict(data), default=str))
                    for rid, data, when in rows
                ],
            )

    def delete(self, entity: Entity, remote_id: str) -> None:
        with self._db() as db:
            db.execute(
                "DELETE FROM records WHERE entity = ? AND remote_id = ?", (entity.value, remote_id)
            )

    def count(self, entity: Entity) -> int:
        with self._db() as db:
            return int(
                db.execute(
                    "SELECT count(*) FROM records WHERE entity = ?", (entity.value,)
                ).fetchone()[0]
            )

    def set(self, name: str, value: str | None) -> None:
        """Switches: `page_delay` (seconds), `fail` (`reauth`, `unavailable`, `rate_limit`,
        `upstream`), `fail_after_pages` (fail only after that many pages), `unstamped` (any
        value: the source keeps no change times, like SAP's stock, and every read returns
        every record without one)."""
        with self._db() as db:
            if value is None:
                db.execute("DELETE FROM settings WHERE name = ?", (name,))
            else:
                db.execute(
                    "INSERT INTO settings VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (name, value),
                )

    def setting(self, name: str) -> str | None:
        with self._db() as db:
            row = db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def changes(
        self, entity: Entity, since: datetime | None, page_size: int
    ) -> Iterator[list[RawRecord]]:
        key = (_iso(since) if since else "", "")
        while True:
            with self._db() as db:
                rows = db.execute(
                    "SELECT remote_id, modified_at, data FROM records WHERE entity = ? "
                    "AND (modified_at > ? OR (modified_at = ? AND remote_id >= ?)) "
                    "ORDER BY modified_at, remote_id LIMIT ?",
                    (entity.value, key[0], key[0], key[1], page_size + 1),
                ).fetchall()
            page = rows[:page_size]
            if not page:
                return
            yield [
                RawRecord(rid, datetime.fromisoformat(at.replace("Z", "+00:00")), json.loads(data))
                for rid, at, data in page
            ]
            if len(rows) <= page_size:
                return
            nxt = rows[page_size]
            key = (nxt[1], nxt[0])

    def get(self, entity: Entity, remote_id: str) -> RawRecord | None:
        with self._db() as db:
            row = db.execute(
                "SELECT modified_at, data FROM records WHERE entity = ? AND remote_id = ?",
                (entity.value, remote_id),
            ).fetchone()
        if row is None:
            return None
        return RawRecord(
            remote_id, datetime.fromisoformat(row[0].replace("Z", "+00:00")), json.loads(row[1])
        )


SPEC = ConnectorSpec(
    id="testsource",
    name="Test source",
    category="erp",
    logo="",
    description="A SQLite-backed source system for tests and benchmarks.",
    auth_fields=(
        AuthField("path", "Database file", "Path of the source's SQLite file.", secret=False),
    ),
    setup_guide=("Create the file with ironbridge.testing.source.SourceDB(path).",),
    capabilities={
        entity: Capability(read=True, create=False, update=False, delete=False) for entity in Entity
    },
    change_field="modified_at",
    passthrough=False,
    default_history_days=None,
)

_FAILURES: dict[str, type[errors.IronbridgeError]] = {
    "reauth": errors.ConnectionReauthRequired,
    "unavailable": errors.ConnectionUnavailable,
    "rate_limit": errors.RateLimitExceeded,
    "upstream": errors.UpstreamError,
}


class _Session(ConnectorSession):
    def __init__(self, db: SourceDB, options: SessionOptions | None) -> None:
        super().__init__(SPEC, options)
        self.db = db

    def _maybe_fail(self, pages_done: int) -> None:
        mode = self.db.setting("fail")
        if mode is None:
            return
        after = int(self.db.setting("fail_after_pages") or 0)
        if pages_done >= after:
            error = _FAILURES[mode]
            if error is errors.RateLimitExceeded:
                raise errors.RateLimitExceeded("The source's quota is spent.", retry_after=30)
            raise error(f"Test source failing: {mode}.")

    def check(self) -> Iterator[CheckResult]:
        yield CheckResult(CheckStage.REACH, True, "The source file is readable.")
        try:
            self._maybe_fail(0)
        except errors.IronbridgeError as exc:
            yield CheckResult(CheckStage.AUTHENTICATE, False, exc.message, fix="Reconnect.")
            return
        yield CheckResult(CheckStage.AUTHENTICATE, True, "Signed in.")
        yield CheckResult(CheckStage.PERMISSIONS, True, "Every entity is readable.")

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        delay = float(self.db.setting("page_delay") or 0)
        pages = 0
        self._maybe_fail(pages)
        changes = self.db.changes(entity, since, page_size)
        if self.db.setting("unstamped") is not None:
            changes = self._unstamped(entity, page_size)
        for page in changes:
            if delay:
                time.sleep(delay)
            yield page
            pages += 1
            self._maybe_fail(pages)

    def _unstamped(self, entity: Entity, page_size: int) -> Iterator[list[RawRecord]]:
        every = sorted(
            (raw for page in self.db.changes(entity, None, page_size) for raw in page),
            key=lambda raw: raw.remote_id,
        )
        for start in range(0, len(every), page_size):
            yield [
                RawRecord(raw.remote_id, None, raw.data) for raw in every[start : start + page_size]
            ]

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        found = self.db.get(entity, remote_id)
        if found is None:
            raise errors.NotFound(f"No {entity.label} {remote_id!r} in the test source.")
        if self.db.setting("unstamped") is not None:
            return RawRecord(remote_id, None, found.data)
        return found


class TestSourceConnector(Connector):
    """Reads a `SourceDB` file; records are already in unified shape."""

    spec = SPEC

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> ConnectorSession:
        clean = self.validate_credentials(credentials)
        return _Session(SourceDB(clean["path"]), options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        data = copy.deepcopy(dict(raw.data))
        for field in REFERENCE_FIELDS[entity].values():
            for holder in field.holders(data):
                ref = holder.get(field.path[-1])
                if isinstance(ref, dict) and ref.get("remote_id"):
                    holder[field.path[-1]] = {**ref, "id": ids(field.target, ref["remote_id"])}
        data.update(
            id=ids(entity, raw.remote_id), remote_id=raw.remote_id, updated_at=raw.modified_at
        )
        return data


connector = TestSourceConnector()


def purchase_order(
    number: int, *, status: str = "approved", total: str = "100.00", vendor: str = "V1"
) -> dict[str, Any]:
    """A small valid purchase order in unified shape."""
    return {
        "number": f"PO-{number:06d}",
        "status": status,
        "vendor": {"remote_id": vendor},
        "currency": "USD",
        "total": total,
        "lines": [
            {
                "line_number": 1,
                "description": "Bearing",
                "quantity": "2",
                "quantity_received": "0",
                "unit_price": "50.00",
                "line_total": total,
            }
        ],
    }
