"""Stock adjustments as Tryton records them: a stock inventory, confirmed at once.

Tryton corrects stock with inventories (`stock.inventory`, Inventory & Stock > Inventories):
a numbered, dated document per storage location whose lines hold the counted quantity of a
product. Confirming it makes and does the stock moves between the location and its
lost-and-found location that bring the stock to the count, each with the inventory line as its
`origin`. That is what a Tryton user does to correct stock, and it leaves the audit trail a
Tryton user looks for: the inventory, who confirmed it and when, and its moves.

An adjustment becomes one inventory with one line:

- `new_count` is the line's quantity, as a count is.
- `quantity_delta` is added to the quantity Tryton expects at the location. Tryton computes
  that expected quantity when the inventory is created and makes its move from it at
  confirmation, so the move is exactly the delta even when stock changes meanwhile.

Neither the inventory, its lines nor stock moves have a text field, so the `reason` goes to the
inventory's discussion (`ir.chat.channel.post`, Tryton's chat on documents, audience
`internal`), where the Tryton client shows it beside the inventory with its author and time.

Each step is its own Tryton transaction; if one after the creation fails, the draft inventory
is deleted again (best effort), so a refused adjustment leaves no document behind.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from ironbridge import errors
from ironbridge.connectors.protocols.jsonrpc import TRYTON
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient
from ironbridge.connectors.protocols.jsonrpc_writes import removed_on_failure
from ironbridge.model import InventoryAdjustment

__all__ = ["adjust_stock", "counted_location"]

#: Location types an inventory can count, and the field that gives the counted location (`id`:
#: the location itself): Tryton counts storage locations; a warehouse in its storage zone.
_COUNTED_IN: Final = {"storage": "id", "warehouse": "storage_location"}


def counted_location(client: ModelClient, location_remote_id: Any) -> int:
    """The storage location an adjustment at `location_remote_id` counts."""
    fields, missing = ["type", "name", "storage_location"], "Tryton has no location {id}."
    row = client.record("stock.location", location_remote_id, fields, "location_id", missing)
    kind, name = row["type"], row["name"]
    if kind not in _COUNTED_IN:
        message = f"Tryton counts stock in warehouses and storage locations; {name!r} is a {kind}"
        raise errors.ValidationFailed({"location_id": f"{message} location."})
    if (counted := row.get(_COUNTED_IN[kind])) is None:
        message = f"Tryton warehouse {name!r} has no storage location."
        raise errors.ValidationFailed({"location_id": message})
    return int(counted)


def adjust_stock(
    client: ModelClient, product: int, location: int, adjustment: InventoryAdjustment
) -> int:
    """Record `adjustment` as a confirmed inventory of `location`; returns its id."""
    count, delta = adjustment.new_count, adjustment.quantity_delta
    line = {"product": product, **({} if count is None else {"quantity": float(count)})}
    lines = [["create", [line]]]
    (inventory,) = client.create("stock.inventory", [{"location": location, "lines": lines}])
    # A confirmed inventory cannot be deleted, and stays as the record.
    with removed_on_failure(client, "stock.inventory", [inventory]):
        if delta is not None:
            _add_delta(client, inventory, delta)
        asked = f"new count {count}" if count is not None else f"quantity change {delta:+}"
        text = f"{adjustment.reason}\n(ironbridge stock adjustment: {asked})"
        client.call("ir.chat.channel", "post", f"stock.inventory,{inventory}", text, "internal")
        client.press("stock.inventory", "confirm", [inventory])
    return inventory


def _add_delta(client: ModelClient, inventory: int, delta: Decimal) -> None:
    """Set the inventory's line to the expected quantity plus `delta`."""
    where = TRYTON.condition("inventory", "=", inventory)
    fields = ["expected_quantity", "unit.symbol"]
    (line,) = client.search_read("stock.inventory.line", where, fields)
    expected = Decimal(str(line["expected_quantity"] or 0))
    if (target := expected + delta) < 0:
        unit = (line.get("unit.") or {}).get("symbol") or ""
        held = f"The location holds {expected} {unit}".rstrip()
        message = f"{held}; removing {-delta} would leave less than nothing."
        raise errors.ValidationFailed({"quantity_delta": message})
    client.write("stock.inventory.line", [line["id"]], {"quantity": float(target)})
