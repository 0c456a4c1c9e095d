"""Microsoft Dynamics 365 Business Central through its standard API v2.0 (OData v4).

`spec.py` is the catalog entry and the sign-in offer (OAuth 2.0 client credentials against
Entra ID), `resources.py` the entity sets, `maps.py` the unified maps and status tables, and
`connector.py` what its session adds to the OData v4 family's (`odata_v4.ODataV4Session`):
the company, the staged check, error codes, and order lines replaced in one `$batch`.
"""

from ironbridge.connectors.business_central.connector import BusinessCentral

__all__ = ["connector"]

#: The connector instance the registry serves.
connector = BusinessCentral()
