"""Maximo's catalog entry: connect form, sign-in offers, setup guide and capabilities; and what
the connection check tells people (`CHECK`)."""

from __future__ import annotations

from typing import Final

from ironbridge.connectors.auth import SignInMethods, offer
from ironbridge.connectors.base import AuthField, Capability, ConnectorSpec, Operation
from ironbridge.connectors.kit import SignInCheck, capability, writable_fields
from ironbridge.connectors.maximo.maps import MAPPER
from ironbridge.connectors.maximo.resources import RESOURCES
from ironbridge.model import Entity

__all__ = ["API_KEY", "CHECK", "NATIVE", "SIGN_IN", "SPEC"]

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

_SITES: Final = "Sites of the form's Sites field only."


def _structure(
    entity: Entity, *rules: str, allows: tuple[Operation, ...] = (), but: tuple[str, ...] = ()
) -> Capability:
    """Reads of the entity's object structure (in the form's sites, if records are a site's),
    and the writes it `allows`: of the fields its map writes, not the number (Maximo numbers
    new records) nor those `but`; an update also changes the status (by an action)."""
    resource = RESOURCES[entity]
    also = ("status",) if "update" in allows else ()
    writes = "create" in allows or "update" in allows
    fields = writable_fields(MAPPER.maps[entity], but=("number", *but), also=also) if writes else ()
    sites = (_SITES,) if resource.scope == "siteid" else ()
    requires = (f"Object structure {resource.structure.upper()}",)
    return capability(*allows, writable=fields, rules=(*sites, *rules), requires=requires)


_CAPABILITIES: Final = {
    Entity.WORK_ORDERS: _structure(
        Entity.WORK_ORDERS,
        "A status change is Maximo's change status action, with Maximo's "
        "transition rules: a refused transition is VALIDATION_FAILED, and a closed or "
        "cancelled work order is RECORD_LOCKED (the BMXAA code is in the message).",
        "Statuses are read through each site's synonyms (WOSTATUS); the raw value is "
        "kept in custom_fields.status.",
        "Remote ids are SITE/WONUM.",
        allows=("create", "update"),
    ),
    Entity.ASSETS: _structure(
        Entity.ASSETS, "Remote ids are SITE/ASSETNUM; parent is the parent asset."
    ),
    Entity.LOCATIONS: _structure(
        Entity.LOCATIONS, "Operating locations and storerooms; remote ids are SITE/LOCATION."
    ),
    Entity.INVENTORY_ITEMS: _structure(
        Entity.INVENTORY_ITEMS,
        "One record per item (remote id: the item number) with its balance per "
        "storeroom. Maximo keeps no change date on inventory: it is read whole on every "
        "sync, and only a changed record counts as a change.",
        "An adjustment sets the current balance of the storeroom's first bin (Maximo's "
        "adjust current balance action); a balance below zero is VALIDATION_FAILED.",
        allows=("adjust",),
    ),
    Entity.VENDORS: _structure(
        Entity.VENDORS, "Companies of the organisation; remote ids are ORGID/COMPANY."
    ),
    Entity.PURCHASE_ORDERS: _structure(
        Entity.PURCHASE_ORDERS,
        "New orders are created waiting on approval (WAPPR), with their lines.",
        "Remote ids are SITE/PONUM.",
        allows=("create",),
        but=("subtotal", "tax_total", "total"),
    ),
}

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

#: What the connection check tells people, beside the setup guide.
CHECK: Final = SignInCheck(
    reached="Maximo answers at this address.",
    signed_in="Signed in as {personid}.",
    unreachable_fix="Check the Maximo address, and that ironbridge may reach it.",
    refused_fix="Check the API key or the user and password, and that the user is active.",
    enable="Grant the user's security group {name}.",
    summary="{readable} object structures and {found} statuses read.",
    probe_fix="Grant the user's security group the object structure MXAPIDOMAIN.",
)
