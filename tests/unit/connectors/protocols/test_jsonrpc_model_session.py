"""What every JSON-RPC model system's session does the same way, with the system's parts faked."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors.base import RawRecord
from ironbridge.connectors.protocols.jsonrpc_changes import ModelResource
from ironbridge.connectors.protocols.jsonrpc_model_session import ModelSession
from ironbridge.connectors.protocols.jsonrpc_models import TRYTON_MODELS
from ironbridge.connectors.tryton.spec import HINTS, SPEC
from ironbridge.model import Entity, InventoryAdjustment

ITEMS = ModelResource(entity=Entity.INVENTORY_ITEMS, model="product.product", fields=("code",))
ADJUSTMENT = {"location_remote_id": "4", "quantity_delta": "-2", "reason": "Broken in transit"}


class _Session(ModelSession):
    """A session whose database holds every model and whose reads return the adjusted item."""

    def __init__(self) -> None:
        client: Any = SimpleNamespace(database="db", http=None, rpc=None, name="Tryton")
        resources = {Entity.INVENTORY_ITEMS: ITEMS}
        super().__init__(SPEC, client, resources=resources, hints=HINTS)
        self.adjusted: list[tuple[str, InventoryAdjustment]] = []

    def _available(self, resource: ModelResource) -> bool:
        return True

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        return RawRecord(remote_id, None, {"adjusted": len(self.adjusted)})


class _Adjusting(_Session):
    def adjust_stock(self, remote_id: str, adjustment: InventoryAdjustment) -> None:
        self.adjusted.append((remote_id, adjustment))


def test_an_adjustment_is_validated_recorded_by_the_system_and_read_back() -> None:
    session = _Adjusting()
    record = session.adjust_inventory("7", ADJUSTMENT)
    ((remote_id, adjustment),) = session.adjusted
    assert remote_id == "7" and adjustment.quantity_delta == Decimal(-2)
    assert adjustment.location_remote_id == "4" and adjustment.reason == "Broken in transit"
    assert record.data == {"adjusted": 1}


def test_an_invalid_adjustment_reaches_no_system() -> None:
    session = _Adjusting()
    with pytest.raises(errors.ValidationFailed):
        session.adjust_inventory("7", {**ADJUSTMENT, "new_count": "3"})
    assert session.adjusted == []


def test_a_system_without_adjust_stock_adjusts_nothing() -> None:
    with pytest.raises(errors.OperationNotSupported):
        _Session().adjust_inventory("7", ADJUSTMENT)


class _Writer:
    def __init__(self, model: str) -> None:
        self.model = model


class _CountAdjusting(ModelSession):
    adjusts = "count"


def test_the_rights_the_check_asks_for_are_those_of_the_writes_the_spec_offers() -> None:
    client: Any = SimpleNamespace(
        database="db", http=None, rpc=None, name="Tryton", dialect=TRYTON_MODELS
    )
    writers: Any = {Entity.PURCHASE_ORDERS: _Writer("order"), Entity.VENDORS: _Writer("party")}
    session = _CountAdjusting(SPEC, client, resources={}, hints=HINTS, writers=writers)
    assert session._needs() == {
        "order": (
            Entity.PURCHASE_ORDERS,
            (("create", "create"), ("write", "write"), ("delete", "delete")),
        ),
        "party": (Entity.VENDORS, (("create", "create"), ("write", "write"))),
        "count": (Entity.INVENTORY_ITEMS, (("create", "adjust"),)),
    }
    given = {"order": (Entity.PURCHASE_ORDERS, (("create", "create"),))}
    plain = ModelSession(SPEC, client, resources={}, hints=HINTS, write_access=given)
    assert plain._needs() == {}
    assert plain.write_access == given


class _Declared(ModelSession):
    writer_types: Any = {Entity.VENDORS: lambda client: _Writer(f"party of {client.name}")}
    adjusts = "count"


def test_writers_and_the_adjusted_model_may_be_declared_on_the_session_class() -> None:
    client: Any = SimpleNamespace(
        database="db", http=None, rpc=None, name="Tryton", dialect=TRYTON_MODELS
    )
    session = _Declared(SPEC, client, resources={}, hints=HINTS)
    assert list(session._needs()) == ["party of Tryton", "count"]
    given: Any = {Entity.VENDORS: _Writer("given")}
    assert _Declared(SPEC, client, resources={}, hints=HINTS, writers=given).writers == given
