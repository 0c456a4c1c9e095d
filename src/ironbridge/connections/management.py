"""What the HTTP edges ask of connections, each call in a unit of work of its own.

The functions of `service` and `links` work inside a unit of work they are given, so callers
that do several things at once can do them together; these open their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import events
from ..accounts import IssuedToken
from ..connectors import ConnectorRegistry, SessionOptions
from ..security import CredentialCipher
from ..store import UnitOfWorkFactory
from . import links, service
from .links import LinkSession, LinkTokenCreate
from .views import ConnectionCreate, ConnectionView

__all__ = [
    "connect",
    "create_link_token",
    "disconnect",
    "exchange_public_token",
    "list_events",
    "open_link_session",
]


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
    (commits; `connection.created` says it came through the API).

    The check may take as long as a slow source does, so no database connection is held
    meanwhile."""
    connector, required, stages = service.check_new_connection(registry, body, options=options)
    with uows() as uow:
        return service.create_connection(
            uow, cipher, connector, account_id, body, stages, required=required
        )


def disconnect(uows: UnitOfWorkFactory, account_id: str, connection_id: str) -> ConnectionView:
    """Revoke the connection's tokens now and mark it disconnected; its data is kept (commits)."""
    with uows() as uow:
        return service.disconnect(uow, account_id, connection_id)


def create_link_token(
    uows: UnitOfWorkFactory,
    registry: ConnectorRegistry,
    account_id: str,
    body: LinkTokenCreate,
    *,
    base_url: str,
) -> tuple[IssuedToken, str]:
    """Issue the link token the request asks for (commits); returns it and its connect URL."""
    with uows() as uow:
        return links.create_link_token(
            uow,
            account_id,
            registry=registry,
            base_url=base_url,
            end_customer_id=body.end_customer_id,
            end_customer_name=body.end_customer_name,
            systems=body.systems,
            connection_id=body.connection_id,
            expires_in=body.expires_in,
            metadata=body.metadata,
            redirect_url=body.redirect_url,
            required_entities=body.required_entities,
        )


def exchange_public_token(
    uows: UnitOfWorkFactory, account_id: str, public_token: str
) -> tuple[ConnectionView, IssuedToken]:
    """Exchange a public token once for its connection and a new connection token (commits)."""
    with uows() as uow:
        return links.exchange_public_token(uow, account_id, public_token)


def list_events(
    uows: UnitOfWorkFactory,
    account_id: str,
    *,
    cursor: str | None,
    cursor_param: str,
    types: Sequence[str] | None,
    connection_id: str | None,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """The account's events after a cursor (`events.list_events`), of one of its connections
    when `connection_id` names one (403 if another account's, 404 if none)."""
    with uows(readonly=True) as uow:
        if connection_id:
            service.load_connection(uow, account_id, connection_id)
        return events.list_events(
            uow,
            account_id,
            cursor=cursor,
            cursor_param=cursor_param,
            types=types,
            connection_id=connection_id,
            limit=limit,
        )


def open_link_session(uows: UnitOfWorkFactory, token: str | None) -> LinkSession:
    """The session a link token opens (`links.open_link_session`), read in one transaction."""
    with uows(readonly=True) as uow:
        return links.open_link_session(uow, token)
