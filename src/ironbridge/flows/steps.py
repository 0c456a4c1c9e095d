"""What each kind of step does, one function per kind, looked up in `STEP_KINDS`.

A step function takes the run's `StepContext`, the step's definition and the run's data
(`trigger`, `steps`, `connection`, and `item` inside a for-each) and returns the step's output
(JSON). It raises `IronbridgeError` or `ExpressionError` to fail. Effects are made safe to
repeat here, since a step whose worker died before its checkpoint runs again:

- writes carry an idempotency key of the run and step (a repeat replays the stored answer);
- emits are recorded in the transaction that marks the step done (see `engine`);
- HTTP requests carry `Idempotency-Key: <run>:<step>` for the receiving API to honour.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..accounts import Principal
from ..connectors import ConnectorRegistry, SessionOptions
from ..errors import IronbridgeError, UpstreamError, ValidationFailed
from ..health import BreakerBoard
from ..idempotency import request_fingerprint, run_idempotent
from ..model import Entity
from ..security import CredentialCipher, TokenKind
from ..store import ConnectionRow, UnitOfWork, UnitOfWorkFactory
from ..unified import ListParams, get_record, list_records
from ..unified.writes import WriteContext, adjust_inventory, create, delete, update
from .expressions import evaluate_cel, evaluate_jmespath

__all__ = ["STEP_KINDS", "StepContext", "StepFailed"]


class StepFailed(IronbridgeError):
    """A step that cannot succeed with this input (a condition that is no boolean, a host the
    flow does not allow)."""

    status = 400
    code = "VALIDATION_FAILED"
    type = "invalid_request_error"


@dataclass(frozen=True, slots=True)
class StepContext:
    """What steps reach: the store, connectors, the run's connection and settings."""

    uow: UnitOfWorkFactory
    registry: ConnectorRegistry
    cipher: CredentialCipher
    options: SessionOptions
    breakers: BreakerBoard
    http: httpx.Client
    run_id: str
    account_id: str
    flow_id: str
    connection: ConnectionRow | None
    secrets: dict[str, str]
    allowed_hosts: list[str]
    #: Test mode: writes are dry runs, emitted events are marked `test`.
    test: bool
    #: Called inside the transaction that finishes an emit step (records the step as done).
    on_emitted: Callable[[UnitOfWork, Any], None] | None = None

    def need_connection(self) -> ConnectionRow:
        if self.connection is None:
            raise StepFailed("This step needs a connection; the run has none.")
        return self.connection


def _condition(ctx: StepContext, step: dict[str, Any], data: dict[str, Any]) -> Any:
    value = evaluate_cel(step["expression"], data, budget=min(step["timeout_seconds"], 5.0))
    if not isinstance(value, bool):
        raise StepFailed(f"The condition gave {type(value).__name__}, not a boolean.")
    return {"passed": value}


def _map(ctx: StepContext, step: dict[str, Any], data: dict[str, Any]) -> Any:
    return evaluate_jmespath(step["expression"], data)


def _principal(connection: ConnectionRow) -> Principal:
    return Principal(
        account_id=connection.account_id,
        credential_id="flow",
        kind=TokenKind.CONNECTION,
        connection_id=connection.id,
        rate_limit_per_minute=None,
        connection_system=connection.system,
        connection_availability=connection.availability,
    )


def _read(ctx: StepContext, step: dict[str, Any], data: dict[str, Any]) -> Any:
    connection = ctx.need_connection()
    entity = Entity(step["entity"])
    principal = _principal(connection)
    with ctx.uow(readonly=True) as uow:
        if step.get("record_id"):
            record_id = evaluate_jmespath(step["record_id"], data)
            if not isinstance(record_id, str):
                raise StepFailed("record_id did not give a string.")
            return json.loads(get_record(uow, principal, entity, record_id))
        page = list_records(
            uow,
            principal,
            entity,
            ListParams(limit=step.get("limit", 100), filters=dict(step.get("filters") or {})),
        )
    return json.loads(page)


def _step_key(step: dict[str, Any], data: dict[str, Any]) -> str:
    """The step's name in its run; a for-each item's steps carry the item's index."""
    return f"{step['id']}[{data['__item']}]" if "__item" in data else str(step["id"])


def _write(ctx: StepContext, step: dict[str, Any], data: dict[str, Any]) -> Any:
    connection = ctx.need_connection()
    entity = Entity(step["entity"])
    operation = step["operation"]
    record_id = evaluate_jmespath(step["record_id"], data) if step.get("record_id") else None
    body = evaluate_jmespath(step["body"], data) if step.get("body") else None
    if operation != "create" and not isinstance(record_id, str):
        raise StepFailed("record_id did not give a string.")
    if ctx.test:
        return {"dry_run": True, "operation": operation, "record_id": record_id, "body": body}
    key = f"flow:{ctx.run_id}:{_step_key(step, data)}"
    wctx = WriteContext(
        uow=ctx.uow,
        registry=ctx.registry,
        cipher=ctx.cipher,
        # The step's timeout bounds each request the connector makes for it: a source that
        # stops answering fails the attempt (UPSTREAM_TIMEOUT, retried as configured) instead
        # of holding the run for the connector's own, longer timeout.
        options=replace(ctx.options, timeout=min(ctx.options.timeout, step["timeout_seconds"])),
        connection=connection,
        breakers=ctx.breakers,
        idempotency_key=key,
    )

    def action() -> tuple[int, str]:
        if operation == "create":
            result = create(wctx, entity, body)
        elif operation == "update":
            result = update(wctx, entity, str(record_id), body)
        elif operation == "delete":
            result = delete(wctx, entity, str(record_id))
        else:
            result = adjust_inventory(wctx, str(record_id), body)
        return 200, json.dumps(result, default=str)

    fingerprint = request_fingerprint(operation, f"flow/{entity.value}/{record_id}", body)
    stored = run_idempotent(ctx.uow, f"connection:{connection.id}", key, fingerprint, action)
    return json.loads(stored.body)


def _emit(ctx: StepContext, step: dict[str, Any], data: dict[str, Any]) -> Any:
    payload = evaluate_jmespath(step["data"], data) if step.get("data") else data["trigger"]
    return {
        "type": f"flow.{step['name']}",
        "data": {
            "flow_id": ctx.flow_id,
            "run_id": ctx.run_id,
            "test": ctx.test,
            "payload": payload,
        },
    }


def _host_allowed(url: str, allowed: list[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == entry.lower() or host.endswith("." + entry.lower()) for entry in allowed)


def _with_secrets(value: str, secrets: dict[str, str]) -> str:
    for name, secret in secrets.items():
        value = value.replace("{{secrets." + name + "}}", secret)
    return value


def _http(ctx: StepContext, step: dict[str, Any], data: dict[str, Any]) -> Any:
    url = step["url"]
    if not _host_allowed(url, ctx.allowed_hosts):
        raise StepFailed(
            f"{urlsplit(url).hostname} is not among the flow's allowed hosts.",
            details={"allowed_hosts": ctx.allowed_hosts},
        )
    headers = {name: _with_secrets(value, ctx.secrets) for name, value in step["headers"].items()}
    headers.setdefault("Idempotency-Key", f"{ctx.run_id}:{_step_key(step, data)}")
    body = evaluate_jmespath(step["body"], data) if step.get("body") else None
    try:
        response = ctx.http.request(
            step["method"],
            url,
            headers=headers,
            json=body,
            timeout=step["timeout_seconds"],
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        raise UpstreamError(f"The request failed: {type(exc).__name__}.") from exc
    try:
        parsed: Any = response.json()
    except ValueError:
        parsed = response.text[:10_000]
    if response.status_code >= 400:
        raise UpstreamError(
            f"The API answered {response.status_code}.",
            details={"status": response.status_code},
        )
    return {"status": response.status_code, "body": parsed}


#: Kinds of step run by the engine through these functions (`wait`, `for_each` and the
#: control flow of `condition` are the engine's own).
STEP_KINDS: dict[str, Callable[[StepContext, dict[str, Any], dict[str, Any]], Any]] = {
    "condition": _condition,
    "map": _map,
    "read": _read,
    "write": _write,
    "emit": _emit,
    "http": _http,
}


def validate_step_input(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed({"input": "must be an object"})
    return value
