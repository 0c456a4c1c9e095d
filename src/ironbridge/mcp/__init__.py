"""The MCP server for AI agents (`/mcp`, the optional extra `ironbridge[mcp]`).

An agent holding a connection token reads and writes that one connection through a few curated
tools: `describe_connection`, `list_records`, `get_record`, `sync_status`, and one write tool
per write the connection's system supports, each with an idempotency key and a dry run. Tools
call the services the REST API calls, and answer errors in the API's error contract.

Importing this package needs the `mcp` SDK; the API mounts it only when that is installed.
"""

from .catalog import READ_TOOLS, WRITE_TOOLS, tools_for
from .endpoint import Authorize, McpEndpoint

__all__ = ["READ_TOOLS", "WRITE_TOOLS", "Authorize", "McpEndpoint", "tools_for"]
