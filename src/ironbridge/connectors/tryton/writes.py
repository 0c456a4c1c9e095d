"""Writing purchase orders and parties to Tryton, as the Tryton client would.

The tables of `maps.py` (`PURCHASE_WRITES`, `VENDOR_WRITES`) say which unified fields a write
may give and which Tryton field each becomes; this module holds what a table cannot say:

- A purchase's party brings its defaults (invoice address, payment term, currency), and a line's
  product its unit and supplier price, from Tryton's own `on_change` methods, so an order
  written through ironbridge reads as one entered in the client.
- Lines replace all lines of the order, and their one location becomes the order's warehouse.
- `status` presses Tryton's workflow buttons (`maps.TRANSITIONS`); Tryton refuses changes to an
  order that is not draft, so an order is returned to draft first when asked.
- A party's e-mail, phone and website are its first contact mechanism of each kind, and its
  address its first address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal

from ironbridge import errors
from ironbridge.connectors.protocols.jsonrpc import TRYTON
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient
from ironbridge.connectors.protocols.jsonrpc_writes import ensure_writable, put_values
from ironbridge.connectors.tryton.maps import (
    LINE_WRITES,
    PURCHASE_CUSTOM_FIELDS,
    PURCHASE_WRITES,
    VENDOR_WRITES,
    WORKFLOW,
)
from ironbridge.model import VendorStatus

__all__ = ["PurchaseWriter", "VendorWriter"]

_PURCHASE: Final = "purchase.purchase"
_PARTY: Final = "party.party"
_CONTACT_KINDS: Final = ("email", "phone", "website")
# The line values `purchase.line.on_change` needs besides the product to price a line.
_LINE_ON_CHANGE_DEFAULTS: Final[Mapping[str, Any]] = {
    "type": "line",
    "taxes": [],
    "description": None,
    "product_supplier": None,
    "unit_price": None,
    "unit": None,
    "purchase": None,
    "id": -1,
}


class PurchaseWriter:
    """Creates and changes `purchase.purchase` records; the model session deletes them (Tryton
    refuses to delete orders that are not draft or cancelled: RecordLocked)."""

    def __init__(self, client: ModelClient) -> None:
        self._client = client

    def create(self, values: dict[str, Any]) -> int:
        """A draft order with its lines; returns its id."""
        (created,) = self._client.create(_PURCHASE, [self._values(values, "create")])
        return created

    def update(self, record_id: int, values: dict[str, Any]) -> None:
        """Write the changes, pressing the buttons a new `status` needs.

        Raises `errors.RecordLocked` when no button takes the order from its state there.
        """
        current = self._client.read(_PURCHASE, [record_id], ["state", "lines", "party"])
        if not current:
            raise errors.NotFound(f"No Tryton purchase order has the id {record_id}.")
        before, after = WORKFLOW.buttons(current[0]["state"], values.pop("status", None))
        for button in before:
            self._client.press(_PURCHASE, button, [record_id])
        if values:
            party = values.get("vendor_remote_id", current[0]["party"])
            lines = current[0]["lines"]
            written = self._values(values, "update", existing_lines=lines, party=party)
            self._client.write(_PURCHASE, [record_id], written)
        for button in after:
            self._client.press(_PURCHASE, button, [record_id])

    def _values(
        self,
        values: dict[str, Any],
        operation: Literal["create", "update"],
        *,
        existing_lines: Sequence[int] = (),
        party: Any = None,
    ) -> dict[str, Any]:
        """Unified purchase order fields → Tryton `purchase.purchase` values."""
        what = "Tryton's purchase orders"
        ensure_writable(values, PURCHASE_WRITES, what, operation, custom=PURCHASE_CUSTOM_FIELDS)
        out: dict[str, Any] = {}
        if "vendor_remote_id" in values:
            out["party"] = self._client.existing(_PARTY, values["vendor_remote_id"], "vendor_id")
            out.update(self._party_defaults(out["party"]))
        party_id = out.get("party", party)
        out.update(put_values(self._client, values, PURCHASE_WRITES, skip_none=False))
        out.update(values.get("custom_fields") or {})
        if "lines" in values:
            lines, warehouse = self._lines(values["lines"], party_id, out)
            actions: list[Any] = [["delete", list(existing_lines)]] if existing_lines else []
            out["lines"] = [*actions, ["create", lines]]
            if warehouse is not None:
                out["warehouse"] = warehouse
        return out

    def _party_defaults(self, party: int) -> dict[str, Any]:
        """What the Tryton client fills in when a supplier is chosen (`on_change` of party):
        invoice address, payment term, currency, invoice method."""
        changes = self._client.on_change(
            _PURCHASE,
            {
                "party": party,
                "company": self._client.context().get("company"),
                "invoice_party": None,
                "payment_term": None,
                "lines": [],
                "id": -1,
            },
            ["party"],
        )
        return {key: value for key, value in changes.items() if not key.endswith(".")}

    def _lines(
        self, lines: Iterable[Mapping[str, Any]], party: Any, header: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], int | None]:
        lines = list(lines)
        warehouses = {
            line["location_remote_id"] for line in lines if line.get("location_remote_id")
        }
        if len(warehouses) > 1:
            raise errors.ValidationFailed(
                {"lines": "Tryton delivers a purchase to one warehouse; give one location."}
            )
        warehouse = None
        if warehouses:
            warehouse = self._client.existing(
                "stock.location", warehouses.pop(), "lines.0.location_id"
            )
        out: list[dict[str, Any]] = []
        for index, line in enumerate(lines):
            values: dict[str, Any] = {"type": "line", "quantity": float(line["quantity"])}
            values.update(
                put_values(self._client, line, LINE_WRITES, skip_none=True, at=f"lines.{index}.")
            )
            if "product" in values and ("unit" not in values or "unit_price" not in values):
                values.update(self._line_defaults(values, party, header, warehouse))
            out.append(values)
        return out, warehouse

    def _line_defaults(
        self, line: Mapping[str, Any], party: Any, header: Mapping[str, Any], warehouse: Any
    ) -> dict[str, Any]:
        """The unit and supplier price Tryton proposes for a product, as its client does."""
        changes = self._client.on_change(
            "purchase.line",
            {
                **_LINE_ON_CHANGE_DEFAULTS,
                "product": line["product"],
                "quantity": line["quantity"],
                "unit": line.get("unit"),
                "_parent_purchase.party": party,
                "_parent_purchase.currency": header.get("currency"),
                "_parent_purchase.company": self._client.context().get("company"),
                "_parent_purchase.purchase_date": header.get("purchase_date"),
                "_parent_purchase.warehouse": warehouse,
                "_parent_purchase.invoice_party": None,
            },
            ["product"],
        )
        proposed: dict[str, Any] = {
            key: changes[key] for key in ("unit", "product_supplier") if key in changes
        }
        if "unit" in line:
            proposed.pop("unit", None)
        if "unit_price" not in line and changes.get("unit_price") is not None:
            proposed["unit_price"] = changes["unit_price"]
        return proposed


class VendorWriter:
    """Creates and changes `party.party` records (contacts and address nested)."""

    def __init__(self, client: ModelClient) -> None:
        self._client = client

    def create(self, values: dict[str, Any]) -> int:
        """A party with its contacts and address; returns its id."""
        ensure_writable(values, VENDOR_WRITES, "Tryton parties", "create")
        (created,) = self._client.create(_PARTY, [self._values(values, {}, skip_none=True)])
        return created

    def update(self, record_id: int, values: dict[str, Any]) -> None:
        """Write unified vendor changes to `party.party` in one call (one Tryton transaction)."""
        problems: dict[str, str] = {}
        if values.get("status") == VendorStatus.BLOCKED:
            problems["status"] = "Tryton has no blocked parties; set inactive to deactivate one."
        if "address" in values and values["address"] is None:
            problems["address"] = "Tryton parties keep their address; give a new one instead."
        ensure_writable(values, VENDOR_WRITES, "Tryton parties", "update", more=problems)
        rows = self._client.search_read(
            _PARTY,
            TRYTON.condition("id", "=", record_id),
            ["addresses", "contact_mechanisms.type"],
            extra={"active_test": False},
        )
        if not rows:
            raise errors.NotFound(f"No Tryton vendor has the id {record_id}.")
        out = self._values(values, rows[0], skip_none=False)
        if out:
            self._client.write(_PARTY, [record_id], out)

    def _values(
        self, values: Mapping[str, Any], current: Mapping[str, Any], *, skip_none: bool
    ) -> dict[str, Any]:
        """Unified vendor fields → `party.party` values, contacts and address nested in the
        party as it is (`current`: its addresses and contact kinds; empty for a new one)."""
        out = put_values(self._client, values, VENDOR_WRITES, skip_none=skip_none)
        if "status" in values:  # set on update only
            out["active"] = values["status"] == VendorStatus.ACTIVE
        if contacts := _contact_actions(current.get("contact_mechanisms.") or [], values):
            out["contact_mechanisms"] = contacts
        if values.get("address") is not None:
            entry = self._address(values["address"])
            addresses = current.get("addresses") or []
            out["addresses"] = (
                [["write", [addresses[0]], entry]] if addresses else [["create", [entry]]]
            )
        return out

    def _address(self, address: Mapping[str, Any]) -> dict[str, Any]:
        """A unified address → `party.address` values; the country and region must exist."""
        # Tryton's street is multi-line text: the first line is the street, the rest details.
        street = "\n".join(part for part in (address.get("line1"), address.get("line2")) if part)
        entry: dict[str, Any] = {
            "street": street or None,
            "city": address.get("city"),
            "postal_code": address.get("postal_code"),
            "country": None,
            "subdivision": None,
        }
        if address.get("country"):
            entry["country"] = self._client.find(
                "country.country", "code", address["country"], "address.country"
            )
            if address.get("region"):
                entry["subdivision"] = self._client.find(
                    "country.subdivision",
                    "name",
                    address["region"],
                    "address.region",
                    TRYTON.condition("country", "=", entry["country"]),
                )
        return entry


def _contact_actions(
    mechanisms: Sequence[Mapping[str, Any]], values: Mapping[str, Any]
) -> list[Any]:
    """One2Many actions that set the first e-mail, phone and website of a party."""
    actions: list[Any] = []
    for kind in _CONTACT_KINDS:
        if kind not in values:
            continue
        existing = [int(row["id"]) for row in mechanisms if row.get("type") == kind]
        if values[kind] is None:
            if existing:
                actions.append(["delete", existing])
        elif existing:
            actions.append(["write", existing[:1], {"value": values[kind]}])
        else:
            actions.append(["create", [{"type": kind, "value": values[kind]}]])
    return actions
