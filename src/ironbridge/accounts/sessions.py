"""Signed-in operators: the admin key a dashboard session was opened with must stay live."""

from __future__ import annotations

from ..errors import AuthenticationFailed
from ..security import TokenKind
from ..store import UnitOfWork, utcnow
from .auth import Principal

__all__ = ["resume_admin_session"]


def resume_admin_session(uow: UnitOfWork, account_id: str, credential_id: str) -> Principal:
    """The principal of a session opened with the admin key `credential_id` of `account_id`.

    Raises `AuthenticationFailed` once that key is revoked or expired, so revoking a key ends
    the sessions opened with it at their next request.
    """
    row = uow.credentials.get(account_id, credential_id)
    now = utcnow()
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
