"""Flows as the API sees them: create, read, change (a new version), delete; their runs; what
starts a run (events, schedules, inbound calls, tests, retries)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from ..errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ..ids import new_id
from ..schedule import next_run
from ..security import CredentialCipher, hash_token, tokens_equal
from ..store import ConnectionRow, UnitOfWork, decode_keyset, encode_keyset, utcnow
from ..store.flows import FlowRepository, FlowRow, RunRepository, RunRow, StepRow
from ..store.tables import events
from .model import ConnectionSelector, FlowDefinition, FlowSettings, Step, Trigger

__all__ = [
    "FlowIn",
    "FlowPatch",
    "FlowView",
    "RunView",
    "StepRunView",
    "VersionView",
    "create_flow",
    "delete_flow",
    "dispatch_events",
    "due_schedules",
    "get_flow",
    "get_run",
    "list_flows",
    "list_runs",
    "list_versions",
    "new_run",
    "retry_run",
    "update_flow",
    "verify_trigger_secret",
]

_DEFINITION_FIELDS = ("name", "description", "trigger", "steps", "connections", "sample")
_EVENT_TRIGGERS = ("record_event", "connection_event")
#: Statuses of a run that is over.
FINISHED = ("succeeded", "failed", "cancelled")


class FlowIn(FlowDefinition):
    """A new flow."""

    enabled: bool = True
    settings: FlowSettings = Field(default_factory=FlowSettings)


class FlowPatch(BaseModel):
    """Changes to a flow; any change of its definition makes a new version."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    trigger: Trigger | None = None
    steps: list[Step] | None = Field(default=None, min_length=1, max_length=50)
    connections: ConnectionSelector | None = None
    sample: dict[str, Any] | None = None
    enabled: bool | None = None
    settings: FlowSettings | None = None


class FlowView(BaseModel):
    id: str
    name: str
    description: str | None
    enabled: bool
    version: int
    trigger: dict[str, Any]
    steps: list[dict[str, Any]]
    connections: dict[str, Any]
    sample: dict[str, Any] | None
    allowed_hosts: list[str]
    secret_names: list[str] = Field(description="Names of the stored secrets (never the values).")
    run_retention_days: int
    trigger_path: str = Field(description="Where the inbound trigger is called.")
    trigger_secret: str | None = Field(
        default=None,
        description="The inbound trigger's secret (`X-Flow-Secret`), returned once, at creation.",
    )
    next_run_at: datetime | None
    created_at: datetime
    updated_at: datetime


class VersionView(BaseModel):
    version: int
    definition: dict[str, Any]
    created_at: datetime


class StepRunView(BaseModel):
    step_id: str
    status: str
    attempts: int
    input: Any
    output: Any
    error: dict[str, Any] | None
    started_at: datetime
    finished_at: datetime | None
    duration_ms: float | None


class RunView(BaseModel):
    id: str
    flow_id: str
    version: int
    connection_id: str | None
    status: Literal["queued", "running", "paused", "succeeded", "failed", "cancelled"]
    test: bool
    trigger: dict[str, Any]
    retry_of: str | None
    error: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    steps: list[StepRunView] | None = Field(
        default=None, description="Per-step detail (on a single run's read)."
    )


def _definition(body: BaseModel) -> dict[str, Any]:
    data = body.model_dump(mode="json", by_alias=True, exclude_none=False)
    return {name: data[name] for name in _DEFINITION_FIELDS}


def _view(row: FlowRow, secret_names: list[str], trigger_secret: str | None = None) -> FlowView:
    d = row.definition
    return FlowView(
        id=row.id,
        name=row.name,
        description=d.get("description"),
        enabled=row.enabled,
        version=row.version,
        trigger=d["trigger"],
        steps=d["steps"],
        connections=d["connections"],
        sample=d.get("sample"),
        allowed_hosts=row.settings.get("allowed_hosts", []),
        secret_names=secret_names,
        run_retention_days=row.settings.get("run_retention_days", 14),
        trigger_path=f"/v1/flows/{row.id}/trigger",
        trigger_secret=trigger_secret,
        next_run_at=row.next_run_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _secret_names(cipher: CredentialCipher, row: FlowRow) -> list[str]:
    if not row.secrets_ciphertext:
        return []
    return sorted(cipher.decrypt(row.secrets_ciphertext).get("secrets") or {})


def _next_schedule(definition: dict[str, Any], after: datetime) -> datetime | None:
    trigger = definition["trigger"]
    return next_run(trigger["cron"], after) if trigger["type"] == "schedule" else None


def create_flow(
    uow: UnitOfWork, cipher: CredentialCipher, account_id: str, body: FlowIn
) -> FlowView:
    now = utcnow()
    definition = _definition(body)
    secret = f"ib_flowsecret_{secrets.token_urlsafe(32)}"
    settings = body.settings
    row = FlowRepository(uow.connection, account_id).add(
        {
            "id": new_id("flow"),
            "account_id": account_id,
            "name": body.name,
            "enabled": body.enabled,
            "version": 1,
            "definition": definition,
            "trigger_type": definition["trigger"]["type"],
            "secrets_ciphertext": (
                cipher.encrypt({"secrets": settings.secrets}) if settings.secrets else None
            ),
            "trigger_secret_hash": hash_token(secret),
            "settings": {
                "allowed_hosts": settings.allowed_hosts,
                "run_retention_days": settings.run_retention_days,
            },
            "next_run_at": _next_schedule(definition, now),
            "deleted": False,
            "created_at": now,
            "updated_at": now,
        }
    )
    uow.commit()
    return _view(row, sorted(settings.secrets or {}), trigger_secret=secret)


def _owned(uow: UnitOfWork, account_id: str, flow_id: str, *, lock: bool = False) -> FlowRow:
    row = FlowRepository(uow.connection, account_id).get(flow_id, for_update=lock)
    if row is None:
        if FlowRepository(uow.connection, None).get_any(flow_id) is not None:
            raise PermissionDenied("This flow belongs to another account.")
        raise NotFound(f"No flow {flow_id}.")
    return row


def get_flow(uow: UnitOfWork, cipher: CredentialCipher, account_id: str, flow_id: str) -> FlowView:
    row = _owned(uow, account_id, flow_id)
    return _view(row, _secret_names(cipher, row))


def flow_row(uow: UnitOfWork, account_id: str, flow_id: str) -> FlowRow:
    """The account's stored flow `flow_id` (403 / 404 as `get_flow`), for running it."""
    return _owned(uow, account_id, flow_id)


def list_flows(
    uow: UnitOfWork, cipher: CredentialCipher, account_id: str, *, cursor: str | None, limit: int
) -> tuple[list[FlowView], str | None]:
    after = decode_keyset(cursor)[1] if cursor else None
    rows = FlowRepository(uow.connection, account_id).page(after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_keyset(rows[-1].created_at, rows[-1].id) if more else None
    return [_view(row, _secret_names(cipher, row)) for row in rows], next_cursor


def update_flow(
    uow: UnitOfWork, cipher: CredentialCipher, account_id: str, flow_id: str, body: FlowPatch
) -> FlowView:
    row = _owned(uow, account_id, flow_id, lock=True)
    given = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    definition = dict(row.definition)
    for name in _DEFINITION_FIELDS:
        if name in given:
            definition[name] = given[name]
    # The whole definition is validated again: a new step list must fit the trigger and graph.
    try:
        definition = _definition(FlowDefinition.model_validate(definition))
    except ValueError as exc:
        raise ValidationFailed({"body": str(exc).splitlines()[0]}, str(exc)) from exc
    now = utcnow()
    repo = FlowRepository(uow.connection, account_id)
    values: dict[str, Any] = {"updated_at": now}
    if definition != row.definition:
        values.update(
            version=row.version + 1,
            definition=definition,
            name=definition["name"],
            trigger_type=definition["trigger"]["type"],
            next_run_at=_next_schedule(definition, now),
        )
        repo.add_version(flow_id, row.version + 1, definition, now)
    if body.enabled is not None:
        values["enabled"] = body.enabled
    if body.settings is not None:
        values["settings"] = {
            "allowed_hosts": body.settings.allowed_hosts,
            "run_retention_days": body.settings.run_retention_days,
        }
        if body.settings.secrets is not None:
            values["secrets_ciphertext"] = cipher.encrypt({"secrets": body.settings.secrets})
    repo.change(flow_id, values)
    uow.commit()
    return get_flow(uow, cipher, account_id, flow_id)


def delete_flow(uow: UnitOfWork, account_id: str, flow_id: str) -> None:
    """Remove a flow: it never runs again; its runs stay readable until their retention ends."""
    _owned(uow, account_id, flow_id, lock=True)
    FlowRepository(uow.connection, account_id).change(
        flow_id, {"deleted": True, "enabled": False, "updated_at": utcnow()}
    )
    uow.commit()


def list_versions(uow: UnitOfWork, account_id: str, flow_id: str) -> list[VersionView]:
    _owned(uow, account_id, flow_id)
    return [
        VersionView(version=v.version, definition=v.definition, created_at=v.created_at)
        for v in FlowRepository(uow.connection, account_id).versions(flow_id)
    ]


def verify_trigger_secret(uow: UnitOfWork, flow_id: str, secret: str | None) -> FlowRow:
    """The flow an inbound trigger names, if `secret` is its own."""
    row = FlowRepository(uow.connection, None).get_any(flow_id)
    if row is None or not secret or not tokens_equal(row.trigger_secret_hash, secret):
        from ..errors import AuthenticationFailed

        raise AuthenticationFailed("Unknown flow or wrong X-Flow-Secret.")
    return row


# --- runs -----------------------------------------------------------------------------------
def _step_view(row: StepRow) -> StepRunView:
    duration = (
        (row.finished_at - row.started_at).total_seconds() * 1000 if row.finished_at else None
    )
    return StepRunView(
        step_id=row.step_id,
        status=row.status,
        attempts=row.attempts,
        input=row.input,
        output=row.output,
        error=row.error,
        started_at=row.started_at,
        finished_at=row.finished_at,
        duration_ms=duration,
    )


def run_view(run: RunRow, steps: Sequence[StepRow] | None = None) -> RunView:
    return RunView(
        id=run.id,
        flow_id=run.flow_id,
        version=run.version,
        connection_id=run.connection_id,
        status=run.status,  # type: ignore[arg-type]
        test=run.test,
        trigger=run.trigger,
        retry_of=run.retry_of,
        error=run.error,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        steps=[_step_view(s) for s in steps] if steps is not None else None,
    )


def list_runs(
    uow: UnitOfWork, account_id: str, flow_id: str, *, cursor: str | None, limit: int
) -> tuple[list[RunView], str | None]:
    _owned(uow, account_id, flow_id)
    before = decode_keyset(cursor) if cursor else None
    runs = RunRepository(uow.connection, account_id).page(flow_id, before=before, limit=limit + 1)
    more = len(runs) > limit
    runs = runs[:limit]
    next_cursor = encode_keyset(runs[-1].created_at, runs[-1].id) if more else None
    return [run_view(r) for r in runs], next_cursor


def get_run(uow: UnitOfWork, account_id: str, run_id: str, flow_id: str | None = None) -> RunView:
    repo = RunRepository(uow.connection, account_id)
    run = repo.get(run_id)
    if run is None or (flow_id is not None and run.flow_id != flow_id):
        if run is None and RunRepository(uow.connection, None).get(run_id) is not None:
            raise PermissionDenied("This run belongs to another account.")
        raise NotFound(f"No run {run_id}.")
    return run_view(run, repo.steps(run_id))


def new_run(
    uow: UnitOfWork,
    flow: FlowRow,
    *,
    connection_id: str | None,
    trigger: dict[str, Any],
    trigger_key: str | None = None,
    test: bool = False,
    version: int | None = None,
    resume: dict[str, Any] | None = None,
    retry_of: str | None = None,
) -> str | None:
    """Add a queued run (in the caller's transaction); its id, or None when the flow already
    has a run for `trigger_key`."""
    run_id = new_id("frun")
    added = RunRepository(uow.connection, flow.account_id).add(
        {
            "id": run_id,
            "account_id": flow.account_id,
            "flow_id": flow.id,
            "version": version or flow.version,
            "connection_id": connection_id,
            "trigger_key": trigger_key,
            "trigger": trigger,
            "test": test,
            "status": "queued",
            "resume": resume,
            "retry_of": retry_of,
            "error": None,
            "created_at": utcnow(),
            "started_at": None,
            "finished_at": None,
        }
    )
    return run_id if added else None


def retry_run(
    uow: UnitOfWork, account_id: str, run_id: str, *, version: Literal["original", "current"]
) -> str:
    """A new run from the failed step of `run_id`, with the outputs of the steps before it."""
    repo = RunRepository(uow.connection, account_id)
    run = repo.get(run_id)
    if run is None:
        raise NotFound(f"No run {run_id}.")
    if run.status not in ("failed", "cancelled"):
        raise Conflict(f"Only a failed or cancelled run is retried; this one is {run.status}.")
    flow = _owned(uow, account_id, run.flow_id)
    steps = repo.steps(run_id)
    failed = next((s for s in steps if s.status == "failed"), None)
    outputs = {s.step_id: s.output for s in steps if s.status == "succeeded"}
    chosen = run.version if version == "original" else flow.version
    definition = FlowRepository(uow.connection, account_id).version(flow.id, chosen)
    assert definition is not None
    ids = [s["id"] for s in definition.definition["steps"]]
    from_step = failed.step_id.split("[")[0] if failed is not None else None
    if from_step not in ids:
        from_step = None
        outputs = {}
    new = new_run(
        uow,
        flow,
        connection_id=run.connection_id,
        trigger=run.trigger,
        test=run.test,
        version=chosen,
        resume={"from_step": from_step, "outputs": outputs} if from_step else None,
        retry_of=run.id,
    )
    assert new is not None
    uow.commit()
    return new


# --- what starts runs ---------------------------------------------------------------------------
def selects(selector: dict[str, Any], connection: ConnectionRow) -> bool:
    """Whether a flow's `connections` selector takes this connection."""
    if selector.get("all"):
        return True
    if selector.get("ids") and connection.id in selector["ids"]:
        return True
    if selector.get("systems") and connection.system in selector["systems"]:
        return True
    wanted = selector.get("metadata") or {}
    return bool(wanted) and all(connection.metadata.get(k) == v for k, v in wanted.items())


def _trigger_of(event: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "event",
        "event_id": event["id"],
        "event_type": event["type"],
        "connection_id": event["connection_id"],
    }
    if event["type"].split(".", 1)[0] in ("connection", "sync", "system"):
        body["data"] = event["data"]
    else:
        body["record"] = event["data"]
    return body


def dispatch_events(
    uow: UnitOfWork,
    event_ids: Sequence[str] | None = None,
    *,
    after: int | None = None,
    before: datetime | None = None,
) -> list[str]:
    """Add the runs that events start (each flow once per event); the new run ids.

    Events are named (`event_ids`, announced by the commit that wrote them) or swept from a
    position on (`after`, up to `before`), so a lost announcement delays a run, never drops it.
    """
    flows = FlowRepository(uow.connection, None).enabled_with_trigger(_EVENT_TRIGGERS)
    if after is None and not flows:
        return []  # nothing to start, and no sweep position to move
    # Without the events' data: a sync writes an event per changed record, and most start no
    # flow; only the data of the events that do is read (parsing every one's JSON was most of
    # this function's cost).
    stmt = select(
        events.c.position,
        events.c.id,
        events.c.account_id,
        events.c.connection_id,
        events.c.type,
    )
    if event_ids is not None:
        stmt = stmt.where(events.c.id.in_(list(event_ids)))
    if after is not None:
        stmt = stmt.where(events.c.position > after)
    else:
        # Named events only of the types and accounts some flow listens to (a sweep reads
        # them all: it moves its position past what it read).
        stmt = stmt.where(
            events.c.account_id.in_(sorted({flow.account_id for flow in flows})),
            events.c.type.in_(
                sorted(
                    {
                        name
                        for flow in flows
                        for name in flow.definition["trigger"].get("events", [])
                    }
                )
            ),
        )
    if before is not None:
        stmt = stmt.where(events.c.created_at < before)
    rows = [
        dict(r)
        for r in uow.connection.execute(stmt.order_by(events.c.position).limit(1000)).mappings()
    ]
    if not rows:
        return []
    matches: list[tuple[dict[str, Any], FlowRow]] = []
    connections: dict[str, ConnectionRow | None] = {}
    for event in rows if flows else ():
        if event["type"].startswith("flow.") or event["connection_id"] is None:
            continue
        for flow in flows:
            if flow.account_id != event["account_id"]:
                continue
            if event["type"] not in flow.definition["trigger"].get("events", []):
                continue
            cid = event["connection_id"]
            if cid not in connections:
                connections[cid] = uow.connections.get_for_token(cid)
            connection = connections[cid]
            if connection is None or connection.status == "disconnected":
                continue
            if not selects(flow.definition["connections"], connection):
                continue
            matches.append((event, flow))
    started: list[str] = []
    if matches:
        wanted = list({event["id"] for event, _ in matches})
        data = dict(
            uow.connection.execute(
                select(events.c.id, events.c.data).where(events.c.id.in_(wanted))
            ).all()
        )
        for event, flow in matches:
            run_id = new_run(
                uow,
                flow,
                connection_id=event["connection_id"],
                trigger=_trigger_of({**event, "data": data[event["id"]]}),
                trigger_key=event["id"],
            )
            if run_id:
                started.append(run_id)
    last = rows[-1]["position"]
    if after is not None:
        FlowRepository(uow.connection, None).set_cursor("events", last)
    return started


def sweep_start(uow: UnitOfWork) -> int:
    """The events position dispatch sweeps from (the newest position when first asked, so a
    new deployment does not run flows for its history)."""
    repo = FlowRepository(uow.connection, None)
    position = repo.cursor("events")
    if position is None:
        from sqlalchemy import func

        position = int(
            uow.connection.execute(select(func.coalesce(func.max(events.c.position), 0))).scalar()
            or 0
        )
        repo.set_cursor("events", position)
    return position


def due_schedules(uow: UnitOfWork, now: datetime) -> list[str]:
    """Add the runs of scheduled flows that are due (one per target connection); their ids."""
    repo = FlowRepository(uow.connection, None)
    started: list[str] = []
    live = uow.connections.list_all_active()
    for flow in repo.enabled_with_trigger(["schedule"]):
        if flow.next_run_at is None or flow.next_run_at > now:
            continue
        at = flow.next_run_at
        for connection in live:
            if connection.account_id != flow.account_id:
                continue
            if not selects(flow.definition["connections"], connection):
                continue
            run_id = new_run(
                uow,
                flow,
                connection_id=connection.id,
                trigger={"type": "schedule", "scheduled_at": at.isoformat()},
                trigger_key=f"schedule:{at.isoformat()}:{connection.id}",
            )
            if run_id:
                started.append(run_id)
        repo.change(flow.id, {"next_run_at": _next_schedule(flow.definition, now)})
    return started


def purge_runs(uow: UnitOfWork, now: datetime, days: int = 14) -> int:
    return RunRepository(uow.connection, None).purge_before(now - timedelta(days=days))


def sample_trigger(flow: FlowRow, given: dict[str, Any] | None) -> dict[str, Any]:
    """The trigger data of a test run: what was given, else the flow's pinned sample."""
    data = given if given is not None else flow.definition.get("sample")
    if data is None:
        raise ValidationFailed(
            {"trigger": "give trigger data, or pin a sample on the flow"},
            "A test run needs trigger data: give it, or pin a sample on the flow.",
        )
    copied: dict[str, Any] = json.loads(json.dumps(data))
    return copied
