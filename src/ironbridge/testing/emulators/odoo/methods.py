"""The model methods the external API calls, with Odoo's business rules.

`Env` is one call's environment: a database, the signed-in user and the call's context. Its
public methods are what `execute_kw` and `/json/2/<model>/<method>` may call, with Odoo's
parameter names (`ids`, `vals_list`, `vals`, `domain`, `fields`, ...), so the two protocols
dispatch to the same code: JSON-RPC by position and keyword, JSON-2 by name only.

Purchase rules (Odoo 18.0 `purchase`/`purchase_stock`, 19.0 where it differs):

- An order is locked in state `done` (18) or with `locked = true` (19). A locked order accepts
  writing its note and its lines' `price_unit`/`name`, and refuses any other change.
- `unlink` of an order needs it draft or cancelled; a received line cannot be deleted.
- `button_cancel` is refused when receipts are done, and on 19 while the order is locked.
- `button_unlock` unlocks (18: `done` → `purchase`), `button_done`/`button_lock` lock.
- `button_confirm`, `button_cancel`, `button_unlock` return None (the answer has no result).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from ironbridge.testing.emulators.odoo.database import (
    ACCESS_ERROR,
    USER_ERROR,
    VALIDATION_ERROR,
    VALUE_ERROR,
    Database,
    OdooError,
)

__all__ = ["METHODS", "Env"]

#: Methods callable on records (the first parameter is `ids`) and on models.
METHODS: Final = frozenset(
    {
        "search_read",
        "search",
        "search_count",
        "read",
        "create",
        "write",
        "unlink",
        "fields_get",
        "context_get",
        "button_confirm",
        "button_cancel",
        "button_unlock",
        "button_done",
        "button_lock",
        "button_draft",
        "action_apply_inventory",
    }
)
_LOCKED_WRITABLE: Final = frozenset({"notes", "note", "partner_ref", "date_planned"})
_LOCKED_LINE_WRITABLE: Final = frozenset({"price_unit", "name"})


class Env:
    """One call: a database, a user and a context."""

    def __init__(
        self, db: Database, uid: int, context: Mapping[str, Any] | None, companies: list[int]
    ) -> None:
        self.db, self.uid = db, uid
        self.context = dict(context or {})
        asked = self.context.get("allowed_company_ids")
        if asked:
            stray = [company for company in asked if company not in companies]
            if stray:
                raise OdooError(ACCESS_ERROR, "Access to unauthorized or invalid companies.")
        else:
            self.context["allowed_company_ids"] = companies[:1]

    # -- the ORM -----------------------------------------------------------------------------

    def search_read(
        self,
        model: str,
        domain: Any = None,
        fields: Sequence[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[dict[str, Any]]:
        """Rows of the records matching `domain`."""
        rows = self.db.search_rows(
            model, domain or [], self.context, order=order, offset=offset or 0, limit=limit
        )
        names = list(fields or [f for f, s in self.db.fields(model).items() if not s.compute])
        return [self.db.show(model, row, names) for row in rows]

    def search(
        self,
        model: str,
        domain: Any = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        """Ids of the records matching `domain`."""
        rows = self.db.search_rows(
            model, domain or [], self.context, order=order, offset=offset or 0, limit=limit
        )
        return [row["id"] for row in rows]

    def search_count(self, model: str, domain: Any = None, limit: int | None = None) -> int:
        """How many records match `domain`."""
        return len(self.search(model, domain, limit=limit))

    def read(self, model: str, ids: Sequence[int], fields: Sequence[str] | None = None) -> Any:
        """Rows of the records `ids` (a missing one is a MissingError)."""
        names = list(fields or [f for f, s in self.db.fields(model).items() if not s.compute])
        return [self.db.show(model, self.db._row(model, int(i)), names) for i in ids]

    def fields_get(
        self, model: str, allfields: Sequence[str] | None = None, attributes: Any = None
    ) -> dict[str, Any]:
        """The model's field definitions."""
        spec = self.db.fields(model)
        chosen = allfields or list(spec)
        return {
            name: {
                "type": spec[name].kind,
                "relation": spec[name].relation or False,
                "readonly": spec[name].readonly or spec[name].compute,
                "store": True,
            }
            for name in chosen
            if name in spec
        }

    def context_get(self, model: str) -> dict[str, Any]:
        """The user's context (`res.users.context_get`)."""
        return {"lang": "en_US", "tz": "Europe/Brussels", "uid": self.uid}

    def create(self, model: str, vals_list: Any) -> Any:
        """Create records; one dict gives one id, a list a list of ids."""
        single = isinstance(vals_list, dict)
        created = [self._create(model, vals) for vals in ([vals_list] if single else vals_list)]
        return created[0] if single else created

    def _create(self, model: str, vals: Mapping[str, Any]) -> int:
        lines = vals.get("order_line") if model == "purchase.order" else None
        values = self.db.prepare(model, vals)
        company = self.context["allowed_company_ids"][0]
        if "company_id" in self.db.fields(model) and values.get("company_id") is None:
            values["company_id"] = company
        if model == "purchase.order":
            if values.get("partner_id") is None:
                raise OdooError(
                    VALIDATION_ERROR,
                    "The operation cannot be completed: "
                    "Missing required value for the field 'Vendor' (partner_id).",
                )
            count = len(self.db.tables.get(model, {})) + 1
            values.setdefault("name", f"P{count:05d}")
            values.update(state="draft", date_order=values.get("date_order") or self.db.clock())
            if self.db.version >= 19:
                values["locked"] = False
        if model == "maintenance.request":
            self._check_request(values)
            if values.get("stage_id") is None:
                stages = self.db.search_rows("maintenance.stage", [], {}, order="sequence")
                values["stage_id"] = stages[0]["id"] if stages else None
        if model == "stock.quant":
            values.setdefault("quantity", 0.0)
            values.setdefault("reserved_quantity", 0.0)
            values["inventory_quantity_set"] = "inventory_quantity" in values
        record_id = self.db.insert(model, values)
        if lines:
            self._line_commands(record_id, lines, locked=False)
        return record_id

    def write(self, model: str, ids: Sequence[int], vals: Mapping[str, Any]) -> bool:
        """Write `vals` to the records `ids`."""
        for record_id in ids:
            row = self.db._row(model, int(record_id))
            if model == "purchase.order":
                locked = self._locked(row)
                if locked and set(vals) - _LOCKED_WRITABLE - {"order_line"}:
                    raise OdooError(
                        USER_ERROR, "You cannot modify a locked purchase order; unlock it first."
                    )
                if "order_line" in vals:
                    self._line_commands(row["id"], vals["order_line"], locked=locked)
            values = self.db.prepare(model, vals)
            if model == "maintenance.request":
                self._check_request({**row, **values})
                stage = values.get("stage_id")
                if stage is not None and self.db._row("maintenance.stage", stage)["done"]:
                    values["close_date"] = self.db.clock().date()
            if model == "stock.quant" and "inventory_quantity" in values:
                values["inventory_quantity_set"] = True
            self.db.touch(model, row["id"], values)
        return True

    def unlink(self, model: str, ids: Sequence[int]) -> bool:
        """Delete the records `ids`."""
        rows = [self.db._row(model, int(i)) for i in ids]
        for row in rows:
            if model == "purchase.order" and row["state"] not in ("draft", "cancel"):
                raise OdooError(
                    USER_ERROR, "In order to delete a purchase order, you must cancel it first."
                )
            if model == "purchase.order.line":
                self._check_line_removal(row)
        for row in rows:
            if model == "purchase.order":
                for line in self.db.children("purchase.order.line", "order_id", row["id"]):
                    self.db.remove("purchase.order.line", line)
            self.db.remove(model, row["id"])
        return True

    # -- purchase orders ---------------------------------------------------------------------

    def _locked(self, row: Mapping[str, Any]) -> bool:
        return bool(row.get("locked")) if self.db.version >= 19 else row["state"] == "done"

    def _check_line_removal(self, line: Mapping[str, Any]) -> None:
        order = self.db._row("purchase.order", line["order_id"])
        if order["state"] in ("purchase", "done") and float(line["qty_received"] or 0) > 0:
            raise OdooError(
                USER_ERROR,
                "Cannot delete a purchase order line which is in state "
                f"'{order['state']}' and has been received.",
            )

    def _line_commands(self, order: int, commands: Any, *, locked: bool) -> None:
        model = "purchase.order.line"
        header = self.db.tables["purchase.order"][order]
        for command in commands:
            if not isinstance(command, list | tuple) or not command:
                raise OdooError(VALUE_ERROR, f"Invalid x2many command {command!r}")
            code = command[0]
            if code in (2, 3, 5):
                targets = (
                    self.db.children(model, "order_id", order) if code == 5 else [int(command[1])]
                )
                for line_id in targets:
                    line = self.db._row(model, line_id)
                    if locked:
                        raise OdooError(
                            USER_ERROR,
                            "You cannot modify a locked purchase order; unlock it first.",
                        )
                    self._check_line_removal(line)
                    self.db.remove(model, line_id)
            elif code == 1:
                if locked and set(command[2]) - _LOCKED_LINE_WRITABLE:
                    raise OdooError(
                        USER_ERROR, "You cannot modify a locked purchase order; unlock it first."
                    )
                self.db.touch(model, int(command[1]), self.db.prepare(model, command[2]))
            elif code == 0:
                if locked:
                    raise OdooError(
                        USER_ERROR, "You cannot modify a locked purchase order; unlock it first."
                    )
                values = self.db.prepare(model, command[2])
                if values.get("product_id") is None:
                    raise OdooError(
                        VALIDATION_ERROR,
                        "The operation cannot be completed: "
                        "Missing required value for the field 'Product'.",
                    )
                if float(values.get("product_qty") or 0) <= 0:
                    raise OdooError(VALIDATION_ERROR, "The quantity of a line must be positive.")
                product = self.db._row("product.product", values["product_id"])
                uom = "product_uom_id" if self.db.version >= 19 else "product_uom"
                values.setdefault(uom, product["uom_id"])
                values.setdefault("name", product["name"])
                values.setdefault("price_unit", product["standard_price"])
                values.setdefault("qty_received", 0.0)
                values.setdefault("date_planned", header.get("date_planned"))
                sequence = len(self.db.children(model, "order_id", order)) + 1
                values.update(order_id=order, company_id=header["company_id"], sequence=sequence)
                self.db.insert(model, values)
            else:
                raise OdooError(VALUE_ERROR, f"Unsupported x2many command {code!r}")
        self.db.touch("purchase.order", order, {})

    def _orders(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        return [self.db._row("purchase.order", int(i)) for i in ids]

    def button_confirm(self, model: str, ids: Sequence[int]) -> None:
        """Confirm draft and sent orders."""
        for row in self._orders(ids):
            if row["state"] in ("draft", "sent"):
                if not self.db.children("purchase.order.line", "order_id", row["id"]):
                    raise OdooError(USER_ERROR, "There is no line to confirm on this order.")
                self.db.touch(model, row["id"], {"state": "purchase"})

    def button_cancel(self, model: str, ids: Sequence[int]) -> None:
        """Cancel orders, unless receipts are done (or, on 19, the order is locked)."""
        rows = self._orders(ids)
        for row in rows:
            if self.db.version >= 19 and self._locked(row):
                raise OdooError(
                    USER_ERROR,
                    f"Unable to cancel purchase order(s): {row['name']}. "
                    "You must first unlock them.",
                )
            lines = self.db.children("purchase.order.line", "order_id", row["id"])
            if any(self.db.tables["purchase.order.line"][i]["qty_received"] for i in lines):
                raise OdooError(
                    USER_ERROR,
                    f"Unable to cancel purchase order {row['name']} as "
                    "some receptions have already been done.",
                )
        for row in rows:
            self.db.touch(model, row["id"], {"state": "cancel"})

    def button_draft(self, model: str, ids: Sequence[int]) -> dict[str, Any]:
        """Cancelled orders back to draft."""
        for row in self._orders(ids):
            if row["state"] == "cancel":
                self.db.touch(model, row["id"], {"state": "draft"})
        return {}

    def button_unlock(self, model: str, ids: Sequence[int]) -> None:
        """Unlock orders."""
        for row in self._orders(ids):
            change = {"locked": False} if self.db.version >= 19 else {"state": "purchase"}
            if self._locked(row):
                self.db.touch(model, row["id"], change)

    def button_done(self, model: str, ids: Sequence[int]) -> None:
        """Lock confirmed orders."""
        for row in self._orders(ids):
            if row["state"] in ("purchase", "done"):
                change = {"locked": True} if self.db.version >= 19 else {"state": "done"}
                self.db.touch(model, row["id"], change)

    button_lock = button_done

    # -- maintenance and stock ---------------------------------------------------------------

    def _check_request(self, values: Mapping[str, Any]) -> None:
        if not values.get("name"):
            raise OdooError(
                VALIDATION_ERROR,
                "The operation cannot be completed: Missing "
                "required value for the field 'Subjects' (name).",
            )
        if values.get("priority") not in (None, "0", "1", "2", "3"):
            raise OdooError(
                VALUE_ERROR, f"Wrong value for maintenance.request.priority: {values['priority']!r}"
            )

    def action_apply_inventory(self, model: str, ids: Sequence[int]) -> None:
        """Apply the counted `inventory_quantity` of quants."""
        rows = [self.db._row(model, int(i)) for i in ids]
        if not all(row["inventory_quantity_set"] for row in rows):
            raise OdooError(
                USER_ERROR,
                "Only a stock manager can validate an inventory "
                "adjustment, and only counted quantities can be applied.",
            )
        for row in rows:
            self.db.touch(
                model,
                row["id"],
                {
                    "quantity": float(row["inventory_quantity"] or 0),
                    "inventory_quantity_set": False,
                    "inventory_quantity": 0.0,
                },
            )

    def call(self, model: str, method: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        """Dispatch one call; an unknown method or argument raises as Odoo does."""
        if method not in METHODS or method.startswith("_"):
            raise OdooError(
                "builtins.AttributeError", f"The method '{model}.{method}' does not exist"
            )
        self.db.fields(model)
        if model in self.db.denied and method not in ("context_get",):
            raise OdooError(ACCESS_ERROR, f"You are not allowed to access '{model}' records.")
        function = getattr(self, method)
        try:
            return function(model, *args, **kwargs)
        except TypeError as exc:
            raise OdooError("builtins.TypeError", f"{method}() {exc}") from None
