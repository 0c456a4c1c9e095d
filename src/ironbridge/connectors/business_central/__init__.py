"""Microsoft Dynamics 365 Business Central through its standard API v2.0 (OData v4).

`spec.py` is the catalog entry and the sign-in offer (OAuth 2.0 client credentials against
Entra ID), `resources.py` the entity sets, `maps.py` the unified maps and status tables, and
`connector.py` the session: company choice, checks, change reads, writes with ETags.
"""

from ironbridge.connectors.business_central.connector import BusinessCentral

__all__ = ["connector"]

#: The connector instance the registry serves.
connector = BusinessCentral()
