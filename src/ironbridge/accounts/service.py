"""Creating accounts and issuing or revoking their tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import NotFound, ValidationFailed
from ..ids import new_id
from ..security import TokenKind, generate_token, hash_token
from ..store import AccountRow, CredentialRow, UnitOfWork, utcnow

__all__ = ["IssuedToken", "create_account", "create_admin_key", "issue_token", "revoke_admin_key"]


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued token: `token` is the only time the secret is available."""

    id: str
    token: str
    kind: TokenKind
    created_at: datetime
    expires_at: datetime | None = None


def create_account(
    uow: UnitOfWork, name: str, *, rate_limit_per_minute: int | None = None
) -> AccountRow:
    """A new account (commits)."""
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise ValidationFailed({"name": "must be 1-200 characters"})
    if rate_limit_per_minute is not None and rate_limit_per_minute < 1:
        raise ValidationFailed({"rate_limit_per_minute": "must be at least 1"})
    account = AccountRow(
        id=new_id("acc"),
        name=name,
        rate_limit_per_minute=rate_limit_per_minute,
        created_at=utcnow(),
    )
    uow.accounts.add(account)
    uow.commit()
    return account


def issue_token(
    uow: UnitOfWork,
    kind: TokenKind,
    account_id: str,
    *,
    connection_id: str | None = None,
    label: str | None = None,
    data: dict[str, Any] | None = None,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Store the hash of a new token of `kind`; the caller commits."""
    token = generate_token(kind)
    row = CredentialRow(
        id=new_id("cred"),
        account_id=account_id,
        connection_id=connection_id,
        kind=kind.value,
        token_hash=hash_token(token),
        hint=token[-4:],
        label=label,
        data=data or {},
        created_at=utcnow(),
        expires_at=expires_at,
        used_at=None,
        revoked_at=None,
    )
    uow.credentials.add(row)
    return IssuedToken(
        id=row.id, token=token, kind=kind, created_at=row.created_at, expires_at=expires_at
    )


def create_admin_key(uow: UnitOfWork, account_id: str, *, label: str | None = None) -> IssuedToken:
    """A new admin key for an existing account (commits)."""
    if uow.accounts.get(account_id) is None:
        raise NotFound(f"No account {account_id}.")
    issued = issue_token(uow, TokenKind.ADMIN, account_id, label=label)
    uow.commit()
    return issued


def revoke_admin_key(uow: UnitOfWork, account_id: str, key_id: str) -> None:
    """Revoke an admin key at once (commits)."""
    credential = uow.credentials.get(account_id, key_id)
    if credential is None or credential.kind != TokenKind.ADMIN.value:
        raise NotFound(f"No admin key {key_id} in account {account_id}.")
    uow.credentials.revoke(account_id, key_id, utcnow())
    uow.commit()
