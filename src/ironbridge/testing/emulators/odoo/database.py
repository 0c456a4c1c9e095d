"""One emulated Odoo database: its records, the ORM methods and the business rules.

Records are kept as Python values (a many2one as the id, a datetime aware with microseconds)
and shown as Odoo's external API shows them: a many2one as `[id, display_name]`, an empty
value as `false`, a datetime as `"YYYY-MM-DD HH:MM:SS"` cut to the second. Searches compare
`write_date` as the version does: 18.0 against the stored microseconds (so `=` on a value read
back finds nothing), 19.0 at whole seconds; both sort by the stored value.

Errors are `OdooError`s carrying the exception's Python name, as Odoo reports them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

from ironbridge.testing.emulators.odoo.domain import Leaf, Node, leaves, matches, parse
from ironbridge.testing.emulators.odoo.schema import OdooField, fields_of

__all__ = ["Database", "OdooError"]

_DATETIME: Final = "%Y-%m-%d %H:%M:%S"
USER_ERROR: Final = "odoo.exceptions.UserError"
VALIDATION_ERROR: Final = "odoo.exceptions.ValidationError"
ACCESS_ERROR: Final = "odoo.exceptions.AccessError"
MISSING_ERROR: Final = "odoo.exceptions.MissingError"
VALUE_ERROR: Final = "builtins.ValueError"


class OdooError(Exception):
    """An exception as Odoo raises it: its Python name and message."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def _parse_datetime(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.strptime(value[:19], _DATETIME).replace(tzinfo=UTC)
        except ValueError:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


class Database:
    """The records of one database and the methods the external API calls on them."""

    def __init__(self, name: str, version: int, clock: Callable[[], datetime]) -> None:
        self.name, self.version, self.clock = name, version, clock
        self.tables: dict[str, dict[int, dict[str, Any]]] = {}
        self._next: dict[str, int] = {}
        #: Models whose reads the user may not make (a missing group).
        self.denied: set[str] = set()
        #: Models of apps not installed in this database (not in `ir.model`).
        self.missing: set[str] = set()
        self._revision = 0
        self._indexed: dict[tuple[str, str], tuple[int, dict[Any, list[int]]]] = {}

    # -- storage ---------------------------------------------------------------------------------

    def fields(self, model: str) -> dict[str, OdooField]:
        """The model's fields in this version; an unknown model is Odoo's KeyError."""
        try:
            if model in self.missing:
                raise KeyError(model)
            return fields_of(model, self.version)
        except KeyError:
            raise OdooError("builtins.KeyError", model) from None

    def insert(self, model: str, values: Mapping[str, Any], at: datetime | None = None) -> int:
        """Store a record as it is (seeding and `create` after their checks); returns its id."""
        table = self.tables.setdefault(model, {})
        record_id = self._next.get(model, 1)
        self._next[model] = record_id + 1
        stamp = at or self.clock()
        spec = self.fields(model)
        row: dict[str, Any] = {name: None for name, f in spec.items() if not f.compute}
        if "active" in spec:
            row["active"] = True
        row.update(values)
        row.update(id=record_id, create_date=stamp, write_date=stamp)
        table[record_id] = row
        self._revision += 1
        return record_id

    def touch(self, model: str, record_id: int, values: Mapping[str, Any]) -> None:
        """Change stored values and stamp the record with the clock."""
        self.tables[model][record_id].update(values, write_date=self.clock())
        self._revision += 1

    def remove(self, model: str, record_id: int) -> None:
        """Delete a stored record."""
        del self.tables[model][record_id]
        self._revision += 1

    def _row(self, model: str, record_id: int) -> dict[str, Any]:
        row = self.tables.get(model, {}).get(record_id)
        if row is None:
            raise OdooError(
                MISSING_ERROR,
                f"Record does not exist or has been deleted.\n(Record: {model}({record_id},), "
                "User: 2)",
            )
        return row

    def children(self, model: str, field: str, record_id: int) -> list[int]:
        """Ids of `model` whose many2one `field` is `record_id`, in id order."""
        # Indexed per (model, field) until the next change, as a database indexes foreign keys.
        key = (model, field)
        if self._indexed.get(key, (None, {}))[0] != self._revision:
            index: dict[Any, list[int]] = {}
            for row_id, row in sorted(self.tables.get(model, {}).items()):
                index.setdefault(row[field], []).append(row_id)
            self._indexed[key] = (self._revision, index)
        return list(self._indexed[key][1].get(record_id, ()))

    # -- computed values -------------------------------------------------------------------------

    def display_name(self, model: str, record_id: int | None) -> str:
        """The name Odoo shows for a record."""
        row = self.tables.get(model, {}).get(record_id or 0)
        if row is None:
            return ""
        if model == "stock.location":
            parent = row.get("location_id")
            return f"{self.display_name(model, parent)}/{row['name']}" if parent else row["name"]
        if model == "purchase.order.line":
            return str(row.get("name") or "")
        return str(row.get("name") or row.get("login") or f"{model},{record_id}")

    def computed(self, model: str, row: Mapping[str, Any], name: str) -> Any:
        """A computed field of `row`."""
        if name == "display_name":
            return self.display_name(model, row["id"])
        if name == "complete_name":
            return self.display_name(model, row["id"])
        if name == "country_code":
            country = self.tables.get("res.country", {}).get(row.get("country_id") or 0)
            return None if country is None else country["code"]
        if name == "qty_available":
            return sum(q["quantity"] for q in self._quants(row["id"]))
        if name == "inventory_diff_quantity":
            if not row.get("inventory_quantity_set"):
                return 0.0
            return float(row.get("inventory_quantity") or 0) - float(row["quantity"])
        if name == "price_subtotal":
            return round(float(row["product_qty"] or 0) * float(row["price_unit"] or 0), 2)
        if model == "purchase.order":
            lines = [self.tables["purchase.order.line"][i] for i in self._lines(row["id"])]
            untaxed = round(
                sum(self.computed("purchase.order.line", ln, "price_subtotal") for ln in lines), 2
            )
            if name == "amount_untaxed":
                return untaxed
            if name == "amount_tax":
                return round(untaxed * 0.15, 2)
            if name == "amount_total":
                return round(untaxed * 1.15, 2)
            if name == "receipt_status":
                if row["state"] not in ("purchase", "done"):
                    return None
                received = [float(ln["qty_received"] or 0) for ln in lines]
                ordered = [float(ln["product_qty"] or 0) for ln in lines]
                if not any(received):
                    return "pending"
                return "full" if received == ordered else "partial"
        raise OdooError(VALUE_ERROR, f"Invalid field {name!r} on model {model!r}")

    def _quants(self, product: int) -> list[dict[str, Any]]:
        locations = self.tables.get("stock.location", {})
        return [
            quant
            for quant in self.tables.get("stock.quant", {}).values()
            if quant["product_id"] == product
            and locations[quant["location_id"]]["usage"] == "internal"
        ]

    def _lines(self, order: int) -> list[int]:
        return self.children("purchase.order.line", "order_id", order)

    # -- reading ---------------------------------------------------------------------------------

    def show(self, model: str, row: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
        """`row` as the external API shows the fields `names`."""
        spec = self.fields(model)
        out: dict[str, Any] = {"id": row["id"]}
        for name in names:
            field = spec.get(name)
            if field is None:
                raise OdooError(VALUE_ERROR, f"Invalid field {name!r} on model {model!r}")
            if field.compute:
                value = self.computed(model, row, name)
            elif field.kind == "one2many":
                assert field.relation is not None and field.inverse is not None
                value = self.children(field.relation, field.inverse, row["id"])
            else:
                value = row.get(name)
            if field.kind == "many2one" and value:
                assert field.relation is not None
                value = [value, self.display_name(field.relation, value)]
            elif isinstance(value, datetime):
                value = value.astimezone(UTC).strftime(_DATETIME)
            elif isinstance(value, date):
                value = value.isoformat()
            out[name] = False if value is None and field.kind != "one2many" else value
        return out

    def search_rows(
        self,
        model: str,
        domain: Any,
        context: Mapping[str, Any],
        *,
        order: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """The stored rows matching `domain` the context lets the user see, in `order`."""
        if model in self.denied:
            raise OdooError(
                ACCESS_ERROR,
                f"You are not allowed to access '{model}' ({model}) records.\n\nThis operation "
                "is allowed for the following groups:\n\t- Inventory/User",
            )
        spec = self.fields(model)
        try:
            tree = self._coerce(parse(domain), spec, model)
        except ValueError as exc:
            raise OdooError(VALUE_ERROR, str(exc)) from None
        rows = [
            row
            for row in self.tables.get(model, {}).values()
            if self._visible(row, spec, context)
            and matches(tree, self._lookup(model, row, spec), self._expand(model, spec))
        ]
        for name, descending in reversed(self._order(order or "id", spec, model)):
            rows.sort(key=functools.partial(_sort_value, name), reverse=descending)
        rows = rows[offset:]
        return rows if limit is None or limit is False else rows[: int(limit)]

    def _visible(
        self, row: Mapping[str, Any], spec: Mapping[str, OdooField], context: Mapping[str, Any]
    ) -> bool:
        if "active" in spec and context.get("active_test", True) and not row["active"]:
            return False
        companies = context.get("allowed_company_ids")
        if "company_id" in spec and companies and row.get("company_id"):
            return row["company_id"] in companies
        return True

    def _coerce(self, tree: Leaf | Node | None, spec: Mapping[str, OdooField], model: str) -> Any:
        for leaf in leaves(tree):
            field = spec.get(leaf.field)
            if field is None:
                raise ValueError(f"Invalid field {model}.{leaf.field} in leaf {leaf}")
        if tree is None:
            return None
        return self._convert(tree, spec)

    def _convert(self, tree: Leaf | Node, spec: Mapping[str, OdooField]) -> Leaf | Node:
        if isinstance(tree, Node):
            return Node(tree.operator, tuple(self._convert(op, spec) for op in tree.operands))
        if spec[tree.field].kind != "datetime":
            return tree
        value = tree.value
        if isinstance(value, list):
            value = [_parse_datetime(item) for item in value]
        else:
            value = _parse_datetime(value)
        return Leaf(tree.field, tree.operator, value)

    def _lookup(
        self, model: str, row: Mapping[str, Any], spec: Mapping[str, OdooField]
    ) -> Callable[[str], Any]:
        def lookup(name: str) -> Any:
            field = spec[name]
            if field.compute:
                return self.computed(model, row, name)
            if field.kind == "one2many":
                assert field.relation is not None and field.inverse is not None
                return self.children(field.relation, field.inverse, row["id"])
            value = row.get(name)
            if isinstance(value, datetime) and self.version >= 19:
                return value.replace(microsecond=0)  # 19.0 compares whole seconds
            return value

        return lookup

    def _expand(self, model: str, spec: Mapping[str, OdooField]) -> Callable[[Leaf], set[Any]]:
        def expand(leaf: Leaf) -> set[Any]:
            relation = model if leaf.field == "id" else spec[leaf.field].relation
            roots = leaf.value if isinstance(leaf.value, list) else [leaf.value]
            found: set[Any] = set()
            pending = [int(root) for root in roots]
            while pending:
                current = pending.pop()
                found.add(current)
                if relation == "stock.location":
                    pending.extend(self.children("stock.location", "location_id", current))
            return found

        return expand

    @staticmethod
    def _order(order: str, spec: Mapping[str, OdooField], model: str) -> list[tuple[str, bool]]:
        keys: list[tuple[str, bool]] = []
        for part in order.split(","):
            words = part.split()
            if not words:
                continue
            if words[0] not in spec or (len(words) > 1 and words[1].lower() not in ("asc", "desc")):
                raise OdooError(VALUE_ERROR, f'Invalid "order" specified ({order}).')
            keys.append((words[0], len(words) > 1 and words[1].lower() == "desc"))
        return keys

    # -- writing ---------------------------------------------------------------------------------

    def prepare(self, model: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Wire values → stored values; an unknown or read-only field is Odoo's ValueError."""
        spec = self.fields(model)
        out: dict[str, Any] = {}
        for name, value in values.items():
            field = spec.get(name)
            if field is None:
                raise OdooError(VALUE_ERROR, f"Invalid field {name!r} on model {model!r}")
            if field.compute or field.kind == "one2many" or name in ("id", "write_date"):
                continue
            if value is False and field.kind not in ("boolean", "integer", "float"):
                value = None
            if field.kind == "datetime" and value is not None:
                value = _parse_datetime(value)
            if field.kind == "many2one" and value is not None:
                assert field.relation is not None
                if isinstance(value, list):
                    value = value[0]
                self._row(field.relation, int(value))
                value = int(value)
            out[name] = value
        return out


def _sort_value(name: str, row: Mapping[str, Any]) -> tuple[int, Any]:
    return _sort_key(row.get(name))


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None or value is False:
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    return (1, value)


def names(rows: Iterable[Mapping[str, Any]]) -> list[int]:
    """The ids of rows."""
    return [int(row["id"]) for row in rows]
