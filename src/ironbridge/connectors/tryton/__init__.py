"""Tryton, the open-source ERP, over its JSON-RPC API.

Declarations: `spec.py` says what the connector offers and why, how it signs in, what its
connection check tells and which access rights its writes need; `resources.py` which models
and fields it reads; `maps.py` the tables from Tryton records to unified ones and back, with
what a table cannot say. Glue: `enrichment.py` adds stock per warehouse to what
`protocols.jsonrpc_changes` reads; `writes.py` writes purchase orders and parties,
`adjustments.py` stock adjustments as Tryton inventories; `connector.py` ties them to one
session over `protocols.jsonrpc_model_session`.
"""

from ironbridge.connectors.tryton.connector import Tryton

__all__ = ["connector"]

#: The Tryton connector instance to register.
connector = Tryton()
