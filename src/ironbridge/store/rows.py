"""Plain records the repositories return; the rest of the code never sees SQLAlchemy rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["AccountRow", "ConnectionRow", "CredentialRow", "LiveCredential"]


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: str
    name: str
    rate_limit_per_minute: int | None
    created_at: datetime
    event_sequence: int = 0


@dataclass(frozen=True, slots=True)
class CredentialRow:
    id: str
    account_id: str
    connection_id: str | None
    kind: str
    token_hash: str
    hint: str
    label: str | None
    data: dict[str, Any]
    created_at: datetime
    expires_at: datetime | None
    used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class LiveCredential:
    """A credential as authentication reads it (the columns it checks): with its account's
    rate limit, and for a token bound to a connection that connection's system and stored
    availability per entity."""

    id: str
    account_id: str
    connection_id: str | None
    kind: str
    token_hash: str
    expires_at: datetime | None
    revoked_at: datetime | None
    account_rate_limit: int | None
    connection_system: str | None
    #: Shared between the requests that read the same stored value: read it, never change it.
    connection_availability: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class ConnectionRow:
    id: str
    account_id: str
    system: str
    end_customer_id: str
    end_customer_name: str
    status: str
    credentials_ciphertext: str
    settings: dict[str, Any]
    enabled_event_types: list[str]
    metadata: dict[str, Any]
    health: dict[str, Any]
    last_checked_at: datetime | None
    created_at: datetime
    updated_at: datetime
    disconnected_at: datetime | None = field(default=None)
    event_sequence: int = 0
    #: Per entity value: `EntityAvailability.to_dict()`; None until a check has told.
    availability: dict[str, Any] | None = None
    #: Entity values the integrator requires; None = at least one synced entity.
    required_entities: list[str] | None = None
