"""Maximo's catalog entry: connect form, sign-in offers, setup guide and capabilities."""

from __future__ import annotations

from typing import Final

from ironbridge.connectors.auth import SignInMethods, offer
from ironbridge.connectors.base import AuthField, Capability, ConnectorSpec
from ironbridge.model import Entity

__all__ = ["API_KEY", "NATIVE", "SIGN_IN", "SPEC"]

#: `auth_method` values: an API key (Maximo Application Suite), or a native Maximo user.
API_KEY: Final = "api_key"
NATIVE: Final = "basic"

SIGN_IN: Final = SignInMethods(
    offers=(
        offer(
            API_KEY,
            label="API key",
            settings={"header": "apikey"},
            api_key={
                "help": "The API key created for ironbridge's integration user (Maximo "
                "Application Suite: Manage > Administration > Integration > API Keys).",
            },
        ),
        offer(
            NATIVE,
            label="User name and password (native Maximo login)",
            settings={"header": "maxauth"},
            username={"help": "A Maximo user made for ironbridge, such as MXINTADM."},
        ),
    ),
    help="How ironbridge signs in: an API key (Maximo Application Suite and 7.6.1), or a "
    "native Maximo user and password (older installations).",
)

_WRITABLE_WORK_ORDER: Final = (
    "title", "description", "status", "priority", "type", "asset_id", "asset_remote_id",
    "location_id", "location_remote_id", "assignee", "requester", "scheduled_start",
    "scheduled_end", "actual_start", "actual_end", "due_date", "estimated_hours", "actual_hours",
)  # fmt: skip
_WRITABLE_ORDER: Final = (
    "vendor_id", "vendor_remote_id", "order_date", "required_date", "expected_delivery_date",
    "currency", "payment_terms", "buyer", "notes", "lines",
)  # fmt: skip
_SITES: Final = "Sites of the form's Sites field only."

_CAPABILITIES: Final = {
    Entity.WORK_ORDERS: Capability(
        read=True, create=True, update=True, delete=False,
        writable_fields=_WRITABLE_WORK_ORDER, requires=("Object structure MXAPIWODETAIL",),
        rules=(_SITES, "A status change is Maximo's change status action, with Maximo's "
               "transition rules: a refused transition is VALIDATION_FAILED, and a closed or "
               "cancelled work order is RECORD_LOCKED (the BMXAA code is in the message).",
               "Statuses are read through each site's synonyms (WOSTATUS); the raw value is "
               "kept in custom_fields.status.", "Remote ids are SITE/WONUM.")),
    Entity.ASSETS: Capability(
        read=True, create=False, update=False, delete=False,
        requires=("Object structure MXAPIASSET",),
        rules=(_SITES, "Remote ids are SITE/ASSETNUM; parent is the parent asset.")),
    Entity.LOCATIONS: Capability(
        read=True, create=False, update=False, delete=False,
        requires=("Object structure MXAPIOPERLOC",),
        rules=(_SITES, "Operating locations and storerooms; remote ids are SITE/LOCATION.")),
    Entity.INVENTORY_ITEMS: Capability(
        read=True, create=False, update=False, delete=False, adjust=True,
        requires=("Object structure MXAPIINVENTORY",),
        rules=(_SITES, "One record per item (remote id: the item number) with its balance per "
               "storeroom. Maximo keeps no change date on inventory: it is read whole on every "
               "sync, and only a changed record counts as a change.",
               "An adjustment sets the current balance of the storeroom's first bin (Maximo's "
               "adjust current balance action); a balance below zero is VALIDATION_FAILED.")),
    Entity.VENDORS: Capability(
        read=True, create=False, update=False, delete=False,
        requires=("Object structure MXAPIVENDOR",),
        rules=("Companies of the organisation; remote ids are ORGID/COMPANY.",)),
    Entity.PURCHASE_ORDERS: Capability(
        read=True, create=True, update=False, delete=False,
        writable_fields=_WRITABLE_ORDER, requires=("Object structure MXAPIPO",),
        rules=(_SITES, "New orders are created waiting on approval (WAPPR), with their lines.",
               "Remote ids are SITE/PONUM.")),
}  # fmt: skip

SPEC: Final = ConnectorSpec(
    id="maximo",
    name="IBM Maximo",
    category="eam",
    logo=(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" '
        'aria-label="IBM Maximo"><rect width="64" height="64" rx="12" fill="#0f62fe"/>'
        '<path d="M14 46V18h7l11 16 11-16h7v28h-7V30l-11 15-11-15v16z" fill="#fff"/></svg>'
    ),
    description=(
        "IBM Maximo (Manage) through its JSON API: work orders (read, create, update, status "
        "changes), assets with their hierarchy, locations and storerooms, inventory with "
        "balances per storeroom (adjustments), vendors, and purchase orders (read, create)."
    ),
    auth_fields=(
        AuthField(
            name="host",
            label="Maximo address",
            help="The address you open Maximo at, without the path, for example "
            "https://maximo.example.com (Maximo Application Suite: the Manage address).",
            secret=False,
            kind="url",
            placeholder="https://maximo.example.com",
        ),
        *SIGN_IN.auth_fields,
        AuthField(
            name="sites",
            label="Sites",
            help="The Maximo sites to read, separated by commas (for example BEDFORD, NASHUA). "
            "New work orders and purchase orders go to the first unless their asset, location "
            "or storeroom lies in another.",
            secret=False,
            placeholder="BEDFORD",
        ),
    ),
    setup_guide=(
        "Create a person and user for ironbridge (Security > Users), with a default insert "
        "site among the sites ironbridge reads.",
        "Give the user a security group granting the object structures MXAPIWODETAIL, "
        "MXAPIASSET, MXAPIOPERLOC, MXAPIINVENTORY, MXAPIVENDOR, MXAPIPO and MXAPIDOMAIN "
        "(Security Groups > Object Structures: Read; for writes also Insert, Save and the "
        "CHANGESTATUS and ADJCURBAL options), and site access to those sites.",
        "In Integration > Object Structures, check that those object structures exist and that "
        "Use with OSLC (REST/JSON API) is on; MXAPIDOMAIN gives ironbridge the status synonyms "
        "each site defined.",
        "Maximo Application Suite: create an API key for the user (Administration > "
        "Integration > API Keys > Add API key) and copy it. Older installations: use the "
        "user's name and password (native login, the maxauth header).",
        "Enter the Maximo address, the sign-in fields and the sites, then connect: ironbridge "
        "checks that Maximo answers, accepts the credentials, which object structures the "
        "user may read, and reads the sites' status synonyms.",
    ),
    capabilities=_CAPABILITIES,
    change_field="changedate",
    passthrough=False,
)
