"""Oracle NetSuite: purchase orders, vendors, inventory items with stock per location and
locations, read with SuiteQL and written with the REST Record API.

Declarations over the REST-JSON family: `spec.py` (catalog entry and sign-in offers:
machine-to-machine OAuth 2.0 or token-based authentication), `resources.py` (one SuiteQL
statement per entity), `maps.py` (field and status tables) and `connector.py` (the session).
"""

from ironbridge.connectors.netsuite.connector import NetSuite

__all__ = ["connector"]

#: The NetSuite connector instance to register.
connector = NetSuite()
