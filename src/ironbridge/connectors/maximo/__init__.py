"""IBM Maximo (Manage): work orders, assets, locations, inventory balances per storeroom,
vendors and purchase orders through the JSON API's object structures.

Declarations over the REST-JSON family: `spec.py` (catalog entry and sign-in offers: an API
key or a native Maximo login), `resources.py` (one object structure per entity), `maps.py`
(field and status tables) and `connector.py` (the session).
"""

from ironbridge.connectors.maximo.connector import Maximo

__all__ = ["connector"]

#: The Maximo connector instance to register.
connector = Maximo()
