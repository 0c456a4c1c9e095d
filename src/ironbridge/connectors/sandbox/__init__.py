"""The built-in sandbox: deterministic sample data behind the real connector contract.

It connects with empty credentials, serves the same records in every process, and answers
writes as a real source would (business rules included) without changing anything.
"""

from ironbridge.connectors.sandbox.connector import SandboxConnector

__all__ = ["connector"]

#: The sandbox connector instance to register.
connector = SandboxConnector()
