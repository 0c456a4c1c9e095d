"""Which Tryton model each entity reads, with which fields, filter and change tracking.

The fields read are those the maps read (`maps.py`, through `kit.read_paths`), and what else a
row must hold: the keys the writes and the session need, a line's position, and what the work
times and description are computed from.

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

from types import MappingProxyType
from typing import Any, Final

from ironbridge.connectors import kit
from ironbridge.connectors.protocols.jsonrpc_changes import Dependent, ModelResource, by_entity
from ironbridge.connectors.protocols.jsonrpc_models import TRYTON_MODELS
from ironbridge.connectors.protocols.jsonrpc_rows import PerScope, Reading
from ironbridge.connectors.tryton.maps import CUSTOM_FIELDS, DERIVE_READS, FIELD_MAP
from ironbridge.model import Entity

__all__ = ["AMOUNT_FIELDS", "CHANGE_FIELD", "RESOURCES", "STOCK", "STOCK_FIELDS"]

#: The change time every resource is tracked by: `COALESCE(write_date, create_date)`.
CHANGE_FIELD: Final = TRYTON_MODELS.change_field

#: Purchase totals Tryton computes on request for draft and quotation orders (their `*_cache`
#: columns are filled from confirmation on); read only for rows whose cache is empty, since
#: computing them costs about five times the rest of the row.
AMOUNT_FIELDS: Final = ("untaxed_amount", "tax_amount", "total_amount")

#: Product quantities Tryton computes from stock moves for the locations in the context.
STOCK_FIELDS: Final = ("quantity", "forecast_quantity")
#: A product's stock per warehouse, zones included, under Tryton's stock context. With
#: `stock_assign`, moves assigned out of the warehouse count as gone: what is left is what can
#: still be used (trytond stock `Move.compute_quantities_query`).
STOCK: Final = PerScope(
    "product.product",
    "stock.location",
    ("type", "=", "warehouse"),
    ("id", "code", "name"),
    lambda warehouse: {"locations": [warehouse["id"]], "with_childs": True},
    (
        Reading({}, {name: name for name in STOCK_FIELDS}),
        Reading({"stock_assign": True}, {"assignable_quantity": "quantity"}),
    ),
)

#: A party's addresses, contact mechanisms and identifiers are rows of their own.
_PARTY_PARTS: Final = tuple(
    Dependent(f"party.{model}", "party") for model in ("address", "contact_mechanism", "identifier")
)
_ALL: Final = MappingProxyType({"active_test": False})
_PLACES: Final = (("type", "in", ("warehouse", "storage", "production", "view")),)
#: What a purchase row needs besides what its maps read: keys the writes and the session use,
#: a line's position and change time. Its amounts are `computed`; a line's `id` comes unasked.
_PURCHASE_MORE: Final = (
    "company currency payment_term warehouse invoice_address lines.sequence lines.unit "
    f"lines.{CHANGE_FIELD}"
)
#: What a work row needs besides: of its production, its change time and what the work's
#: description is made of; its cycles (the time booked on it and when each ran and was done).
_WORK_MORE: Final = (
    "sequence operation work_center production production.effective_start_date "
    "production.effective_date production.product production.product.rec_name "
    f"production.{CHANGE_FIELD} cycles.state cycles.duration cycles.{CHANGE_FIELD}"
)


def _read(
    entity: Entity, model: str, more: str, *dependents: Dependent, **options: Any
) -> ModelResource:
    """`entity` as `model`, read with the fields its maps read (its tables and `derive`,
    `maps.py`) but its `computed` ones and a line's `id`, then the space-separated `more`."""
    maps = (*FIELD_MAP[entity].values(), *CUSTOM_FIELDS[entity].values())
    read = kit.read_paths((*maps, *DERIVE_READS.get(entity, ())))
    skip = {*options.get("computed", ()), "lines.id"}
    fields = tuple(dict.fromkeys((*(name for name in read if name not in skip), *more.split())))
    return ModelResource(entity, model, fields, dependents=dependents, **options)


#: The resource of every entity the connector reads.
RESOURCES: Final = by_entity(
    _read(
        Entity.PURCHASE_ORDERS,
        "purchase.purchase",
        _PURCHASE_MORE,
        Dependent("purchase.line", "purchase"),
        computed=AMOUNT_FIELDS,
        computed_cache="total_amount_cache",
    ),
    _read(
        Entity.WORK_ORDERS,
        "production.work",
        _WORK_MORE,
        # Booking time (a cycle's duration) does not write the work; a state change does.
        Dependent("production.work.cycle", "work"),
        # Dates, quantity and state of the production live on the production's own row.
        Dependent("production.work", "id", f"production.{CHANGE_FIELD}"),
        module="production_work",
    ),
    _read(Entity.VENDORS, "party.party", "", *_PARTY_PARTS, context=_ALL),
    _read(
        Entity.INVENTORY_ITEMS,
        "product.product",
        "",
        # Names, units and prices live on the template, shared by its variants.
        Dependent("product.product", "id", f"template.{CHANGE_FIELD}"),
        # Quantities are sums of moves: a move done, assigned or planned changes them.
        Dependent("stock.move", "product"),
        # Services hold no stock; goods and assets (equipment kept in stock) do.
        domain=(("type", "in", ("goods", "assets")),),
        context=_ALL,
    ),
    _read(Entity.LOCATIONS, "stock.location", "", domain=_PLACES, context=_ALL),
)
