"""Business Central's catalog entry: connect form, sign-in offer, setup guide, capabilities."""

from __future__ import annotations

from typing import Final

from ironbridge.connectors.auth import SignInMethods, offer
from ironbridge.connectors.base import AuthField, Capability, ConnectorSpec
from ironbridge.model import Entity

__all__ = ["CHECK_FIXES", "DEFAULT_API_URL", "DEFAULT_AUTHORITY", "SCOPE", "SIGN_IN", "SPEC"]

#: The public cloud's API host; national clouds and on-premises installs have their own.
DEFAULT_API_URL: Final = "https://api.businesscentral.dynamics.com"
#: Entra ID's token endpoint of a tenant in the public cloud.
DEFAULT_AUTHORITY: Final = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
#: What an app asks Entra ID for to call Business Central as itself.
SCOPE: Final = "https://api.businesscentral.dynamics.com/.default"

SIGN_IN: Final = SignInMethods(
    offers=(
        offer(
            "oauth2_client_credentials",
            client_id={
                "label": "Application (client) ID",
                "help": "The Application (client) ID of the app registered for ironbridge in "
                "Microsoft Entra ID (Azure portal > App registrations > Overview).",
                "placeholder": "00000000-0000-0000-0000-000000000000",
            },
            client_secret={
                "help": "A client secret of that app (Certificates & secrets > New client "
                "secret); copy its Value, not its ID.",
            },
            token_url={
                "help": "Optional. Leave empty for the public cloud (Entra ID's token endpoint "
                "of your tenant). National clouds and on-premises installs with their own "
                "identity provider enter their token endpoint here.",
                "required": False,
                "placeholder": DEFAULT_AUTHORITY.format(tenant="contoso.onmicrosoft.com"),
            },
            scope={
                "help": f"Optional. Leave empty for {SCOPE}.",
                "placeholder": SCOPE,
            },
        ),
    ),
)

#: What the connection check tells the customer to do when a stage fails.
CHECK_FIXES: Final = {
    "address": "Check the API address and token URL (or leave them empty for the public cloud).",
    "sign_in": "Check the tenant, client ID and secret (secrets expire), that the app has API "
    "permissions with admin consent, and that it is enabled in Business Central's "
    "Microsoft Entra Applications.",
    "environment": "Check the tenant and the environment's name as the admin center shows it.",
    "grant": "In Business Central, give the app (Microsoft Entra Applications) a permission "
    "set that reads it, such as D365 BUS FULL ACCESS.",
}

_LOGO: Final = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" '
    'aria-label="Business Central"><rect width="64" height="64" rx="12" fill="#00796b"/>'
    '<text x="32" y="40" font-family="Arial" font-size="20" font-weight="700" fill="#fff" '
    'text-anchor="middle">BC</text></svg>'
)

_PURCHASE_ORDER_FIELDS: Final = (
    "vendor_remote_id", "order_date", "required_date", "currency", "buyer", "ship_to",
    "bill_to", "lines",
)  # fmt: skip
_VENDOR_FIELDS: Final = (
    "code", "name", "status", "tax_id", "email", "phone", "website", "currency", "address",
)  # fmt: skip
_STANDARD_API: Final = "Business Central API v2.0 (standard APIs)"


def _read_only(*rules: str) -> Capability:
    return Capability(
        read=True, create=False, update=False, delete=False, rules=rules, requires=(_STANDARD_API,)
    )


SPEC: Final = ConnectorSpec(
    id="business_central",
    name="Microsoft Dynamics 365 Business Central",
    category="erp",
    logo=_LOGO,
    description=(
        "Microsoft Dynamics 365 Business Central (online, or on-premises with API v2.0) "
        "through its standard API v2.0: purchase orders with their lines (read, create, "
        "update, delete drafts), vendors (read, create, update), items with their inventory, "
        "locations and fixed assets. Business Central's standard API has no work orders."
    ),
    auth_fields=(
        AuthField(
            name="tenant",
            label="Tenant",
            help="Your Microsoft Entra tenant: its domain (contoso.onmicrosoft.com) or its "
            "Directory (tenant) ID, shown on the app registration's Overview page.",
            secret=False,
            placeholder="contoso.onmicrosoft.com",
        ),
        AuthField(
            name="environment",
            label="Environment",
            help="The Business Central environment's name as the admin center lists it, "
            "for example Production or Sandbox.",
            secret=False,
            placeholder="Production",
        ),
        *SIGN_IN.auth_fields,
        AuthField(
            name="company",
            label="Company",
            help="Optional when the environment has one company. Otherwise the company's "
            "name (or id) as Business Central shows it; connecting lists the companies the "
            "app can see when this is left empty or does not match.",
            secret=False,
            required=False,
            placeholder="CRONUS USA, Inc.",
        ),
        AuthField(
            name="api_url",
            label="API address",
            help=f"Optional. Leave empty for the public cloud ({DEFAULT_API_URL}); national "
            "clouds and on-premises installs enter the address in front of /v2.0/.",
            secret=False,
            required=False,
            kind="url",
            placeholder=DEFAULT_API_URL,
        ),
    ),
    setup_guide=(
        "In the Azure portal (Microsoft Entra ID > App registrations) register an app for "
        "ironbridge (single tenant), note its Application (client) ID and your Directory "
        "(tenant) ID, and add a client secret under Certificates & secrets.",
        "Under API permissions add Dynamics 365 Business Central > Application permissions > "
        "API.ReadWrite.All (or Automation.ReadWrite.All) and grant admin consent.",
        "In Business Central open Microsoft Entra Applications, add the app by its client ID, "
        "set its state to Enabled and give it the permission sets D365 PURCH DOC, EDIT "
        "(purchase orders), D365 VENDOR, EDIT (vendors), D365 ITEM, VIEW, D365 FA, VIEW and "
        "D365 BASIC (or D365 BUS FULL ACCESS), for the company ironbridge connects to.",
        "Enter the tenant, the environment's name, the client ID and secret and, when the "
        "environment has several companies, the company's name.",
        "Connect: ironbridge signs in, lists the companies the app can see and reads one "
        "record of every entity; an entity the app may not read is shown as unavailable.",
    ),
    capabilities={
        Entity.PURCHASE_ORDERS: Capability(
            read=True,
            create=True,
            update=True,
            delete=True,
            writable_fields=_PURCHASE_ORDER_FIELDS,
            requires=(_STANDARD_API,),
            rules=(
                "Business Central numbers new orders from its number series; a given number is "
                "refused (VALIDATION_FAILED). A new order is a Draft, created with its lines in "
                "one request; every line needs an item.",
                "Only draft orders can be changed or deleted: an order in review or released "
                "is refused (RECORD_LOCKED).",
                "An update changes the header (vendor, dates, currency, purchaser, addresses); "
                "new lines replace all lines of the order, in one atomic batch with the "
                "header: all of it is applied or none.",
                "Each write carries the ETag of the record as read; an order changed in "
                "Business Central meanwhile is refused (CONFLICT), never overwritten.",
                "Lines have no change time of their own: an order is read again whole, lines "
                "included, when its header changes. Received and invoiced orders leave the "
                "API (they become posted documents) and are found gone by a full sync.",
            ),
        ),
        Entity.VENDORS: Capability(
            read=True,
            create=True,
            update=True,
            delete=False,
            writable_fields=_VENDOR_FIELDS,
            requires=(_STANDARD_API,),
            rules=(
                "A vendor blocked for payments or for all transactions reads as blocked; "
                "setting blocked blocks it for all transactions. Inactive is not a vendor state "
                "of Business Central (VALIDATION_FAILED).",
            ),
        ),
        Entity.INVENTORY_ITEMS: _read_only(
            "Items carry their total inventory (total_on_hand); the standard API v2.0 does "
            "not break stock down by location, so stock_levels is empty.",
            "A blocked item reads as inactive.",
        ),
        Entity.LOCATIONS: _read_only("Locations are Business Central's inventory locations."),
        Entity.ASSETS: _read_only(
            "Assets are fixed assets; their fixed asset location (a list of its own, not an "
            "inventory location) is in custom_fields.fixedAssetLocationCode.",
        ),
        Entity.WORK_ORDERS: Capability(
            read=False,
            create=False,
            update=False,
            delete=False,
            rules=("Business Central's standard API v2.0 has no work orders.",),
        ),
    },
    change_field="lastModifiedDateTime",
    passthrough=False,
)
