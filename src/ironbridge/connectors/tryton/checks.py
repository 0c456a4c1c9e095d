"""What Tryton's connection check asks Tryton beyond the stages of `protocols.jsonrpc_checks`:
which offered writes the user's access rights refuse (what each stage tells a person is
`spec.HINTS`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ironbridge import errors
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient
from ironbridge.model import Entity

__all__ = ["refused_writes"]

# Per Tryton model the offered writes need: (access right, the operation it allows) pairs.
# An adjustment is a stock inventory created and confirmed (see `adjustments.py`).
_WRITE_ACCESS: Final[Mapping[str, tuple[Entity, tuple[tuple[str, str], ...]]]] = {
    "purchase.purchase": (
        Entity.PURCHASE_ORDERS,
        (("create", "create"), ("write", "write"), ("delete", "delete")),
    ),
    "party.party": (Entity.VENDORS, (("create", "create"), ("write", "write"))),
    "stock.inventory": (Entity.INVENTORY_ITEMS, (("create", "adjust"),)),
}


def refused_writes(client: ModelClient) -> list[str]:
    """The offered writes the user's access rights refuse, in words."""
    try:
        access = client.call("ir.model.access", "get_access", list(_WRITE_ACCESS))
    except errors.IronbridgeError:
        return []  # no way to ask without writing: writes will tell
    refused: list[str] = []
    for model, (entity, operations) in _WRITE_ACCESS.items():
        rights = access.get(model, {}) if isinstance(access, dict) else {}
        denied = [operation for right, operation in operations if not rights.get(right)]
        if denied:
            refused.append(f"{'/'.join(denied)} {entity.value}")
    return refused
