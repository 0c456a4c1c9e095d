"""Several fields of a map declared at once, where they are read the same way.

A map often reads a run of fields with one converter, each from its own path (a vendor's code,
name, e-mail and phone as text; an order's three amounts as decimals). `each` declares such a
run as one call, keyed by the unified names, instead of one line per field:
`each(Text, code="ref", name="name")` is `{"code": Text("ref"), "name": Text("name")}`, and
`same_names` the run a source names as the unified model does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ironbridge.connectors.kit.fields import Field, names

__all__ = ["each", "same_names"]

_F = TypeVar("_F", bound=Field)


def each(kind: Callable[[str], _F], /, **paths: str) -> dict[str, _F]:
    """The unified field → `kind(path)` for each `field=path` given, in the order given."""
    return {name: kind(path) for name, path in paths.items()}


def same_names(kind: Callable[[str], _F], text: str) -> dict[str, _F]:
    """Fields the source names as the unified model does, in the order of `text`, each read by
    `kind` at its own name: `same_names(Text, "code name")` is `each(Text, code="code",
    name="name")`."""
    return each(kind, **{name: name for name in names(text)})
