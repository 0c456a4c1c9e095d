"""Which unified field each source property a write map writes comes from (`WrittenNames`).

A source that refuses a write names the properties it refused in its own terms (`Supplier`,
an item's `OrderQuantity`); a caller should read them in the API's (`vendor_id`,
`lines.0.quantity`). The write declarations already know both sides, so the translation is
read off them rather than kept as a second table: a family's error reader then only parses
how its source spells a path to a property (`protocols.odata_v2.TargetNames`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ironbridge.connectors.kit.computed import Joined, Link, Ratio
from ironbridge.connectors.kit.fields import Field, Ref, Rows
from ironbridge.connectors.kit.maps import RecordMap

__all__ = ["WrittenNames", "source_names", "written_paths"]


def written_paths(converter: Field) -> tuple[str, ...]:
    """The source paths a converter's value is written to, as a refusal would name them: a
    key in parts (`Joined`, and a `Link` over one) each part, a `Ratio` its amount (the price
    unit is written as one, not the caller's value), anything else its `path` if it has one."""
    if isinstance(converter, Joined):
        return converter.paths
    if isinstance(converter, Link):
        return written_paths(converter.key)
    if isinstance(converter, Ratio):
        return written_paths(converter.amount)
    path = getattr(converter, "path", None)
    return (path,) if isinstance(path, str) else ()


def source_names(fields: Mapping[str, Field]) -> dict[str, str]:
    """Source path → unified payload key for the writable fields of a table, each path a field
    is written to (`written_paths`), a reference (`Ref`, `Link`) as `<name>_id`: how a refusal
    that names a source property reads in the API's terms."""
    names: dict[str, str] = {}
    for name, converter in fields.items():
        if converter.writable:
            unified = f"{name}_id" if isinstance(converter, (Ref, Link)) else name
            names.update(dict.fromkeys(written_paths(converter), unified))
    return names


@dataclass(frozen=True)
class WrittenNames:
    """Source property → unified payload path, for the writable fields of one table.

    `fields` names each property a writable field writes (a reference, `Ref` or `Link`, by the
    `<name>_id` a caller sends), and the rows of a `Rows` field by that field's name; `rows`
    holds, per `Rows` field by its source path, its unified name, the `Rows` (whose `number`
    and `step` tell a row's place from its source number) and the names within a row.
    """

    fields: Mapping[str, str] = field(hash=False)
    rows: Mapping[str, tuple[str, Rows, WrittenNames]] = field(default_factory=dict, hash=False)

    @classmethod
    def of(cls, fields: Mapping[str, Field], custom: Mapping[str, Field] = {}) -> WrittenNames:
        """The names of `fields` (writable ones only), and of `custom`, custom fields a write
        sets by name (`custom_fields.<name>`)."""
        names = source_names(fields)
        rows = {
            converter.path: (name, converter, cls.of(converter.fields))
            for name, converter in fields.items()
            if converter.writable and isinstance(converter, Rows)
        }
        for name, converter in custom.items():
            names.update(dict.fromkeys(written_paths(converter), f"custom_fields.{name}"))
        return cls(names, rows)

    @classmethod
    def of_map(cls, record_map: RecordMap) -> WrittenNames:
        """The names of everything a map writes: its fields, what only a create writes
        (`creates`), and the custom fields its `custom_codes` set."""
        custom = record_map.custom_fields if record_map.custom_codes is not None else {}
        return cls.of({**record_map.fields, **record_map.creates}, custom)
