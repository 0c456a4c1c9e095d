"""Odoo, through its external API: `/jsonrpc` for 17.0 and 18.0, JSON-2 from 19.0.

Declarations: `spec.py` (catalog entry, connection check hints), `resources.py` (models and
fields per version), `maps.py` (tables both ways). Glue: `connector.py`, one session over
`protocols.odoo.OdooClient` and the JSON-RPC family it shares with Tryton.
"""

from ironbridge.connectors.odoo.connector import Odoo

__all__ = ["connector"]

#: The Odoo connector instance to register.
connector = Odoo()
