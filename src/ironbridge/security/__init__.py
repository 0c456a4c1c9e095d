"""Tokens (random, kind-prefixed, stored only as hashes) and encryption of credentials at rest."""

from .crypto import CredentialCipher
from .tokens import TokenKind, generate_token, hash_token, token_kind, tokens_equal

__all__ = [
    "CredentialCipher",
    "TokenKind",
    "generate_token",
    "hash_token",
    "token_kind",
    "tokens_equal",
]
