"""SuiteQL over SQLite: a statement parsed as Oracle SQL by sqlglot, checked, and rewritten.

What SuiteQL does that SQLite does not, rewritten on the parsed tree:

- `TO_CHAR(column, 'YYYY-MM-DD HH24:MI:SS')` formats with the Oracle pattern (`strftime`).
- `TO_TIMESTAMP('…', 'YYYY-MM-DD HH24:MI:SS')` and `TO_DATE` are literals in the account's
  time zone, the zone the tables are stored in, so they compare as stored text.
- `SESSIONTIMEZONE` is the account's time zone name.

Only `SELECT` statements over the tables of `schema.TABLES` are run; anything else is a
`SuiteQLError` with NetSuite's wording. Rows come back as SuiteQL's REST answer shows them:
every value as text, null columns left out, dates not formatted by the statement as M/D/YYYY.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any, Final

import sqlglot
from sqlglot import exp
from sqlglot.dialects.oracle import Oracle
from sqlglot.errors import ParseError
from sqlglot.time import format_time

from ironbridge.testing.emulators.netsuite.schema import DATE_COLUMNS, TABLES

__all__ = ["MAX_RESULTS", "SuiteQLError", "run_suiteql"]

#: SuiteQL serves at most this many rows of one statement, however it is paged.
MAX_RESULTS: Final = 100_000


class SuiteQLError(Exception):
    """A statement NetSuite refuses (`INVALID_PARAMETER` / "Invalid search query")."""


def _strftime(oracle_format: str) -> str:
    converted = format_time(oracle_format, Oracle.TIME_MAPPING, Oracle.TIME_TRIE)
    return converted or oracle_format


def _rewrite(node: exp.Expression, zone: str) -> exp.Expression:
    if isinstance(node, exp.ToChar):
        fmt = node.args.get("format")
        pattern = _strftime(fmt.name) if isinstance(fmt, exp.Literal) else "%Y-%m-%d %H:%M:%S"
        return exp.Anonymous(this="strftime", expressions=[exp.Literal.string(pattern), node.this])
    if isinstance(node, exp.StrToTime | exp.StrToDate):
        text, fmt = node.this, node.args.get("format")
        if not isinstance(text, exp.Literal) or not isinstance(fmt, exp.Literal):
            raise SuiteQLError("TO_TIMESTAMP takes a text literal and a format.")
        try:
            moment = datetime.strptime(text.name, _python_format(fmt.name))
        except ValueError as exc:
            raise SuiteQLError(f"Invalid date literal {text.name!r}: {exc}") from None
        return exp.Literal.string(moment.strftime("%Y-%m-%d %H:%M:%S"))
    if isinstance(node, exp.Column) and node.name.upper() == "SESSIONTIMEZONE" and not node.table:
        return exp.Literal.string(zone)
    return node


def _python_format(fmt: str) -> str:
    # sqlglot converts TO_TIMESTAMP's pattern to Python's already, TO_DATE's not always.
    return fmt if "%" in fmt else _strftime(fmt)


def _shown(column: str, value: Any) -> str:
    text = str(value)
    if column in DATE_COLUMNS and len(text) >= 10 and text[4] == "-":
        day = datetime.strptime(text[:10], "%Y-%m-%d")
        return f"{day.month}/{day.day}/{day.year}"
    return text


def run_suiteql(
    db: sqlite3.Connection,
    statement: str,
    *,
    zone: str,
    limit: int,
    offset: int,
    hidden: frozenset[str] = frozenset(),
) -> tuple[list[dict[str, str]], int]:
    """One page of `statement`'s rows and the number of rows it has in all.

    `hidden` are tables the role may not see: a statement naming one is refused as NetSuite
    refuses a record type the role lacks.
    """
    try:
        tree = sqlglot.parse_one(statement, read="oracle")
    except ParseError as exc:
        raise SuiteQLError(f"Invalid search query. {exc.errors[0]['description']}") from None
    if not isinstance(tree, exp.Select):
        raise SuiteQLError("Invalid search query. Only SELECT statements are supported.")
    for table in tree.find_all(exp.Table):
        if table.name.lower() not in TABLES:
            raise SuiteQLError(f"Invalid search query. Record '{table.name}' was not found.")
        if table.name.lower() in hidden:
            raise PermissionError(table.name)
    rewritten = tree.transform(lambda node: _rewrite(node, zone))
    sql = rewritten.sql(dialect="sqlite", identify=True)
    try:
        cursor = db.execute(f"SELECT * FROM ({sql}) LIMIT ? OFFSET ?", (limit, offset))  # noqa: S608, the statement was parsed and checked by sqlglot
        names = [description[0] for description in cursor.description]
        rows = [
            {
                name: _shown(name, value)
                for name, value in zip(names, row, strict=True)
                if value is not None
            }
            for row in cursor.fetchall()
        ]
        total = db.execute(f"SELECT COUNT(*) FROM ({sql})").fetchone()[0]  # noqa: S608, the statement was parsed and checked by sqlglot
    except sqlite3.Error as exc:
        raise SuiteQLError(f"Invalid search query. {exc}") from None
    return rows, min(total, MAX_RESULTS)
