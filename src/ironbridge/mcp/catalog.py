"""The tools an agent is offered: a few read tools, and one write tool per write of the unified
API, listed for a connection only where its connector supports the write.

Each tool's input schema is generated from the models that validate its arguments: the read
tools' argument models, and for a write its body (the REST API's write body) beside the control
arguments every write takes (`idempotency_key`, `dry_run`, and `record_id` for an existing
record).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from mcp.types import Tool, ToolAnnotations
from pydantic import BaseModel

from ..connectors import ConnectorSpec, Operation
from ..model import CREATE_MODELS, UPDATE_MODELS, Entity, InventoryAdjustment
from .arguments import (
    ControlArgs,
    GetArgs,
    ListArgs,
    NoArgs,
    RecordControlArgs,
    WorkOrderStatusChange,
)

__all__ = ["READ_TOOLS", "WRITE_TOOLS", "ReadTool", "WriteTool", "tools_for"]


@dataclass(frozen=True, slots=True)
class ReadTool:
    """A tool that reads the records store or the connection's state; never the source."""

    name: str
    title: str
    description: str
    args: type[BaseModel]

    def tool(self) -> Tool:
        return Tool(
            name=self.name,
            title=self.title,
            description=self.description,
            input_schema=_schema(self.args),
            annotations=ToolAnnotations(
                title=self.title,
                read_only_hint=True,
                destructive_hint=False,
                idempotent_hint=True,
                open_world_hint=False,
            ),
        )


@dataclass(frozen=True, slots=True)
class WriteTool:
    """A write to the connected system, as one REST write route performs it."""

    name: str
    title: str
    entity: Entity
    operation: Operation
    #: What the arguments beside the control arguments are validated as; None for a delete.
    body: type[BaseModel] | None
    summary: str

    @property
    def control(self) -> type[ControlArgs]:
        return ControlArgs if self.operation == "create" else RecordControlArgs

    def route(self, record_id: str | None) -> tuple[str, str, int]:
        """The REST route doing the same write (method, path) and its success status: the
        idempotency store knows a write by these, so one key means one write on either edge."""
        base = f"/v1/{self.entity.value}"
        if self.operation == "create":
            return "POST", base, 201
        if self.operation == "adjust":
            return "POST", f"{base}/{record_id}/adjustments", 200
        return ("DELETE" if self.operation == "delete" else "PATCH"), f"{base}/{record_id}", 200

    def tool(self, spec: ConnectorSpec) -> Tool:
        capability = spec.capabilities[self.entity]
        rules = " ".join(capability.rules)
        description = f"{self.summary} {_WRITE_NOTE}"
        if rules:
            description += f" Rules of {spec.name}: {rules}"
        return Tool(
            name=self.name,
            title=self.title,
            description=description,
            input_schema=_write_schema(self),
            annotations=ToolAnnotations(
                title=self.title,
                read_only_hint=False,
                destructive_hint=True,
                # The idempotency key is an argument: the same arguments never write twice.
                idempotent_hint=True,
                open_world_hint=True,
            ),
        )


_WRITE_NOTE: Final = (
    "This writes to the customer's live system: call it with dry_run=true first when unsure, "
    "and give a new idempotency_key for each write you intend (repeating a call with the same "
    "key never writes twice)."
)


#: Schema keywords whose value maps names to schemas (a property may be called `title`).
_NAMED_SCHEMAS: Final = frozenset({"properties", "$defs", "patternProperties"})


def _untitled(schema: Any) -> Any:
    """`schema` without Pydantic's generated titles: they repeat each name in every tool
    listing, and an agent reads the whole listing into its context."""
    if isinstance(schema, list):
        return [_untitled(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        key: (
            {name: _untitled(sub) for name, sub in value.items()}
            if key in _NAMED_SCHEMAS
            else _untitled(value)
        )
        for key, value in schema.items()
        if key != "title"
    }


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    schema: dict[str, Any] = _untitled(model.model_json_schema())
    schema.pop("description", None)
    schema.setdefault("properties", {})
    schema.setdefault("required", [])
    schema["additionalProperties"] = False
    return schema


@cache
def _write_schema(tool: WriteTool) -> dict[str, Any]:
    """The body's schema beside the control arguments (built once per tool)."""
    control = _schema(tool.control)
    if tool.body is None:
        return control
    body: dict[str, Any] = _untitled(tool.body.model_json_schema())
    clash = set(body.get("properties", {})) & set(control["properties"])
    if clash:
        raise TypeError(f"{tool.name}: body fields named as control arguments: {clash}")
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {**body.get("properties", {}), **control["properties"]},
        "required": [*body.get("required", []), *control["required"]],
        "additionalProperties": False,
    }
    definitions = {**body.get("$defs", {}), **control.get("$defs", {})}
    if definitions:
        schema["$defs"] = definitions
    # The body's cross-field rules (one of a reference pair, ordered times) stay stated.
    for keyword in ("allOf", "x-ordered-times"):
        if keyword in body:
            schema[keyword] = body[keyword]
    return schema


READ_TOOLS: Final[tuple[ReadTool, ...]] = (
    ReadTool(
        "describe_connection",
        "Describe the connection",
        "The connected system and its state, and per entity: whether it is available, the "
        "operations it supports, its fields, the values of its status fields, its list filters "
        "and the business rules its writes follow. Call this first.",
        NoArgs,
    ),
    ReadTool(
        "list_records",
        "List records",
        "One page of an entity's records (purchase orders, work orders, inventory items, "
        "vendors, assets, locations) as synced from the connected system, oldest change first. "
        "Returns {data: [...], next_cursor}; pass next_cursor as cursor for the next page.",
        ListArgs,
    ),
    ReadTool(
        "get_record",
        "Get a record",
        "One record by its ironbridge id, deleted ones included (their `deleted` flag says so).",
        GetArgs,
    ),
    ReadTool(
        "sync_status",
        "Sync status",
        "Per entity: how fresh the synced records are (last successful sync, records held, "
        "next scheduled run, last error).",
        NoArgs,
    ),
)


def _entity_writes() -> list[WriteTool]:
    tools = []
    for entity in Entity:
        name, label, a_label = entity.event_name, entity.label, entity.a_label
        tools += [
            WriteTool(
                f"create_{name}",
                f"Create {a_label}",
                entity,
                "create",
                CREATE_MODELS[entity],
                f"Create {a_label} in the connected system. References name a record by its "
                "ironbridge id (`…_id`) or by the system's own id (`…_remote_id`). Returns the "
                f"created {label}.",
            ),
            WriteTool(
                f"update_{name}",
                f"Change {a_label}",
                entity,
                "update",
                UPDATE_MODELS[entity],
                f"Change fields of {a_label} in the connected system: only the fields given "
                f"change, null clears one. Returns the {label} as changed.",
            ),
            WriteTool(
                f"delete_{name}",
                f"Delete {a_label}",
                entity,
                "delete",
                None,
                f"Delete {a_label} in the connected system. Returns the {label} marked deleted.",
            ),
        ]
    return tools


WRITE_TOOLS: Final[tuple[WriteTool, ...]] = (
    *_entity_writes(),
    WriteTool(
        "change_work_order_status",
        "Change a work order's status",
        Entity.WORK_ORDERS,
        "update",
        WorkOrderStatusChange,
        "Move a work order to another status. Returns the work order as changed.",
    ),
    WriteTool(
        "adjust_inventory",
        "Adjust a stock level",
        Entity.INVENTORY_ITEMS,
        "adjust",
        InventoryAdjustment,
        "Change an inventory item's stock at one location: a quantity delta or a new counted "
        "quantity, with a reason. Returns the item with its new stock levels.",
    ),
)


# Built now, so a body field named like a control argument fails at import, not at a listing.
for _tool in WRITE_TOOLS:
    _write_schema(_tool)


def tools_for(spec: ConnectorSpec) -> list[Tool]:
    """The tools of a connection to a `spec` system: the read tools, and the writes it offers."""
    writes = [t.tool(spec) for t in WRITE_TOOLS if spec.supports(t.entity, t.operation)]
    return [*(t.tool() for t in READ_TOOLS), *writes]
