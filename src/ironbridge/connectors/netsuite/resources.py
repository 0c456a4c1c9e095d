"""What ironbridge reads from NetSuite: one SuiteQL statement per entity, and its children.

Every statement selects the record's own columns (`t.*`, so custom fields come along) plus
the dates it maps, formatted with TO_CHAR: SuiteQL otherwise shows dates in the user's date
format and without their time. Change times are the account's local time; the connector
writes its bounds in the same zone (`AccountWire`, the syntax's `zone`).

A purchase order's change time is the later of its header's `lastmodifieddate` and its
lines' `linelastmodifieddate`: NetSuite stamps a line changed on its own (a receipt, a
quantity) without moving the header's stamp, and the order must still count as changed.
Reads are keyset reads (`id > last`, `ORDER BY change, id`), never deep offsets: SuiteQL stops
at 100,000 rows per statement however it is paged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Final

from ironbridge.connectors.protocols.rest_json import NETSUITE_SUITEQL, ChangeFeed, Children
from ironbridge.model import Entity

__all__ = ["RESOURCES", "SUITEQL_PATH", "ZONE_STATEMENT", "Resource"]

SUITEQL_PATH: Final = "services/rest/query/v1/suiteql"
_STAMP: Final = "'YYYY-MM-DD HH24:MI:SS'"
_DAY: Final = "'YYYY-MM-DD'"
#: The account's time zone, asked at connect time.
ZONE_STATEMENT: Final = "SELECT SESSIONTIMEZONE AS tz FROM dual"


#: Every statement's feed: rows show their change time as `modified` and their id as `id`,
#: which sort as numbers.
_FEED: Final = partial(
    ChangeFeed, SUITEQL_PATH, NETSUITE_SUITEQL, change_path="modified", key_path="id", key_order=int
)


@dataclass(frozen=True)
class Resource:
    """An entity's statement as a change feed (`change`: the change time as the statement
    names it, `key`: the id), the record type it writes, and its children."""

    statement: str
    change: str
    key: str
    record: str = ""
    children: Children | None = None

    @property
    def feed(self) -> ChangeFeed:
        """The statement as the REST-JSON family reads it: keyset pages by change and id."""
        return _FEED(self.change, self.key, statement=self.statement)


_ORDERS: Final = (
    "SELECT h.*, TO_CHAR(h.changed, " + _STAMP + ") AS modified FROM ("  # noqa: S608, a constant statement; values are bound by the family
    "SELECT t.*, c.symbol AS currencycode, TO_CHAR(t.createddate, " + _STAMP + ") AS created, "
    "TO_CHAR(t.trandate, " + _DAY + ") AS orderdate, "
    "TO_CHAR(t.duedate, " + _DAY + ") AS duedate_iso, "
    "GREATEST(t.lastmodifieddate, NVL((SELECT MAX(l.linelastmodifieddate) FROM transactionline l "
    "WHERE l.transaction = t.id AND l.mainline = 'F'), t.lastmodifieddate)) AS changed "
    "FROM transaction t LEFT JOIN currency c ON c.id = t.currency WHERE t.type = 'PurchOrd'"
    ") h WHERE {where} ORDER BY {order}"
)
_LINES: Final = (
    "SELECT l.*, TO_CHAR(l.expectedreceiptdate, " + _DAY + ") AS requireddate "
    "FROM transactionline l WHERE l.mainline = 'F' AND l.transaction IN ({keys}) "
    "ORDER BY l.transaction, l.linesequencenumber"
)
_VENDORS: Final = (
    "SELECT v.*, c.symbol AS currencycode, TO_CHAR(v.datecreated, " + _STAMP + ") AS created, "
    "TO_CHAR(v.lastmodifieddate, " + _STAMP + ") AS modified "
    "FROM vendor v LEFT JOIN currency c ON c.id = v.currency WHERE {where} ORDER BY {order}"
)
_ITEMS: Final = (
    "SELECT i.*, TO_CHAR(i.createddate, " + _STAMP + ") AS created, "
    "TO_CHAR(i.lastmodifieddate, " + _STAMP + ") AS modified "
    "FROM item i WHERE i.itemtype = 'InvtPart' AND {where} ORDER BY {order}"
)
_STOCK: Final = (
    "SELECT s.* FROM inventoryitemlocations s WHERE s.item IN ({keys}) ORDER BY s.item, s.location"
)
_LOCATIONS: Final = (
    "SELECT l.*, TO_CHAR(l.lastmodifieddate, " + _STAMP + ") AS modified "
    "FROM location l WHERE {where} ORDER BY {order}"
)

_RECORDS: Final = "services/rest/record/v1/"
RESOURCES: Final = {
    Entity.PURCHASE_ORDERS: Resource(
        _ORDERS,
        "h.changed",
        "h.id",
        _RECORDS + "purchaseOrder",
        Children("lines", _LINES, "transaction"),
    ),
    Entity.VENDORS: Resource(_VENDORS, "v.lastmodifieddate", "v.id", _RECORDS + "vendor"),
    Entity.INVENTORY_ITEMS: Resource(
        _ITEMS, "i.lastmodifieddate", "i.id", children=Children("stock", _STOCK, "item")
    ),
    Entity.LOCATIONS: Resource(_LOCATIONS, "l.lastmodifieddate", "l.id"),
}
