"""Connection statuses and what each means to an integrator."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ConnectionStatus"]


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    """Credentials work; data is being kept fresh."""
    SYNCING = "syncing"
    """A sync run is in progress."""
    OFFLINE = "offline"
    """The source system cannot be reached; syncs resume when it answers again."""
    AUTH_REQUIRED = "auth_required"
    """The source no longer accepts the credentials; the end customer must reconnect."""
    DISCONNECTED = "disconnected"
    """Disconnected by the integrator: token revoked, schedules stopped, data kept."""
