"""The smallest server that can answer the same list request: Starlette + sqlite3 (or psycopg),
no auth, no rate limit, no request id, no metrics.

It serves the same keyset pages from the same store as ironbridge: the cursor is decoded, the
page is one row-value seek in the page index, and the next cursor is encoded, so what remains
between the two is what ironbridge adds. Run by bench/api_read.py as the baseline:
`python bench/_baseline_server.py DB PORT CONNECTION [THREADS]` (DB: a SQLite file or a
PostgreSQL URL; THREADS: requests served at once, given the same number as ironbridge's reads,
so that neither pays for threads taking turns at the interpreter lock and the other not).
"""

from __future__ import annotations

import base64
import json
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DB, PORT, CONNECTION = sys.argv[1], int(sys.argv[2]), sys.argv[3]
THREADS = int(sys.argv[4]) if len(sys.argv) > 4 else None
POSTGRES = DB.startswith("postgresql")
_local = threading.local()

_SQL = (
    "SELECT id, modified_at, unified FROM records WHERE connection_id = {p} "
    "AND entity = 'purchase-orders' AND deleted = {false} {after}"
    "ORDER BY modified_at, id LIMIT {p}"
)
_AFTER = "AND (modified_at, id) > ({p}, {p}) "


def _sql(after: bool) -> str:
    p, false = ("%s", "false") if POSTGRES else ("?", "0")
    return _SQL.format(p=p, false=false, after=_AFTER.format(p=p) if after else "")


FIRST, NEXT = _sql(after=False), _sql(after=True)


def _connection() -> Any:
    conn = getattr(_local, "conn", None)
    if conn is None:
        if POSTGRES:
            import psycopg

            conn = psycopg.connect(DB, autocommit=True)
        else:
            conn = sqlite3.connect(DB)
            conn.execute("PRAGMA journal_mode=WAL")
        _local.conn = conn
    return conn


def _stored_time(at: datetime) -> Any:
    # SQLite holds UTC times as zone-free text; PostgreSQL compares timestamptz values.
    return at if POSTGRES else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _cursor_time(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def purchase_orders(request: Request) -> Response:
    limit = int(request.query_params.get("limit", "100"))
    cursor = request.query_params.get("cursor")
    if cursor:
        at, last = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        params: tuple[Any, ...] = (CONNECTION, _stored_time(datetime.fromisoformat(at)), last)
        rows = _connection().execute(NEXT, (*params, limit + 1)).fetchall()
    else:
        rows = _connection().execute(FIRST, (CONNECTION, limit + 1)).fetchall()
    next_cursor = None
    if len(rows) > limit:
        key = [_cursor_time(rows[limit - 1][1]).isoformat(), rows[limit - 1][0]]
        raw = json.dumps(key, separators=(",", ":")).encode()
        next_cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    items = ",".join(row[2] for row in rows[:limit])
    body = f'{{"data":[{items}],"next_cursor":{json.dumps(next_cursor)}}}'
    return Response(body, media_type="application/json")


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    if THREADS is not None:
        # Starlette runs sync endpoints in anyio's default pool: sized like ironbridge's reads.
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    yield


app = Starlette(routes=[Route("/v1/purchase-orders", purchase_orders)], lifespan=lifespan)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning", access_log=False)
