"""Writes over JSON-RPC as tables: which unified field becomes which source field, and how.

A system declares, per writable entity (and per kind of nested row, such as order lines), a
table of `Put`s: a unified field's target field on the source model, written as given (or
converted), as the id of the one record of another model whose key equals it (a currency by its
code, a payment term by its name), or as the id of a record of another model checked to exist
(a product by its id). `refused` names the fields a table does not let a create or an update
give, and the custom fields a write may not set; `put_values` turns the fields a table can
write into source values, `put_rows` those of nested rows written anew, and `one_value` the
one value all nested rows give for the record itself (their warehouse). `OnChange` asks the
source for the values its own client fills in when a field is set (a supplier's payment term,
a product's unit and price), so a record written through ironbridge reads as one entered
there. A `Workflow` says which buttons take a record to a status. `removed_on_failure` deletes
a record made as the first of several steps when a later step fails. `TableWriter` is the
plumbing every such writer shares: create one record, or read the record as it is, press the
buttons a new status needs around the write, and write; with a `table`, it refuses what the
table does not let a write give before anything is read. What a table cannot say (nested
contacts, a warehouse taken from the lines) stays in the system's own writer, which says how
its values are made.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar, Literal

from ironbridge import errors
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient

__all__ = [
    "OnChange",
    "Put",
    "TableWriter",
    "Workflow",
    "ensure_writable",
    "one_value",
    "put_rows",
    "put_values",
    "refused",
    "removed_on_failure",
]

#: What a write does: create a record, or update one.
WriteOperation = Literal["create", "update"]


@dataclass(frozen=True, slots=True)
class Put:
    """How a write sets one unified field.

    `target` is the source field that receives the value as it is (through `convert` when
    given) or, with a `model`, the id of the one `model` record whose `key` equals it (a
    currency by code, a payment term by name); with a `model` and no `key`, the value is the
    id of a `model` record, checked to exist. Without a `target` the field is written by the
    system's own code. `create` and `update` say when the field may be given; `clears` that
    null empties a looked-up field rather than being looked up; `required` that a value left
    out or null is looked up all the same, and so refused (a line's product). `refuse` holds
    values the source cannot take, each with why (a status it has no such state for; null,
    for a field it cannot clear, refused where null is written: on an update).
    """

    target: str | None = None
    model: str | None = None
    key: str | None = None
    create: bool = True
    update: bool = True
    clears: bool = False
    required: bool = False
    convert: Callable[[Any], Any] | None = None
    refuse: Mapping[Any, str] = field(default_factory=dict, hash=False)


def refused(
    values: Mapping[str, Any],
    table: Mapping[str, Put],
    what: str,
    operation: Literal["create", "update"],
    *,
    custom: Sequence[str] | None = None,
) -> dict[str, str]:
    """The fields of `values` the table does not let `operation` (create, update) give, or
    give a value the field's `Put.refuse` names (null only on an update), and with `custom`
    (the source's names of the custom fields a write may set) the others given in
    `custom_fields`."""
    problems = {
        name: f"{what} cannot be given this field through ironbridge."
        for name in values
        if name not in table or not getattr(table[name], operation)
    }
    for name, value in values.items():
        refusal = table[name].refuse if name in table and name not in problems else {}
        if _hashable(value) and value in refusal and (value is not None or operation == "update"):
            problems[name] = refusal[value]
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


def _hashable(value: Any) -> bool:
    return not isinstance(value, dict | list | set)


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

    With `skip_none` (a create), null values are left out (but for `required` fields);
    otherwise null is written as it is, or looked up unless the field `clears`. A lookup that
    finds no record, or several, or an id of no record, raises `errors.ValidationFailed` on the
    unified field, under `at` for a nested row (`lines.0.`; an id field `item_remote_id` is
    named `item_id`).
    """
    out: dict[str, Any] = {}
    for name, put in table.items():
        if put.target is None or (name not in values and not put.required):
            continue
        value = values.get(name)
        if value is None and skip_none and not put.required:
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


def put_rows(
    client: ModelClient, rows: Sequence[Mapping[str, Any]], table: Mapping[str, Put], at: str
) -> list[dict[str, Any]]:
    """The source values of nested rows written anew (`put_values` leaving nulls out), each
    row's problems named under `<at>.<index>.` (`lines.0.item_id`)."""
    return [
        put_values(client, row, table, skip_none=True, at=f"{at}.{index}.")
        for index, row in enumerate(rows)
    ]


@contextmanager
def removed_on_failure(client: ModelClient, model: str, ids: Sequence[int]) -> Iterator[None]:
    """Delete the records `ids` of `model` again (best effort) when the block raises an
    ironbridge error, which then goes on: a write made of several calls, each a transaction of
    its own, leaves nothing behind when a later call is refused. A record the source no longer
    lets go (one confirmed meanwhile) stays."""
    try:
        yield
    except errors.IronbridgeError:
        with suppress(errors.IronbridgeError):
            client.delete(model, list(ids))
        raise


@dataclass(frozen=True, slots=True)
class OnChange:
    """The values a source's client fills in when `trigger` of a `model` record is set (Tryton's
    `on_change`), asked of the source for a record about to be written.

    The source is sent `blank` (what the change needs besides, as a new record has it, with
    the fields `nulls` names, space-separated, empty), the record's values (only those named
    in `send`, when given; null when missing) and, for a nested row, its parent's values as
    `_parent_<parent>.<name>`. Without `keep`, every value proposed for the record's own fields
    is taken; with `keep`, only those named that the record does not give (those of `filled`
    only when the source proposes a value), and nothing is asked when the record has no
    `trigger` or gives every field of `unless`.
    """

    model: str
    trigger: str
    blank: Mapping[str, Any] = field(default_factory=dict, hash=False)
    nulls: str = ""
    send: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    filled: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    parent: str = ""

    def ask(
        self,
        client: ModelClient,
        values: Mapping[str, Any],
        parent: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The values the source proposes for the record of `values` (see the class)."""
        if self.keep and (
            self.trigger not in values or all(name in values for name in self.unless)
        ):
            return {}
        sent = {name: values.get(name) for name in self.send} if self.send else values
        given = {**self.blank, **dict.fromkeys(self.nulls.split()), **sent}
        given.update(
            {f"_parent_{self.parent}.{key}": value for key, value in (parent or {}).items()}
        )
        changes = client.on_change(self.model, given, [self.trigger])
        if not self.keep:
            return {key: value for key, value in changes.items() if not key.endswith(".")}
        return {
            key: changes[key]
            for key in self.keep
            if key in changes
            and key not in values
            and (key not in self.filled or changes[key] is not None)
        }


def one_value(rows: Sequence[Mapping[str, Any]], key: str, refusal: Mapping[str, str]) -> Any:
    """The one value `rows` give at `key`, rows without one (or an empty one) left aside; None
    when none gives one, and `errors.ValidationFailed` with `refusal` when they give several
    (lines delivered to several places, where the source delivers a whole order to one)."""
    found = {row[key] for row in rows if row.get(key)}
    if len(found) > 1:
        raise errors.ValidationFailed(dict(refusal))
    return found.pop() if found else None


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


class TableWriter(ABC):
    """Writes one model's records from unified values (a `jsonrpc_model_session.ModelWriter`).

    `create` makes one record of `values(...)`. `update` first runs `check` (refusals that need
    no call), reads the record's `reads` fields (`errors.NotFound` when there is none), presses
    the `workflow` buttons a `status` in the changes needs before the write, writes what
    `values` makes of the rest (nothing when that is empty), and presses the buttons due after.
    """

    #: The model written, and what its records are called in messages (`purchase order`).
    model: ClassVar[str]
    what: ClassVar[str]
    #: The fields of the record as it is that `values` needs to update it (its rows, its party).
    reads: ClassVar[tuple[str, ...]] = ()
    #: How a `status` is set by pressing buttons; without one, `status` is an ordinary value.
    workflow: ClassVar[Workflow | None] = None
    #: With a `table` (and what refusals call its records, `Tryton parties`), `check` refuses
    #: the fields it does not let a write give (`ensure_writable`).
    table: ClassVar[Mapping[str, Put]] = {}
    records: ClassVar[str] = ""

    def __init__(self, client: ModelClient) -> None:
        self.client = client

    def check(self, values: Mapping[str, Any], operation: WriteOperation) -> None:
        """Refuse `values` before anything is read or written: what `table` refuses, if any."""
        if self.table:
            ensure_writable(values, self.table, self.records, operation)

    @abstractmethod
    def values(
        self, values: Mapping[str, Any], current: Mapping[str, Any], operation: WriteOperation
    ) -> dict[str, Any]:
        """The model's write values for unified `values`, given the record as it is (`current`,
        with its `reads` fields; empty for a new record)."""

    def create(self, values: dict[str, Any]) -> int:
        """Create a record of `values`; its id."""
        self.check(values, "create")
        (created,) = self.client.create(self.model, [self.values(values, {}, "create")])
        return created

    def update(self, record_id: int, values: dict[str, Any]) -> None:
        """Change the record `record_id` (see the class docstring); `errors.RecordLocked` when
        no button takes it from its state to the status asked for."""
        self.check(values, "update")
        where = self.client.dialect.wire.condition("id", "=", record_id)
        extra = self.client.dialect.all_records
        found = self.client.search_read(self.model, where, ["id", *self.reads], extra=extra)
        if not found:
            raise errors.NotFound(f"No {self.client.name} {self.what} has the id {record_id}.")
        before: tuple[str, ...] = ()
        after: tuple[str, ...] = ()
        if self.workflow is not None:
            before, after = self.workflow.buttons(found[0]["state"], values.pop("status", None))
        for button in before:
            self.client.press(self.model, button, [record_id])
        if values and (written := self.values(values, found[0], "update")):
            self.client.write(self.model, [record_id], written)
        for button in after:
            self.client.press(self.model, button, [record_id])
