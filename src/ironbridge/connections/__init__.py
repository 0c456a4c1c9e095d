"""Connections: connect (with the staged check), read, change, disconnect, erase data."""

from .links import (
    LinkCompletion,
    LinkSession,
    LinkTokenCreate,
    complete_link,
    create_link_token,
    exchange_public_token,
    open_link_session,
    run_link,
)
from .service import (
    check_credentials,
    connect,
    create_connection,
    delete_connection_data,
    disconnect,
    get_connection,
    issue_connection_token,
    list_connections,
    load_connection,
    update_connection,
)
from .status import ConnectionStatus, StatusReason, change_status
from .views import (
    CONNECTOR_ID_MARK,
    ConnectionCreate,
    ConnectionPatch,
    ConnectionSettings,
    ConnectionView,
    Metadata,
)

__all__ = [
    "CONNECTOR_ID_MARK",
    "ConnectionCreate",
    "ConnectionPatch",
    "ConnectionSettings",
    "ConnectionStatus",
    "ConnectionView",
    "LinkCompletion",
    "LinkSession",
    "LinkTokenCreate",
    "Metadata",
    "StatusReason",
    "change_status",
    "check_credentials",
    "complete_link",
    "connect",
    "create_connection",
    "create_link_token",
    "delete_connection_data",
    "disconnect",
    "exchange_public_token",
    "get_connection",
    "issue_connection_token",
    "list_connections",
    "load_connection",
    "open_link_session",
    "run_link",
    "update_connection",
]
