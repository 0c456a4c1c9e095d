"""SAP S/4HANA: purchase orders, suppliers, maintenance orders, equipment, functional locations
and stock over OData V2.

The package is declarations over the OData V2 protocol family: `spec.py` (catalog entry),
`resources.py` (services and entity sets), `maps.py` (field and status tables), `mapping.py`
(what tables cannot say) and `connector.py` (check stages, reads and purchase order writes).
Sign-in is `connectors.auth`'s `basic` or `oauth2_client_credentials`, offered in `spec.py`.
"""

from ironbridge.connectors.sap_s4hana.connector import SapS4Hana

__all__ = ["connector"]

#: The SAP S/4HANA connector instance to register.
connector = SapS4Hana()
