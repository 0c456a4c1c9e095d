"""Protocol families, each written once and filled in by the system packages.

- `http`: the one httpx client factory (timeouts, SSRF guard, status → error table, `Retry-After`,
  redaction) that every connector builds its client with.
- `odata_v2`: OData V2 (`d.results`, `__next`, `/Date(ms)/`, ETags, its error body).
- `odata_session`: a session over declared entity sets (`EntitySet`): `list_changes`, `get`,
  the permission probe and passthrough.

System packages import the family they speak; a family imports nothing from a system package.
"""
