"""Writes over JSON-RPC as tables: which unified field becomes which source field, and how.

A system declares, per writable entity, a table of `Put`s: a unified field's target field on
the source model, written as given or as the id of the one record of another model whose key
equals it (a currency by its code, a payment term by its name). `refused` names the fields a
table does not let a create or an update give; `put_values` turns the fields a table can write
into source values. What a table cannot say (lines, workflow buttons, nested contacts) stays in
the system's own writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ironbridge.connectors.protocols.jsonrpc_models import ModelClient

__all__ = ["Put", "put_values", "refused"]


@dataclass(frozen=True, slots=True)
class Put:
    """How a write sets one unified field.

    `target` is the source field that receives the value as it is or, with a `model`, the id
    of the one `model` record whose `key` equals it (a currency by code, a payment term by
    name). Without a `target` the field is written by the system's own code. `create` and
    `update` say when the field may be given; `clears` that null empties a looked-up field
    rather than being looked up.
    """

    target: str | None = None
    model: str | None = None
    key: str | None = None
    create: bool = True
    update: bool = True
    clears: bool = False


def refused(
    values: Mapping[str, Any],
    table: Mapping[str, Put],
    what: str,
    operation: Literal["create", "update"],
) -> dict[str, str]:
    """The fields of `values` the table does not let `operation` (create, update) give."""
    return {
        name: f"{what} cannot be given this field through ironbridge."
        for name in values
        if name not in table or not getattr(table[name], operation)
    }


def put_values(
    client: ModelClient, values: Mapping[str, Any], table: Mapping[str, Put], *, skip_none: bool
) -> dict[str, Any]:
    """The source values of the table's plain and looked-up fields given in `values`.

    With `skip_none` (a create), null values are left out; otherwise null is written as it
    is, or looked up unless the field `clears`. A lookup that finds no record, or several,
    raises `errors.ValidationFailed` on the unified field (`ModelClient.find`).
    """
    out: dict[str, Any] = {}
    for name, put in table.items():
        if name not in values or put.target is None:
            continue
        value = values[name]
        if value is None and skip_none:
            continue
        if put.model is None or put.key is None or (value is None and put.clears):
            out[put.target] = value
        else:
            out[put.target] = client.find(put.model, put.key, value, name)
    return out
