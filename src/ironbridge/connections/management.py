"""What the management API asks of connections, each call in a unit of work of its own.

The functions of `service` work inside a unit of work they are given, so callers that do
several things at once can do them together; these open their own.
"""

from __future__ import annotations

from ..accounts import IssuedToken
from ..connectors import ConnectorRegistry, SessionOptions
from ..security import CredentialCipher
from ..store import UnitOfWorkFactory
from . import service
from .views import ConnectionCreate, ConnectionView

__all__ = ["connect", "disconnect"]


def connect(
    uows: UnitOfWorkFactory,
    cipher: CredentialCipher,
    registry: ConnectorRegistry,
    account_id: str,
    body: ConnectionCreate,
    *,
    options: SessionOptions,
) -> tuple[ConnectionView, IssuedToken]:
    """Check the credentials against the source, then store the connection and issue its token
    (commits; `connection.created` says it came through the API)."""
    with uows() as uow:
        return service.connect(uow, cipher, registry, account_id, body, options=options)


def disconnect(uows: UnitOfWorkFactory, account_id: str, connection_id: str) -> ConnectionView:
    """Revoke the connection's tokens now and mark it disconnected; its data is kept (commits)."""
    with uows() as uow:
        return service.disconnect(uow, account_id, connection_id)
