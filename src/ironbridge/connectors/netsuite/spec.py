"""NetSuite's catalog entry: connect form, sign-in offers, setup guide and capabilities."""

from __future__ import annotations

from functools import partial
from typing import Final

from ironbridge.connectors.auth import SignInMethods, offer
from ironbridge.connectors.base import AuthField, Capability, ConnectorSpec
from ironbridge.connectors.kit import SignInCheck
from ironbridge.model import Entity

__all__ = ["CHECK", "M2M", "PERMISSIONS", "SIGN_IN", "SPEC", "TBA", "TOKEN_PATH"]

#: `auth_method` values: OAuth 2.0 machine to machine, or token-based authentication.
M2M: Final = "oauth2_jwt_bearer"
TBA: Final = "oauth1_hmac_sha256"

#: Where NetSuite issues machine-to-machine tokens, under the account's REST host.
TOKEN_PATH: Final = "services/rest/auth/oauth2/v1/token"  # noqa: S105, a path, not a secret

SIGN_IN: Final = SignInMethods(
    offers=(
        offer(
            M2M,
            label="OAuth 2.0 machine to machine (certificate)",
            # NetSuite reads the scopes from the assertion's `scope` claim, not the form body.
            settings={"scope": "assertion"},
            client_id={
                "label": "Client ID",
                "help": "The consumer key (client ID) shown once when the integration record "
                "for ironbridge was saved (Setup > Integration > Manage Integrations).",
            },
            certificate_id={
                "help": "The certificate ID NetSuite shows under Setup > Integration > OAuth "
                "2.0 Client Credentials (M2M) Setup, for the mapping of ironbridge's "
                "integration, user and role.",
            },
            token_url={
                "help": "Optional. Leave empty for your account's own token endpoint.",
                "required": False,
            },
            scope={
                "help": "Optional. Leave empty for rest_webservices, which ironbridge needs.",
                "required": False,
                "placeholder": "rest_webservices",
            },
        ),
        offer(TBA),
    ),
    help="How ironbridge signs in: OAuth 2.0 machine to machine with a certificate (new "
    "integrations), or token-based authentication (existing integrations).",
)

_ORDER_HEADER: Final = ("vendor_id", "vendor_remote_id", "order_date", "required_date", "notes")
_WRITABLE_VENDOR: Final = ("code", "name", "status", "email", "phone", "website", "custom_fields")

#: The capability of an entity read and written (never deleted), or only read.
_WRITES: Final = partial(Capability, read=True, create=True, update=True, delete=False)
_READS: Final = partial(Capability, read=True, create=False, update=False, delete=False)

SPEC: Final = ConnectorSpec(
    id="netsuite",
    name="Oracle NetSuite",
    category="erp",
    logo=(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" '
        'aria-label="Oracle NetSuite"><rect width="64" height="64" rx="12" fill="#1f3b57"/>'
        '<path d="M16 46V18h8l16 18V18h8v28h-8L24 28v18z" fill="#fff"/></svg>'
    ),
    description=(
        "Oracle NetSuite through its REST web services: purchase orders (read, create, update) "
        "and vendors (read, create, update) through SuiteQL and the Record API, inventory items "
        "with quantities per location, and locations."
    ),
    auth_fields=(
        AuthField(
            name="account_id",
            label="Account ID",
            help="Your account's id, as in the address you sign in at (1234567 or, for a "
            "sandbox, 1234567_SB1); in NetSuite under Setup > Company > Company Information.",
            secret=False,
            placeholder="1234567",
        ),
        *(field for field in SIGN_IN.auth_fields if field.name != "account_id"),
        AuthField(
            name="time_zone",
            label="Account time zone",
            help="Optional. The time zone of the account's dates (for example "
            "America/Los_Angeles); leave empty to read it from NetSuite when connecting.",
            secret=False,
            required=False,
        ),
        AuthField(
            name="concurrency",
            label="Requests at once",
            help="Optional. How many requests ironbridge sends at the same time (default 2). "
            "Your account allows 5 (Standard), 15 (Premium) or 20 (Enterprise), plus 10 per "
            "SuiteCloud Plus licence, shared by every integration.",
            secret=False,
            required=False,
            placeholder="2",
        ),
        AuthField(
            name="base_url",
            label="REST address",
            help="Optional. Leave empty for https://<account id>.suitetalk.api.netsuite.com.",
            secret=False,
            required=False,
            kind="url",
        ),
    ),
    setup_guide=(
        "Enable features (Setup > Company > Enable Features): on the SuiteCloud tab REST Web "
        "Services and OAuth 2.0 or Token-Based Authentication; on the Analytics tab "
        "SuiteAnalytics Workbook, which SuiteQL needs.",
        "Create a role for ironbridge with the permissions Transactions > Purchase Order (Edit), "
        "Lists > Vendors (Edit), Items (View), Locations (View), Currency (View), Setup > REST "
        "Web Services (Full), Log in using OAuth 2.0 Access Tokens or Log in using Access "
        "Tokens (Full), and Reports > SuiteAnalytics Workbook (View); assign it to a user.",
        "Create an integration record (Setup > Integration > Manage Integrations > New) named "
        "ironbridge; for machine to machine tick Client Credentials (Machine to Machine) Grant "
        "and the scope REST Web Services, for token-based authentication tick Token-Based "
        "Authentication. Save and copy the client ID (consumer key) and secret shown once.",
        "Machine to machine: create a certificate key pair (openssl req -new -x509 -newkey "
        "rsa:3072 -keyout private.pem -sigopt rsa_padding_mode:pss -sha256 -out public.pem), "
        "upload public.pem under Setup > Integration > OAuth 2.0 Client Credentials (M2M) "
        "Setup for the integration, user and role, and copy the certificate ID.",
        "Token-based authentication: create an access token for the integration, user and role "
        "(Setup > Users/Roles > Access Tokens > New) and copy its token ID and secret.",
        "Enter the account ID and the sign-in fields, then connect: ironbridge checks that "
        "NetSuite answers, accepts the credentials, which records the role may read, and "
        "learns the account's time zone.",
    ),
    capabilities={
        Entity.PURCHASE_ORDERS: _WRITES(
            writable_fields=(*_ORDER_HEADER, "lines", "custom_fields"),
            requires=("Role permission Transactions > Purchase Order",),
            rules=(
                "A change made only on an order's lines marks the order changed.",
                "Closed and fully billed orders cannot be changed (RECORD_LOCKED).",
                "Lines sent in an update replace the order's lines.",
                "NetSuite keeps no version on records: the last writer wins.",
                "Custom body fields (custbody_*) are read and written as custom_fields.",
            ),
        ),
        Entity.VENDORS: _WRITES(
            writable_fields=_WRITABLE_VENDOR,
            requires=("Role permission Lists > Vendors",),
            rules=("A vendor is active or inactive; blocked cannot be written.",),
        ),
        Entity.INVENTORY_ITEMS: _READS(
            requires=("Role permission Lists > Items",),
            rules=(
                "Inventory items (type InvtPart) with their quantities per location. A "
                "quantity change alone does not change an item's stamp in NetSuite, so it "
                "shows at the item's next change or a full sync.",
            ),
        ),
        Entity.LOCATIONS: _READS(
            requires=("Role permission Lists > Locations",),
            rules=(
                "The type is the location type: Store is a site, Warehouse or none a warehouse.",
            ),
        ),
    },
    change_field="lastmodifieddate",
    passthrough=True,
)

#: What the connection check says, and what to do after each failure.
CHECK: Final = SignInCheck(
    reached="NetSuite answers for this account.",
    signed_in="Signed in; time zone {zone}.",
    unreachable_fix="Check the account ID, and that ironbridge may reach NetSuite.",
    refused_fix="Check the sign-in fields, and that the role may sign in with them.",
    enable="Add to ironbridge's role the permission {name}.",
    summary="The role may read {readable} of {total} types.",
)
#: The role permission each entity's reads need, as the check names it when refused.
PERMISSIONS: Final = {
    e: c.requires[0].split("permission ")[-1] for e, c in SPEC.capabilities.items()
}
