"""Unit of work: one transaction, the repositories bound to it, rollback unless committed."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from .repositories import AccountRepository, ConnectionRepository, CredentialRepository

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork:
    """`with uow:` opens a transaction; `uow.commit()` keeps its work, leaving discards it."""

    accounts: AccountRepository
    credentials: CredentialRepository
    connections: ConnectionRepository

    def __init__(
        self,
        engine: Engine,
        *,
        readonly: bool = False,
        notify: Callable[[str, list[str]], None] | None = None,
    ) -> None:
        self._engine = engine
        self._readonly = readonly
        self._conn: Connection | None = None
        self._notify = notify
        self._published: list[tuple[str, str]] = []

    def __enter__(self) -> Self:
        conn = self._engine.connect()
        if self._readonly:
            conn = conn.execution_options(readonly=True)
            if conn.dialect.name == "postgresql":
                # Under READ COMMITTED each statement reads its own snapshot, in a transaction
                # or not: without one, a read spares the server a BEGIN and a ROLLBACK, two of
                # the four round trips of a list request.
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        # Transactions begin on first use (SQLAlchemy autobegin), so a commit does not
        # immediately take the SQLite write lock again.
        self._conn = conn
        self.accounts = AccountRepository(conn)
        self.credentials = CredentialRepository(conn)
        self.connections = ConnectionRepository(conn)
        return self

    @property
    def connection(self) -> Connection:
        """The open database connection, for repositories added by later packages."""
        if self._conn is None:
            raise RuntimeError("unit of work is not open")
        return self._conn

    def publish(self, topic: str, item_id: str) -> None:
        """Announce `item_id` on `topic` once this transaction commits (e.g. a new delivery)."""
        self._published.append((topic, item_id))

    def commit(self) -> None:
        self.connection.commit()
        published, self._published = self._published, []
        if self._notify is not None and published:
            by_topic: dict[str, list[str]] = {}
            for topic, item_id in published:
                by_topic.setdefault(topic, []).append(item_id)
            for topic, ids in by_topic.items():
                self._notify(topic, ids)

    def rollback(self) -> None:
        self._published = []
        self.connection.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self.connection
        try:
            if conn.in_transaction():
                conn.rollback()
        finally:
            conn.close()
            self._conn = None


class UnitOfWorkFactory:
    """Makes units of work on one engine; what services receive."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        #: Told about items published by committed units of work (wakes the worker).
        self.notify: Callable[[str, list[str]], None] | None = None

    def __call__(self, *, readonly: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, readonly=readonly, notify=self.notify)
