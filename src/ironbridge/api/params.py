"""Parameter types shared by routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator

__all__ = ["IsoDatetime", "IsoDatetimeQuery"]


def _iso_datetime(value: Any) -> Any:
    # Pydantic would also read a bare number as a Unix time; the contract says ISO 8601.
    if value is not None and not (isinstance(value, str) and len(value) >= 10 and value[4] == "-"):
        raise ValueError("must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z")
    return value


#: An ISO 8601 date-time in a body; without a zone it is read as UTC.
IsoDatetime = Annotated[datetime | None, BeforeValidator(_iso_datetime)]
#: The same as a query parameter.
IsoDatetimeQuery = Annotated[
    datetime | None,
    BeforeValidator(_iso_datetime),
    Query(description="ISO 8601 date-time; without a zone it is read as UTC."),
]
