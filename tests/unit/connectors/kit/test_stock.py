from __future__ import annotations

from decimal import Decimal

import pytest

from ironbridge import errors
from ironbridge.connectors.kit import count_after
from ironbridge.model import InventoryAdjustment


def _adjustment(**given: object) -> InventoryAdjustment:
    return InventoryAdjustment.model_validate(
        {"location_remote_id": "8", "reason": "Count", **given}
    )


def test_a_new_count_is_what_the_location_holds_after() -> None:
    assert count_after(_adjustment(new_count=Decimal(2)), Decimal(7)) == Decimal(2)
    assert count_after(_adjustment(new_count=Decimal(0)), Decimal(7)) == Decimal(0)


def test_a_delta_is_added_to_what_the_location_holds() -> None:
    assert count_after(_adjustment(quantity_delta=Decimal(5)), Decimal("1.5")) == Decimal("6.5")
    assert count_after(_adjustment(quantity_delta=Decimal(-3)), Decimal(3)) == Decimal(0)


def test_removing_more_than_the_location_holds_is_refused() -> None:
    with pytest.raises(errors.ValidationFailed) as refused:
        count_after(_adjustment(quantity_delta=Decimal(-4)), Decimal(3))
    assert refused.value.fields == {
        "quantity_delta": "The location holds 3; that would leave less than nothing."
    }
