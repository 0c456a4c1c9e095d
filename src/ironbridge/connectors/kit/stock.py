"""What a stock adjustment asks of a location, whatever system keeps the stock.

An adjustment (`model.InventoryAdjustment`) gives either the new count or a change to what the
location holds; `count_after` turns either into the quantity the location is to hold, so a
session only has to set it, and refuses an adjustment that would leave less than nothing
before anything is written.
"""

from __future__ import annotations

from decimal import Decimal

from ironbridge import errors
from ironbridge.model import InventoryAdjustment

__all__ = ["count_after"]


def count_after(adjustment: InventoryAdjustment, held: Decimal) -> Decimal:
    """The quantity a location holding `held` is to hold after `adjustment`: its new count,
    or `held` plus its delta; `errors.ValidationFailed` on `quantity_delta` below zero."""
    if adjustment.new_count is not None:
        return adjustment.new_count
    target = held + (adjustment.quantity_delta or 0)
    if target < 0:
        message = f"The location holds {held}; that would leave less than nothing."
        raise errors.ValidationFailed({"quantity_delta": message})
    return target
