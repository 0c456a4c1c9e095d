"""Runs flows as durable workflows on DBOS Transact.

Each run is one DBOS workflow (its id is the run's id). Each step that reaches outside the
run (read, write, http) is one checkpointed DBOS step (`DBOS.run_step`, with the step's
retries and backoff); a `wait` step is `DBOS.sleep`, which survives restarts. DBOS keeps its
checkpoints in its own system database: a `flows.db` SQLite file beside the store, or the
store's PostgreSQL database (schema `dbos`). When a worker dies mid-run, the next process to
launch DBOS with the same system database recovers the workflow: completed steps return their
checkpointed outputs without running again, and the step that was interrupted runs again (its
effects are made safe to repeat in `steps`).

Conditions, maps and emits are not DBOS steps: the workflow works them out itself and
commits their step rows, and an emit's event, to the store together, before the next
checkpointed step and at the run's end (`_Run`). A replay works out again what was not
committed and takes the recorded output of what was, so an emit is never repeated. A run of
such steps alone costs DBOS no checkpoint, and the store one transaction.

The engine interprets the flow's graph (`interpret`) the same way for a durable run and for a
test run, which calls the same functions in place (`InlineRunner`) without checkpoints.

Run and step rows in the store are what the API reads; a checkpointed step writes its own
before its checkpoint, so they are as durable as the checkpoints.

DBOS is one instance per process. A process serves one deployment; the deployment's key (the
store's URL, hashed) travels with every workflow, so a recovered workflow finds its
deployment, and tests that build several in one process keep them apart.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx
from dbos import DBOS, DBOSConfig, SetWorkflowID
from sqlalchemy import Engine, create_engine, event

from ..connections import ConnectionStatus
from ..connectors import ConnectorRegistry, SessionOptions
from ..errors import IronbridgeError
from ..events import record_events
from ..health import BreakerBoard
from ..logs import get_logger
from ..private_files import private_sqlite_file
from ..security import CredentialCipher
from ..settings import Settings
from ..store import UnitOfWorkFactory, utcnow
from ..store.flows import FlowRepository, RunRepository, RunRow, StepRow
from ..webhooks.delivery import make_http_client
from .expressions import ExpressionError, evaluate_jmespath
from .service import FINISHED, dispatch_events, due_schedules, new_run, purge_runs, sweep_start
from .steps import STEP_KINDS, StepContext


class Container(Protocol):
    """What flows use of the process's shared parts (the composition root's `Container`)."""

    settings: Settings
    uow: UnitOfWorkFactory
    cipher: CredentialCipher
    registry: ConnectorRegistry
    breakers: BreakerBoard

    @property
    def session_options(self) -> SessionOptions: ...

    @property
    def worker(self) -> Any: ...


__all__ = ["FlowEngine", "InlineRunner", "interpret"]

_log = get_logger("ironbridge.flows")
#: Seconds a paused run waits for a `resume` message before it looks at its connection again.
PAUSE_POLL = 30.0
#: Outputs of `for_each` larger than this many items are cut (the run's data stays bounded).
_FOR_EACH_MAX = 1000


class Runner(Protocol):
    """How `interpret` checkpoints: DBOS for durable runs, nothing for test runs."""

    #: Whether failed steps are tried again (as their `retries` say).
    retries: bool

    def step(
        self, name: str, options: dict[str, Any], func: Callable[..., Any], *args: Any
    ) -> Any: ...
    def sleep(self, seconds: float) -> None: ...
    def wait_resume(self, seconds: float) -> None: ...


class DBOSRunner:
    retries = True

    def step(self, name: str, options: dict[str, Any], func: Callable[..., Any], *args: Any) -> Any:
        step_options: Any = {"name": name, **options}
        return DBOS.run_step(step_options, func, *args)

    def sleep(self, seconds: float) -> None:
        DBOS.sleep(seconds)

    def wait_resume(self, seconds: float) -> None:
        DBOS.recv("resume", timeout_seconds=seconds)


class InlineRunner:
    """Test runs: steps run in place, once, without retries; waits are skipped."""

    retries = False

    def step(self, name: str, options: dict[str, Any], func: Callable[..., Any], *args: Any) -> Any:
        return func(*args)

    def sleep(self, seconds: float) -> None:
        return None

    def wait_resume(self, seconds: float) -> None:
        raise _Stopped("paused", "The connection needs reauthorization.")


class _Stopped(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Deployment:
    """What runs of one deployment reach (registered under its key)."""

    container: Container
    http: httpx.Client
    pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=10, thread_name_prefix="flow-item")
    )


_deployments: dict[str, Deployment] = {}
_launch_lock = threading.Lock()
_launched: str | None = None


def deployment_key(container: Container) -> str:
    url = container.settings.resolved_database_url
    return hashlib.sha256(str(url).encode()).hexdigest()[:16]


def _system_url(container: Container) -> str:
    settings = container.settings
    url = str(settings.resolved_database_url)
    if url.startswith("postgresql"):
        return url.replace("postgresql+psycopg://", "postgresql://", 1)
    return f"sqlite:///{settings.data_dir / 'flows.db'}"


def _sqlite_engine(url: str) -> Engine:
    """DBOS's SQLite system database with the store's settings (DBOS runs its own
    transactions, so none of the store's transaction handling)."""
    private_sqlite_file(Path(url.removeprefix("sqlite:///")))
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=10,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


# --- the run: loading, each step, finishing ---------------------------------------------------
#: Steps that reach outside the run (a connection, an HTTP API): each one is a checkpointed
#: DBOS step. Conditions, maps and emits are worked out by the workflow itself (see `_Run`).
_CHECKPOINTED = frozenset({"read", "write", "http"})
_SOURCE_STEPS = frozenset({"read", "write"})
#: Statuses a run's first commit does not change to `running`: it is already there, paused
#: (a recovered run waiting for its connection), or over (a replay after its last commit).
_NOT_STARTING = ("running", "paused", *FINISHED)


@dataclass
class _Run:
    """One execution of a run's workflow: what it loaded, and the rows it has yet to commit.

    A condition or a map is a function of the trigger and earlier outputs, and an emit's only
    effect is its event: none of them needs a checkpoint of its own. Their step rows (an emit's
    with its event) wait here, and are committed in one transaction before the next step that
    is checkpointed, waits or pauses, and at the end with the run's status. A worker that dies
    before that commit loses them together, and the replay works them out again. A step whose
    row was committed is not run again: its recorded output is taken (`recorded`), so an emit
    is never repeated and a replay takes the path the first execution took.
    """

    key: str
    run_id: str
    account_id: str
    test: bool
    secrets: dict[str, str]
    context: StepContext
    recorded: dict[str, StepRow]
    started_at: datetime
    rows: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    marked: bool = False


def _context(uow: Any, key: str, run: RunRow, test: bool) -> StepContext:
    """What a step of `run` reaches, read in the caller's transaction."""
    deployment = _deployments[key]
    container = deployment.container
    flow = FlowRepository(uow.connection, None).get_any(run.flow_id)
    connection = uow.connections.get_for_token(run.connection_id) if run.connection_id else None
    secrets: dict[str, str] = {}
    settings: dict[str, Any] = {}
    if flow is not None:
        settings = flow.settings
        if flow.secrets_ciphertext:
            secrets = dict(container.cipher.decrypt(flow.secrets_ciphertext).get("secrets") or {})
    return StepContext(
        uow=container.uow,
        registry=container.registry,
        cipher=container.cipher,
        options=container.session_options,
        breakers=container.breakers,
        http=deployment.http,
        run_id=run.id,
        account_id=run.account_id,
        flow_id=run.flow_id,
        connection=connection,
        secrets=secrets,
        allowed_hosts=list(settings.get("allowed_hosts") or []),
        test=test,
    )


def _load(key: str, run_id: str) -> tuple[dict[str, Any], _Run]:
    """The run's graph and data, and its execution's state, in one read.

    Not a checkpoint: what it returns does not change between executions (a version's
    definition, the trigger and the retry's outputs are fixed when the run is added), except
    the steps recorded since, which a replay is to take.
    """
    container = _deployments[key].container
    with container.uow(readonly=True) as uow:
        runs = RunRepository(uow.connection, None)
        run = runs.get(run_id)
        if run is None:
            raise LookupError(run_id)
        version = FlowRepository(uow.connection, None).version(run.flow_id, run.version)
        if version is None:
            raise LookupError(f"{run.flow_id} v{run.version}")
        context = _context(uow, key, run, run.test)
        recorded = {row.step_id: row for row in runs.steps(run_id)}
    plan = {
        "definition": version.definition,
        "trigger": run.trigger,
        "resume": run.resume or {},
        "test": run.test,
    }
    state = _Run(
        key=key,
        run_id=run_id,
        account_id=run.account_id,
        test=run.test,
        secrets=context.secrets,
        context=context,
        recorded=recorded,
        started_at=utcnow(),
    )
    return plan, state


def _commit(run: _Run, end: tuple[str, dict[str, Any] | None] | None = None) -> None:
    """Commit the run's waiting rows and events (the run `running` with the first), and with
    `end` its final status and error, in one transaction."""
    if run.marked and not run.rows and end is None:
        return
    container = _deployments[run.key].container
    started: list[str] = []
    with container.uow() as uow:
        runs = RunRepository(uow.connection, None)
        if end is None and not run.marked:
            runs.change(
                run.run_id,
                {"status": "running", "started_at": run.started_at},
                unless=_NOT_STARTING,
            )
        if run.events:
            connection = run.context.connection
            record_events(uow, run.account_id, connection.id if connection else None, run.events)
        runs.save_steps(run.rows)
        if end is not None:
            status, error = end
            ended = runs.finish(run.run_id, status, error, at=utcnow(), started_at=run.started_at)
            if ended and status == "failed" and not run.test:
                row = runs.get(run.run_id)
                assert row is not None
                started = _start_error_flows(uow, runs, row)
        uow.commit()
    run.marked = True
    run.rows.clear()
    run.events.clear()
    if started:
        # Started from a thread of its own, outside this workflow's DBOS context (a run
        # started inside it would be taken for a child of this one). Should the process die
        # first, the tick re-sends queued runs.
        threading.Thread(target=container.worker.flows.submit, args=(started,), daemon=True).start()


def _row_key(step: dict[str, Any], data: dict[str, Any]) -> str:
    """The step's row in its run; a for-each item's steps carry the item's index."""
    return f"{step['id']}[{data['__item']}]" if "__item" in data else str(step["id"])


def _input_of(data: dict[str, Any], secrets: dict[str, str]) -> Any:
    """A step's input as its row shows it: the run's data as it is now (later steps add
    their outputs to `data`), with the flow's secrets redacted."""
    return _redact({**data, "steps": dict(data["steps"])}, secrets)


def _compute(
    run: _Run, runner: Runner, position: int, step: dict[str, Any], data: dict[str, Any]
) -> Any:
    """A condition, map or emit, worked out in the workflow; its output, or StepError.

    Its row (and an emit's event) waits for the run's next commit. Retries are kept for
    what can fail once and not again (a condition over its time budget on a busy machine).
    """
    row_key = _row_key(step, data)
    done = run.recorded.get(row_key)
    if done is not None and done.status == "succeeded":
        return done.output
    before = done.attempts if done is not None else 0
    tries = int(step.get("retries", 0)) + 1 if runner.retries else 1
    backoff = float(step.get("backoff_seconds", 1.0))
    row: dict[str, Any] = {
        "run_id": run.run_id,
        "step_id": row_key,
        "position": position,
        "input": _input_of(data, run.secrets),
    }
    for attempt in range(1, tries + 1):
        started = utcnow()
        try:
            output = STEP_KINDS[step["type"]](run.context, step, data)
        except (IronbridgeError, ExpressionError) as exc:
            if attempt < tries:
                time.sleep(backoff * 2 ** (attempt - 1))
                continue
            error = _error_of(exc)
            run.rows.append(
                {
                    **row,
                    "status": "failed",
                    "attempts": before + attempt,
                    "output": None,
                    "error": error,
                    "started_at": started,
                    "finished_at": utcnow(),
                }
            )
            raise StepError(error) from exc
        if step["type"] == "emit":
            run.events.append((output["type"], output["data"]))
        run.rows.append(
            {
                **row,
                "status": "succeeded",
                "attempts": before + attempt,
                "output": _redact(output, run.secrets),
                "error": None,
                "started_at": started,
                "finished_at": utcnow(),
            }
        )
        return output
    raise AssertionError("unreachable")  # pragma: no cover


def _execute(
    key: str, run_id: str, position: int, step: dict[str, Any], data: dict[str, Any], test: bool
) -> dict[str, Any]:
    """Run one checkpointed step (read, write, http) and record it; the step's outcome as
    `{"status", "output" | "error"}`.

    A step already recorded as done (its worker died after the commit, before the checkpoint)
    is not run again: its recorded output is returned.
    """
    container = _deployments[key].container
    row_key = _row_key(step, data)
    with container.uow(readonly=True) as uow:
        runs = RunRepository(uow.connection, None)
        done = runs.step(run_id, row_key)
        if done is not None and done.status == "succeeded":
            return {"status": "succeeded", "output": done.output}
        run = runs.get(run_id)
        assert run is not None
        ctx = _context(uow, key, run, test)
    if step["type"] in _SOURCE_STEPS and ctx.connection is not None:
        status = ctx.connection.status
        if status == ConnectionStatus.DISCONNECTED.value:
            return {"status": "stopped", "error": {"code": "CONNECTION_DISCONNECTED"}}
        if status == ConnectionStatus.AUTH_REQUIRED.value:
            return {"status": "paused"}
    row: dict[str, Any] = {
        "run_id": run_id,
        "step_id": row_key,
        "position": position,
        "attempts": (done.attempts if done is not None else 0) + 1,
        "input": _input_of(data, ctx.secrets),
        "started_at": utcnow(),
    }
    try:
        output = STEP_KINDS[step["type"]](ctx, step, data)
    except (IronbridgeError, ExpressionError) as exc:
        error = _error_of(exc)
        with container.uow() as uow:
            RunRepository(uow.connection, None).save_steps(
                [
                    {
                        **row,
                        "status": "failed",
                        "error": error,
                        "output": None,
                        "finished_at": utcnow(),
                    }
                ]
            )
            uow.commit()
        raise StepError(error) from exc
    with container.uow() as uow:
        RunRepository(uow.connection, None).save_steps(
            [
                {
                    **row,
                    "status": "succeeded",
                    "output": _redact(output, ctx.secrets),
                    "error": None,
                    "finished_at": utcnow(),
                }
            ]
        )
        uow.commit()
    return {"status": "succeeded", "output": output}


class StepError(Exception):
    """A step failed (after its recorded attempt); carries the error body."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", "step failed"))
        self.error = error


def _error_of(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, IronbridgeError):
        return {"code": exc.code, "message": exc.message, "details": exc.details}
    return {"code": "VALIDATION_FAILED", "message": str(exc), "details": {}}


def _redact(value: Any, secrets: dict[str, str]) -> Any:
    """`value` with every secret of the flow's settings replaced by `[redacted]`."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets.values():
            if secret:
                value = value.replace(secret, "[redacted]")
        return value
    if isinstance(value, dict):
        return {k: _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
    return value


def _record_step(key: str, run_id: str, position: int, step_id: str, given: Any) -> str:
    """Record a wait as running (a checkpoint: the wait's start is not moved by a replay);
    when it started."""
    container = _deployments[key].container
    with container.uow() as uow:
        runs = RunRepository(uow.connection, None)
        previous = runs.step(run_id, step_id)
        started = previous.started_at if previous else utcnow()
        runs.save_steps(
            [
                {
                    "run_id": run_id,
                    "step_id": step_id,
                    "position": position,
                    "status": "running",
                    "attempts": 1,
                    "input": given,
                    "output": None,
                    "error": None,
                    "started_at": started,
                    "finished_at": None,
                }
            ]
        )
        uow.commit()
    return started.isoformat()


def _start_error_flows(uow: Any, runs: RunRepository, run: RunRow) -> list[str]:
    """Runs of the account's error flows (trigger `run_failed`) for a failed run; never of
    the failed run's own flow, so an error flow that fails does not start itself again."""
    failed = next((s for s in reversed(runs.steps(run.id)) if s.status == "failed"), None)
    trigger = {
        "type": "run_failed",
        "flow_id": run.flow_id,
        "run_id": run.id,
        "step": failed.step_id if failed else None,
        "error": run.error,
        "input": failed.input if failed else None,
    }
    started = []
    for flow in FlowRepository(uow.connection, run.account_id).enabled_with_trigger(["run_failed"]):
        if flow.id == run.flow_id:
            continue
        new = new_run(
            uow,
            flow,
            connection_id=run.connection_id,
            trigger=trigger,
            trigger_key=f"failed:{run.id}",
        )
        if new:
            started.append(new)
    return started


def _set_status(key: str, run_id: str, status: str) -> None:
    container = _deployments[key].container
    with container.uow() as uow:
        RunRepository(uow.connection, None).change(run_id, {"status": status})
        uow.commit()


def _step_options(step: dict[str, Any]) -> dict[str, Any]:
    retries = int(step.get("retries", 0))
    if not retries:
        return {}
    return {
        "retries_allowed": True,
        "max_attempts": retries + 1,
        "interval_seconds": float(step.get("backoff_seconds", 1.0)),
        "backoff_rate": 2.0,
    }


def interpret(key: str, run_id: str, runner: Runner) -> str:
    """Run a flow's graph from its first step (or a retry's `from_step`); the final status."""
    plan, run = _load(key, run_id)
    steps: list[dict[str, Any]] = plan["definition"]["steps"]
    outputs: dict[str, Any] = dict(plan["resume"].get("outputs") or {})
    data: dict[str, Any] = {"trigger": plan["trigger"], "steps": outputs}
    ids = [step["id"] for step in steps]
    position = ids.index(plan["resume"]["from_step"]) if plan["resume"].get("from_step") else 0
    error: dict[str, Any] | None = None
    try:
        while position < len(steps):
            step = steps[position]
            jump = _run_step(run, runner, position, step, data)
            position = (
                ids.index(jump) if isinstance(jump, str) else position + 1 if jump else len(steps)
            )
    except _Stopped as stop:
        status, error = stop.status, {"code": "CONNECTION_DISCONNECTED", "message": stop.message}
    except StepError as failed:
        status, error = "failed", failed.error
    else:
        status = "succeeded"
    _commit(run, (status, error))
    return status


def _checkpointed(
    run: _Run, runner: Runner, name: str, position: int, step: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    """A read, write or http step as one DBOS step, after the rows waiting before it are
    committed; its outcome, or StepError once its retries are spent."""
    _commit(run)
    try:
        outcome: dict[str, Any] = runner.step(
            name, _step_options(step), _execute, run.key, run.run_id, position, step, data, run.test
        )
    except StepError:
        raise
    except Exception as exc:  # retries exhausted: DBOS wraps the step's last error
        if isinstance(exc.__cause__, StepError):
            raise exc.__cause__ from exc
        raise StepError({"code": "INTERNAL_ERROR", "message": str(exc), "details": {}}) from exc
    return outcome


def _run_step(
    run: _Run, runner: Runner, position: int, step: dict[str, Any], data: dict[str, Any]
) -> bool | str:
    """Run one step; True to go on, False to end the run, or the id of the step to go to."""
    kind = step["type"]
    if kind == "wait":
        given = {"seconds": step["seconds"]}
        _commit(run)
        started = runner.step(
            f"{step['id']}:start",
            {},
            _record_step,
            run.key,
            run.run_id,
            position,
            step["id"],
            given,
        )
        runner.sleep(float(step["seconds"]))
        run.rows.append(
            {
                "run_id": run.run_id,
                "step_id": step["id"],
                "position": position,
                "status": "succeeded",
                "attempts": 1,
                "input": given,
                "output": None,
                "error": None,
                "started_at": datetime.fromisoformat(started),
                "finished_at": utcnow(),
            }
        )
        return True
    if kind == "for_each":
        return _for_each(run, runner, position, step, data)
    while True:
        try:
            if kind in _CHECKPOINTED:
                outcome = _checkpointed(run, runner, step["id"], position, step, data)
            else:
                outcome = {
                    "status": "succeeded",
                    "output": _compute(run, runner, position, step, data),
                }
        except StepError as error:
            return _on_error(step, data, error)
        if outcome["status"] == "paused":
            _commit(run)
            runner.step(f"{step['id']}:pause", {}, _set_status, run.key, run.run_id, "paused")
            runner.wait_resume(PAUSE_POLL)
            runner.step(f"{step['id']}:resume", {}, _set_status, run.key, run.run_id, "running")
            continue
        if outcome["status"] == "stopped":
            raise _Stopped("cancelled", "The connection was disconnected; its flows stopped.")
        break
    output = outcome["output"]
    data["steps"][step["id"]] = output
    if kind == "condition" and not output["passed"]:
        return step.get("else") or False
    return True


def _on_error(step: dict[str, Any], data: dict[str, Any], failed: StepError) -> bool | str:
    choice = step.get("on_error", "stop")
    if choice == "stop":
        raise failed
    data["steps"][step["id"]] = {"error": failed.error}
    return True if choice == "continue" else str(choice)


def _for_each(
    run: _Run, runner: Runner, position: int, step: dict[str, Any], data: dict[str, Any]
) -> bool:
    items = evaluate_jmespath(step["items"], data)
    if not isinstance(items, list):
        raise StepError(
            {"code": "VALIDATION_FAILED", "message": "items is not a list", "details": {}}
        )
    items = items[:_FOR_EACH_MAX]
    results: list[Any] = [None] * len(items)
    started = utcnow()
    # Items run in chunks of `concurrency`; each item's checkpointed steps are checkpointed
    # one by one, in a deterministic order (the chunk's items in turn), so a replay meets the
    # same steps.
    size = int(step.get("concurrency", 1))
    for start in range(0, len(items), size):
        for index in range(start, min(start + size, len(items))):
            item_data = {
                **data,
                "item": items[index],
                "__item": index,
                "steps": dict(data["steps"]),
            }
            last: Any = None
            for inner in step["steps"]:
                if inner["type"] in _CHECKPOINTED:
                    name = f"{step['id']}[{index}].{inner['id']}"
                    last = _checkpointed(run, runner, name, position, inner, item_data).get(
                        "output"
                    )
                else:
                    last = _compute(run, runner, position, inner, item_data)
                item_data["steps"][inner["id"]] = last
                if inner["type"] == "condition" and not last["passed"]:
                    break
            results[index] = last
    data["steps"][step["id"]] = results
    run.rows.append(
        {
            "run_id": run.run_id,
            "step_id": step["id"],
            "position": position,
            "status": "succeeded",
            "attempts": 1,
            "input": {"items": len(items)},
            "output": results,
            "error": None,
            "started_at": started,
            "finished_at": utcnow(),
        }
    )
    return True


# --- the engine a worker holds ----------------------------------------------------------------
#: Runs a process works on at once from DBOS's queue (the rest wait there, in its
#: database): each holds store connections while a step runs, and a burst must not exhaust
#: the pools.
RUN_CONCURRENCY = 8
#: Runs a process starts at once without the queue, while it has room: they start at once
#: instead of at the queue's next poll (50 ms). Beside the queue's eight, within the store's
#: pools (5 + 10 connections).
DIRECT_RUNS = 4
_QUEUE = "ironbridge_flows"
_direct_lock = threading.Lock()
#: Runs started without the queue in this process, until their workflow ends.
_direct: set[str] = set()


@DBOS.workflow(name="ironbridge.flow_run")
def _flow_workflow(key: str, run_id: str) -> str:
    try:
        return interpret(key, run_id, DBOSRunner())
    finally:
        with _direct_lock:
            _direct.discard(run_id)


class FlowEngine:
    """Starts runs as durable workflows for one deployment, and runs tests in place."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.key = deployment_key(container)
        if self.key not in _deployments:
            _deployments[self.key] = Deployment(
                container=container,
                http=make_http_client(allow_private=container.settings.allow_private_urls),
            )
        _deployments[self.key].container = container

    def launch(self) -> None:
        """Start DBOS in this process (once), which recovers the runs a dead process left."""
        global _launched
        with _launch_lock:
            if _launched is not None:
                return
            config: DBOSConfig = {
                "name": "ironbridge",
                "system_database_url": _system_url(self.container),
                # Fixed, so a restart with new code recovers the runs a dead worker left;
                # changed only when the checkpoints a run makes change (2: one per read,
                # write, http, wait and pause, none for conditions, maps and emits).
                "application_version": "flows-2",
                "log_level": "WARNING",
                "notification_listener_polling_interval_sec": 0.1,
            }
            url = config["system_database_url"] or ""
            if url.startswith("sqlite"):
                # The store's SQLite settings (WAL, synchronous=NORMAL, busy timeout, an
                # owner-only file): DBOS's default commits with a full fsync each, five to ten
                # times slower, and loses nothing more on a process crash either way.
                config["system_database_engine"] = _sqlite_engine(url)
            DBOS(config=config)
            DBOS.launch()
            DBOS.register_queue(
                _QUEUE, worker_concurrency=RUN_CONCURRENCY, polling_interval_sec=0.05
            )
            _launched = self.key

    #: How committed runs reach a worker; a worker sets it to its queue task.
    enqueue: Callable[[str], None] | None = None

    def submit(self, run_ids: list[str]) -> None:
        """Hand committed runs to a worker (or start them here when no queue is set)."""
        for run_id in run_ids:
            if self.enqueue is not None:
                self.enqueue(run_id)
            else:
                self.start(run_id)

    def dispatch(self, event_ids: list[str] | None = None) -> int:
        """Start the runs that events start: the named ones, or those after the sweep's
        position (settled: older than a few seconds); how many runs were added."""
        with self.container.uow() as uow:
            if event_ids is not None:
                runs = dispatch_events(uow, event_ids)
            else:
                runs = dispatch_events(
                    uow, after=sweep_start(uow), before=utcnow() - timedelta(seconds=2)
                )
            uow.commit()
        self.submit(runs)
        return len(runs)

    def tick(self, now: datetime | None = None) -> dict[str, int]:
        """Due schedules, swept events, lost and paused runs, retention; what was done."""
        now = now or utcnow()
        with self.container.uow() as uow:
            scheduled = due_schedules(uow, now)
            purged = purge_runs(uow, now)
            uow.commit()
        self.submit(scheduled)
        swept = self.dispatch()
        with self.container.uow(readonly=True) as uow:
            runs = RunRepository(uow.connection, None).with_status(["queued", "paused"])
            live = {c.id: c.status for c in uow.connections.list_all_active()}
        lost = [
            r.id for r in runs if r.status == "queued" and r.created_at < now - timedelta(minutes=1)
        ]
        self.submit(lost)
        for run in runs:
            if run.status == "paused" and live.get(run.connection_id or "") == "active":
                self.resume(run.id)
        return {"scheduled": len(scheduled), "swept": swept, "resent": len(lost), "purged": purged}

    def start(self, run_id: str) -> None:
        """Start (or find already started) the durable workflow of a committed run: at once
        while this process has room for it, through the queue otherwise.

        Either way the workflow is written before it runs, so a worker that dies recovers it.
        A run already known to DBOS (re-sent by the tick) goes to the queue, which takes a
        workflow id once.
        """
        self.launch()
        with _direct_lock:
            direct = run_id not in _direct and len(_direct) < DIRECT_RUNS
            if direct:
                _direct.add(run_id)
        if direct and DBOS.get_workflow_status(run_id) is None:
            with SetWorkflowID(run_id):
                DBOS.start_workflow(_flow_workflow, self.key, run_id)
            return
        if direct:
            with _direct_lock:
                _direct.discard(run_id)
        with SetWorkflowID(run_id):
            DBOS.enqueue_workflow(_QUEUE, _flow_workflow, self.key, run_id)

    def test_step(
        self,
        flow: Any,
        step_id: str,
        data: dict[str, Any],
        connection: Any,
    ) -> dict[str, Any]:
        """One step of `flow` on `data`, in test mode (writes dry-run, nothing emitted)."""
        steps = {s["id"]: s for s in flow.definition["steps"]}
        step = steps[step_id]
        if step["type"] not in STEP_KINDS:
            return {"output": {"skipped": f"{step['type']} steps are not run alone"}, "error": None}
        ctx = StepContext(
            uow=self.container.uow,
            registry=self.container.registry,
            cipher=self.container.cipher,
            options=self.container.session_options,
            breakers=self.container.breakers,
            http=_deployments[self.key].http,
            run_id="test",
            account_id=flow.account_id,
            flow_id=flow.id,
            connection=connection,
            secrets={},
            allowed_hosts=list(flow.settings.get("allowed_hosts") or []),
            test=True,
        )
        try:
            output = STEP_KINDS[step["type"]](ctx, step, data)
        except (IronbridgeError, ExpressionError) as exc:
            return {"output": None, "error": _error_of(exc)}
        return {"output": output, "error": None}

    def run_inline(self, run_id: str) -> str:
        """Run a test run in place, to its end."""
        return interpret(self.key, run_id, InlineRunner())

    def resume(self, run_id: str) -> None:
        """Wake a paused run to look at its connection again."""
        self.launch()
        DBOS.send(run_id, "resume", topic="resume")

    def wait(self, run_id: str, timeout: float = 30.0) -> str | None:
        """The run's status once it has finished, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.container.uow(readonly=True) as uow:
                run = RunRepository(uow.connection, None).get(run_id)
            if run is not None and run.finished_at is not None:
                return run.status
            time.sleep(0.02)
        return None
