"""Odoo's catalog entry: connect form, setup guide, capabilities, and what the connection
check tells a person."""

from __future__ import annotations

from typing import Final

from ironbridge.connectors.base import AuthField, ConnectorSpec
from ironbridge.connectors.kit import capability, names, writable_fields
from ironbridge.connectors.odoo.maps import WRITES
from ironbridge.connectors.protocols.jsonrpc_checks import CheckHints
from ironbridge.model import Entity

__all__ = ["HINTS", "SPEC"]


HINTS: Final = CheckHints(
    unreachable="Check the Odoo address, and that ironbridge may reach it.",
    bad_url="Enter the http:// or https:// address you open Odoo at.",
    not_rpc="Enter the address of the Odoo server itself (the one you log in at), without "
    "/web or /odoo at the end.",
    no_database="Check the database name: it is shown on the login page's database "
    "selector, or under Settings > Activate developer mode > the database name.",
    throttled="Wait a few minutes, then connect again.",
    refused="Check the login and the API key; API keys expire, so create a new one under "
    "Preferences > Account Security > New API Key if it has.",
    read_refused="Give the user the groups Purchase / User, Inventory / User and "
    "Maintenance / User (Settings > Users).",
    read_failed="Install the Purchase, Inventory and Maintenance apps in this database.",
    module_missing=(
        "The Odoo app {module} is not installed in this database.",
        "Install the {module} app (Apps menu) in this database.",
    ),
)

SPEC: Final = ConnectorSpec(
    id="odoo",
    name="Odoo",
    category="erp",
    logo=(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" '
        'aria-label="Odoo"><rect width="64" height="64" rx="12" fill="#714b67"/>'
        '<circle cx="32" cy="32" r="13" fill="none" stroke="#fff" stroke-width="7"/></svg>'
    ),
    description=(
        "Odoo 17.0 and later, Community or Enterprise, on-premises or Odoo.sh, through its "
        "external API (JSON-RPC for 17.0 and 18.0, JSON-2 from 19.0): purchase orders (read, "
        "create, update, delete), vendors (read, create, update), products with stock per "
        "location (read, adjust), locations, maintenance requests as work orders (read, "
        "create, update) and maintenance equipment as assets."
    ),
    auth_fields=(
        AuthField.url(
            "Odoo address",
            help="The address you open Odoo at, e.g. https://mycompany.odoo.com.",
        ),
        AuthField.text(
            "database",
            label="Database",
            help="The database name (on Odoo.sh and Odoo Online often the first part "
            "of the address).",
        ),
        AuthField.text(
            "username",
            label="Login",
            help="The login (usually an e-mail address) of the Odoo user ironbridge works as.",
        ),
        AuthField.password(
            "api_key",
            label="API key",
            help="An API key of that user: Preferences > Account Security > New API "
            "Key. Keys expire after at most three months.",
        ),
        AuthField.text(
            "companies",
            label="Companies",
            required=False,
            placeholder="1",
            help="Optional. The ids of the companies to read and write, separated by "
            "commas (the user's default company when empty).",
        ),
    ),
    setup_guide=(
        "Install the Purchase, Inventory and Maintenance apps (Apps menu) in the database.",
        "Create a user for ironbridge (Settings > Users & Companies > Users) with the groups "
        "Purchase / User, Inventory / User and Maintenance / User (an Administrator of "
        "Inventory to apply stock adjustments), and the companies ironbridge should see.",
        "Sign in as that user, open Preferences > Account Security, choose New API Key, name "
        "it ironbridge, pick its duration (at most three months) and copy the key shown once.",
        "Enter the Odoo address, the database, the user's login and the API key. When a key "
        "expires, the connection asks for a new one; create it the same way.",
    ),
    capabilities={
        Entity.PURCHASE_ORDERS: capability(
            "create",
            "update",
            "delete",
            writable=names(
                "vendor_id vendor_remote_id status order_date required_date notes lines"
            ),
            requires=("Odoo app Purchase", "Group Purchase / User"),
            rules=(
                "status approved confirms an order (Confirm Order), cancelled cancels it, "
                "draft returns a cancelled order to draft; Odoo sets received and closed.",
                "Locked orders (18.0: state Locked; 19.0: locked) refuse changes but to the "
                "note and line prices, and deletion (RECORD_LOCKED).",
                "Orders with done receipts cannot be cancelled, nor received lines removed; "
                "19.0 refuses cancelling a locked order until it is unlocked (RECORD_LOCKED).",
                "Only draft and cancelled orders can be deleted.",
                "Lines sent in an update replace the order's lines.",
            ),
        ),
        Entity.VENDORS: capability(
            "create",
            "update",
            writable=names("code name tax_id status email phone website address"),
            rules=(
                "Vendors are partners with a supplier rank; archived ones read as inactive.",
                "A vendor is active or inactive; blocked cannot be written.",
            ),
        ),
        Entity.INVENTORY_ITEMS: capability(
            "adjust",
            requires=(
                "Odoo app Inventory",
                "Group Inventory / User (Administrator to apply counts)",
            ),
            rules=(
                "Stock is read per internal location from stock quants.",
                "Adjustments count a product at an internal location and apply the count.",
            ),
        ),
        Entity.LOCATIONS: capability(
            rules=("Warehouse (view) and internal locations; archived ones read as inactive.",),
        ),
        Entity.WORK_ORDERS: capability(
            "create",
            "update",
            writable=(*writable_fields(WRITES.maps[Entity.WORK_ORDERS]), "status"),
            requires=("Odoo app Maintenance", "Group Maintenance / User"),
            rules=(
                "Status comes from the request's stage: the first stage is open, stages "
                "marked done are completed, others in progress; archived requests are "
                "cancelled. Stages are read from each database when connecting.",
                "Setting a status moves the request to the first stage that means it.",
            ),
        ),
        Entity.ASSETS: capability(requires=("Odoo app Maintenance",)),
    },
    change_field="write_date",
    passthrough=True,
    default_history_days=None,
)
