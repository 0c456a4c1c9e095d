"""Custom fields a write may set besides extension fields: a source's own codes.

Some source properties outside the unified model are codes a record cannot do without (SAP's
company code and purchasing organisation of a purchase order): a caller sets them by name in
`custom_fields`. A `RecordMap` whose `custom_codes` says so writes its `custom_fields`
declarations back, checked as the source would check them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ironbridge.connectors.kit.fields import Field, write_fields
from ironbridge.connectors.kit.wire import Wire
from ironbridge.model import Entity

__all__ = ["CustomCodes"]


@dataclass(frozen=True, kw_only=True)
class CustomCodes:
    """How writes set the custom fields a map declares, each a non-empty code of the source.

    `fixed` are set when a record is created and never after; a new record cannot do without
    the `required` ones; `defaults` are what a new record gets for those a caller leaves out.
    """

    fixed: frozenset[str] = frozenset()
    required: tuple[str, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict, hash=False)

    def write(
        self,
        fields: Mapping[str, Field],
        custom: Mapping[str, Any],
        *,
        entity: Entity,
        system: str,
        creating: bool,
        wire: Wire,
        problems: dict[str, str],
    ) -> dict[str, Any]:
        """The source body the codes in `custom` set through `fields` (a map's
        `custom_fields`); what `system` would refuse goes into `problems` by payload path.

        Names `fields` does not declare are the caller's (extension fields, refusals)."""
        given = {**self.defaults, **custom} if creating else dict(custom)
        codes: dict[str, Any] = {}
        for name, value in given.items():
            key = f"custom_fields.{name}"
            if name not in fields:
                continue
            if not creating and name in self.fixed:
                problems[key] = f"{system} fixes {name} when the {entity.label} is created."
            elif not isinstance(value, str) or not value.strip():
                problems[key] = f"{name} must be a non-empty {system} code."
            else:
                codes[name] = value
        for name in self.required if creating else ():
            if not codes.get(name):
                problems[f"custom_fields.{name}"] = (
                    f"{system} needs {name} for a new {entity.label}; set it in custom_fields."
                )
        return write_fields(fields, codes, wire)

    @staticmethod
    def refusal(fields: Mapping[str, Field], prefixes: tuple[str, ...], system: str) -> str:
        """What a custom field that is neither one of `fields` nor an extension field (one of
        `prefixes`) is refused with."""
        extension = f" or a {'/'.join(prefixes)} extension field" if prefixes else ""
        return f"Not a writable {system} field: use {', '.join(fields)}{extension}."
