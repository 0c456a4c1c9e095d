"""Signed-in operators: a dashboard session is open while its row is, and while the admin key
it was opened with stays live."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from ..errors import AuthenticationFailed
from ..security import TokenKind
from ..store import UnitOfWork, utcnow
from ..store.sessions import SessionRepository
from .auth import Principal

__all__ = [
    "end_admin_session",
    "open_admin_session",
    "purge_admin_sessions",
    "resume_admin_session",
]


def _session_id(nonce: str) -> str:
    # The row is named by a digest: reading the table gives nothing a cookie could carry.
    return hashlib.sha256(nonce.encode()).hexdigest()


def open_admin_session(
    uow: UnitOfWork, principal: Principal, nonce: str, expires_at: datetime
) -> None:
    """Record the session with `nonce` that `principal` (an admin key) signed in to."""
    SessionRepository(uow.connection).add(
        _session_id(nonce),
        account_id=principal.account_id,
        credential_id=principal.credential_id,
        created_at=utcnow(),
        expires_at=expires_at,
    )


def end_admin_session(uow: UnitOfWork, account_id: str, nonce: str) -> None:
    """End the session with `nonce`: every copy of its cookie stops working."""
    SessionRepository(uow.connection).end(_session_id(nonce), account_id, utcnow())


def purge_admin_sessions(uow: UnitOfWork, now: datetime | None = None) -> int:
    """Forget sessions a day past their expiry; how many."""
    return SessionRepository(uow.connection).purge((now or utcnow()) - timedelta(days=1))


def resume_admin_session(
    uow: UnitOfWork, account_id: str, credential_id: str, nonce: str
) -> Principal:
    """The principal of the session with `nonce`, opened with the admin key `credential_id` of
    `account_id`.

    Raises `AuthenticationFailed` once the session is ended (signed out) or expired, or the key
    is revoked or expired: revoking a key ends the sessions opened with it at their next request.
    """
    now = utcnow()
    if not SessionRepository(uow.connection).live(
        _session_id(nonce), account_id, credential_id, now
    ):
        raise AuthenticationFailed("This session has ended; sign in again.")
    row = uow.credentials.get(account_id, credential_id)
    if (
        row is None
        or row.kind != TokenKind.ADMIN.value
        or row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
    ):
        raise AuthenticationFailed("The admin key this session was opened with is no longer valid.")
    return Principal(
        account_id=row.account_id,
        credential_id=row.id,
        kind=TokenKind.ADMIN,
        connection_id=None,
        rate_limit_per_minute=None,
    )
