"""Tryton's catalog entry: how to connect, and what the connector reads and writes.

Capability decisions, and why:

- Purchase orders (`purchase.purchase`): read, create, update, delete. Tryton itself refuses
  changes to an order once it is quoted or confirmed, and deletions of orders that are not draft
  or cancelled; those refusals come back as `RECORD_LOCKED`.
- Vendors (`party.party`): read, create and update. Tryton has no supplier flag: any party can
  be the supplier of a purchase, and a party created for a new supplier has no purchase yet.
  Every party is therefore a vendor; filtering on "used by a purchase" would hide a vendor just
  created through ironbridge and could not be tracked incrementally. Not deleted: Tryton keeps
  parties for the history of their documents and deactivates them instead (status inactive).
- Work orders (`production.work`): read. Tryton has no maintenance (CMMS) module; the work
  orders it has are the steps of its manufacturing orders (a production's routing operations,
  each done at a work center, with time booked in cycles). They are read as work orders of
  type `other`, without an asset. The production modules are optional: in a database without
  them the entity is empty and the connection check says so, rather than failing.
- Inventory items (`product.product` of type goods or assets): read, with stock per warehouse
  from Tryton's stock context; adjusted with a stock inventory confirmed at once, the reason
  posted to the inventory's discussion (see `adjustments.py`).
- Locations (`stock.location`): read; warehouses, storage zones, production and view locations.
- Assets: not offered; Tryton has no equipment register (`account_asset` is depreciation).
"""

from __future__ import annotations

from typing import Final

from ironbridge.connectors.auth import FieldWording, SignInMethods, offer
from ironbridge.connectors.base import AuthField, ConnectorSpec
from ironbridge.connectors.kit import capability
from ironbridge.connectors.protocols.jsonrpc_checks import CheckHints
from ironbridge.connectors.tryton.maps import PURCHASE_WRITES, VENDOR_WRITES
from ironbridge.model import Entity

__all__ = ["HINTS", "SIGN_IN", "SPEC"]

_LOGO: Final = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" '
    'aria-label="Tryton"><rect width="64" height="64" rx="12" fill="#1b2019"/>'
    '<path d="M16 18h32v7H35.5v23h-7V25H16z" fill="#ffffff"/>'
    '<circle cx="46" cy="44" r="5" fill="#9bc53d"/></svg>'
)

#: Tryton signs a user in with `common.db.login`; requests carry `Authorization: Session ...`.
SIGN_IN: Final = SignInMethods(
    offers=(
        offer(
            "session_login",
            settings={"prefix": "Session "},
            username=FieldWording(
                help="The login of the Tryton user ironbridge signs in as.",
                placeholder="ironbridge",
            ),
            password=FieldWording(help="That user's password."),
        ),
    )
)

SPEC: Final = ConnectorSpec(
    id="tryton",
    name="Tryton",
    category="erp",
    logo=_LOGO,
    description=(
        "Tryton, the open-source ERP, over its JSON-RPC API (series 7 and 8): purchase orders "
        "with their lines, parties as vendors, products with stock per warehouse, stock "
        "locations, and the steps of manufacturing orders (production works) as work orders. "
        "Purchase orders can be created, changed while draft, and deleted; vendors can be "
        "created and changed; stock can be adjusted. Assets are not offered: Tryton keeps no "
        "equipment register."
    ),
    auth_fields=(
        AuthField.url(
            "Server URL",
            help="The address the Tryton client connects to, with its port, for example "
            "http://tryton.example.com:8000. Ask your Tryton administrator if unsure.",
            placeholder="http://tryton.example.com:8000",
        ),
        AuthField.text(
            "database",
            label="Database",
            help="The name of the Tryton database, as chosen in the Tryton client's login dialog.",
            placeholder="production",
        ),
        *SIGN_IN.auth_fields,
    ),
    setup_guide=(
        "In Tryton, open Administration > Users > Users and create a user for ironbridge, "
        "for example 'ironbridge', with a strong password.",
        "On its Access Permissions tab, add the groups Purchase and Stock. Stock alone lets "
        "ironbridge read and adjust stock; Purchase is needed to create and change purchase "
        "orders. Work orders need no group: every Tryton user may read productions.",
        "Set the user's Company (and Current Company) to the company ironbridge should work "
        "in: purchase orders are created in that company.",
        "Enter the server URL (the address and port the Tryton client uses), the database "
        "name, and the user's login and password, then connect.",
        "ironbridge signs in over HTTP(S) like the Tryton client; the server must be "
        "reachable from ironbridge. Sessions are bound to the address ironbridge connects from.",
    ),
    capabilities={
        Entity.PURCHASE_ORDERS: capability(
            "create",
            "update",
            "delete",
            requires=("Tryton module purchase; the user in the group Purchase",),
            # A vendor is given by its ironbridge id or its Tryton id.
            writable=("vendor_id", *PURCHASE_WRITES),
            rules=(
                "Only draft purchase orders can be changed: Tryton refuses changes once an "
                "order is quoted or confirmed (RECORD_LOCKED). Set status to draft first to "
                "change a quotation.",
                "Only draft or cancelled purchase orders can be deleted; cancel a confirmed "
                "order instead (RECORD_LOCKED).",
                "status can be set to draft, pending_approval (Tryton's quote), approved "
                "(confirm) or cancelled. Without a queue worker Tryton processes a confirmed "
                "order at once, so it then reads as sent.",
                "Tryton numbers an order when it is quoted; number cannot be set.",
                "Lines name products by id (item_remote_id); unit_of_measure is a unit symbol "
                "such as u or kg. An omitted unit or price comes from the product and its "
                "supplier price list, as in the Tryton client.",
                "All line locations must name the same warehouse, which becomes the order's "
                "warehouse; lines replace all lines of the order.",
                "custom_fields may set reference, comment and invoice_method "
                "(manual, order or shipment).",
            ),
        ),
        Entity.VENDORS: capability(
            "create",
            "update",
            requires=(
                "Tryton module party (installed with purchase); the user in the group Purchase",
            ),
            writable=tuple(VENDOR_WRITES),
            rules=(
                "Every Tryton party is a vendor: Tryton has no supplier flag, and any party can "
                "be the supplier of a purchase.",
                "Tryton assigns the code from its party sequence unless one is given; the code "
                "cannot be changed afterwards.",
                "email, phone and website change the party's first contact of that kind (null "
                "removes every contact of that kind); address changes its first address, and "
                "cannot be cleared, since purchases need one.",
                "status may be active or inactive: Tryton deactivates parties rather than "
                "blocking or deleting them.",
            ),
        ),
        Entity.WORK_ORDERS: capability(
            requires=(
                "Tryton modules production, production_routing and production_work; the user "
                "in the group Production",
            ),
            rules=(
                "Work orders are the steps (production works) of Tryton's manufacturing orders; "
                "they need the modules production, production_routing and production_work. "
                "Without them the database has no work orders and none are listed.",
                "Read only: Tryton creates works from a production's routing and moves them on "
                "as time is booked in cycles.",
            ),
        ),
        Entity.INVENTORY_ITEMS: capability(
            "adjust",
            requires=("Tryton module stock; the user in the group Stock",),
            rules=(
                "Products of type goods or assets; stock levels are per warehouse, including "
                "its zones. reserved is stock assigned to outgoing moves.",
                "An adjustment is a Tryton stock inventory of the location, confirmed at once: "
                "it moves the difference to or from the lost-and-found location. The reason is "
                "posted to the inventory's discussion.",
                "The location is a warehouse (its storage zone is counted) or a storage "
                "location; quantities are in the product's unit; only goods are counted. "
                "Adjusting needs the Stock group (PERMISSION_DENIED otherwise).",
            ),
        ),
        Entity.LOCATIONS: capability(
            requires=("Tryton module stock; the user in the group Stock",),
            rules=(
                "Warehouses, storage zones, production and view locations; supplier, customer, "
                "lost-and-found and drop locations are accounting counterparts, not places.",
            ),
        ),
    },
    change_field="last_modified_at (COALESCE(write_date, create_date))",
    passthrough=True,
    # Vendors, items and locations are master data of any age: read all history.
    default_history_days=None,
)

#: What each failed stage tells the person connecting Tryton.
HINTS: Final = CheckHints(
    unreachable="Check the server URL and port, and that the Tryton server is running and "
    "reachable from ironbridge.",
    bad_url="Enter the http:// or https:// address of the Tryton server.",
    not_rpc="Enter the address the Tryton client connects to, with its port (often :8000), not "
    "the address of a web page.",
    no_database="Check the database name; it is the one chosen in the Tryton client's login "
    "dialog.",
    throttled="Wait a few minutes, then check the password and connect again.",
    refused="Check the user name and password; the user must be active in Tryton.",
    read_refused="Give the Tryton user the groups Purchase and Stock.",
    read_failed="Activate the Tryton modules purchase and stock in this database.",
    required_context=(
        "company",
        "the user has no company",
        "In Tryton, set the user's Company and Current Company.",
    ),
)
