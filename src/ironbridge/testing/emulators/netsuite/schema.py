"""The emulator's SuiteQL tables: NetSuite2.com (SuiteAnalytics) names, in SQLite.

Column names follow the `netsuite2_*` seed tables in `tests/data/netsuite/` (Fivetran's copies
of the SuiteQL tables). A few columns the connector reads are not in those seeds; they are
named in `NOT_IN_SEEDS` with where they come from, so the contract test can tell a deliberate
addition from a typo. Custom fields (`custbody_*`, `custcol_*`, `custentity_*`, `custitem_*`)
are the account's own.

Times are stored as NetSuite shows them: in the account's time zone, without one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["DATE_COLUMNS", "INTEGER_COLUMNS", "NOT_IN_SEEDS", "TABLES", "ddl"]

TABLES: Final[Mapping[str, tuple[str, ...]]] = {
    "currency": ("id", "symbol", "name"),
    "location": (
        "id",
        "name",
        "fullname",
        "parent",
        "locationtype",
        "isinactive",
        "lastmodifieddate",
    ),
    "vendor": (
        "id",
        "entityid",
        "companyname",
        "email",
        "phone",
        "url",
        "currency",
        "isinactive",
        "datecreated",
        "lastmodifieddate",
        "custentity_vendor_lead_time",
        "custentity_is_manufacturer",
    ),
    "item": (
        "id",
        "fullname",
        "itemtype",
        "description",
        "isinactive",
        "cost",
        "createddate",
        "lastmodifieddate",
        "custitem_abc_class",
    ),
    "inventoryitemlocations": (
        "item",
        "location",
        "quantityonhand",
        "quantityavailable",
        "quantitycommitted",
        "reorderpoint",
    ),
    "transaction": (
        "id",
        "transactionnumber",
        "type",
        "trandate",
        "duedate",
        "status",
        "entity",
        "currency",
        "memo",
        "createddate",
        "lastmodifieddate",
        "custbody_approval_ref",
    ),
    "transactionline": (
        "id",
        "transaction",
        "linesequencenumber",
        "mainline",
        "item",
        "memo",
        "quantity",
        "rate",
        "netamount",
        "location",
        "quantityshiprecv",
        "expectedreceiptdate",
        "linelastmodifieddate",
        "custcol_cost_center",
    ),
    # SuiteQL's `dual`, for statements about the session (`SESSIONTIMEZONE`).
    "dual": ("dummy",),
}

#: Columns read from Oracle's SuiteQL documentation (Records Catalog) rather than the seeds.
NOT_IN_SEEDS: Final[Mapping[str, frozenset[str]]] = {
    # The seed has no lastmodifieddate; PROVENANCE.md notes the real table has it.
    "transaction": frozenset({"lastmodifieddate"}),
    "item": frozenset({"isinactive", "cost", "createddate", "lastmodifieddate"}),
    # Tables the seeds do not cover at all.
    "currency": frozenset(TABLES["currency"]),
    "location": frozenset(TABLES["location"]),
    "inventoryitemlocations": frozenset(TABLES["inventoryitemlocations"]),
    "dual": frozenset(TABLES["dual"]),
}

#: Date and date-time columns: SuiteQL shows them as dates in the user's format (M/D/YYYY)
#: unless a statement formats them with TO_CHAR.
DATE_COLUMNS: Final = frozenset(
    {
        "trandate",
        "duedate",
        "createddate",
        "datecreated",
        "lastmodifieddate",
        "linelastmodifieddate",
        "expectedreceiptdate",
    }
)

#: Internal ids and references, which sort as numbers.
INTEGER_COLUMNS: Final = frozenset(
    {
        "id",
        "parent",
        "locationtype",
        "currency",
        "entity",
        "item",
        "location",
        "transaction",
        "linesequencenumber",
    }
)


def ddl() -> str:
    """The `CREATE TABLE` statements of every table."""
    statements = []
    for table, columns in TABLES.items():
        spelled = ", ".join(
            f'"{column}" {"INTEGER" if column in INTEGER_COLUMNS else "TEXT"}' for column in columns
        )
        statements.append(f'CREATE TABLE "{table}" ({spelled});')
    # NetSuite answers by key quickly; without these a statement over lines would scan them all
    # once per order.
    statements.append(
        'CREATE INDEX transactionline_transaction ON transactionline ("transaction");'
    )
    statements.append('CREATE UNIQUE INDEX transaction_id ON "transaction" (id);')
    return "\n".join(statements)
