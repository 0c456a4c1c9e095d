"""Change reading over OData v4: the kit's keyset pager, its seeks written as `$filter`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ironbridge.connectors.kit.pager import KeyedRow, KeysetPager, Seek
from ironbridge.connectors.protocols.odata_v4.client import ODataV4Client, QueryOptions
from ironbridge.connectors.protocols.odata_v4.values import (
    datetime_literal,
    parse_datetime,
    typed_literal,
)

__all__ = ["ChangeReader"]


def _same(key: Any) -> Any:
    return key


@dataclass(frozen=True)
class ChangeReader:
    """Pages of one entity set in (change time, key) order, from `since` on.

    Attributes:
        client: the OData v4 client.
        path: the entity set, relative to the service root (`purchaseOrders`).
        key: the key property, the record's remote id (`id`).
        change: the Edm.DateTimeOffset change property (`lastModifiedDateTime`).
        granularity: the resolution the service shows `change` at. OData v4 allows up to
            100 ns; Business Central shows milliseconds of a time it keeps to a few ms, so one
            millisecond (the default) reads it by buckets safely. A service that shows exactly
            what it compares may declare `timedelta(0)` and is paged "after (time, key)".
        key_type: the key's Edm type, for its literal (`Edm.Guid` is written bare).
        key_order: how the service sorts keys, when not as Python sorts their JSON values.
        filter: a fixed `$filter` condition ANDed to every query.
        expand: `$expand` items read with each entity (lines without a change time of their
            own, `purchaseOrderLines`, come with their header).
        select: `$select` properties (the key and change property are added).
    """

    client: ODataV4Client
    path: str
    key: str
    change: str
    granularity: timedelta = timedelta(milliseconds=1)
    key_type: str = "Edm.String"
    key_order: Callable[[Any], Any] = field(default=_same)
    filter: str | None = None
    expand: tuple[str, ...] = ()
    select: tuple[str, ...] = ()

    def _condition(self, seek: Seek[Any]) -> str | None:
        name, key = self.change, self.key
        after = None if seek.after_key is None else typed_literal(seek.after_key, self.key_type)
        start = None if seek.start is None else datetime_literal(seek.start)
        if seek.by_key and seek.end is not None:
            condition = f"{name} ge {start} and {name} lt {datetime_literal(seek.end)}"
            return condition if after is None else f"{condition} and {key} gt {after}"
        if start is None:
            return None
        if after is None:
            return f"{name} ge {start}"
        return f"({name} gt {start}) or ({name} eq {start} and {key} gt {after})"

    def _run(self, seek: Seek[Any], limit: int) -> list[dict[str, Any]]:
        conditions = [c for c in (self.filter, self._condition(seek)) if c]
        orderby = (f"{self.key} asc",) if seek.by_key else (f"{self.change} asc", f"{self.key} asc")
        select = (self.key, self.change, *self.select) if self.select else ()
        options = QueryOptions(
            filter=" and ".join(f"({c})" for c in conditions)
            if len(conditions) > 1
            else (conditions[0] if conditions else None),
            orderby=orderby,
            top=limit,
            select=tuple(dict.fromkeys(select)),
            expand=self.expand,
        )
        return self.client.query(self.path, options, max_page_size=limit)

    def _changed_at(self, entity: dict[str, Any]) -> datetime | None:
        value = entity.get(self.change)
        return parse_datetime(value) if isinstance(value, str) and value else None

    def _key_of(self, entity: dict[str, Any]) -> Any:
        value = entity.get(self.key)
        return value if value not in (None, "") else None

    def pages(
        self, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[KeyedRow[dict[str, Any], Any]]]:
        """Every entity changed at or after `since` (all when None), in pages, in keyset order.

        See `kit.KeysetPager.pages`: each entity once, `modified_at` truncated to the
        granularity, out-of-order answers an `errors.UpstreamError`.
        """
        pager: KeysetPager[dict[str, Any], Any] = KeysetPager(
            self._run,
            change=self._changed_at,
            key=self._key_of,
            granularity=self.granularity,
            key_order=self.key_order,
            source=self.path,
        )
        return pager.pages(since, page_size=page_size)
