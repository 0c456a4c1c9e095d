"""Keys and codes that mean something only within a scope: a site, a company, an organisation.

Systems that run several sites in one database number records per site (Maximo's work order
1001 exists at BEDFORD and at NASHUA) and let each site rename shared codes (a site's own
synonym for an internal status). Both need the scope beside the value:

- `ScopedRef`: a reference read from a key and the row's scope as one remote id `SCOPE/KEY`,
  and written back as the key (and, where the new record takes it, the scope).
- `ScopedCodes`: the codes each scope names for one internal value of a code list, read both
  ways, falling back to the codes every scope shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ironbridge import errors
from ironbridge.connectors.base import reference
from ironbridge.connectors.kit.fields import Field, MapContext
from ironbridge.connectors.kit.wire import Wire
from ironbridge.model import Entity

__all__ = ["ScopedCodes", "ScopedRef"]


@dataclass(frozen=True, slots=True)
class ScopedRef(Field):
    """A pointer to a record of a scope as `SCOPE/KEY`.

    Read from the key at `path` and the row's `scope`; written as the key, and, where the
    record `pins` its scope (a new work order's site is its asset's), as the scope too: two
    references of one record in different scopes are refused.
    """

    entity: Entity
    path: str
    scope: str = "siteid"
    pins: bool = True
    writable: bool = field(default=True, kw_only=True)

    def read(self, row: Mapping[str, Any], ctx: MapContext) -> Any:
        key, scope = ctx.wire.get(row, self.path), ctx.wire.get(row, self.scope)
        if key in (None, "") or not scope:
            return None
        return reference(ctx.ids, self.entity, f"{scope}/{key}")

    def payload_key(self, name: str) -> str:
        return f"{name}_remote_id"

    def write(self, value: Any, out: dict[str, Any], wire: Wire) -> None:
        scope, _, key = str(value or "").rpartition("/")
        name = f"{self.entity.event_name}_id"
        if value is not None and not (scope and key):
            label = self.entity.label.capitalize()
            raise errors.ValidationFailed({name: f"{label} ids are {self.scope.upper()}/KEY."})
        wire.put(out, self.path, key if value is not None else None)
        if self.pins and value is not None and out.setdefault(self.scope, scope) != scope:
            raise errors.ValidationFailed({name: f"Lies in {scope}, not {out[self.scope]}."})


#: (code list, scope or None for every scope, code) → the code it translates to.
_Table = dict[tuple[str, str | None, str], str]


@dataclass
class ScopedCodes:
    """The codes of code lists that each scope may name for itself.

    Each `add` says that in `scope` (None: in every scope) the code `value` of `codes` stands
    for the internal value `internal`; one of a scope's values for an internal value may be its
    `default`, the one written for it.
    """

    _internal: _Table = field(default_factory=dict, init=False, repr=False)
    _defaults: _Table = field(default_factory=dict, init=False, repr=False)

    def add(
        self, codes: str, scope: str | None, value: str, internal: str, *, default: bool = False
    ) -> None:
        """Record one scope's value for an internal value."""
        self._internal[(codes, scope, value)] = internal
        if default:
            self._defaults[(codes, scope, internal)] = value

    def __len__(self) -> int:
        """How many values the scopes name."""
        return len(self._internal)

    def internal(self, codes: str, scope: str | None, value: str) -> str | None:
        """The internal value `value` stands for in `scope`, or in every scope; None if neither
        knows it."""
        return self._internal.get((codes, scope, value)) or self._internal.get((codes, None, value))

    def default(self, codes: str, scope: str | None, internal: str) -> str | None:
        """The value `scope` (or else every scope) writes for `internal`; None if neither says."""
        found = self._defaults.get((codes, scope, internal))
        return found or self._defaults.get((codes, None, internal))
