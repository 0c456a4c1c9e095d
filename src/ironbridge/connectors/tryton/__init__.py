"""Tryton, the open-source ERP, over its JSON-RPC API.

Declarations: `spec.py` says what the connector offers and why; `resources.py` which models and
fields it reads; `maps.py` the tables from Tryton records to unified ones and back, with what
a table cannot say. Glue: `enrichment.py` adds computed totals and
stock per warehouse to what `protocols.jsonrpc_changes` reads; `checks.py` says what the
connection check tells and asks beyond its stages; `writes.py` writes purchase orders and
parties, `adjustments.py` stock adjustments as Tryton inventories; `connector.py` ties them to
one session over `protocols.jsonrpc_model_session`.
"""

from ironbridge.connectors.tryton.connector import Tryton

__all__ = ["connector"]

#: The Tryton connector instance to register.
connector = Tryton()
