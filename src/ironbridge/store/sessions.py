"""Dashboard sessions as rows: opened at sign-in, ended at sign-out, purged after expiry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from .tables import dashboard_sessions

__all__ = ["SessionRepository"]


class SessionRepository:
    """The dashboard sessions of every account, by the digest of their nonce."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(
        self,
        session_id: str,
        *,
        account_id: str,
        credential_id: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        self._conn.execute(
            dashboard_sessions.insert().values(
                id=session_id,
                account_id=account_id,
                credential_id=credential_id,
                created_at=created_at,
                expires_at=expires_at,
            )
        )

    def live(self, session_id: str, account_id: str, credential_id: str, now: datetime) -> bool:
        """Whether the session is open: of this account's credential, not ended, not expired."""
        found = self._conn.execute(
            select(dashboard_sessions.c.id).where(
                dashboard_sessions.c.id == session_id,
                dashboard_sessions.c.account_id == account_id,
                dashboard_sessions.c.credential_id == credential_id,
                dashboard_sessions.c.ended_at.is_(None),
                dashboard_sessions.c.expires_at > now,
            )
        ).first()
        return found is not None

    def end(self, session_id: str, account_id: str, now: datetime) -> None:
        self._conn.execute(
            update(dashboard_sessions)
            .where(
                dashboard_sessions.c.id == session_id,
                dashboard_sessions.c.account_id == account_id,
                dashboard_sessions.c.ended_at.is_(None),
            )
            .values(ended_at=now)
        )

    def purge(self, before: datetime) -> int:
        """Forget sessions that expired before `before`; how many."""
        result = self._conn.execute(
            delete(dashboard_sessions).where(dashboard_sessions.c.expires_at < before)
        )
        return int(result.rowcount or 0)
