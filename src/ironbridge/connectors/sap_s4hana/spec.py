"""SAP S/4HANA's catalog entry: connect form, setup guide, capabilities and business rules."""

from __future__ import annotations

from typing import Final

from ironbridge.connectors.auth import SignInMethods, offer
from ironbridge.connectors.base import AuthField, ConnectorSpec
from ironbridge.connectors.kit import capability, names
from ironbridge.connectors.protocols.odata_session import CheckTexts
from ironbridge.connectors.sap_s4hana.resources import FUNCTIONAL_LOCATIONS, RESOURCES
from ironbridge.model import Entity

__all__ = ["BASIC", "CHECK_TEXTS", "SIGN_IN", "SPEC", "TOKEN_PATH"]

#: `auth_method` values: a communication user's password, or an OAuth 2.0 client.
BASIC: Final = "basic"
OAUTH: Final = "oauth2_client_credentials"

#: Where SAP S/4HANA's own OAuth 2.0 server issues tokens, relative to the system's root.
TOKEN_PATH: Final = "sap/bc/sec/oauth2/token"  # noqa: S105, a path, not a secret

#: How ironbridge signs in to SAP, worded for SAP's connect form.
SIGN_IN: Final = SignInMethods(
    offers=(
        offer(
            BASIC,
            username={
                "label": "Communication user",
                "help": (
                    "The user ironbridge signs in as: a communication user (SAP S/4HANA Cloud) "
                    "or a system user with the OData roles described in the setup guide."
                ),
                "placeholder": "IRONBRIDGE_COMM",
            },
        ),
        offer(
            OAUTH,
            client_id={
                "help": (
                    "The OAuth 2.0 client ironbridge signs in as. In SAP S/4HANA Cloud it is "
                    "the communication user of the communication system; on-premise, the "
                    "client registered in transaction SOAUTH2."
                ),
                "placeholder": "IRONBRIDGE_COMM",
            },
            client_secret={
                "help": (
                    "The client's secret (in SAP S/4HANA Cloud, the communication user's password)."
                ),
            },
            token_url={
                "help": (
                    "Optional. Where SAP issues OAuth tokens; leave empty for the system's own "
                    f"OAuth server, <system address>/{TOKEN_PATH}."
                ),
                "required": False,
                "placeholder": f"https://s4.example.com:44300/{TOKEN_PATH}",
            },
        ),
    ),
    help=(
        "How ironbridge signs in: with the user name and password of a communication "
        "user, or as an OAuth 2.0 client (client credentials). Use what the "
        "communication arrangement's inbound communication is set to."
    ),
)

#: What the connection check tells an SAP administrator at each failure.
CHECK_TEXTS: Final = CheckTexts(
    address_fix="Enter the https address of your SAP Gateway server.",
    oauth_address_fix="Enter the https address of SAP's OAuth token endpoint, or leave it "
    "empty for the system's own.",
    unreachable_fix="Check the address and port, and that ironbridge's network may reach it.",
    down="The SAP system answered HTTP {status}; it is not available now.",
    down_fix="Try again later, or ask your SAP Basis team whether the system is up.",
    not_served="No SAP Gateway answers at this address.",
    not_served_fix="Enter the address of the server that serves /sap/opu/odata/, with its port.",
    reached="The SAP system answers at this address.",
    oauth_reached="SAP's OAuth server answers.",
    oauth_refused_fix="Check the client ID, its secret, the token URL and the scope, and "
    "that the communication arrangement allows OAuth 2.0 for this client.",
    refused_fix="Check the user and password (or OAuth client and secret), and that the "
    "user is not locked or expired.",
    accepted="SAP accepted the credentials.",
    grant_fix="Add the communication arrangement {grant} for this user.",
    activate_fix="Activate {service} (/IWFND/MAINT_SERVICE) or add {grant}.",
    refused={
        BASIC: "SAP refused the user name or password.",
        OAUTH: "SAP refused the OAuth client or its token.",
    },
)

_LOGO: Final = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" '
    'aria-label="SAP S/4HANA"><rect width="64" height="64" rx="12" fill="#0a6ed1"/>'
    '<path d="M10 18h44L32 46z" fill="#fff"/><text x="32" y="33" font-family="Arial" '
    'font-size="11" font-weight="700" fill="#0a6ed1" text-anchor="middle">SAP</text></svg>'
)


SPEC: Final = ConnectorSpec(
    id="sap_s4hana",
    name="SAP S/4HANA",
    category="erp",
    logo=_LOGO,
    description=(
        "SAP S/4HANA (on-premise or private cloud) through its OData V2 APIs: purchase "
        "orders (read, create, update), suppliers, maintenance orders, equipment, material "
        "stock by plant and storage location, and plants, storage locations and functional "
        "locations."
    ),
    auth_fields=(
        AuthField(
            name="base_url",
            label="System address",
            help=(
                "The HTTPS address of the SAP Gateway (Fiori front-end) server, with its port, "
                "without any path, for example https://s4.example.com:44300. Your SAP Basis "
                "team knows it; it is the address in front of /sap/opu/odata/."
            ),
            secret=False,
            kind="url",
            placeholder="https://s4.example.com:44300",
        ),
        *SIGN_IN.auth_fields,
        AuthField(
            name="sap_client",
            label="SAP client",
            help=(
                "Optional. The three-digit client to sign in to (for example 100) when the "
                "system has several; leave empty to use the system's default client."
            ),
            secret=False,
            required=False,
            placeholder="100",
        ),
    ),
    setup_guide=(
        "Create a user for ironbridge: in SAP S/4HANA Cloud or private cloud a communication "
        "user (app Maintain Communication Users), on-premise a system user (SU01, type System).",
        "Create a communication system for ironbridge and assign the user to it for inbound "
        "communication: either with user name and password, or as an OAuth 2.0 client "
        "(inbound OAuth 2.0 client credentials; the communication user is then the client ID "
        "and its password the client secret).",
        "Create one communication arrangement per area, all with that communication system: "
        "Purchase Order Integration (SAP_COM_0053), Business Partner, Customer and Supplier "
        "Integration (SAP_COM_0008), Inventory Analytics Integration (SAP_COM_0164), "
        "Maintenance Order Integration (SAP_COM_0398) and the equipment arrangement "
        "(SAP_COM_0395), which also carries functional locations (API_FUNCTIONALLOCATION).",
        "On-premise instead: activate the OData services API_PURCHASEORDER_PROCESS_SRV, "
        "API_BUSINESS_PARTNER, API_MATERIAL_STOCK_SRV, API_MAINTENANCEORDER, API_EQUIPMENT "
        "and API_FUNCTIONALLOCATION in transaction /IWFND/MAINT_SERVICE, and give the user a "
        "role (PFCG) with S_SERVICE for them plus display rights for purchase orders, business "
        "partners, stock, maintenance orders, equipment and functional locations, and change "
        "rights for purchase orders. For OAuth 2.0, register the user as an OAuth client in "
        "transaction SOAUTH2 with the client credentials grant and those services' scopes.",
        "Enter the system address (the Gateway server's https address and port), the sign-in "
        "method with the user and its password or the OAuth client ID and secret (the token "
        "URL only when tokens come from elsewhere than the system's own OAuth server) and, if "
        "your system has several clients, the client number.",
        "Connect: ironbridge checks that the system answers, that it accepts the user, and "
        "which areas the user may read. An area that is missing does not stop the connection: "
        "it is shown as unavailable with the arrangement to add, and becomes available once "
        "it is added and the connection is checked again or reconnected.",
    ),
    # What an administrator enables to read each entity is what `resources.py` declares.
    capabilities={
        Entity.PURCHASE_ORDERS: capability(
            "create",
            "update",
            requires=(RESOURCES[Entity.PURCHASE_ORDERS].requirement,),
            # The fields SAP's purchase order API lets ironbridge set.
            writable=names(
                "vendor_id vendor_remote_id order_date required_date currency payment_terms lines "
                "custom_fields"
            ),
            rules=(
                "SAP assigns purchase order numbers; a given number is refused "
                "(VALIDATION_FAILED).",
                "A new order needs custom_fields CompanyCode, PurchasingOrganization and "
                "PurchasingGroup; PurchaseOrderType defaults to NB (standard order).",
                "Every line needs a delivery location (a plant, or a storage location "
                "'plant/storage location'); lines without an item need a description and a "
                "unit.",
                "The supplier must exist and must not be blocked for purchasing or flagged "
                "for deletion (VALIDATION_FAILED).",
                "An update can change the supplier, order date, currency, payment terms and "
                "the organisational custom fields; lines, the status and texts cannot be "
                "changed through SAP's purchase order API (VALIDATION_FAILED).",
                "Orders flagged for deletion cannot be changed (RECORD_LOCKED); an order "
                "changed in SAP between ironbridge's read and its write is refused "
                "(RECORD_LOCKED), so another user's change is never overwritten.",
                "Approval and output happen in SAP: a new order is active there at once or "
                "waits for release, depending on the system's release strategy.",
            ),
        ),
        Entity.VENDORS: capability(
            requires=(RESOURCES[Entity.VENDORS].requirement,),
            rules=(
                "Vendors are business partners with a supplier role; their changes are "
                "tracked on the business partner.",
            ),
        ),
        Entity.INVENTORY_ITEMS: capability(
            requires=(RESOURCES[Entity.INVENTORY_ITEMS].requirement,),
            rules=(
                "Stock is a snapshot: SAP's stock API records no change time, so every sync "
                "reads every material with stock again; an item is an event only when its stock "
                "changed, dated by the sync that first saw the change.",
            ),
        ),
        Entity.WORK_ORDERS: capability(
            requires=(RESOURCES[Entity.WORK_ORDERS].requirement,),
            rules=("Work orders are SAP maintenance orders; status follows the system status.",),
        ),
        Entity.ASSETS: capability(
            requires=(RESOURCES[Entity.ASSETS].requirement,),
            rules=("Assets are SAP equipment, in their currently valid version.",),
        ),
        Entity.LOCATIONS: capability(
            requires=(
                RESOURCES[Entity.LOCATIONS].requirement,
                f"{FUNCTIONAL_LOCATIONS.requirement} (for functional locations; without it "
                "only plants and storage locations are read)",
            ),
            rules=(
                "Locations are the plants and storage locations that hold stock (a plant "
                "without stock is not listed) and the functional locations below them "
                "(remote id FL:<functional location>).",
            ),
        ),
    },
    change_field="LastChangeDateTime",
    passthrough=True,
)
