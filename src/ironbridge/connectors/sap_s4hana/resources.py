"""Where each unified entity lives in SAP S/4HANA: service, entity set, key, `$expand`, change.

Paths are relative to the instance's base URL; SAP Gateway serves every OData V2 service at
`/sap/opu/odata/sap/<SERVICE>/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from ironbridge.connectors.kit import names
from ironbridge.connectors.protocols.odata_session import EntitySet
from ironbridge.connectors.protocols.odata_v2 import DateAndTimeChange, TimestampChange
from ironbridge.connectors.sap_s4hana.maps import CREATED, FUNCTIONAL_LOCATION
from ironbridge.model import Entity

__all__ = ["FUNCTIONAL_LOCATIONS", "GATEWAY_ROOT", "RESOURCES", "Resource"]

#: SAP Gateway's root for OData V2 services, relative to the instance's base URL.
GATEWAY_ROOT: Final = "sap/opu/odata/sap"

#: Equipment is time-dependent: the current slice is the one valid until 9999-12-31
#: (OP_API_EQUIPMENT, key `Equipment` + `ValidityEndDate`).
CURRENT_VALIDITY_END: Final = "datetime'9999-12-31T00:00:00'"
CURRENT_SLICE: Final = f"ValidityEndDate eq {CURRENT_VALIDITY_END}"

#: `LastChangeDateTime` of maintenance orders (`Precision="0"`, "UTC Time Stamp in Short Form")
#: and equipment ("Short Time Stamp") holds whole seconds: a change made at 10:00:00.700 is
#: stamped 10:00:00, so "changed since" must compare whole seconds too.
SHORT_STAMP: Final = TimestampChange("LastChangeDateTime", granularity=timedelta(seconds=1))


@dataclass(frozen=True, kw_only=True)
class Resource(EntitySet):
    """One unified entity's home in SAP: an entity set of a Gateway service, granted by the
    communication arrangement in `grant`."""

    root: str = GATEWAY_ROOT


RESOURCES: Final[Mapping[Entity, Resource]] = {
    Entity.PURCHASE_ORDERS: Resource(
        service="API_PURCHASEORDER_PROCESS_SRV",
        entity_set="A_PurchaseOrder",
        key="PurchaseOrder",
        expand=("to_PurchaseOrderItem", "to_PurchaseOrderItem/to_ScheduleLine"),
        # Precision 7 on the server, but /Date(ms)/ shows milliseconds.
        change=TimestampChange("LastChangeDateTime"),
        grant="Purchase Order Integration (SAP_COM_0053)",
    ),
    # Suppliers have no change stamp of their own; their business partner does
    # (PROTOCOLS.md §2), so vendors are read through A_BusinessPartner.
    Entity.VENDORS: Resource(
        service="API_BUSINESS_PARTNER",
        entity_set="A_BusinessPartner",
        key="Supplier",
        expand=names(
            "to_Supplier to_Supplier/to_SupplierPurchasingOrg to_BusinessPartnerAddress "
            "to_BusinessPartnerAddress/to_EmailAddress to_BusinessPartnerAddress/to_PhoneNumber"
        ),
        change=DateAndTimeChange("LastChangeDate", "LastChangeTime"),
        created=CREATED,
        filter="Supplier ne ''",
        # Supplier is not the business partner's key.
        by_filter=True,
        grant="Business Partner, Customer and Supplier Integration (SAP_COM_0008)",
    ),
    Entity.WORK_ORDERS: Resource(
        service="API_MAINTENANCEORDER",
        entity_set="MaintenanceOrder",
        key="MaintenanceOrder",
        change=SHORT_STAMP,
        grant="Maintenance Order Integration (SAP_COM_0398)",
    ),
    Entity.ASSETS: Resource(
        service="API_EQUIPMENT",
        entity_set="Equipment",
        key="Equipment",
        change=SHORT_STAMP,
        filter=CURRENT_SLICE,
        key_parts={"ValidityEndDate": CURRENT_VALIDITY_END},
        grant="Equipment Master Data Integration (SAP_COM_0395)",
    ),
    Entity.INVENTORY_ITEMS: Resource(
        service="API_MATERIAL_STOCK_SRV",
        entity_set="A_MaterialStock",
        key="Material",
        expand=("to_MatlStkInAcctMod",),
        change=None,
        grant="Inventory Analytics Integration (SAP_COM_0164)",
    ),
    # No plant API is among the services ironbridge uses, so plants and storage
    # locations are the distinct places stock is kept; functional locations below them
    # come from FUNCTIONAL_LOCATIONS.
    Entity.LOCATIONS: Resource(
        service="API_MATERIAL_STOCK_SRV",
        entity_set="A_MatlStkInAcctMod",
        key="Plant",
        change=None,
        levels=("Plant", "StorageLocation"),
        grant="Inventory Analytics Integration (SAP_COM_0164)",
    ),
}


#: The second home of locations: functional locations (API_FUNCTIONALLOCATION), the places
#: below a plant where equipment is installed. Their stamp holds whole seconds ("Short Time
#: Stamp", as Equipment's).
FUNCTIONAL_LOCATIONS: Final = Resource(
    service="API_FUNCTIONALLOCATION",
    entity_set="FunctionalLocation",
    key="FunctionalLocation",
    change=SHORT_STAMP,
    prefix=FUNCTIONAL_LOCATION,
    grant="Equipment Master Data Integration (SAP_COM_0395), which carries functional "
    "locations too",
)
