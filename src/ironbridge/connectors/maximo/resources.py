"""What ironbridge reads from Maximo: one object structure per entity, its number, unique id
and scope (site or organisation), and the synonym domain of its status.

Incremental reads are keyset reads over (`changedate`, unique id); MXAPIINVENTORY has no
change date (nor have its balances), so inventory is read whole each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ironbridge.model import Entity

__all__ = ["DOMAINS", "RESOURCES", "Resource"]

#: The object structure of domains, read for the status synonyms.
DOMAINS: Final = "mxapidomain"


@dataclass(frozen=True)
class Resource:
    """One entity's object structure: `number` is what people call a record (unique within
    its `scope`), `uid` its unique id, `domain` the synonym domain of its `status`."""

    structure: str
    number: str
    uid: str
    scope: str = "siteid"
    domain: str | None = None


RESOURCES: Final = {
    Entity.WORK_ORDERS: Resource("mxapiwodetail", "wonum", "workorderid", domain="WOSTATUS"),
    Entity.ASSETS: Resource("mxapiasset", "assetnum", "assetuid", domain="LOCASSETSTATUS"),
    Entity.LOCATIONS: Resource("mxapioperloc", "location", "locationsid", domain="LOCASSETSTATUS"),
    Entity.INVENTORY_ITEMS: Resource(
        "mxapiinventory", "itemnum", "inventoryid", domain="ITEMSTATUS"
    ),
    Entity.VENDORS: Resource("mxapivendor", "company", "companiesid", scope="orgid"),
    Entity.PURCHASE_ORDERS: Resource("mxapipo", "ponum", "poid", domain="POSTATUS"),
}
