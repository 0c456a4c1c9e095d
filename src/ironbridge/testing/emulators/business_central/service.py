"""One company's API v2.0 entity sets, with the rules Business Central enforces on writes.

The generic OData v4 service (`ironbridge.testing.odata_v4`) does the protocol: paging,
query options, ETags and `If-Match`, deep insert. This adds what the AL pages and the
documents say of Business Central itself:

- ETags that changed answer 409 `Request_EntityChanged` ("Another user has already changed
  the record"), not the standard's 412.
- A purchase order is numbered by the company (`number` is read-only), starts as `Draft`, and
  its `vendorId` and `vendorNumber` must name the same vendor (APIV2PurchaseOrders.Page.al,
  "BuyFromVendorValuesDontMatchErr"). Lines of a deep insert get their ids, sequence, item
  number and amounts; a line needs an `itemId` (an `accountId` is not emulated).
- A released (`Open`) or in-review order refuses changes and deletion, as Business Central's
  `TestField(Status, Open)` does: 400 `Application_FieldValidationException` "Status must be
  equal to 'Open' in Purchase Header ... Current value is 'Released'".
- A new vendor is numbered unless a number is given, and is not blocked.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from ironbridge.testing.emulators.business_central.data import (
    EMPTY_GUID,
    order_header,
    order_line,
    totals,
)
from ironbridge.testing.odata_v4 import EntitySet, ODataV4Service, _Refused

__all__ = ["READ_ONLY", "CompanyService"]

#: Properties a POST or PATCH may not set, per entity set (docs: "Read-Only", "Non-editable").
READ_ONLY: Final[Mapping[str, frozenset[str]]] = {
    "purchaseOrders": frozenset(
        {
            "id", "number", "vendorName", "payToName", "totalAmountExcludingTax",
            "totalTaxAmount", "totalAmountIncludingTax", "pricesIncludeTax", "fullyReceived",
            "status", "lastModifiedDateTime",
        }
    ),
    "vendors": frozenset({"id", "balance", "lastModifiedDateTime"}),
    "items": frozenset({"id", "inventory", "lastModifiedDateTime"}),
    "locations": frozenset({"id", "lastModifiedDateTime"}),
    "fixedAssets": frozenset({"id", "lastModifiedDateTime"}),
}  # fmt: skip
#: What a business user may write on a line of a new order.
_LINE_VALUES: Final = (
    "itemId", "description", "quantity", "directUnitCost", "unitOfMeasureCode",
    "expectedReceiptDate", "locationId",
)  # fmt: skip
#: Business Central's wording of a released order's refusal (Purchase Header, TestField).
_LOCKED: Final = (
    "Status must be equal to 'Open'  in Purchase Header: Document Type=Order, No.={number}. "
    "Current value is '{current}'."
)
#: The document status behind each API status (Purchase Order Entity Buffer).
_DOCUMENT_STATUS: Final = {"Draft": "Open", "In Review": "Pending Approval", "Open": "Released"}


#: The change type a successful write is notified as.
_CHANGES: Final = {"POST": "created", "PATCH": "updated", "DELETE": "deleted"}


def _invalid(message: str, target: str | None = None) -> _Refused:
    return _Refused(400, "Application_DialogException", message, target)


class CompanyService(ODataV4Service):
    """The entity sets of one company under its service root, Business Central's rules on top.

    `clock` stamps `lastModifiedDateTime` on every write; `touch` plays another user's
    change, so an ETag read before it is stale.
    """

    def __init__(
        self,
        root: str,
        sets: Mapping[str, list[dict[str, Any]]],
        *,
        max_page_size: int = 20_000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_change: Callable[[str, str, str], None] | None = None,
    ) -> None:
        self.on_change = on_change
        entity_sets = {
            name: EntitySet(
                "id",
                rows,
                navigation=frozenset({"purchaseOrderLines"})
                if name == "purchaseOrders"
                else frozenset(),
                read_only=READ_ONLY.get(name, frozenset({"id"})),
                stamp="lastModifiedDateTime",
            )
            for name, rows in sets.items()
        }
        super().__init__(
            entity_sets,
            root=root,
            max_page_size=max_page_size,
            fraction_digits=3,
            stale_etag=(409, "Request_EntityChanged"),
            clock=clock,
        )
        self._numbers = {"purchaseOrders": 106001 + len(sets.get("purchaseOrders", ()))}

    def rows(self, name: str) -> list[dict[str, Any]]:
        """The rows of an entity set, as stored."""
        return self.entity_sets[name].rows

    def row(self, name: str, key: str) -> dict[str, Any]:
        """One stored row by id."""
        return self._find(name, key)

    def touch(self, name: str, key: str, **changes: Any) -> None:
        """Change a record as another user would: new values, stamp and ETag."""
        with self._lock:
            row = self._find(name, key)
            row.update(changes)
            row["lastModifiedDateTime"] = self.clock()
            version = (name, row["id"])
            self._versions[version] = self._versions.get(version, 1) + 1
        if self.on_change is not None:
            self.on_change(name, row["id"], "updated")

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], Any]:
        """Answer one request; a successful write is told to `on_change` (for webhooks)."""
        status, extra, payload = super().handle(method, target, headers, body)
        if self.on_change is None or status >= 300 or method not in _CHANGES:
            return status, extra, payload
        found = re.search(r"/(\w+)(?:\(([0-9a-fA-F-]{36})\))?$", target.split("?", 1)[0])
        if found is not None and found.group(1) in self.entity_sets:
            key = found.group(2) or (payload or {}).get("id")
            if key:
                self.on_change(found.group(1), str(key).lower(), _CHANGES[method])
        return status, extra, payload

    # -- Business Central's rules ---------------------------------------------------------------

    def _serve(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], Any]:
        name, key, rest = self._locate(path)
        payload = json.loads(body or b"{}") if method in ("POST", "PATCH") else {}
        if not isinstance(payload, dict):
            raise _Refused(400, "BadRequest", "The request body is not a JSON object.")
        if name == "purchaseOrders" and rest is not None and rest.startswith("purchaseOrderLines"):
            return self._lines(method, self._find(name, key), rest, headers, payload)
        if name == "purchaseOrders" and method == "POST" and key is None:
            return self._create_order(payload)
        if name == "purchaseOrders" and method in ("PATCH", "DELETE") and key is not None:
            row = self._find(name, key)
            self._check_if_match(name, row["id"], headers)
            if row["status"] != "Draft":
                current = _DOCUMENT_STATUS[row["status"]]
                raise _Refused(
                    400,
                    "Application_FieldValidationException",
                    _LOCKED.format(number=row["number"], current=current),
                )
            if method == "PATCH":
                return self._change_order(row, payload)
        if name == "vendors" and method == "POST" and key is None:
            return self._new_vendor(payload)
        if (
            name == "vendors"
            and method == "PATCH"
            and payload.get("blocked") not in (None, " ", "Payment", "All")
        ):
            raise _Refused(
                400,
                "Application_EvaluateException",
                f'The value "{payload["blocked"]}" cannot be evaluated into type Option.',
                "blocked",
            )
        encoded = json.dumps(payload).encode()
        return super()._serve(method, path, query, headers, encoded)

    def _entity(
        self, name: str, row: Mapping[str, Any], select: list[str], expand: list[str]
    ) -> dict[str, Any]:
        out = super()._entity(name, row, select, expand)
        for line in out.get("purchaseOrderLines") or ():
            line["@odata.etag"] = self.etag("purchaseOrderLines", line["id"])
        return out

    def _line_json(self, line: Mapping[str, Any]) -> dict[str, Any]:
        return {"@odata.etag": self.etag("purchaseOrderLines", line["id"]), **self._value(line)}

    def _lines(
        self,
        method: str,
        order: dict[str, Any],
        rest: str,
        headers: Mapping[str, str],
        payload: dict[str, Any],
    ) -> tuple[int, dict[str, str], Any]:
        """`purchaseOrders(<id>)/purchaseOrderLines[(<line id>)]`: read, add, change, remove
        lines of a draft; the header's totals and stamp follow."""
        lines: list[dict[str, Any]] = order["purchaseOrderLines"]
        found = re.fullmatch(r"purchaseOrderLines(?:\(([0-9a-fA-F-]{36})\))?", rest)
        if found is None:
            raise _Refused(404, "BadRequest_ResourceNotFound", f"Resource not found: {rest}.")
        line_id = None if found.group(1) is None else found.group(1).lower()
        line = next((item for item in lines if item["id"] == line_id), None)
        if line_id is not None and line is None:
            raise _Refused(404, "BadRequest_NotFound", f"No purchaseOrderLine {line_id}.")
        if method == "GET":
            if line is not None:
                return 200, {}, self._line_json(line)
            return 200, {}, {"value": [self._line_json(item) for item in lines]}
        if order["status"] != "Draft":
            current = _DOCUMENT_STATUS[order["status"]]
            message = _LOCKED.format(number=order["number"], current=current)
            raise _Refused(400, "Application_FieldValidationException", message)
        if line is not None:
            given = headers.get("if-match")
            if given not in ("*", self.etag("purchaseOrderLines", line["id"])):
                raise _Refused(409, "Request_EntityChanged", "Another user has already changed it.")
        answer: tuple[int, dict[str, str], Any]
        if method == "POST" and line is None:
            sequence = max((item["sequence"] for item in lines), default=0) + 10000
            added = self._new_line(order["id"], sequence, payload, "purchaseOrderLines")
            lines.append(added)
            answer = 201, {}, self._line_json(added)
        elif method == "DELETE" and line is not None:
            lines.remove(line)
            answer = 204, {}, None
        else:
            raise _Refused(405, "BadRequest_MethodNotAllowed", f"{method} is not allowed here.")
        totals(order)
        order["lastModifiedDateTime"] = self.clock()
        version = ("purchaseOrders", order["id"])
        self._versions[version] = self._versions.get(version, 1) + 1
        return answer

    def _new_line(
        self, order_id: str, sequence: int, given: Mapping[str, Any], target: str
    ) -> dict[str, Any]:
        unknown = set(given) - set(_LINE_VALUES)
        if unknown:
            raise _invalid(f"{sorted(unknown)[0]} cannot be set on a new line.", target)
        wanted = str(given.get("itemId")).lower()
        item = next((i for i in self.entity_sets["items"].rows if i["id"] == wanted), None)
        if item is None:
            raise _invalid("An itemId or an accountId must be provided.", f"{target}/itemId")
        quantity = Decimal(str(given.get("quantity", 0)))
        if quantity < 0:
            raise _invalid("Quantity must be positive.", f"{target}/quantity")
        where = str(given.get("locationId") or EMPTY_GUID).lower()
        places = self.entity_sets["locations"].rows
        location = next((p for p in places if p["id"] == where), None)
        if location is None and where != EMPTY_GUID:
            raise _invalid(f"The location {where} does not exist.", f"{target}/locationId")
        values = {k: v for k, v in given.items() if k not in ("itemId", "locationId")}
        if "directUnitCost" in values:
            values["directUnitCost"] = Decimal(str(values["directUnitCost"]))
        return order_line(order_id, sequence, item, location, **values)

    def _vendor(self, vendor_id: Any, number: Any) -> dict[str, Any]:
        vendors = self.entity_sets["vendors"].rows
        by_id = next((v for v in vendors if str(vendor_id).lower() == v["id"]), None)
        by_number = next((v for v in vendors if number == v["number"]), None)
        if vendor_id not in (None, EMPTY_GUID) and by_id is None:
            raise _invalid(f"The vendor {vendor_id} does not exist.", "vendorId")
        if number is not None and by_number is None:
            raise _invalid(f"The vendor {number} does not exist.", "vendorNumber")
        if by_id is not None and by_number is not None and by_id is not by_number:
            raise _invalid("The vendor values do not match to a specific Vendor.", "vendorId")
        vendor = by_id or by_number
        if vendor is None:
            raise _invalid("A vendorNumber or a vendorId must be provided.", "vendorId")
        if vendor["blocked"] == "All":
            raise _invalid(
                f"You cannot create this type of document when Vendor {vendor['number']} is "
                "blocked with type All",
                "vendorId",
            )
        return vendor

    def _change_order(
        self, row: dict[str, Any], payload: dict[str, Any]
    ) -> tuple[int, dict[str, str], Any]:
        self._check_writable(self.entity_sets["purchaseOrders"], payload)
        if "purchaseOrderLines" in payload:
            raise _invalid("Lines are changed through purchaseOrderLines.", "purchaseOrderLines")
        changes = self._stored(payload)
        if "vendorId" in payload or "vendorNumber" in payload:
            vendor = self._vendor(payload.get("vendorId"), payload.get("vendorNumber"))
            changes.update(
                vendorId=vendor["id"],
                vendorNumber=vendor["number"],
                vendorName=vendor["displayName"],
                payToVendorId=vendor["id"],
                payToVendorNumber=vendor["number"],
                payToName=vendor["displayName"],
            )
        row.update(changes)
        row["lastModifiedDateTime"] = self.clock()
        version = ("purchaseOrders", row["id"])
        self._versions[version] = self._versions.get(version, 1) + 1
        return 200, {}, self._entity("purchaseOrders", row, [], [])

    def _create_order(self, payload: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        orders = self.entity_sets["purchaseOrders"]
        self._check_writable(orders, payload)
        vendor = self._vendor(payload.get("vendorId"), payload.get("vendorNumber"))
        order_id = str(uuid.uuid4())
        lines = []
        for index, given in enumerate(payload.pop("purchaseOrderLines", None) or ()):
            target = f"purchaseOrderLines({index})"
            lines.append(self._new_line(order_id, 10000 * (index + 1), given, target))
        number = str(self._numbers["purchaseOrders"])
        self._numbers["purchaseOrders"] += 1
        header = order_header(order_id, number, vendor, lines, status="Draft")
        for prop, value in payload.items():
            if prop not in ("vendorId", "vendorNumber"):
                header[prop] = self._stored(value)
        header["lastModifiedDateTime"] = self.clock()
        totals(header)
        orders.rows.append(header)
        return 201, {}, self._entity("purchaseOrders", header, [], [])

    def _new_vendor(self, payload: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        vendors = self.entity_sets["vendors"].rows
        if not payload.get("displayName"):
            raise _invalid("displayName must have a value.", "displayName")
        number = payload.get("number") or f"V{90000 + len(vendors) * 10:05d}"
        if any(v["number"] == number for v in vendors):
            raise _Refused(
                400,
                "Internal_EntityWithSameKeyExists",
                f"The Vendor {number} already exists.",
                "number",
            )
        blank = {
            "addressLine1": "", "addressLine2": "", "city": "", "state": "", "country": "",
            "postalCode": "", "phoneNumber": "", "email": "", "website": "",
            "taxRegistrationNumber": "", "currencyId": EMPTY_GUID, "currencyCode": "",
            "irs1099Code": "", "paymentTermsId": EMPTY_GUID, "paymentMethodId": EMPTY_GUID,
            "taxLiable": False, "blocked": " ", "balance": Decimal(0),
        }  # fmt: skip
        entity_set = self.entity_sets["vendors"]
        self._check_writable(entity_set, payload)
        row = {**blank, **self._stored(payload), "number": number, "id": str(uuid.uuid4())}
        row["lastModifiedDateTime"] = self.clock()
        vendors.append(row)
        return 201, {}, self._entity("vendors", row, [], [])
