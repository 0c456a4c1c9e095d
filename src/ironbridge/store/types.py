"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["JSONText", "JSONType", "UTCDateTime", "dump_json", "utcnow"]

#: JSON everywhere; JSONB on PostgreSQL so it can be indexed later.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class JSONText(str):
    """A JSON value already serialised (say, a stored record's text): a JSON column stores it
    as it is, rather than parsing it only to serialise it again."""

    __slots__ = ()


def dump_json(value: Any) -> str:
    """The engines' JSON serialiser: `json.dumps`, except for `JSONText`, which is JSON already."""
    if isinstance(value, JSONText):
        return str(value)
    return json.dumps(value)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in, the same out (SQLite drops the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite compares these as text: a fixed, zone-free form keeps the order right.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # On SQLite, straight to the stored text: the same as `process_bind_param` followed by
        # SQLAlchemy's SQLite DATETIME formatting (`YYYY-MM-DD HH:MM:SS.ffffff`), in one C call
        # instead of two Python steps; every record and event written binds a few of these.
        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]
