"""The unified API's records: one generic resource per entity, blocking and awaitable."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from .calls import Call, new_idempotency_key, query
from .models import InventoryItem, InventoryItemList
from .operations import adjust_inventory
from .paging import PageModel, apages, pages
from .transport import AsyncTransport, SyncTransport

__all__ = ["AsyncInventoryItems", "AsyncRecords", "InventoryItems", "RecordCalls", "Records"]

M = TypeVar("M", bound=BaseModel)
L = TypeVar("L", bound=PageModel)


class RecordCalls(Generic[M, L]):
    """The calls on one entity's records (`purchase-orders` …), shared by both clients."""

    def __init__(self, entity: str, model: type[M], list_model: type[L]) -> None:
        self.entity = entity
        self.model = model
        self.list_model = list_model

    def _path(self, record_id: str | None = None) -> str:
        base = f"/v1/{self.entity}"
        return base if record_id is None else f"{base}/{quote(str(record_id), safe='')}"

    def page_call(
        self,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        modified_after: datetime | str | None = None,
        modified_before: datetime | str | None = None,
        include_deleted: bool | None = None,
        include: str | None = None,
        expand: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> Call[L]:
        params = query(
            cursor=cursor,
            limit=limit,
            modified_after=modified_after,
            modified_before=modified_before,
            include_deleted=include_deleted,
            include=include,
            expand=expand,
            **filters,
        )
        return Call("GET", f"GET /v1/{self.entity}", self._path(), self.list_model, params)

    def get_call(
        self,
        record_id: str,
        *,
        include: str | None = None,
        expand: str | Sequence[str] | None = None,
    ) -> Call[M]:
        return Call(
            "GET",
            f"GET /v1/{self.entity}/{{record_id}}",
            self._path(record_id),
            self.model,
            query(include=include, expand=expand),
        )

    def create_call(
        self, body: Mapping[str, Any] | None, idempotency_key: str | None, fields: dict[str, Any]
    ) -> Call[M]:
        return Call(
            "POST",
            f"POST /v1/{self.entity}",
            self._path(),
            self.model,
            json={**(body or {}), **fields},
            has_body=True,
            idempotency_key=idempotency_key or new_idempotency_key(),
        )

    def update_call(
        self,
        record_id: str,
        body: Mapping[str, Any] | None,
        idempotency_key: str | None,
        fields: dict[str, Any],
    ) -> Call[M]:
        return Call(
            "PATCH",
            f"PATCH /v1/{self.entity}/{{record_id}}",
            self._path(record_id),
            self.model,
            json={**(body or {}), **fields},
            has_body=True,
            idempotency_key=idempotency_key or new_idempotency_key(),
        )

    def delete_call(self, record_id: str, idempotency_key: str | None) -> Call[M]:
        return Call(
            "DELETE",
            f"DELETE /v1/{self.entity}/{{record_id}}",
            self._path(record_id),
            self.model,
            idempotency_key=idempotency_key or new_idempotency_key(),
        )


class Records(Generic[M, L]):
    """One entity's records through a connection token (`client.purchase_orders` …).

    `list(...)` walks every page by `next_cursor`; `page(...)` returns one page. Filters are
    the entity's own (`status`, `vendor_id` …) plus `modified_after`, `modified_before`,
    `include_deleted`, `include="remote_data"` and `expand`. Writes send an `Idempotency-Key`
    (a new UUID unless given) that stays the same when the SDK retries them.
    """

    def __init__(self, transport: SyncTransport, calls: RecordCalls[M, L]) -> None:
        self._transport = transport
        self._calls = calls

    def page(
        self,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        modified_after: datetime | str | None = None,
        modified_before: datetime | str | None = None,
        include_deleted: bool | None = None,
        include: str | None = None,
        expand: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> L:
        """One page: `.data` and `.next_cursor` (pass it as `cursor` for the next).

        Filters are the entity's own (`status`, `vendor_id` …) given as keywords.
        """
        return self._transport.run(
            self._calls.page_call(
                cursor=cursor,
                limit=limit,
                modified_after=modified_after,
                modified_before=modified_before,
                include_deleted=include_deleted,
                include=include,
                expand=expand,
                **filters,
            )
        )

    def list(
        self,
        *,
        limit: int | None = None,
        modified_after: datetime | str | None = None,
        modified_before: datetime | str | None = None,
        include_deleted: bool | None = None,
        include: str | None = None,
        expand: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> Iterator[M]:
        """Every record matching the filters, page after page, fetched as iteration goes."""
        params = dict(
            limit=limit,
            modified_after=modified_after,
            modified_before=modified_before,
            include_deleted=include_deleted,
            include=include,
            expand=expand,
            **filters,
        )
        return pages(self._transport, self._calls.page_call, params)

    def get(
        self,
        record_id: str,
        *,
        include: str | None = None,
        expand: str | Sequence[str] | None = None,
    ) -> M:
        """One record by its ironbridge id."""
        return self._transport.run(self._calls.get_call(record_id, include=include, expand=expand))

    def create(
        self,
        body: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> M:
        """Create a record in the source system (fields as a mapping, keywords or both)."""
        return self._transport.run(self._calls.create_call(body, idempotency_key, fields))

    def update(
        self,
        record_id: str,
        body: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> M:
        """Change the given fields of a record in the source system."""
        return self._transport.run(
            self._calls.update_call(record_id, body, idempotency_key, fields)
        )

    def delete(self, record_id: str, *, idempotency_key: str | None = None) -> M:
        """Delete (or cancel, where the system only cancels) a record; the record as left."""
        return self._transport.run(self._calls.delete_call(record_id, idempotency_key))


class AsyncRecords(Generic[M, L]):
    """`Records` for `AsyncClient`: the same methods, awaited; `list` is an async iterator."""

    def __init__(self, transport: AsyncTransport, calls: RecordCalls[M, L]) -> None:
        self._transport = transport
        self._calls = calls

    async def page(
        self,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        modified_after: datetime | str | None = None,
        modified_before: datetime | str | None = None,
        include_deleted: bool | None = None,
        include: str | None = None,
        expand: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> L:
        """One page: `.data` and `.next_cursor` (pass it as `cursor` for the next)."""
        return await self._transport.run(
            self._calls.page_call(
                cursor=cursor,
                limit=limit,
                modified_after=modified_after,
                modified_before=modified_before,
                include_deleted=include_deleted,
                include=include,
                expand=expand,
                **filters,
            )
        )

    def list(
        self,
        *,
        limit: int | None = None,
        modified_after: datetime | str | None = None,
        modified_before: datetime | str | None = None,
        include_deleted: bool | None = None,
        include: str | None = None,
        expand: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> AsyncIterator[M]:
        """Every record matching the filters, page after page: `async for record in …`."""
        params = dict(
            limit=limit,
            modified_after=modified_after,
            modified_before=modified_before,
            include_deleted=include_deleted,
            include=include,
            expand=expand,
            **filters,
        )
        return apages(self._transport, self._calls.page_call, params)

    async def get(
        self,
        record_id: str,
        *,
        include: str | None = None,
        expand: str | Sequence[str] | None = None,
    ) -> M:
        """One record by its ironbridge id."""
        return await self._transport.run(
            self._calls.get_call(record_id, include=include, expand=expand)
        )

    async def create(
        self,
        body: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> M:
        """Create a record in the source system (fields as a mapping, keywords or both)."""
        return await self._transport.run(self._calls.create_call(body, idempotency_key, fields))

    async def update(
        self,
        record_id: str,
        body: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> M:
        """Change the given fields of a record in the source system."""
        return await self._transport.run(
            self._calls.update_call(record_id, body, idempotency_key, fields)
        )

    async def delete(self, record_id: str, *, idempotency_key: str | None = None) -> M:
        """Delete (or cancel, where the system only cancels) a record; the record as left."""
        return await self._transport.run(self._calls.delete_call(record_id, idempotency_key))


class InventoryItems(Records[InventoryItem, InventoryItemList]):
    """`Records` of inventory items, with stock adjustments."""

    def adjust(
        self,
        item_id: str,
        body: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> InventoryItem:
        """Change a stock level at a location: `location_id` with `quantity_delta` or
        `new_count`, and a `reason`; the item as it now stands."""
        call = adjust_inventory(item_id, body, idempotency_key=idempotency_key, **fields)
        return self._transport.run(call)


class AsyncInventoryItems(AsyncRecords[InventoryItem, InventoryItemList]):
    """`AsyncRecords` of inventory items, with stock adjustments."""

    async def adjust(
        self,
        item_id: str,
        body: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> InventoryItem:
        """Change a stock level at a location: `location_id` with `quantity_delta` or
        `new_count`, and a `reason`; the item as it now stands."""
        call = adjust_inventory(item_id, body, idempotency_key=idempotency_key, **fields)
        return await self._transport.run(call)
