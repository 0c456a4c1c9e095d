"""The sandbox's catalog entry: what it offers and what its writes enforce."""

from __future__ import annotations

from typing import Final

from ironbridge.connectors.base import AuthField, Capability, ConnectorSpec
from ironbridge.model import CREATE_MODELS, UPDATE_MODELS, Entity

__all__ = ["LOCKED_PURCHASE_ORDER_STATUSES", "LOCKED_WORK_ORDER_STATUSES", "SPEC"]

#: Unified purchase order statuses in which the sandbox, like most ERPs, refuses changes.
LOCKED_PURCHASE_ORDER_STATUSES: Final = frozenset(
    {"approved", "sent", "partially_received", "received", "closed", "cancelled"}
)
#: Unified work order statuses in which the sandbox refuses changes.
LOCKED_WORK_ORDER_STATUSES: Final = frozenset({"closed", "cancelled"})

_LOGO: Final = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" '
    'aria-label="Sandbox"><rect width="64" height="64" rx="12" fill="#f4c95d"/>'
    '<path d="M12 44h40l-6-14H18z" fill="#c98f2a"/><path d="M22 30l4-12h12l4 12z" '
    'fill="#e0a93b"/><circle cx="46" cy="16" r="5" fill="#fff7d6"/></svg>'
)

_READ_ONLY_RULE: Final = (
    "The sandbox is read-only: writes are validated and answered as the source would answer, "
    "but nothing changes; a later read returns the original record."
)


def _writable(entity: Entity) -> tuple[str, ...]:
    """Every field of the entity's write bodies: the sandbox stores all of them."""
    fields = set(CREATE_MODELS[entity].model_fields) | set(UPDATE_MODELS[entity].model_fields)
    return tuple(sorted(fields))


SPEC: Final = ConnectorSpec(
    id="sandbox",
    name="Sandbox",
    category="erp",
    logo=_LOGO,
    description=(
        "Built-in sample data for building and testing an integration: a manufacturer with "
        "three sites, vendors, spare parts with stock, assets, purchase orders in every status "
        "(some with custom fields) and work orders. It includes error cases such as blocked "
        "vendors, locked orders and out-of-stock items. Read-only: writes are validated and "
        "answered, but change nothing."
    ),
    auth_fields=(
        AuthField(
            name="tenant",
            label="Sandbox name",
            help=(
                "Optional. A label to tell sandbox connections apart; every sandbox holds the "
                "same sample data."
            ),
            secret=False,
            required=False,
            placeholder="Acme test plant",
        ),
    ),
    setup_guide=(
        "Nothing to install or configure: the sandbox is built into ironbridge.",
        "Optionally give it a name, then connect.",
        "Every sandbox connection sees the same sample data, so tests can rely on it.",
    ),
    capabilities={
        Entity.PURCHASE_ORDERS: Capability(
            read=True,
            create=True,
            update=True,
            delete=True,
            writable_fields=_writable(Entity.PURCHASE_ORDERS),
            rules=(
                "Purchase orders that are approved, sent, partially received, received, closed "
                "or cancelled cannot be modified (RECORD_LOCKED).",
                "Only draft purchase orders can be deleted (RECORD_LOCKED otherwise).",
                "The status can only be set to draft, pending_approval, approved or cancelled; "
                "receipt statuses follow goods receipts.",
                "The vendor must exist and must not be on hold; items and delivery locations "
                "must exist (VALIDATION_FAILED).",
                _READ_ONLY_RULE,
            ),
        ),
        Entity.WORK_ORDERS: Capability(
            read=True,
            create=True,
            update=True,
            delete=False,
            writable_fields=_writable(Entity.WORK_ORDERS),
            rules=(
                "Closed and cancelled work orders cannot be modified (RECORD_LOCKED).",
                "The asset, location and parts must exist (VALIDATION_FAILED).",
                _READ_ONLY_RULE,
            ),
        ),
        Entity.INVENTORY_ITEMS: Capability(
            read=True,
            create=False,
            update=False,
            delete=False,
            adjust=True,
            rules=(
                "Adjustments apply to a warehouse or bin; stock cannot go below zero or below "
                "the quantity reserved for orders (VALIDATION_FAILED).",
                _READ_ONLY_RULE,
            ),
        ),
        Entity.VENDORS: Capability(
            read=True,
            create=True,
            update=True,
            delete=False,
            writable_fields=_writable(Entity.VENDORS),
            rules=("Vendor codes are unique (VALIDATION_FAILED).", _READ_ONLY_RULE),
        ),
        Entity.ASSETS: Capability(read=True, create=False, update=False, delete=False),
        Entity.LOCATIONS: Capability(read=True, create=False, update=False, delete=False),
    },
    change_field="LastModified",
    passthrough=True,
    # Writes are validated and answered as the record would be, but change nothing.
    persists_writes=False,
    # The sample data is fixed in time; a day-based window would hide it as it ages.
    default_history_days=None,
)
