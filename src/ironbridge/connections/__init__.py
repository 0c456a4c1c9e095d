"""Connections: connect (with the staged check), read, change, disconnect."""

from .service import (
    check_credentials,
    connect,
    disconnect,
    get_connection,
    issue_connection_token,
    list_connections,
    load_connection,
    update_connection,
)
from .status import ConnectionStatus
from .views import (
    ConnectionCreate,
    ConnectionPatch,
    ConnectionSettings,
    ConnectionView,
    Metadata,
)

__all__ = [
    "ConnectionCreate",
    "ConnectionPatch",
    "ConnectionSettings",
    "ConnectionStatus",
    "ConnectionView",
    "Metadata",
    "check_credentials",
    "connect",
    "disconnect",
    "get_connection",
    "issue_connection_token",
    "list_connections",
    "load_connection",
    "update_connection",
]
