"""Parameter types shared by routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator

from ..store.pagination import CURSOR_PATTERN

__all__ = ["IsoDatetime", "IsoDatetimeQuery", "PageCursor", "PageLimit"]


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

#: The page size of a list.
PageLimit = Annotated[
    int, Query(ge=1, le=500, description="How many items a page holds, 1 to 500.")
]
#: Where a list continues: the `next_cursor` of the page before, as the API issued it.
PageCursor = Annotated[
    str | None,
    Query(
        max_length=512,
        pattern=CURSOR_PATTERN,
        description="The `next_cursor` of the previous page, unchanged; omit for the first page.",
    ),
]
