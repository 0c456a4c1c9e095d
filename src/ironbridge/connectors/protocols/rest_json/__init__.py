"""Plain REST-JSON, written once for NetSuite (record API v1, SuiteQL) and Maximo (JSON API).

What the family knows, one module per idea:

- `paging`: `OffsetPaging` (`limit`/`offset` and a `hasMore` flag over `items`) and
  `NextLinkPaging` (the next page's URL at a JSON path, such as `responseInfo.nextPage.href`).
- `queries`: `Syntax`, a query language's spelling of "changed at or after", "before", "key
  after", literals and order; `Listing`, where one collection takes its filter, its order and
  its fixed parameters (`lean=1`, `stablepaging=1`) or headers (`Prefer: transient`).
- `failures`: `ErrorBody` and `ErrorTable`, where a system's error body holds its code,
  message and field paths, what its codes mean, and the status → taxonomy table.
- `client`: `RestJsonClient` over the guarded transport of `protocols.http`: pages to the end,
  follows links only on the connection's own origin (SSRF), creates (reading back a record
  answered by `Location` only), updates and deletes as the system's `Dialect` says, with an
  idempotency key where the system takes one (`write_key`), and relays passthrough requests.
- `changes`: `ChangeFeed`, and its incremental reads: `keyset_pages` (the kit's keyset pager,
  one request per seek) where the listing sorts, `changed_pages` (one filtered query) where not.
- `statements`: reads of a listing that posts a statement (SuiteQL): whole results
  (`statement_rows`) and the children of a page of parents in one statement (`Children`,
  `with_children`).
- `systems`: the declarations of NetSuite and Maximo (`NETSUITE`, `NETSUITE_RECORDS`,
  `NETSUITE_SUITEQL`, `MAXIMO`, `MAXIMO_OSLC`, ...).

Records are plain JSON with ISO 8601 dates and times, so the kit's plain wire
(`ironbridge.connectors.kit.PLAIN`) reads them; only the filter literals differ per system.
"""

from ironbridge.connectors.protocols.rest_json.changes import (
    ChangeFeed,
    changed_pages,
    keyset_pages,
)
from ironbridge.connectors.protocols.rest_json.client import (
    Created,
    Dialect,
    RestJsonClient,
    Writes,
    write_key,
)
from ironbridge.connectors.protocols.rest_json.failures import (
    ErrorBody,
    ErrorTable,
    FieldNames,
    error_for_response,
)
from ironbridge.connectors.protocols.rest_json.paging import (
    NextLinkPaging,
    OffsetPaging,
    Paging,
    lookup,
)
from ironbridge.connectors.protocols.rest_json.queries import Listing, Syntax
from ironbridge.connectors.protocols.rest_json.statements import (
    Children,
    statement_rows,
    with_children,
)
from ironbridge.connectors.protocols.rest_json.systems import (
    MAXIMO,
    MAXIMO_OSLC,
    MAXIMO_WHERE,
    NETSUITE,
    NETSUITE_Q,
    NETSUITE_RECORDS,
    NETSUITE_SUITEQL,
    SUITEQL,
)

__all__ = [
    "MAXIMO",
    "MAXIMO_OSLC",
    "MAXIMO_WHERE",
    "NETSUITE",
    "NETSUITE_Q",
    "NETSUITE_RECORDS",
    "NETSUITE_SUITEQL",
    "SUITEQL",
    "ChangeFeed",
    "Children",
    "Created",
    "Dialect",
    "ErrorBody",
    "ErrorTable",
    "FieldNames",
    "Listing",
    "NextLinkPaging",
    "OffsetPaging",
    "Paging",
    "RestJsonClient",
    "Syntax",
    "Writes",
    "changed_pages",
    "error_for_response",
    "keyset_pages",
    "lookup",
    "statement_rows",
    "with_children",
    "write_key",
]
