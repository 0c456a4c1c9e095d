"""Which Tryton model each entity reads, with which fields, filter and change tracking.

Change tracking. Tryton's `write_date` is null until a record is first written, so a record's
modification time is `COALESCE(write_date, create_date)`. Every `ModelSQL` has that expression as
`last_modified_at` (a Function field backed by an SQL column, `ModelSQL.column_last_modified_at`),
which the server can both filter and sort on: the keyset domain and the order use it, so records
never edited are found by their creation time, and ties are broken by `id`.

Some changes do not touch the record's own row: a purchase line written on its own, a party's
address or e-mail, a product's template, the stock moves behind an item's quantities, and a
work's cycles and production.
`dependents` lists them; `list_changes` also reads those rows changed since the cursor and
re-emits their parents at the dependent's change time (`protocols.jsonrpc_changes`).

Optional modules. Work orders come from `production.work`, which exists only where the modules
`production`, `production_routing` and `production_work` are activated; many Tryton databases
do not manufacture and lack them. `ModelResource.module` names such a module; the session asks
Tryton's `ir.model` once whether the model exists and treats a missing one as an entity the
database cannot hold (see `protocols.jsonrpc_model_session`), rather than as a failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from ironbridge.connectors.protocols.jsonrpc_changes import Dependent, ModelResource
from ironbridge.connectors.protocols.jsonrpc_models import TRYTON_MODELS
from ironbridge.model import Entity

__all__ = [
    "AMOUNT_FIELDS",
    "CHANGE_FIELD",
    "RESOURCES",
    "STOCK_FIELDS",
    "WORK_ORDERS",
]

#: The change time every resource is tracked by: `COALESCE(write_date, create_date)`.
CHANGE_FIELD: Final = TRYTON_MODELS.change_field

#: Purchase totals Tryton computes on request for draft and quotation orders (their `*_cache`
#: columns are filled from confirmation on); read only for rows whose cache is empty, since
#: computing them costs about five times the rest of the row.
AMOUNT_FIELDS: Final = ("untaxed_amount", "tax_amount", "total_amount")

#: Product quantities Tryton computes from stock moves for the locations in the context.
STOCK_FIELDS: Final = ("quantity", "forecast_quantity")

_ALL: Final = MappingProxyType({"active_test": False})


def _under(prefix: str, names: str) -> tuple[str, ...]:
    """The space-separated `names` as paths under `prefix` (`lines.` + `amount`)."""
    return tuple(f"{prefix}{name}" for name in names.split())


def _address(prefix: str) -> tuple[str, ...]:
    return _under(f"{prefix}.", "street city postal_code country.code subdivision.name")


PURCHASE_ORDERS: Final = ModelResource(
    entity=Entity.PURCHASE_ORDERS,
    model="purchase.purchase",
    fields=(
        *_under("", "number reference state shipment_state invoice_state invoice_method company"),
        *_under("", "party purchase_date delivery_date currency currency.code payment_term"),
        *_under("", "payment_term.name untaxed_amount_cache tax_amount_cache total_amount_cache"),
        *_under("", "warehouse warehouse.code"),
        *_address("warehouse.address"),
        "invoice_address",
        *_address("invoice_address"),
        *_under("", "quoted_by.rec_name confirmed_by.rec_name description comment"),
        *_under("lines.", "type sequence product product.code product.rec_name description"),
        *_under("lines.", "quantity actual_quantity unit unit.symbol unit_price amount"),
        *_under("lines.", f"delivery_date {CHANGE_FIELD}"),
    ),
    dependents=(Dependent("purchase.line", "purchase"),),
    computed=AMOUNT_FIELDS,
    computed_cache="total_amount_cache",
)

VENDORS: Final = ModelResource(
    entity=Entity.VENDORS,
    model="party.party",
    fields=(
        *_under("", "code name active email phone website lang.code tax_identifier.code"),
        *_under("", "supplier_currency.code supplier_payment_term.name"),
        *_address("addresses"),
    ),
    context=_ALL,
    dependents=tuple(
        Dependent(model, "party")
        for model in ("party.address", "party.contact_mechanism", "party.identifier")
    ),
)

INVENTORY_ITEMS: Final = ModelResource(
    entity=Entity.INVENTORY_ITEMS,
    model="product.product",
    fields=_under(
        "",
        "code name description active type purchasable default_uom.symbol cost_price list_price "
        "account_category.name",
    ),
    # Services hold no stock; goods and assets (equipment kept in stock) do.
    domain=(("type", "in", ("goods", "assets")),),
    context=_ALL,
    dependents=(
        # Names, units and prices live on the template, shared by its variants.
        Dependent("product.product", "id", f"template.{CHANGE_FIELD}"),
        # Quantities are sums of moves: a move done, assigned or planned changes them.
        Dependent("stock.move", "product"),
    ),
)

LOCATIONS: Final = ModelResource(
    entity=Entity.LOCATIONS,
    model="stock.location",
    fields=(*_under("", "code name type active parent"), *_address("address")),
    domain=(("type", "in", ("warehouse", "storage", "production", "view")),),
    context=_ALL,
)

WORK_ORDERS: Final = ModelResource(
    entity=Entity.WORK_ORDERS,
    model="production.work",
    fields=(
        *_under("", "rec_name state sequence operation operation.name work_center"),
        *_under("", "work_center.name cost production"),
        # What a work order shows of its production (the manufacturing order it is a step of).
        *_under("production.", "number state planned_start_date planned_date"),
        *_under("production.", "effective_start_date effective_date quantity unit.symbol"),
        *_under("production.", f"product product.code product.rec_name warehouse {CHANGE_FIELD}"),
        # A work's cycles: the time booked on it and when each cycle was run and done.
        *_under("cycles.", f"state duration {CHANGE_FIELD}"),
    ),
    dependents=(
        # Booking time (a cycle's duration) does not write the work; a state change does.
        Dependent("production.work.cycle", "work"),
        # Dates, quantity and state of the production live on the production's own row.
        Dependent("production.work", "id", f"production.{CHANGE_FIELD}"),
    ),
    module="production_work",
)

#: The resource of every entity the connector reads.
RESOURCES: Final[Mapping[Entity, ModelResource]] = MappingProxyType(
    {
        resource.entity: resource
        for resource in (PURCHASE_ORDERS, WORK_ORDERS, VENDORS, INVENTORY_ITEMS, LOCATIONS)
    }
)
