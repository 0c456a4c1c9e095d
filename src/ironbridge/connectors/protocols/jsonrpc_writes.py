"""Writes over JSON-RPC as tables: which unified field becomes which source field, and how.

A system declares, per writable entity (and per kind of nested row, such as order lines), a
table of `Put`s: a unified field's target field on the source model, written as given (or
converted), as the id of the one record of another model whose key equals it (a currency by its
code, a payment term by its name), or as the id of a record of another model checked to exist
(a product by its id). `refused` names the fields a table does not let a create or an update
give, and the custom fields a write may not set; `put_values` turns the fields a table can
write into source values. What a table cannot say (workflow buttons, nested contacts, the
defaults a source's client fills in) stays in the system's own writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from ironbridge import errors
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient

__all__ = ["Put", "Workflow", "ensure_writable", "put_values", "refused"]


@dataclass(frozen=True, slots=True)
class Put:
    """How a write sets one unified field.

    `target` is the source field that receives the value as it is (through `convert` when
    given) or, with a `model`, the id of the one `model` record whose `key` equals it (a
    currency by code, a payment term by name); with a `model` and no `key`, the value is the
    id of a `model` record, checked to exist. Without a `target` the field is written by the
    system's own code. `create` and `update` say when the field may be given; `clears` that
    null empties a looked-up field rather than being looked up.
    """

    target: str | None = None
    model: str | None = None
    key: str | None = None
    create: bool = True
    update: bool = True
    clears: bool = False
    convert: Callable[[Any], Any] | None = None


def refused(
    values: Mapping[str, Any],
    table: Mapping[str, Put],
    what: str,
    operation: Literal["create", "update"],
    *,
    custom: Sequence[str] | None = None,
) -> dict[str, str]:
    """The fields of `values` the table does not let `operation` (create, update) give, and
    with `custom` (the source's names of the custom fields a write may set) the others given
    in `custom_fields`."""
    problems = {
        name: f"{what} cannot be given this field through ironbridge."
        for name in values
        if name not in table or not getattr(table[name], operation)
    }
    if custom:
        allowed = f"{', '.join(custom[:-1])} and {custom[-1]}" if len(custom) > 1 else custom[0]
        problems.update(
            {
                f"custom_fields.{name}": f"Only {allowed} can be set."
                for name in values.get("custom_fields") or {}
                if name not in custom
            }
        )
    return problems


def ensure_writable(
    values: Mapping[str, Any],
    table: Mapping[str, Put],
    what: str,
    operation: Literal["create", "update"],
    *,
    custom: Sequence[str] | None = None,
    more: Mapping[str, str] | None = None,
) -> None:
    """Raise `errors.ValidationFailed` naming what `refused` finds, and the `more` problems
    the system's own rules found, when there is any."""
    problems = {**refused(values, table, what, operation, custom=custom), **(more or {})}
    if problems:
        raise errors.ValidationFailed(problems)


def put_values(
    client: ModelClient,
    values: Mapping[str, Any],
    table: Mapping[str, Put],
    *,
    skip_none: bool,
    at: str = "",
) -> dict[str, Any]:
    """The source values of the table's plain and looked-up fields given in `values`.

    With `skip_none` (a create), null values are left out; otherwise null is written as it
    is, or looked up unless the field `clears`. A lookup that finds no record, or several, or
    an id of no record, raises `errors.ValidationFailed` on the unified field, under `at` for
    a nested row (`lines.0.`; an id field `item_remote_id` is named `item_id`).
    """
    out: dict[str, Any] = {}
    for name, put in table.items():
        if name not in values or put.target is None:
            continue
        value = values[name]
        if value is None and skip_none:
            continue
        if put.model is None or (value is None and put.clears):
            out[put.target] = value if put.convert is None or value is None else put.convert(value)
        elif put.key is None:
            field = (
                f"{at}{name.removesuffix('_remote_id')}_id"
                if name.endswith("_remote_id")
                else f"{at}{name}"
            )
            out[put.target] = client.existing(put.model, value, field)
        else:
            out[put.target] = client.find(put.model, put.key, value, f"{at}{name}")
    return out


@dataclass(frozen=True)
class Workflow:
    """How setting a status presses a model's workflow buttons, as tables.

    `transitions` gives, per status a caller may set, the buttons that move a record there
    from each source state; `reached` the source states already at (or past) each status,
    where nothing is pressed. `before` are buttons pressed before the record's other changes
    are written rather than after (returning a record to draft, so the changes are allowed).
    `refusal` answers a status no button reaches (one the source moves on by itself).
    """

    system: str
    what: str
    transitions: Mapping[Any, Mapping[str, tuple[str, ...]]] = field(hash=False)
    reached: Mapping[Any, frozenset[str]] = field(hash=False)
    refusal: str
    before: tuple[str, ...] = ()

    def buttons(self, state: str, target: Enum | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The buttons to press (before, after writing) to take a record in `state` to
        `target`; `errors.RecordLocked` when none take it there from that state."""
        if target is None:
            return (), ()
        if target not in self.transitions:
            raise errors.ValidationFailed({"status": self.refusal})
        if state in self.reached[target]:
            return (), ()
        buttons = self.transitions[target].get(state, ())
        if not buttons:
            raise errors.RecordLocked(
                f"{self.system} cannot take a {self.what} in state {state!r} to {target.value}.",
                details={"state": state},
            )
        return (buttons, ()) if buttons == self.before else ((), buttons)
