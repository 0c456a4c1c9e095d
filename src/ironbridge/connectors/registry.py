"""The connectors a running ironbridge offers, by id."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ironbridge import errors
from ironbridge.connectors.base import Connector

__all__ = ["ConnectorRegistry", "default_registry"]


class ConnectorRegistry:
    """Connectors by their spec id, in registration order.

    A registry is built once at start-up (see `default_registry`) and then only read, so it needs
    no locking.
    """

    def __init__(self, connectors: Iterable[Connector] = ()) -> None:
        self._connectors: dict[str, Connector] = {}
        for connector in connectors:
            self.register(connector)

    def register(self, connector: Connector) -> None:
        """Add `connector`; raises ValueError when its id is already registered."""
        connector_id = connector.spec.id
        if connector_id in self._connectors:
            raise ValueError(f"a connector with id {connector_id!r} is already registered")
        self._connectors[connector_id] = connector

    def get(self, connector_id: str) -> Connector:
        """The connector with id `connector_id`; raises `errors.NotFound` when there is none."""
        try:
            return self._connectors[connector_id]
        except KeyError:
            raise errors.NotFound(f"No connector named {connector_id!r}.") from None

    def all(self) -> tuple[Connector, ...]:
        """Every registered connector, in registration order."""
        return tuple(self._connectors.values())

    def __contains__(self, connector_id: object) -> bool:
        return connector_id in self._connectors

    def __iter__(self) -> Iterator[Connector]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._connectors)


def default_registry() -> ConnectorRegistry:
    """A new registry holding every connector that ships with ironbridge.

    Connector packages are imported here, when the registry is built, not when this module is:
    importing the SDK stays cheap, and one connector's optional dependencies cannot break the
    import of another.
    """
    from ironbridge.connectors.business_central import connector as business_central
    from ironbridge.connectors.maximo import connector as maximo
    from ironbridge.connectors.netsuite import connector as netsuite
    from ironbridge.connectors.odoo import connector as odoo
    from ironbridge.connectors.sandbox import connector as sandbox
    from ironbridge.connectors.sap_s4hana import connector as sap_s4hana
    from ironbridge.connectors.tryton import connector as tryton

    return ConnectorRegistry(
        [sandbox, sap_s4hana, tryton, business_central, netsuite, maximo, odoo]
    )
