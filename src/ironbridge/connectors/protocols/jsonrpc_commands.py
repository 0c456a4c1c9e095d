"""Changing a record's one2many rows within the record's own write, as each system spells it.

A JSON-RPC model system writes the rows of a record's one2many fields (a purchase's lines, a
party's addresses and contact mechanisms) in the same call, and so the same transaction, as the
record: its write values carry commands for them. Tryton spells them `["create", [values, ...]]`,
`["write", ids, values]` and `["delete", ids]` (`trytond.model.fields.One2Many.set`); Odoo
`(0, 0, values)`, `(1, id, values)` and `(2, id, 0)` (`Command` in `odoo.fields`). A
`RowCommands` is one system's spelling, with the changes such writes make alike: replace every
row, set the first row, and set the first row of each kind.

Sources: Tryton's "Fields" reference (One2Many), Odoo's ORM reference (`Command`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["ODOO_ROWS", "TRYTON_ROWS", "RowCommands"]

Values = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RowCommands:
    """How one system spells the commands that create, write and delete one2many rows; each
    gives the list of commands to put in the field's write value."""

    create: Callable[[Sequence[Values]], list[Any]]
    write: Callable[[Sequence[int], Values], list[Any]]
    delete: Callable[[Sequence[int]], list[Any]]

    def replace(self, existing: Sequence[int], rows: Sequence[Values]) -> list[Any]:
        """Delete the `existing` rows (ids) and create `rows` in their place."""
        return [*(self.delete(existing) if existing else []), *self.create(rows)]

    def set_first(self, existing: Sequence[int], values: Values) -> list[Any]:
        """Write `values` to the first of the `existing` rows (ids), or create a row of them."""
        return self.write(existing[:1], values) if existing else self.create([values])

    def set_each_kind(
        self, rows: Sequence[Values], kind: str, value: str, given: Values
    ) -> list[Any]:
        """Set the `value` field of the first row of each kind in `given` (the rows' `kind`
        field → the new value), in the order of `given`: None deletes every row of that kind, a
        value is written to the first such row of `rows` (as read, with `id`) or created."""
        commands: list[Any] = []
        for name, new in given.items():
            existing = [int(row["id"]) for row in rows if row.get(kind) == name]
            if new is None:
                commands.extend(self.delete(existing) if existing else [])
            elif existing:
                commands.extend(self.write(existing[:1], {value: new}))
            else:
                commands.extend(self.create([{kind: name, value: new}]))
        return commands


#: Tryton's commands: one command per call, each naming every row it applies to.
TRYTON_ROWS: Final = RowCommands(
    create=lambda rows: [["create", [dict(row) for row in rows]]],
    write=lambda ids, values: [["write", list(ids), dict(values)]],
    delete=lambda ids: [["delete", list(ids)]],
)

#: Odoo's commands: one command per row.
ODOO_ROWS: Final = RowCommands(
    create=lambda rows: [[0, 0, dict(row)] for row in rows],
    write=lambda ids, values: [[1, row_id, dict(values)] for row_id in ids],
    delete=lambda ids: [[2, row_id, 0] for row_id in ids],
)
