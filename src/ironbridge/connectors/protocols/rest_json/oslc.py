"""OSLC query syntax (OSLC Core 2.0, "Query Capability"): the pieces of `oslc.where` and
`oslc.select` a connector writes beside the family's change filters (`queries.Syntax`).

- `literal`: a value as a literal: integers bare, anything else a quoted string with `"`
  escaped as `\\"`.
- `equals` and `one_of`: the terms `name="value"` and `name in ["a","b"]`; terms are joined
  with ` and ` (OSLC has no `or`), as the listing's `Syntax` does with a list of terms.
- `selecting`: a listing that asks for given properties (`oslc.select=wonum,status`, nested
  as `synonymdomain{value,maxvalue}`; `*` for all).

IBM Maximo's JSON API speaks this syntax (`rest_json.MAXIMO_OSLC`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ironbridge.connectors.protocols.rest_json.queries import Listing, Syntax

__all__ = ["equals", "literal", "one_of", "selecting"]

#: OSLC's literals are `Syntax`'s defaults: a double-quoted string, `"` escaped with `\`.
_LITERALS = Syntax(at_or_after="{field}>={value}")


def literal(value: object) -> str:
    """`value` as an OSLC literal."""
    return _LITERALS.key_literal(value)


def equals(name: str, value: object) -> str:
    """The term "`name` is `value`"."""
    return f"{name}={literal(value)}"


def one_of(name: str, values: Iterable[object]) -> str:
    """The term "`name` is one of `values`"."""
    return f"{name} in [{','.join(literal(value) for value in values)}]"


def selecting(listing: Listing, properties: str) -> Listing:
    """`listing` asking for `properties` only (`oslc.select`)."""
    return dataclasses.replace(listing, params={**listing.params, "oslc.select": properties})
