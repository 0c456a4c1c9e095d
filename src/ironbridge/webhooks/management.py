"""What the management API asks of webhooks, each call in a unit of work of its own.

The functions of `endpoints` and `deliveries` work inside a unit of work they are given, so
pages that show several things at once can read them together; these open their own.
"""

from __future__ import annotations

from datetime import datetime

from ..security import CredentialCipher
from ..store import UnitOfWorkFactory
from . import deliveries, endpoints
from .deliveries import DeliveryView
from .endpoints import EndpointIn, EndpointPatch, EndpointView

__all__ = [
    "create_endpoint",
    "delete_endpoint",
    "get_delivery",
    "get_endpoint",
    "list_deliveries",
    "list_endpoints",
    "rotate_secret",
    "update_endpoint",
]


def list_endpoints(uows: UnitOfWorkFactory, account_id: str) -> list[EndpointView]:
    """The account's endpoints."""
    with uows(readonly=True) as uow:
        return endpoints.list_endpoints(uow, account_id)


def get_endpoint(uows: UnitOfWorkFactory, account_id: str, endpoint_id: str) -> EndpointView:
    """One of the account's endpoints (`NotFound` otherwise)."""
    with uows(readonly=True) as uow:
        return endpoints.get_endpoint(uow, account_id, endpoint_id)


def create_endpoint(
    uows: UnitOfWorkFactory,
    cipher: CredentialCipher,
    account_id: str,
    body: EndpointIn,
    *,
    allow_private: bool,
) -> EndpointView:
    """Add an endpoint (commits); its view carries the new signing secret this once."""
    with uows() as uow:
        return endpoints.create_endpoint(uow, cipher, account_id, body, allow_private=allow_private)


def update_endpoint(
    uows: UnitOfWorkFactory,
    account_id: str,
    endpoint_id: str,
    patch: EndpointPatch,
    *,
    allow_private: bool,
) -> EndpointView:
    """Change what the patch gives (commits)."""
    with uows() as uow:
        return endpoints.update_endpoint(
            uow, account_id, endpoint_id, patch, allow_private=allow_private
        )


def delete_endpoint(uows: UnitOfWorkFactory, account_id: str, endpoint_id: str) -> None:
    """Remove an endpoint (commits)."""
    with uows() as uow:
        endpoints.delete_endpoint(uow, account_id, endpoint_id)


def rotate_secret(
    uows: UnitOfWorkFactory, cipher: CredentialCipher, account_id: str, endpoint_id: str
) -> EndpointView:
    """A new signing secret, returned this once; the old one keeps signing beside it (commits)."""
    with uows() as uow:
        return endpoints.rotate_secret(uow, cipher, account_id, endpoint_id)


def list_deliveries(
    uows: UnitOfWorkFactory,
    account_id: str,
    *,
    status: str | None,
    endpoint_id: str | None,
    event_type: str | None,
    created_after: datetime | None,
    created_before: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[DeliveryView], str | None]:
    """One page of the account's delivery log, oldest first, and the next page's cursor."""
    with uows(readonly=True) as uow:
        return deliveries.list_deliveries(
            uow,
            account_id,
            status=status,
            endpoint_id=endpoint_id,
            event_type=event_type,
            created_after=created_after,
            created_before=created_before,
            cursor=cursor,
            limit=limit,
        )


def get_delivery(uows: UnitOfWorkFactory, account_id: str, delivery_id: str) -> DeliveryView:
    """One delivery with every attempt (`NotFound` otherwise)."""
    with uows(readonly=True) as uow:
        return deliveries.get_delivery(uow, account_id, delivery_id)
