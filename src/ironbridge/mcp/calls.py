"""Carrying out a tool call for one connection: the same services the REST routes call, with
the same idempotency store.

Calls are synchronous (the services are); the server runs each in a worker thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from .. import sync, unified
from ..accounts import Principal
from ..bootstrap import Container
from ..connections import load_connection
from ..errors import IronbridgeError, ValidationFailed
from ..idempotency import request_fingerprint, run_idempotent
from .arguments import ControlArgs, GetArgs, ListArgs, NoArgs, parse_args
from .catalog import WRITE_TOOLS, WriteTool
from .describe import describe_connection

__all__ = ["Outcome", "ReplayedError", "ToolCalls", "UnknownTool", "error_of"]

_WRITES: Final = {tool.name: tool for tool in WRITE_TOOLS}


@dataclass(frozen=True, slots=True)
class Outcome:
    """A tool's answer as compact JSON text; `replayed` when an idempotency key repeated."""

    text: str
    replayed: bool = False


class UnknownTool(Exception):
    """A call names no tool of ours: the caller's mistake about the protocol, not a tool's
    failure, so the server answers it as a JSON-RPC error rather than a tool result."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Unknown tool: {name[:100]}")
        self.name = name[:100]


class ReplayedError(Exception):
    """A write refused the first time, answered again from the idempotency store."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.error = error


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


class ToolCalls:
    """The tools of the connection `principal` (a connection token) is bound to."""

    def __init__(self, container: Container, principal: Principal, request_id: str) -> None:
        assert principal.connection_id is not None  # connection tokens always name one
        self.container = container
        self.principal = principal
        self.connection_id: str = principal.connection_id
        self.request_id = request_id

    def call(self, name: str, arguments: dict[str, Any]) -> Outcome:
        """Run tool `name`. Raises `UnknownTool` for a name no tool has, the error taxonomy for
        a call that fails, and `ReplayedError` for a refused write repeated with its
        idempotency key."""
        if name in _WRITES:
            return self._write(_WRITES[name], arguments)
        reads: dict[str, Callable[[dict[str, Any]], str]] = {
            "describe_connection": self._describe_connection,
            "list_records": self._list_records,
            "get_record": self._get_record,
            "sync_status": self._sync_status,
        }
        read = reads.get(name)
        if read is None:
            raise UnknownTool(name)
        return Outcome(read(arguments))

    # -- reads ---------------------------------------------------------------------------

    def _describe_connection(self, arguments: dict[str, Any]) -> str:
        parse_args(NoArgs, arguments)
        return _compact(describe_connection(self.container, self.principal))

    def _sync_status(self, arguments: dict[str, Any]) -> str:
        parse_args(NoArgs, arguments)
        statuses = sync.status_of(
            self.container.uow,
            self.container.registry,
            self.principal.account_id,
            self.connection_id,
        )
        return _compact({"data": [s.model_dump(mode="json") for s in statuses]})

    def _list_records(self, arguments: dict[str, Any]) -> str:
        args = parse_args(ListArgs, arguments)
        params = unified.ListParams(
            limit=args.limit,
            cursor=args.cursor,
            modified_after=args.aware(args.modified_after),
            modified_before=args.aware(args.modified_before),
            include_deleted=args.include_deleted,
            filters=dict(args.filters),
            expand=args.expand,
        )
        with self.container.uow(readonly=True) as uow:
            page = unified.list_records(uow, self.principal, args.entity, params)
        return page.decode()

    def _get_record(self, arguments: dict[str, Any]) -> str:
        args = parse_args(GetArgs, arguments)
        with self.container.uow(readonly=True) as uow:
            record = unified.get_record(
                uow, self.principal, args.entity, args.record_id, expand=args.expand
            )
        return record.decode()

    # -- writes --------------------------------------------------------------------------

    def _write(self, tool: WriteTool, arguments: dict[str, Any]) -> Outcome:
        control, payload = _split(tool, arguments)
        record_id: str | None = getattr(control, "record_id", None)

        def perform(dry_run: bool) -> dict[str, Any]:
            with self.container.uow(readonly=True) as uow:
                connection = load_connection(uow, self.principal.account_id, self.connection_id)
            ctx = unified.WriteContext(
                uow=self.container.uow,
                registry=self.container.registry,
                cipher=self.container.cipher,
                options=self.container.session_options,
                connection=connection,
                breakers=self.container.breakers,
                idempotency_key=control.idempotency_key,
            )
            entity = tool.entity
            if tool.operation == "create":
                return unified.create(ctx, entity, payload, dry_run=dry_run)
            assert record_id is not None
            if tool.operation == "update":
                return unified.update(ctx, entity, record_id, payload, dry_run=dry_run)
            if tool.operation == "delete":
                return unified.delete(ctx, entity, record_id, dry_run=dry_run)
            return unified.adjust_inventory(ctx, record_id, payload, dry_run=dry_run)

        if control.dry_run:
            # Nothing is written, so nothing is kept under the key: the real call may follow.
            return Outcome(_compact(perform(True)))
        method, path, status = tool.route(record_id)
        stored = run_idempotent(
            self.container.uow,
            f"conn:{self.connection_id}",
            control.idempotency_key,
            request_fingerprint(method, path, payload),
            lambda: (status, _compact(perform(False))),
        )
        if stored.status_code >= 400:
            error: dict[str, Any] = json.loads(stored.body)["error"]
            error["request_id"] = self.request_id
            raise ReplayedError(error)
        return Outcome(stored.body, replayed=stored.replayed)


def _split(tool: WriteTool, arguments: dict[str, Any]) -> tuple[ControlArgs, Any]:
    """The control arguments and the write body (as the REST route dumps its body, so both
    fingerprint a write alike); every bad argument of either named in one error."""
    names = set(tool.control.model_fields)
    problems: dict[str, str] = {}
    control: ControlArgs | None = None
    payload: Any = None
    try:
        control = parse_args(tool.control, {k: v for k, v in arguments.items() if k in names})
    except ValidationFailed as exc:
        problems |= exc.fields
    rest = {k: v for k, v in arguments.items() if k not in names}
    if tool.body is None:
        problems |= {name[:100]: "unknown argument" for name in sorted(rest)}
    else:
        try:
            payload = parse_args(tool.body, rest).model_dump(mode="json", exclude_unset=True)
        except ValidationFailed as exc:
            problems |= exc.fields
    if problems or control is None:
        raise ValidationFailed(problems)
    return control, payload


def error_of(exc: Exception, request_id: str) -> dict[str, Any]:
    """The error contract's `error` object for `exc`; an unexpected failure is an internal
    error, told without its details."""
    if isinstance(exc, ReplayedError):
        return exc.error
    if isinstance(exc, IronbridgeError):
        error = exc.to_dict(request_id)
        if exc.retry_after is not None:
            # Over HTTP this is the `Retry-After` header; a tool result has only its body.
            error["details"] = {**error["details"], "retry_after": exc.retry_after}
        return error
    return IronbridgeError().to_dict(request_id)
