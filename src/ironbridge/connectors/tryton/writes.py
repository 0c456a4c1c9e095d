"""Writing purchase orders and parties to Tryton, as the Tryton client would.

The tables of `maps.py` (`PURCHASE_WRITES`, `VENDOR_WRITES`) say which unified fields a write
may give and which Tryton field each becomes; this module holds what a table cannot say:

- A purchase's party brings its defaults (invoice address, payment term, currency), and a line's
  product its unit and supplier price, from Tryton's own `on_change` methods, so an order
  written through ironbridge reads as one entered in the client.
- Lines replace all lines of the order, and their one location becomes the order's warehouse.
  Nested rows are written with Tryton's one2many commands (`protocols.jsonrpc_commands`).
- `status` presses Tryton's workflow buttons (`maps.TRANSITIONS`); Tryton refuses changes to an
  order that is not draft, so an order is returned to draft first when asked.
- A party's e-mail, phone and website are its first contact mechanism of each kind, and its
  address its first address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from ironbridge.connectors.protocols.jsonrpc import TRYTON
from ironbridge.connectors.protocols.jsonrpc_commands import TRYTON_ROWS
from ironbridge.connectors.protocols.jsonrpc_writes import (
    OnChange,
    TableWriter,
    WriteOperation,
    ensure_writable,
    one_value,
    put_values,
)
from ironbridge.connectors.tryton import maps

__all__ = ["PurchaseWriter", "VendorWriter"]

#: What the Tryton client fills in when a supplier is chosen (`on_change` of party): invoice
#: address, payment term, currency, invoice method.
_PARTY_DEFAULTS: Final = OnChange(
    "purchase.purchase", "party", {"lines": [], "id": -1}, "invoice_party payment_term"
)
#: The unit and supplier price Tryton proposes for a line's product, as its client does; a
#: unit or price given stays, and a line with both asks nothing.
_LINE_DEFAULTS: Final = OnChange(
    "purchase.line",
    "product",
    {"type": "line", "taxes": [], "id": -1},
    "description product_supplier unit_price unit purchase",
    send=("product", "quantity", "unit"),
    keep=("unit", "product_supplier", "unit_price"),
    filled=("unit_price",),
    unless=("unit", "unit_price"),
    parent="purchase",
)
_ONE_WAREHOUSE: Final = {"lines": "Tryton delivers a purchase to one warehouse; give one location."}


class PurchaseWriter(TableWriter):
    """Creates and changes `purchase.purchase` records; the model session deletes them (Tryton
    refuses to delete orders that are not draft or cancelled: RecordLocked). `status` presses
    the buttons of `maps.WORKFLOW` (`errors.RecordLocked` when none take the order there)."""

    model, what = "purchase.purchase", "purchase order"
    reads, workflow = ("state", "lines", "party"), maps.WORKFLOW

    def values(
        self, values: Mapping[str, Any], current: Mapping[str, Any], operation: WriteOperation
    ) -> dict[str, Any]:
        """Unified purchase order fields → Tryton `purchase.purchase` values."""
        what = "Tryton's purchase orders"
        ensure_writable(
            values, maps.PURCHASE_WRITES, what, operation, custom=maps.PURCHASE_CUSTOM_FIELDS
        )
        out: dict[str, Any] = {}
        if "vendor_remote_id" in values:
            party = self.client.existing("party.party", values["vendor_remote_id"], "vendor_id")
            given = {"party": party, "company": self.client.context().get("company")}
            out = {"party": party, **_PARTY_DEFAULTS.ask(self.client, given)}
        party = out.get("party", values.get("vendor_remote_id", current.get("party")))
        out.update(put_values(self.client, values, maps.PURCHASE_WRITES, skip_none=False))
        out.update(values.get("custom_fields") or {})
        if "lines" in values:
            lines, warehouse = self._lines(values["lines"], party, out)
            out["lines"] = TRYTON_ROWS.replace(current.get("lines") or [], lines)
            if warehouse is not None:
                out["warehouse"] = warehouse
        return out

    def _lines(
        self, lines: Sequence[Mapping[str, Any]], party: Any, header: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Tryton purchase lines, each completed by Tryton before the next is looked up."""
        place = one_value(lines, "location_remote_id", _ONE_WAREHOUSE)
        warehouse = place and self.client.existing("stock.location", place, "lines.0.location_id")
        company = self.client.context().get("company")
        parent = {"party": party, "currency": header.get("currency"), "company": company}
        parent |= {"purchase_date": header.get("purchase_date"), "warehouse": warehouse}
        parent["invoice_party"] = None
        out: list[dict[str, Any]] = []
        for index, line in enumerate(lines):
            values: dict[str, Any] = {"type": "line", "quantity": float(line["quantity"])}
            at = f"lines.{index}."
            values.update(put_values(self.client, line, maps.LINE_WRITES, skip_none=True, at=at))
            out.append(values | _LINE_DEFAULTS.ask(self.client, values, parent))
        return out, warehouse


class VendorWriter(TableWriter):
    """Creates and changes `party.party` records, contacts and address nested, in one call
    (one Tryton transaction)."""

    model, what = "party.party", "vendor"
    reads = ("addresses", "contact_mechanisms.type")
    table, records = maps.VENDOR_WRITES, "Tryton parties"

    def values(
        self, values: Mapping[str, Any], current: Mapping[str, Any], operation: WriteOperation
    ) -> dict[str, Any]:
        """Unified vendor fields → `party.party` values, contacts and address nested in the
        party as it is (`current`: its addresses and contact kinds; empty for a new one)."""
        out = put_values(self.client, values, maps.VENDOR_WRITES, skip_none=operation == "create")
        given = {kind: values[kind] for kind in ("email", "phone", "website") if kind in values}
        mechanisms = current.get("contact_mechanisms.") or []
        if contacts := TRYTON_ROWS.set_each_kind(mechanisms, "type", "value", given):
            out["contact_mechanisms"] = contacts
        if values.get("address") is not None:
            entry = self._address(values["address"])
            out["addresses"] = TRYTON_ROWS.set_first(current.get("addresses") or [], entry)
        return out

    def _address(self, address: Mapping[str, Any]) -> dict[str, Any]:
        """A unified address → `party.address` values; the country and region must exist."""
        # Tryton's street is multi-line text: the first line is the street, the rest details.
        street = "\n".join(part for part in (address.get("line1"), address.get("line2")) if part)
        entry = {key: address.get(key) for key in ("city", "postal_code")}
        entry |= {"street": street or None, "country": None, "subdivision": None}
        if country := address.get("country"):
            found = self.client.find("country.country", "code", country, "address.country")
            entry["country"] = found
            if region := address.get("region"):
                within = TRYTON.condition("country", "=", found)
                entry["subdivision"] = self.client.find(
                    "country.subdivision", "name", region, "address.region", within
                )
        return entry
