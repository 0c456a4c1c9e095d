"""Engine construction: SQLite tuned for concurrent readers (WAL), PostgreSQL as given."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry

from ..private_files import private_sqlite_file
from .types import dump_json

__all__ = ["make_engine"]

#: Connections a pool keeps: one for each thread that serves requests at once (anyio's default
#: of 40 worker threads). A smaller pool made requests queue for a connection under load, and
#: every connection beyond it was opened (with its pragmas, and on PostgreSQL a server process)
#: and closed again per request. Idle slots cost nothing: connections are opened on demand.
_POOL_SIZE = 40
#: Beyond that, for background work running beside a full house of requests.
_POOL_OVERFLOW = 10
#: A pooled PostgreSQL connection idle for longer than this (seconds) is pinged before use, and
#: replaced if the server dropped it (a restart, an idle timeout, a failover). One busy in the
#: meantime has just proven itself: pinging it on every checkout (`pool_pre_ping`) cost a
#: round trip per request, as much as the token lookup.
PING_AFTER_IDLE = 1.0


#: SQLite page size of a new store (an existing one keeps its own). A stored record (unified
#: and raw JSON, ~3.5 KB for an order with five lines) filled a 4 KB page on its own, as did its
#: event; a sync wrote and checkpointed them page by page. With 16 KB pages, `bench/sync.py`:
#: a full sync with an event per record +24-33 %, without events +8-10 %; list pages and
#: incremental runs unchanged or faster.
SQLITE_PAGE_SIZE = 16384


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Before WAL: the page size is fixed when the file is first written (in WAL mode, for good).
    cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL under WAL loses no committed data on a process crash, and saves an fsync per commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; creates the SQLite file (and its folder) owner-only when needed."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True, "json_serializer": dump_json}
    if parsed.database not in (None, "", ":memory:"):  # in-memory SQLite has a pool of one
        kwargs.update(pool_size=_POOL_SIZE, max_overflow=_POOL_OVERFLOW)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_sqlite_file(Path(parsed.database))
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take the lock at BEGIN instead so
        # two writers queue on busy_timeout rather than failing to upgrade a read lock.
        event.listen(engine, "connect", _disable_pysqlite_begin)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed, **kwargs)
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """Before a checkout, ping a connection idle for over `PING_AFTER_IDLE` seconds; if the
    server dropped it, the pool discards it and checks out another (or opens one)."""

    @event.listens_for(engine, "checkin")
    def idle_since(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since <= PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError("the server closed an idle connection") from error


def _disable_pysqlite_begin(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Any) -> None:
    # Read-only units of work (execution option `readonly`) open no transaction: each
    # statement reads its own snapshot, as under PostgreSQL's READ COMMITTED (where they run
    # in autocommit too), and takes no write lock, so reads run in parallel with each other
    # and with the one writer WAL allows. That spares a list request its BEGIN and ROLLBACK.
    if not connection.get_execution_options().get("readonly", False):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
