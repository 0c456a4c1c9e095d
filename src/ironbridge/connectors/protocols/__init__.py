"""Protocol families, each written once and filled in by the system packages.

- `http`: the one httpx client factory (timeouts, SSRF guard, status → error table, `Retry-After`,
  redaction) that every connector builds its client with.
- `odata_v2`: OData V2 (`d.results`, `__next`, `/Date(ms)/`, ETags, its error body).
- `odata_session`: a session over declared entity sets (`EntitySet`): `list_changes`, `get`,
  the permission probe and passthrough.
- JSON-RPC (Tryton and Odoo): `jsonrpc` (envelopes, typed values, domains, keyset pages,
  errors), `jsonrpc_models` (the model client and its dialect tables), `jsonrpc_changes`
  (records by change time with their dependents), `jsonrpc_rows` (child rows under their
  parents, parts added up, values computed per scope), `jsonrpc_writes` (write tables with
  lookups, table writers), `jsonrpc_commands` (one2many row commands as each system spells
  them), `jsonrpc_checks` (the connection check's stages), `jsonrpc_wire` (how maps read
  Tryton rows).
- `odata_v4`: OData v4 as Business Central speaks it (`value`, `@odata.nextLink`,
  `@odata.etag`/`If-Match`, `Prefer: odata.maxpagesize`, ISO date-time filters).
- `rest_json`: plain REST-JSON (NetSuite's record API and SuiteQL, Maximo's JSON API): paging,
  query syntax, error tables and writes declared per system.

System packages import the family they speak; a family imports nothing from a system package.
"""
