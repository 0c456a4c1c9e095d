"""OData v4 as Business Central API v2.0 speaks it, written once for every OData v4 system.

What the family knows ("OData Version 4.01" protocol, URL conventions and JSON format):

- payloads: `{"value": [...], "@odata.nextLink": ...}` for collections, the entity itself for
  one, `@odata.etag` beside each entity (`client`).
- paging: `@odata.nextLink` followed on the same origin only (SSRF), `Prefer:
  odata.maxpagesize=N`, `$top`/`$skip`; `$filter`, `$orderby`, `$select`, `$expand`
  (`client.QueryOptions`).
- values: Edm.DateTimeOffset as ISO 8601 with an offset, bare in URLs
  (`lastModifiedDateTime ge 2025-01-01T00:00:00Z`), Edm.Decimal as a JSON number, GUIDs bare
  in keys; `WIRE` decodes, encodes and looks up `/` paths for the kit's maps (`values`).
- change reading: `ChangeReader`, the kit's keyset pager with a granularity (`changes`).
- writes: POST (deep insert of nested lines), PATCH and DELETE with `If-Match: <@odata.etag>`
  read first when not given, bound actions (`client`); many at once in a JSON `$batch`
  (`batch`).
- sessions: `ODataV4Session`, reads, checks and writes driven by one `EntitySet` per entity
  (`session`).
- webhooks: `subscriptions` created, renewed and removed by `ODataV4PushSession`, the
  `validationToken` handshake and notification bodies read by `Webhooks` (`webhooks`).
- errors: `{"error": {"code", "message", "target", "details"}}` and the status → the taxonomy,
  with stale ETags (412, Business Central's 409 `Request_EntityChanged`) as `RecordLocked`
  (`error_table`).

A system package declares the service root, entity sets, keys, `$expand` paths and change
fields; it never parses a payload or builds a filter string itself.
"""

from ironbridge.connectors.protocols.odata_v4.batch import BatchRequest, BatchResult, send_batch
from ironbridge.connectors.protocols.odata_v4.changes import ChangeReader
from ironbridge.connectors.protocols.odata_v4.client import (
    MAX_PAGE_SIZE_PREFERENCE,
    ODataV4Client,
    QueryOptions,
    entity_etag,
    values,
)
from ironbridge.connectors.protocols.odata_v4.error_table import (
    ERROR_CODES,
    STATUS_ERRORS,
    FieldNames,
    error_for_response,
    raise_for_status,
    read_error,
)
from ironbridge.connectors.protocols.odata_v4.session import EntitySet, ODataV4Session
from ironbridge.connectors.protocols.odata_v4.values import (
    WIRE,
    ODataV4Wire,
    datetime_literal,
    key_predicate,
    literal,
    parse_datetime,
    string_literal,
    typed_literal,
)
from ironbridge.connectors.protocols.odata_v4.webhooks import ODataV4PushSession, Webhooks

__all__ = [
    "ERROR_CODES",
    "MAX_PAGE_SIZE_PREFERENCE",
    "STATUS_ERRORS",
    "WIRE",
    "BatchRequest",
    "BatchResult",
    "ChangeReader",
    "EntitySet",
    "FieldNames",
    "ODataV4Client",
    "ODataV4PushSession",
    "ODataV4Session",
    "ODataV4Wire",
    "QueryOptions",
    "Webhooks",
    "datetime_literal",
    "entity_etag",
    "error_for_response",
    "key_predicate",
    "literal",
    "parse_datetime",
    "raise_for_status",
    "read_error",
    "send_batch",
    "string_literal",
    "typed_literal",
    "values",
]
