"""Repositories: every query here is scoped to an account or a connection."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Text, and_, bindparam, cast, or_, select, update

from .rows import AccountRow, ConnectionRow, CredentialRow, LiveCredential
from .tables import accounts, connections, credentials

__all__ = ["AccountRepository", "ConnectionRepository", "CredentialRepository"]


class AccountRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, row: AccountRow) -> None:
        self._conn.execute(accounts.insert().values(**_fields(row)))

    def get(self, account_id: str) -> AccountRow | None:
        found = self._conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
        return AccountRow(**found._mapping) if found else None

    def find_by_name(self, name: str) -> AccountRow | None:
        found = self._conn.execute(
            select(accounts).where(accounts.c.name == name).order_by(accounts.c.created_at)
        ).first()
        return AccountRow(**found._mapping) if found else None

    def set_rate_limit(self, account_id: str, per_minute: int | None) -> None:
        self._conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(rate_limit_per_minute=per_minute)
        )


class CredentialRepository:
    """Hashed tokens of every kind. Looked up by digest only; the token itself is never stored."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, row: CredentialRow) -> None:
        self._conn.execute(credentials.insert().values(**_fields(row)))

    def find_by_hash(self, token_hash: str) -> CredentialRow | None:
        found = self._conn.execute(
            select(credentials).where(credentials.c.token_hash == token_hash)
        ).first()
        return CredentialRow(**found._mapping) if found else None

    def find_live_with_limit(self, token_hash: str) -> LiveCredential | None:
        """The credential with this digest, its account's rate limit and, for a token bound to
        a connection, what a request needs of that connection: one query, as it runs on every
        authenticated request, of only the columns authentication checks."""
        found = self._conn.execute(self._find_live, {"token_hash": token_hash}).first()
        if found is None:
            return None
        (key, account, connection, kind, digest, expires, revoked, limit, system, offered) = found
        return LiveCredential(
            key,
            account,
            connection,
            kind,
            digest,
            expires,
            revoked,
            limit,
            system,
            _availability(offered),
        )

    # Built once: the statement and its compiled form are reused by every request.
    _find_live = (
        select(
            credentials.c.id,
            credentials.c.account_id,
            credentials.c.connection_id,
            credentials.c.kind,
            credentials.c.token_hash,
            credentials.c.expires_at,
            credentials.c.revoked_at,
            accounts.c.rate_limit_per_minute,
            connections.c.system,
            # As stored, parsed once per distinct value by `_availability`.
            cast(connections.c.availability, Text),
        )
        .join(accounts, accounts.c.id == credentials.c.account_id)
        .outerjoin(connections, connections.c.id == credentials.c.connection_id)
        .where(credentials.c.token_hash == bindparam("token_hash"))
    )

    def get(self, account_id: str, credential_id: str) -> CredentialRow | None:
        found = self._conn.execute(
            select(credentials).where(
                credentials.c.account_id == account_id, credentials.c.id == credential_id
            )
        ).first()
        return CredentialRow(**found._mapping) if found else None

    def list_for_account(self, account_id: str, kind: str) -> list[CredentialRow]:
        rows = self._conn.execute(
            select(credentials)
            .where(credentials.c.account_id == account_id, credentials.c.kind == kind)
            .order_by(credentials.c.created_at, credentials.c.id)
        )
        return [CredentialRow(**r._mapping) for r in rows]

    def revoke(self, account_id: str, credential_id: str, at: datetime) -> bool:
        result = self._conn.execute(
            update(credentials)
            .where(
                credentials.c.account_id == account_id,
                credentials.c.id == credential_id,
                credentials.c.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        return bool(result.rowcount)

    def revoke_for_connection(self, connection_id: str, kind: str, at: datetime) -> int:
        result = self._conn.execute(
            update(credentials)
            .where(
                credentials.c.connection_id == connection_id,
                credentials.c.kind == kind,
                credentials.c.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        return int(result.rowcount)

    def mark_used(self, credential_id: str, at: datetime) -> bool:
        """Mark a single-use credential used; False if it already was (a lost race)."""
        result = self._conn.execute(
            update(credentials)
            .where(credentials.c.id == credential_id, credentials.c.used_at.is_(None))
            .values(used_at=at)
        )
        return bool(result.rowcount)


@lru_cache(maxsize=1024)
def _availability(stored: str | None) -> Mapping[str, Any] | None:
    """A connection's stored availability, parsed: the same few values are read by every
    request, and parsing them was a tenth of authenticating one."""
    return None if stored is None else json.loads(stored)


class ConnectionRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, row: ConnectionRow) -> None:
        self._conn.execute(connections.insert().values(**_fields(row)))

    def get(
        self, account_id: str, connection_id: str, *, lock: bool = False
    ) -> ConnectionRow | None:
        """The account's connection; `lock` holds its row until the transaction ends, for a
        read-modify-write (PostgreSQL; SQLite writers are serialized already)."""
        statement = select(connections).where(
            connections.c.account_id == account_id, connections.c.id == connection_id
        )
        found = self._conn.execute(statement.with_for_update() if lock else statement).first()
        return ConnectionRow(**found._mapping) if found else None

    def get_for_token(self, connection_id: str) -> ConnectionRow | None:
        """The connection a verified connection token names (the token is its scope)."""
        found = self._conn.execute(
            select(connections).where(connections.c.id == connection_id)
        ).first()
        return ConnectionRow(**found._mapping) if found else None

    def owner_of(self, connection_id: str) -> str | None:
        """The owning account id, to tell 'not yours' (403) from 'no such connection' (404)."""
        return self._conn.execute(
            select(connections.c.account_id).where(connections.c.id == connection_id)
        ).scalar_one_or_none()

    def list(
        self,
        account_id: str,
        *,
        filters: Mapping[str, str | None],
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[ConnectionRow]:
        query = select(connections).where(connections.c.account_id == account_id)
        for name, value in filters.items():
            if value is not None:
                query = query.where(connections.c[name] == value)
        if after is not None:
            created, last_id = after
            query = query.where(
                or_(
                    connections.c.created_at > created,
                    and_(connections.c.created_at == created, connections.c.id > last_id),
                )
            )
        query = query.order_by(connections.c.created_at, connections.c.id).limit(limit)
        return [ConnectionRow(**r._mapping) for r in self._conn.execute(query)]

    def list_all_active(self) -> Sequence[ConnectionRow]:
        """Every connection not disconnected, across accounts (schedulers and sweeps only)."""
        rows = self._conn.execute(select(connections).where(connections.c.status != "disconnected"))
        return [ConnectionRow(**r._mapping) for r in rows]

    def update(self, account_id: str, connection_id: str, **values: Any) -> None:
        self._conn.execute(
            update(connections)
            .where(connections.c.account_id == account_id, connections.c.id == connection_id)
            .values(**values)
        )


def _fields(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__dataclass_fields__}
