"""What Tryton's connection check tells a person, and what it asks Tryton beyond the stages of
`protocols.jsonrpc_checks`: which offered writes the user's access rights refuse."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ironbridge import errors
from ironbridge.connectors.protocols.jsonrpc_checks import CheckHints
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient
from ironbridge.model import Entity

__all__ = ["HINTS", "refused_writes"]

#: What each failed stage tells the person connecting Tryton.
HINTS: Final = CheckHints(
    unreachable="Check the server URL and port, and that the Tryton server is running and "
    "reachable from ironbridge.",
    bad_url="Enter the http:// or https:// address of the Tryton server.",
    not_rpc="Enter the address the Tryton client connects to, with its port (often :8000), not "
    "the address of a web page.",
    no_database="Check the database name; it is the one chosen in the Tryton client's login "
    "dialog.",
    throttled="Wait a few minutes, then check the password and connect again.",
    refused="Check the user name and password; the user must be active in Tryton.",
    read_refused="Give the Tryton user the groups Purchase and Stock.",
    read_failed="Activate the Tryton modules purchase and stock in this database.",
    required_context=(
        "company",
        "the user has no company",
        "In Tryton, set the user's Company and Current Company.",
    ),
)

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
