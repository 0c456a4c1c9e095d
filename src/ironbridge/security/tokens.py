"""Bearer tokens: `ib_<kind>_<random>`, shown once, stored as SHA-256 digests.

The random part carries 256 bits, so a fast unsalted hash is enough: no guessing attack can
walk that space, and a digest lookup stays one indexed query.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import StrEnum

__all__ = ["TokenKind", "generate_token", "hash_token", "token_kind", "tokens_equal"]


class TokenKind(StrEnum):
    """What a token grants; its prefix makes a leaked token recognisable."""

    ADMIN = "admin"
    """An account admin key: the management API of one account."""
    CONNECTION = "conn"
    """A connection token: the unified API of one connection."""
    LINK = "link"
    """A link token: one connect session, short-lived and single use."""
    PUBLIC = "pub"
    """A public token handed back by the connect flow, exchanged once for a connection token."""


def generate_token(kind: TokenKind) -> str:
    """A new random token of `kind`."""
    return f"ib_{kind.value}_{secrets.token_urlsafe(32)}"


def token_kind(token: str) -> TokenKind | None:
    """The kind a token claims by its prefix, or None for anything that is not our token."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "ib" or not parts[2]:
        return None
    try:
        return TokenKind(parts[1])
    except ValueError:
        return None


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_equal(stored_hash: str, presented: str) -> bool:
    """Constant-time comparison of a stored digest with a presented token."""
    return hmac.compare_digest(stored_hash, hash_token(presented))
