"""The normalized enumerations of the unified model.

Every connector maps its source's own codes onto these members through a status table. The
docstring of each enum lists every value with its meaning; it is what the OpenAPI document shows
integrators, so a new member is documented there in the same change.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AssetCriticality",
    "AssetStatus",
    "InventoryItemStatus",
    "LocationStatus",
    "LocationType",
    "PurchaseOrderStatus",
    "VendorStatus",
    "WorkOrderPriority",
    "WorkOrderStatus",
    "WorkOrderType",
]


class PurchaseOrderStatus(StrEnum):
    """Where a purchase order stands in its life.

    - `draft`: being prepared; not yet submitted, still freely editable.
    - `pending_approval`: submitted and waiting for an approver.
    - `approved`: approved internally but not yet transmitted to the vendor.
    - `sent`: transmitted to the vendor; goods are awaited.
    - `partially_received`: some, but not all, ordered quantities have been received.
    - `received`: every ordered quantity has been received.
    - `closed`: finished, including invoicing; no further activity expected.
    - `cancelled`: withdrawn before completion; nothing more will be received.
    """

    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    SENT = "sent"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class WorkOrderStatus(StrEnum):
    """Where a work order stands in its life.

    - `open`: requested or created; not yet planned.
    - `scheduled`: planned for a time and, usually, a person or crew.
    - `in_progress`: work has started.
    - `on_hold`: started or planned, but waiting (for parts, access, approval).
    - `completed`: the work is done; it may still await review before closing.
    - `cancelled`: will not be done.
    - `closed`: done and reviewed; no further changes expected.
    """

    OPEN = "open"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class WorkOrderPriority(StrEnum):
    """How soon a work order should be done.

    - `low`: when convenient.
    - `medium`: in the normal course of planning.
    - `high`: ahead of normal work.
    - `urgent`: immediately; safety, environment or production is at stake.
    """

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class WorkOrderType(StrEnum):
    """Why a work order exists.

    - `corrective`: repair of a fault that has been found.
    - `preventive`: planned maintenance on a schedule or meter reading.
    - `inspection`: a check, audit or measurement without repair.
    - `emergency`: unplanned repair that cannot wait for planning.
    - `other`: any work the source classifies differently (projects, installations, ...).
    """

    CORRECTIVE = "corrective"
    PREVENTIVE = "preventive"
    INSPECTION = "inspection"
    EMERGENCY = "emergency"
    OTHER = "other"


class InventoryItemStatus(StrEnum):
    """Whether an inventory item may be used.

    - `active`: may be ordered, stocked and issued.
    - `inactive`: temporarily blocked; kept for history and may be reactivated.
    - `discontinued`: no longer supplied or used; remaining stock is run down.
    """

    ACTIVE = "active"
    INACTIVE = "inactive"
    DISCONTINUED = "discontinued"


class VendorStatus(StrEnum):
    """Whether a vendor may be ordered from.

    - `active`: purchase orders may be placed.
    - `inactive`: no longer used; kept for history.
    - `blocked`: on hold for a reason (quality, compliance, payment); orders are refused.
    """

    ACTIVE = "active"
    INACTIVE = "inactive"
    BLOCKED = "blocked"


class AssetStatus(StrEnum):
    """The operating state of an asset.

    - `operating`: in service and working.
    - `not_operating`: in place but not running (stopped, failed, standby).
    - `under_maintenance`: taken out of service for maintenance work.
    - `decommissioned`: permanently retired; kept for history.
    """

    OPERATING = "operating"
    NOT_OPERATING = "not_operating"
    UNDER_MAINTENANCE = "under_maintenance"
    DECOMMISSIONED = "decommissioned"


class AssetCriticality(StrEnum):
    """How much a failure of the asset matters to the business.

    - `low`: a failure has little effect; run to failure is acceptable.
    - `medium`: a failure disturbs operations but has workarounds.
    - `high`: a failure stops a line or a significant process.
    - `critical`: a failure endangers safety, the environment or the whole site.
    """

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class LocationType(StrEnum):
    """The kind of place a location is, from largest to smallest.

    - `site`: a geographic site or campus, usually with a postal address.
    - `plant`: a production facility within a site.
    - `warehouse`: a store that holds inventory.
    - `area`: a functional area, line or room within a plant or warehouse.
    - `bin`: a shelf, rack or bin position that holds stock.
    """

    SITE = "site"
    PLANT = "plant"
    WAREHOUSE = "warehouse"
    AREA = "area"
    BIN = "bin"


class LocationStatus(StrEnum):
    """Whether a location is in use.

    - `active`: in use; records may reference it.
    - `inactive`: closed or no longer used; kept for history.
    """

    ACTIVE = "active"
    INACTIVE = "inactive"
