"""`MappedConnector`: a connector that is a session class and a `Mapper`, declared.

Most connectors open a session from their validated credentials and map records through their
kit `Mapper`; such a connector declares the two instead of writing `session` and `to_unified`,
and its `status_tables` are, unless it declares them, those of its maps' status codes
(`kit.status_tables`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from ironbridge.connectors.base import (
    Connector,
    ConnectorSession,
    IdFactory,
    RawRecord,
    SessionOptions,
)
from ironbridge.connectors.kit.catalog import status_tables
from ironbridge.connectors.kit.maps import Mapper
from ironbridge.model import Entity

__all__ = ["MappedConnector"]


class MappedConnector(Connector):
    """A connector whose sessions are `session_type(credentials, options=...)` and whose
    records map through `mapper`."""

    #: Builds a session from validated credentials (the session class).
    session_type: ClassVar[Callable[..., ConnectorSession]]
    mapper: ClassVar[Mapper]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "mapper" in cls.__dict__ and "status_tables" not in cls.__dict__:
            cls.status_tables = status_tables(cls.mapper)

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> ConnectorSession:
        """A session for `credentials`, checked against the spec's fields."""
        return type(self).session_type(self.validate_credentials(credentials), options=options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """The record mapped through `mapper`."""
        return self.mapper.to_unified(entity, raw, ids)
