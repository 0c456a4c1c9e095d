"""Tryton, the open-source ERP, over its JSON-RPC API.

Declarations: `spec.py` says what the connector offers and why, how it signs in and what its
connection check tells; `resources.py` which models and fields it reads, and how stock per
warehouse is read; `maps.py` the tables from Tryton records to unified ones and back, with
what a table cannot say. Glue: `writes.py` writes purchase orders and parties (on
`protocols.jsonrpc_writes.TableWriter`), `adjustments.py` stock adjustments as Tryton
inventories; `connector.py` ties them to one session over `protocols.jsonrpc_model_session`
(which derives the access rights the writes need from its writers) and adds stock per
warehouse to what `protocols.jsonrpc_changes` reads.
"""

from ironbridge.connectors.tryton.connector import Tryton

__all__ = ["connector"]

#: The Tryton connector instance to register.
connector = Tryton()
