"""The REST-JSON systems we speak, declared: NetSuite (record API v1 and SuiteQL) and Maximo.

What is here is the protocol each system speaks, the same for every customer's instance: error
bodies and codes, write conventions, paging and query syntax. What a customer's instance adds
(the account's time zone, record types, object structures) is declared by the system's
connector on top, with `dataclasses.replace` where a value here is only the default.

Sources: NetSuite REST web services ("Collection Paging", "Record Collection Filtering",
"Executing SuiteQL Queries Through REST Web Services", the `nsError` schema of the record API's
OpenAPI document); IBM's Maximo REST client README (paging, `properties`, update vs merge) and
Maximo's JSON API error body (`Error.reasonCode`).
"""

from __future__ import annotations

from typing import Final

import httpx

from ironbridge import errors
from ironbridge.connectors.protocols.rest_json.client import Dialect, Writes
from ironbridge.connectors.protocols.rest_json.failures import ErrorBody, ErrorTable
from ironbridge.connectors.protocols.rest_json.paging import NextLinkPaging, OffsetPaging
from ironbridge.connectors.protocols.rest_json.queries import Listing, Syntax

__all__ = [
    "MAXIMO",
    "MAXIMO_OSLC",
    "MAXIMO_WHERE",
    "NETSUITE",
    "NETSUITE_Q",
    "NETSUITE_RECORDS",
    "NETSUITE_SUITEQL",
    "SUITEQL",
]


def _locked(_response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.RecordLocked(message)


def _denied(_response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.PermissionDenied(message)


def _refused_status(_response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.ValidationFailed({"status": message}, message)


# --- NetSuite ---------------------------------------------------------------------------------

#: NetSuite's errors: `nsError` with one `o:errorDetails` entry per problem.
NETSUITE: Final = Dialect(
    errors=ErrorTable(
        name="NetSuite",
        body=ErrorBody(
            message="title",
            details="o:errorDetails",
            detail_code="o:errorCode",
            detail_message="detail",
            detail_path="o:errorPath",
        ),
        codes={
            # Another user or script saved the record between our read and our write; NetSuite
            # keeps no ETag, so this is the only sign of a lost update.
            "RCRD_HAS_BEEN_CHANGED": _locked,
            # Role permissions surface as 400 USER_ERROR-style answers on some records.
            "INSUFFICIENT_PERMISSION": _denied,
        },
    ),
    writes=Writes(
        read_back_params={"expandSubResources": "true"},
        update_method="PATCH",
        idempotency_header="X-NetSuite-Idempotency-Key",
    ),
)

#: The record collection filter `q` (the N/query operators); it cannot sort, and it reads dates
#: in the account's date format (`MM/DD/YYYY` by default) and time zone.
NETSUITE_Q: Final = Syntax(
    at_or_after="{field} ON_OR_AFTER {value}",
    before="{field} BEFORE {value}",
    greater="{field} GREATER {value}",
    conjunction=" AND ",
    moment='"{value}"',
    moment_format="%m/%d/%Y",
)

#: SuiteQL (Oracle SQL); the statement reads timestamps in the account's time zone.
SUITEQL: Final = Syntax(
    at_or_after="{field} >= {value}",
    before="{field} < {value}",
    greater="{field} > {value}",
    conjunction=" AND ",
    everything="1 = 1",
    moment="TO_TIMESTAMP('{value}', 'YYYY-MM-DD HH24:MI:SS')",
    moment_format="%Y-%m-%d %H:%M:%S",
    text="'{value}'",
    quote="'",
    escaped_quote="''",
    ascending="{field} ASC",
    order_separator=", ",
)

#: `GET /record/v1/<type>?q=...&limit=&offset=`: ids and links only, up to 1000 per page.
NETSUITE_RECORDS: Final = Listing(paging=OffsetPaging(), syntax=NETSUITE_Q, filter_param="q")

#: `POST /query/v1/suiteql?limit=&offset=` with `{"q": statement}`; `Prefer: transient` is
#: required by the endpoint.
NETSUITE_SUITEQL: Final = Listing(
    paging=OffsetPaging(),
    syntax=SUITEQL,
    method="POST",
    statement_field="q",
    headers={"Prefer": "transient"},
)

# --- Maximo -----------------------------------------------------------------------------------

#: Maximo's errors: one `Error` object with the message id as `reasonCode`.
MAXIMO: Final = Dialect(
    errors=ErrorTable(
        name="Maximo",
        body=ErrorBody(code="Error.reasonCode", message="Error.message"),
        codes={
            # "Record has been updated by another user": the `_rowstamp` the write was based
            # on is stale.
            "BMXAA8229W": _locked,
            # "The WORKORDER object is read only": a closed or cancelled record.
            "BMXAA0031E": _locked,
            # "Could not change Work Order 1332 status to APPR": a transition the status
            # handler refuses, with the reason after it.
            "BMXAA4590E": _refused_status,
        },
    ),
    writes=Writes(
        create_headers={"properties": "*"},
        params={"lean": "1"},
        action_param="action",
        action_value="wsmethod:{name}",
        record_link="href",
        update_method="POST",
        update_headers={"x-method-override": "PATCH", "patchtype": "MERGE"},
    ),
    link_hint=(
        "Maximo builds its links from the system property mxe.oslc.webappurl; "
        "set it to the address this connection uses."
    ),
)

#: `oslc.where`: `and` only (no `or`), and the literal carries its own offset, so UTC is
#: always right.
MAXIMO_WHERE: Final = Syntax(
    at_or_after="{field}>={value}",
    before="{field}<{value}",
    greater="{field}>{value}",
    conjunction=" and ",
    moment='"{value}"',
    moment_format="%Y-%m-%dT%H:%M:%S-00:00",
    ascending="+{field}",
)

#: `GET /os/<object structure>?oslc.pageSize=&oslc.where=&oslc.orderBy=`, lean JSON (no `spi:`
#: prefixes), stable paging (a fixed result set, read forward only: rows changed while paging
#: neither move nor repeat).
MAXIMO_OSLC: Final = Listing(
    paging=NextLinkPaging(),
    syntax=MAXIMO_WHERE,
    filter_param="oslc.where",
    order_param="oslc.orderBy",
    params={"lean": "1", "stablepaging": "1"},
)
