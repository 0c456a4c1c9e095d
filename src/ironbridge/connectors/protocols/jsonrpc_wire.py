"""The JSON-RPC family's wire for the kit's maps: how a map reads a Tryton row.

A Tryton `search_read` row holds plain fields (`"state": "draft"`, `"party": 3`), typed values
(`{"__class__": "Decimal", "decimal": "42.80"}`) and, for each dotted field asked for, a nested
object under the name with a trailing dot (`"currency.": {"code": "USD", "id": 2}`,
`"lines.": [{...}, ...]`). So a map's path `currency.code` reads `row["currency."]["code"]`,
and `lines` as rows reads `row["lines."]`. Typed values decode through `jsonrpc.TRYTON`;
Tryton's empty string (a party without e-mail) is no value.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from ironbridge.connectors.kit import Wire
from ironbridge.connectors.protocols.jsonrpc import TRYTON

__all__ = ["TRYTON_WIRE", "TrytonWire"]


class TrytonWire(Wire):
    """Tryton's rows: `.`-separated paths through `"name."` objects, `__class__` values."""

    name = "Tryton"
    separator = "."
    #: A path without a dot is a key of the row.
    plain_keys = True
    #: Tryton's empty string is no value either.
    empty_texts = frozenset({""})

    def get(self, row: Mapping[str, Any] | None, path: str) -> Any:
        """The value at `path` (`a.b.c` reads `row["a."]["b."]["c"]`); None when a step is
        missing or a list."""
        # Maps read every field of every record through here: JSON rows are dicts, and
        # a dict is known before the slower ABC check.
        parents, leaf = _split(path)
        node: Any = row
        for step in parents:
            if not isinstance(node, dict | Mapping):
                return None
            node = node.get(step)
        return node.get(leaf) if isinstance(node, dict | Mapping) else None

    def node(self, row: Mapping[str, Any] | None, path: str) -> Mapping[str, Any] | None:
        """The nested object for the dotted fields under `path` (`a.b` → `row["a."]["b."]`);
        a list (a One2Many such as a party's addresses) gives its first element."""
        value = self._descend(row, path.split("."), first=True)
        return value if isinstance(value, Mapping) else None

    def source_key(self, path: str) -> str:
        """`a.b.c` as the keys of its nested objects: `a./b./c`."""
        parents, leaf = _split(path)
        return "/".join((*parents, leaf))

    def rows(self, row: Mapping[str, Any] | None, path: str) -> list[Mapping[str, Any]]:
        """The nested rows of the One2Many at `path` (`lines` reads `row["lines."]`)."""
        *parents, leaf = path.split(".")
        node = self._descend(row, parents, first=False)
        value = node.get(f"{leaf}.") if isinstance(node, Mapping) else None
        return (
            [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
        )

    @staticmethod
    def _descend(row: Any, steps: Sequence[str], *, first: bool) -> Any:
        node = row
        for step in steps:
            if not isinstance(node, Mapping):
                return None
            node = node.get(f"{step}.")
            if first and isinstance(node, list):
                node = node[0] if node else None
        return node

    def decode(self, value: Any) -> Any:
        """A `{"__class__": ...}` value as Python (see `jsonrpc.TrytonDialect.decode`)."""
        return TRYTON.decode(value)

    def to_date(self, value: Any) -> date:
        """A `{"__class__": "date"}` value; a datetime is not a date here."""
        value = self.decode(value)
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError(f"{value!r} is not a date")
        return value

    def to_datetime(self, value: Any) -> datetime:
        """A `{"__class__": "datetime"}` value (UTC in Tryton) as an aware datetime."""
        value = self.decode(value)
        if not isinstance(value, datetime):
            raise ValueError(f"{value!r} is not a date and time")
        return value

    def from_decimal(self, value: Decimal) -> Any:
        """`{"__class__": "Decimal", ...}`."""
        return TRYTON.encode(Decimal(value))

    def from_date(self, value: date) -> Any:
        """`{"__class__": "date", ...}`."""
        return TRYTON.encode(value)

    def from_datetime(self, value: datetime) -> Any:
        """`{"__class__": "datetime", ...}` in UTC."""
        return TRYTON.encode(value)


@functools.lru_cache(maxsize=4096)
def _split(path: str) -> tuple[tuple[str, ...], str]:
    """A dotted path as the keys of its nested objects and its leaf: `a.b.c` → (`a.`, `b.`), `c`."""
    *parents, leaf = path.split(".")
    return tuple(f"{parent}." for parent in parents), leaf


#: The wire Tryton maps read through.
TRYTON_WIRE: Final = TrytonWire()
