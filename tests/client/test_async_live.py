"""`AsyncClient` against a running ironbridge: the same resources, awaited, lists as async
iterators, idempotent writes and typed errors."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from ironbridge.client import AsyncClient, NotFound, RecordLocked

from .conftest import Served


def test_the_async_client_reads_writes_and_raises(served: Served) -> None:
    async def main() -> None:
        async with (
            AsyncClient(served.plant.token, base_url=served.url) as plant,
            AsyncClient(served.server.account.admin_key, base_url=served.url) as admin,
        ):
            assert (await plant.connection.get()).id == served.plant.id
            walked = [po.id async for po in plant.purchase_orders.list(status="approved", limit=5)]
            page = await plant.purchase_orders.page(status="approved", limit=500)
            assert walked == [po.id for po in page.data] and len(walked) > 5

            vendor = next(v for v in page.data if v.vendor).vendor
            assert vendor is not None
            item = (await plant.inventory_items.page(status="active", limit=1)).data[0]
            body = {
                "vendor_id": vendor.id,
                "lines": [{"item_id": item.id, "quantity": "1", "unit_price": "2.00"}],
            }
            key = str(uuid.uuid4())
            first, again = await asyncio.gather(
                plant.purchase_orders.create(body, idempotency_key=key),
                plant.purchase_orders.create(body, idempotency_key=key),
            )
            assert first.id == again.id

            with pytest.raises(RecordLocked) as locked:
                await plant.purchase_orders.update(page.data[0].id, notes="rush")
            assert locked.value.request_id
            with pytest.raises(NotFound):
                await admin.connections.get("conn_missing")
            ids = [c.id async for c in admin.connections.list(limit=1)]
            assert {served.plant.id, served.other.id} <= set(ids)
            assert (await admin.health.ready()).status == "ready"

    asyncio.run(main())
