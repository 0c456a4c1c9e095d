"""Turning a presented bearer token into a Principal, or AuthenticationFailed."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import AuthenticationFailed
from ..security import TokenKind, hash_token, token_kind, tokens_equal
from ..store import UnitOfWork, utcnow

__all__ = ["Principal", "authenticate"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: an account, through one credential, maybe bound to one connection."""

    account_id: str
    credential_id: str
    kind: TokenKind
    connection_id: str | None
    rate_limit_per_minute: int | None


def authenticate(uow: UnitOfWork, token: str | None, expected: TokenKind) -> Principal:
    """The principal behind `token`, which must be a live credential of kind `expected`.

    Every failure gives the same message, so a caller learns nothing about which tokens exist.
    """
    if not token or token_kind(token) is not expected:
        raise AuthenticationFailed(_message(expected))
    found = uow.credentials.find_live_with_limit(hash_token(token))
    if found is None:
        raise AuthenticationFailed(_message(expected))
    row, rate_limit = found
    if not tokens_equal(row.token_hash, token) or row.kind != expected.value:
        raise AuthenticationFailed(_message(expected))
    now = utcnow()
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise AuthenticationFailed(_message(expected))
    return Principal(
        account_id=row.account_id,
        credential_id=row.id,
        kind=expected,
        connection_id=row.connection_id,
        rate_limit_per_minute=rate_limit,
    )


def _message(expected: TokenKind) -> str:
    what = {
        TokenKind.ADMIN: "an account admin key",
        TokenKind.CONNECTION: "a connection token",
        TokenKind.LINK: "a link token",
        TokenKind.PUBLIC: "a public token",
    }[expected]
    return (
        f"Send {what} as 'Authorization: Bearer <token>'; "
        "the one given is missing, unknown or revoked."
    )
