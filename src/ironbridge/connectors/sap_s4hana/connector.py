"""The SAP S/4HANA connector: OData V2 services declared in `resources.py`, mapped by `maps.py`.

Reads, `get`, the permission probe, passthrough and writes (a deep insert, `If-Match`) come
from the OData session over the entity sets in `resources.py` (locations from three places:
functional locations, and the plants and storage locations that hold stock) and the maps of
`mapping.py`; this module declares what SAP does its own way: sign-in in a system's client,
under SAP Gateway's CSRF protocol, and its error bodies (`gateway.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import httpx

from ironbridge.connectors import kit
from ironbridge.connectors.auth import SignInContext
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols.odata_session import ODataSession, server_root
from ironbridge.connectors.sap_s4hana import gateway, mapping
from ironbridge.connectors.sap_s4hana.maps import STATUS_TABLES
from ironbridge.connectors.sap_s4hana.resources import FUNCTIONAL_LOCATIONS, GATEWAY_ROOT, RESOURCES
from ironbridge.connectors.sap_s4hana.spec import CHECK_TEXTS, SIGN_IN, SPEC, TOKEN_PATH
from ironbridge.model import Entity

__all__ = ["SapS4Hana", "SapS4HanaSession"]

#: What locations are without functional locations.
_PLACES_ONLY: Final = "Plants and storage locations are read; functional locations are not."


class SapS4HanaSession(ODataSession):
    """One authenticated conversation with one SAP S/4HANA system."""

    resources = RESOURCES
    source = "SAP"
    check_entity = Entity.PURCHASE_ORDERS
    check_texts = CHECK_TEXTS
    optional = {Entity.LOCATIONS: (FUNCTIONAL_LOCATIONS, _PLACES_ONLY)}
    blocked_headers = ODataSession.blocked_headers | {gateway.CSRF_HEADER.lower()}
    auth_protocol = gateway.CsrfTokenAuth
    error_reader = gateway.read_error
    # An order flagged for deletion is kept for the audit trail only.
    locks = {"PurchasingDocumentDeletionCode": ("L", "flagged for deletion", "cancelled")}
    # Writes: purchase orders as a deep insert (header, items, schedule lines) or header PATCH.
    mapper = mapping.MAPPER

    def __init__(
        self,
        values: Mapping[str, str],
        options: SessionOptions | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """A session for validated credentials: base_url, optional sap_client, and by
        `auth_method` either username and password (the default) or client_id, client_secret
        and optional token_url and scope."""
        super().__init__(SPEC, options)
        root = server_root(values["base_url"], GATEWAY_ROOT)
        client = values.get("sap_client")
        params = {"sap-client": client.strip()} if client else {}
        # The chosen sign-in method (see `SIGN_IN`) signs every request, and SAP's CSRF
        # exchange runs inside its renewal on 401.
        signin = SIGN_IN.sign_in(
            values,
            SignInContext(
                options=self.options,
                system="SAP",
                token_url=root + TOKEN_PATH,
                # SAP's OAuth clients belong to one client of the system, like its users.
                token_params=params,
                transport=transport,
            ),
        )
        self.open(root, signin, params=params, transport=transport)


class SapS4Hana(kit.MappedConnector):
    """SAP S/4HANA through SAP Gateway's OData V2 APIs, signed in as `spec.SIGN_IN` offers.

    A session checks its credentials against the spec's fields first: `errors.ValidationFailed`
    for missing fields or an address (system or token URL) that cannot be used (not http(s),
    or a private address where the deployment forbids those). Records map through the tables
    in `maps.py` and the rules in `mapping.py`.
    """

    spec = SPEC
    session_type = SapS4HanaSession
    mapper = mapping.MAPPER
    status_tables = STATUS_TABLES
