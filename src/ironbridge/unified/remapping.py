"""Changing a connection whose field mappings shape its stored records."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from ..connections import ConnectionPatch, ConnectionView, get_connection, update_connection
from ..connectors import ConnectorRegistry
from ..errors import ValidationFailed
from ..model import Entity, field_errors
from ..store import UnitOfWorkFactory
from .projection import reproject

__all__ = ["change_connection", "change_entity_mappings"]


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


def change_entity_mappings(
    uows: UnitOfWorkFactory,
    registry: ConnectorRegistry,
    account_id: str,
    connection_id: str,
    entity: Entity,
    mappings: Mapping[str, str],
) -> tuple[ConnectionView, int]:
    """Replace one entity's field mappings (empty: remove them), keeping the other entities',
    and project that entity's stored records again (commits). The connection and how many
    stored records changed.

    Raises:
        ValidationFailed: a mapping the connection settings refuse, named by its field.
    """
    with uows() as uow:
        before = get_connection(uow, account_id, connection_id)
        merged = {e.value: dict(m) for e, m in before.settings.field_mappings.items()}
        if mappings:
            merged[entity.value] = dict(mappings)
        else:
            merged.pop(entity.value, None)
        try:
            patch = ConnectionPatch.model_validate({"field_mappings": merged})
        except ValidationError as exc:
            raise ValidationFailed(field_errors(exc)) from exc
        view = update_connection(uow, account_id, connection_id, patch)
        changed = reproject(
            uow,
            registry.get(view.system),
            view.id,
            entity,
            view.settings.field_mappings.get(entity, {}),
        )
        uow.commit()
        return view, changed


def _mapped(view: ConnectionView) -> set[Entity]:
    return set(view.settings.field_mappings)
