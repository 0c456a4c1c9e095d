"""What a flow is, as data: its trigger, its steps, the connections it runs on, its settings.

These models are the published JSON Schema of a flow (`flow_json_schema`), the body of
`POST /v1/flows`, and what each stored version holds. Expressions are strings: CEL for
conditions, JMESPath for everything that selects or shapes data. Both are parsed when a flow is
saved, so a typo is a `VALIDATION_FAILED` then rather than a failed run later.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..eventtypes import EVENT_TYPES
from ..model import Entity
from ..schedule import validate_schedule
from .expressions import check_cel, check_jmespath

__all__ = [
    "ConditionStep",
    "ConnectionSelector",
    "EmitStep",
    "FlowDefinition",
    "FlowSettings",
    "ForEachStep",
    "HttpStep",
    "MapStep",
    "ReadStep",
    "Step",
    "Trigger",
    "WaitStep",
    "WriteStep",
    "flow_json_schema",
]

StepId = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,39}$",
        description="The step's name, unique in the flow; later steps read its output as "
        "`steps.<id>`.",
    ),
]
Jmes = Annotated[str, Field(min_length=1, max_length=4000, description="A JMESPath expression.")]
_RECORD_EVENTS = tuple(
    t for t in EVENT_TYPES if t.split(".", 1)[0] not in {"connection", "sync", "system", "webhook"}
)
_CONNECTION_EVENTS = tuple(t for t in EVENT_TYPES if t.startswith(("connection.", "sync.")))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# triggers
class RecordEventTrigger(_Strict):
    """Runs once per change event of a record (`purchase_order.updated` …); the record is
    `trigger.record`."""

    type: Literal["record_event"]
    events: list[Literal[_RECORD_EVENTS]] = Field(min_length=1, max_length=50)  # type: ignore[valid-type]


class ConnectionEventTrigger(_Strict):
    """Runs on a connection's own events (`connection.auth_required`, `sync.failed` …); the
    event's data is `trigger.data`."""

    type: Literal["connection_event"]
    events: list[Literal[_CONNECTION_EVENTS]] = Field(min_length=1, max_length=20)  # type: ignore[valid-type]


class ScheduleTrigger(_Strict):
    """Runs on a five-field cron expression (UTC) on every target connection."""

    type: Literal["schedule"]
    cron: str = Field(max_length=100, examples=["0 2 * * *"])

    @field_validator("cron")
    @classmethod
    def _fires(cls, value: str) -> str:
        return validate_schedule(value)


class InboundTrigger(_Strict):
    """Runs when `POST /v1/flows/{id}/trigger` is called with the flow's own secret; the body
    is `trigger.data`."""

    type: Literal["inbound"]


class ManualTrigger(_Strict):
    """Runs only when asked through the API (`POST /v1/flows/{id}/test` or a retry)."""

    type: Literal["manual"]


class RunFailedTrigger(_Strict):
    """The account's error flow: runs when a run of another of the account's flows fails;
    `trigger` holds `flow_id`, `run_id`, `step`, `error` and the failed step's `input`."""

    type: Literal["run_failed"]


Trigger = Annotated[
    RecordEventTrigger
    | ConnectionEventTrigger
    | ScheduleTrigger
    | InboundTrigger
    | ManualTrigger
    | RunFailedTrigger,
    Field(discriminator="type"),
]


# steps
class _StepBase(_Strict):
    id: StepId
    retries: int = Field(default=0, ge=0, le=10, description="Further attempts after a failure.")
    backoff_seconds: float = Field(
        default=1.0, ge=0.1, le=3600, description="Delay before the first retry; doubles after."
    )
    timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=300,
        description=(
            "Per attempt: bounds a CEL evaluation, an http request, and each request a write "
            "makes of the connected system."
        ),
    )
    on_error: Literal["stop", "continue"] | StepId = Field(
        default="stop",
        description="After the last attempt fails: `stop` the run (failed), `continue` with the "
        'next step (the output is `{"error": …}`), or the id of a step to go to (an error '
        "branch).",
    )


class ConditionStep(_StepBase):
    """Goes on when a CEL expression over `trigger`, `steps` and `connection` is true;
    otherwise ends the run (`else` absent) or goes to the step `else` names."""

    type: Literal["condition"]
    expression: str = Field(min_length=1, max_length=4000)
    else_: StepId | None = Field(default=None, alias="else")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("expression")
    @classmethod
    def _parses(cls, value: str) -> str:
        return check_cel(value)


class MapStep(_StepBase):
    """Its output is a JMESPath expression evaluated over the run's data."""

    type: Literal["map"]
    expression: Jmes

    @field_validator("expression")
    @classmethod
    def _parses(cls, value: str) -> str:
        return check_jmespath(value)


class ReadStep(_StepBase):
    """Reads the run's connection through the unified API: one record (`record_id`) or a list
    page (`filters`, `limit`)."""

    type: Literal["read"]
    entity: Entity
    record_id: Jmes | None = Field(default=None, description="JMESPath to the record's id.")
    filters: dict[str, str] = Field(default_factory=dict, max_length=10)
    limit: int = Field(default=100, ge=1, le=500)

    @field_validator("record_id")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        return None if value is None else check_jmespath(value)


class WriteStep(_StepBase):
    """Writes to the run's connection through the unified API, with an idempotency key of the
    run and step: a resumed run never writes twice."""

    type: Literal["write"]
    entity: Entity
    operation: Literal["create", "update", "delete", "adjust"]
    record_id: Jmes | None = Field(default=None, description="JMESPath to the record's id.")
    body: Jmes | None = Field(default=None, description="JMESPath building the write body.")

    @model_validator(mode="after")
    def _complete(self) -> WriteStep:
        if self.operation != "create" and self.record_id is None:
            raise ValueError(f"{self.operation} needs record_id")
        if self.operation != "delete" and self.body is None:
            raise ValueError(f"{self.operation} needs body")
        if self.operation == "adjust" and self.entity is not Entity.INVENTORY_ITEMS:
            raise ValueError("adjust applies to inventory-items")
        for value in (self.record_id, self.body):
            if value is not None:
                check_jmespath(value)
        return self


class EmitStep(_StepBase):
    """Sends a custom `flow.<name>` event through the webhook pipeline (deliveries, the events
    API); `data` is a JMESPath expression, the trigger's data by default."""

    type: Literal["emit"]
    name: str = Field(pattern=r"^[a-z][a-z0-9_.]{0,60}$", description="Becomes `flow.<name>`.")
    data: Jmes | None = None

    @field_validator("data")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        return None if value is None else check_jmespath(value)


class HttpStep(_StepBase):
    """Calls an external API on a host the flow's settings allow; `{{secrets.NAME}}` in a
    header value is replaced by that secret of the flow's settings."""

    type: Literal["http"]
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    url: str = Field(pattern=r"^https?://", max_length=2000)
    headers: dict[str, str] = Field(default_factory=dict, max_length=20)
    body: Jmes | None = None


class WaitStep(_StepBase):
    """A durable delay: survives restarts, and holds no worker while it waits."""

    type: Literal["wait"]
    seconds: float = Field(gt=0, le=30 * 24 * 3600)


class ForEachStep(_StepBase):
    """Runs `steps` once per item of a list (`items`, JMESPath), the item as `item`, up to
    `concurrency` at a time; its output is the list of each item's last step output."""

    type: Literal["for_each"]
    items: Jmes
    steps: list[Step] = Field(min_length=1, max_length=20)
    concurrency: int = Field(default=1, ge=1, le=10)


Step = Annotated[
    ConditionStep | MapStep | ReadStep | WriteStep | EmitStep | HttpStep | WaitStep | ForEachStep,
    Field(discriminator="type"),
]
ForEachStep.model_rebuild()


class ConnectionSelector(_Strict):
    """Which of the account's connections the flow runs on: named ones, every one of some
    systems, those whose metadata has these values, or all."""

    ids: list[str] | None = Field(default=None, max_length=500)
    systems: list[str] | None = Field(default=None, max_length=20)
    metadata: dict[str, str] | None = Field(default=None, max_length=10)
    all: bool = False

    @model_validator(mode="after")
    def _something(self) -> ConnectionSelector:
        if not self.all and not (self.ids or self.systems or self.metadata):
            raise ValueError("name ids, systems or metadata, or set all")
        return self


class FlowSettings(_Strict):
    """Settings of the flow; `secrets` are stored encrypted and never read back."""

    secrets: dict[str, str] | None = Field(default=None, max_length=20)
    allowed_hosts: list[str] = Field(default_factory=list, max_length=20)
    run_retention_days: int = Field(default=14, ge=1, le=365)


class FlowDefinition(_Strict):
    """What a version of a flow holds."""

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    trigger: Trigger
    steps: list[Step] = Field(min_length=1, max_length=50)
    connections: ConnectionSelector
    sample: dict[str, Any] | None = Field(
        default=None, description="Pinned trigger data a test run uses when given none."
    )

    @model_validator(mode="after")
    def _graph(self) -> FlowDefinition:
        ids = [step.id for step in self.steps]
        if len(set(ids)) != len(ids):
            raise ValueError("step ids must be unique")
        for step in self.steps:
            targets = [step.on_error] if step.on_error not in {"stop", "continue"} else []
            if isinstance(step, ConditionStep) and step.else_ is not None:
                targets.append(step.else_)
            for target in targets:
                if target not in ids or ids.index(target) <= ids.index(step.id):
                    raise ValueError(f"step {step.id}: {target!r} is not a later step")
        return self


def flow_json_schema() -> dict[str, Any]:
    """The published JSON Schema of a flow definition."""
    return FlowDefinition.model_json_schema(by_alias=True)
