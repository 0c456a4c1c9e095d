"""Changing a connection whose field mappings shape its stored records."""

from __future__ import annotations

from ..connections import ConnectionPatch, ConnectionView, get_connection, update_connection
from ..connectors import ConnectorRegistry
from ..model import Entity
from ..store import UnitOfWorkFactory
from .projection import reproject

__all__ = ["change_connection"]


def change_connection(
    uows: UnitOfWorkFactory,
    registry: ConnectorRegistry,
    account_id: str,
    connection_id: str,
    patch: ConnectionPatch,
) -> ConnectionView:
    """Apply `patch` to the account's connection (commits). When it changes field mappings,
    the stored raw records of every entity mapped before or after are projected again now, so
    the next read shows them without a new sync."""
    with uows() as uow:
        before = get_connection(uow, account_id, connection_id)
        view = update_connection(uow, account_id, connection_id, patch)
        if patch.field_mappings is not None:
            connector = registry.get(view.system)
            for entity in _mapped(before) | _mapped(view):
                mappings = view.settings.field_mappings.get(entity, {})
                reproject(uow, connector, view.id, entity, mappings)
            uow.commit()
        return view


def _mapped(view: ConnectionView) -> set[Entity]:
    return set(view.settings.field_mappings)
