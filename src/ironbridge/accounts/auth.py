"""Turning a presented bearer token into a Principal, or AuthenticationFailed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
    #: For a connection token, its connection's system and stored availability per entity,
    #: read with the credential: a read checks the entity is offered without loading the
    #: connection again.
    connection_system: str | None = None
    connection_availability: Mapping[str, Any] | None = None


def authenticate(uow: UnitOfWork, token: str | None, expected: TokenKind) -> Principal:
    """The principal behind `token`, which must be a live credential of kind `expected`.

    Every failure gives the same message, so a caller learns nothing about which tokens exist;
    only a token of another kind is told so, from its public prefix alone.
    """
    given = token_kind(token) if token else None
    if given is not None and given is not expected:
        raise _wrong_kind(given, expected)
    if not token or given is None:
        raise AuthenticationFailed(_message(expected))
    found = uow.credentials.find_live_with_limit(hash_token(token))
    if found is None:
        raise AuthenticationFailed(_message(expected))
    row = found
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
        rate_limit_per_minute=found.account_rate_limit,
        connection_system=found.connection_system,
        connection_availability=found.connection_availability,
    )


@dataclass(frozen=True, slots=True)
class _KindName:
    code: str
    phrase: str
    area: str


#: How each kind of token is named in errors, and what it is for.
_KIND_NAMES = {
    TokenKind.ADMIN: _KindName("admin_key", "an account admin key", "the management API"),
    TokenKind.CONNECTION: _KindName("connection_token", "a connection token", "the unified API"),
    TokenKind.LINK: _KindName("link_token", "a link token", "the connect flow"),
    TokenKind.PUBLIC: _KindName("public_token", "a public token", "the public-token exchange"),
}


def _message(expected: TokenKind) -> str:
    return (
        f"Send {_KIND_NAMES[expected].phrase} as 'Authorization: Bearer <token>'; "
        "the one given is missing, unknown or revoked."
    )


def _wrong_kind(given: TokenKind, expected: TokenKind) -> AuthenticationFailed:
    # 401, not 403: no credential valid for this endpoint was presented, and the remedy is to
    # authenticate with the right one, not to be granted more by the one given.
    have, need = _KIND_NAMES[given], _KIND_NAMES[expected]
    return AuthenticationFailed(
        f"{have.phrase[0].upper()}{have.phrase[1:]} was given where {need.phrase} is needed: "
        f"this endpoint is part of {need.area}, {have.phrase} is for {have.area}.",
        details={"given": have.code, "expected": need.code},
    )
