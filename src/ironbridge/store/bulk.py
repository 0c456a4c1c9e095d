"""Inserting many rows at once: each value converted by its column's type, and nothing else.

SQLAlchemy's `execute(table.insert(), rows)` builds a parameter set per row (every bound
name looked up, every value, shared ones included, passed through its type's converter) before
the driver's `executemany`; for a sync page of records and their change events that was a
tenth of the sync's CPU. Here the statement and its converters are worked out once per shape,
values shared by all rows are converted once, and the driver gets plain tuples. Same
statement, same stored values.

Only for drivers with positional parameters (SQLite's); others go through SQLAlchemy as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

__all__ = ["conflict_insert", "insert_rows"]

#: Per bound position: ("row", name, converter or None) or ("shared", name, None).
_Slot = tuple[str, str, Callable[[Any], Any] | None]


@lru_cache(maxsize=64)
def _plan(
    table: Table, row_names: tuple[str, ...], shared_names: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[_Slot, ...]] | None:
    """The INSERT's SQL text and, per bound position, where its value comes from; None when
    SQLAlchemy must do the insert (a column default to fill, or named parameters)."""
    named = set(row_names) | set(shared_names)
    for column in table.columns:
        if column.name not in named and (column.default is not None or column.onupdate):
            return None
    stmt = table.insert().values({name: bindparam(name) for name in (*row_names, *shared_names)})
    compiled = stmt.compile(dialect=dialect)
    order = compiled.positiontup
    if not dialect.positional or order is None or set(order) != named:
        return None
    slots: list[_Slot] = []
    for name in order:
        convert = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        slots.append(("row" if name in row_names else "shared", name, convert))
    return compiled.string, tuple(slots)


def insert_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    shared: Mapping[str, Any] | None = None,
) -> None:
    """Insert `rows` (each with the same keys) into `table`, with the `shared` column values
    common to all of them; as `conn.execute(table.insert().values(**shared), rows)` does."""
    if not rows:
        return
    shared = shared or {}
    plan = _plan(table, tuple(rows[0]), tuple(shared), conn.dialect)
    if plan is None:
        conn.execute(table.insert().values(**shared), [dict(row) for row in rows])
        return
    sql, slots = plan
    template: list[Any] = []
    per_row: list[tuple[int, str, Callable[[Any], Any] | None]] = []
    for position, (kind, name, convert) in enumerate(slots):
        if kind == "shared":
            template.append(convert(shared[name]) if convert else shared[name])
        else:
            template.append(None)
            per_row.append((position, name, convert))
    params = []
    for row in rows:
        values = template.copy()
        for position, name, convert in per_row:
            value = row[name]
            values[position] = value if convert is None else convert(value)
        params.append(tuple(values))
    conn.exec_driver_sql(sql, params)


def conflict_insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `table` that takes an ON CONFLICT clause on `conn`'s database (both
    SQLite and PostgreSQL write it alike)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
