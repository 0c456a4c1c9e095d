"""Persistence: tables, migrations, scoped repositories and the unit of work."""

from .engine import make_engine
from .migrate import is_current, upgrade
from .pagination import (
    decode_keyset,
    decode_position,
    decode_sorted,
    encode_keyset,
    encode_position,
    encode_sorted,
)
from .rows import AccountRow, ConnectionRow, CredentialRow, LiveCredential
from .types import utcnow
from .uow import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AccountRow",
    "ConnectionRow",
    "CredentialRow",
    "LiveCredential",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "decode_keyset",
    "decode_position",
    "decode_sorted",
    "encode_keyset",
    "encode_position",
    "encode_sorted",
    "is_current",
    "make_engine",
    "upgrade",
    "utcnow",
]
