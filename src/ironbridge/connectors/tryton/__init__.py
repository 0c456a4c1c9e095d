"""Tryton, the open-source ERP, over its JSON-RPC API.

`spec.py` says what the connector offers and why; `resources.py` which models and fields it
reads; `maps.py` and `mapping.py` how Tryton records become unified ones; `adjustments.py` how
a stock adjustment becomes a Tryton inventory; `connector.py` the session that signs in, pages
changes and writes purchase orders, parties and stock adjustments.
"""

from ironbridge.connectors.tryton.connector import Tryton

__all__ = ["connector"]

#: The Tryton connector instance to register.
connector = Tryton()
