"""Use cases of connections: connect, read, change, disconnect."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from ..accounts import IssuedToken, issue_token
from ..connectors import CheckResult, Connector, ConnectorRegistry, SessionOptions, judged
from ..errors import (
    Conflict,
    ConnectionDisconnected,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from ..events import record_event
from ..ids import new_id
from ..model import Entity, field_errors
from ..security import CredentialCipher, TokenKind
from ..store import (
    ConnectionRow,
    UnitOfWork,
    UnitOfWorkFactory,
    decode_keyset,
    encode_keyset,
    utcnow,
)
from ..store.locks import is_locked, sync_lock_name
from ..store.records import erase_synced_history
from .availability import availability_record, validate_required
from .status import ConnectionStatus, StatusReason, change_status
from .views import (
    STORED,
    ConnectionCreate,
    ConnectionPatch,
    ConnectionSettings,
    ConnectionView,
    merge_metadata,
)

__all__ = [
    "check_credentials",
    "check_new_connection",
    "connect",
    "create_connection",
    "delete_connection_data",
    "disconnect",
    "get_connection",
    "health_checks",
    "issue_connection_token",
    "list_connections",
    "load_connection",
    "update_connection",
]

_SETTINGS_FIELDS = ("sync_schedule", "history_days", "entities", "field_mappings")


def check_credentials(
    connector: Connector,
    credentials: Mapping[str, str],
    options: SessionOptions,
    *,
    required: Sequence[Entity] | None = None,
    wanted: Sequence[Entity] | None = None,
) -> list[CheckResult]:
    """Run the connector's staged check; raise ConnectionCheckFailed at the first failing stage.

    The `permissions` stage fails only when an entity of `required` is unavailable, or (none
    required) when every entity of `wanted` (default: all the connector reads) is. Returns the
    stage results (for the connection's health and availability).
    """
    try:
        credentials = connector.validate_credentials(credentials)
    except ValidationFailed as exc:
        raise ValidationFailed({f"credentials.{k}": v for k, v in exc.fields.items()}) from exc
    results: list[CheckResult] = []
    with connector.session(credentials, options=options) as session:
        for result in judged(session.check(), connector.spec, required=required, wanted=wanted):
            results.append(result)
            if not result.ok:
                raise result.to_error()
    return results


def health_checks(results: Sequence[CheckResult]) -> list[dict[str, Any]]:
    """Stage results as the connection's `health.checks` keeps them."""
    return [{"stage": str(r.stage), "ok": r.ok, "message": r.message} for r in results]


def connect(
    uow: UnitOfWork,
    cipher: CredentialCipher,
    registry: ConnectorRegistry,
    account_id: str,
    body: ConnectionCreate,
    *,
    options: SessionOptions,
    via: str | None = "api",
) -> tuple[ConnectionView, IssuedToken]:
    """Check the credentials against the source, then store the connection and issue its token
    (`check_new_connection`, then `create_connection`; commits).

    `connection.created` is recorded with `via` saying how it was made; None leaves the
    announcement to the caller.
    """
    connector, required, stages = check_new_connection(registry, body, options=options)
    return create_connection(
        uow, cipher, connector, account_id, body, stages, required=required, via=via
    )


def check_new_connection(
    registry: ConnectorRegistry, body: ConnectionCreate, *, options: SessionOptions
) -> tuple[Connector, Sequence[Entity] | None, list[CheckResult]]:
    """The connector a new connection asks for, the entities it must keep, and the results of
    its staged check (`check_credentials`), which talks to the source and needs no database."""
    try:
        connector = registry.get(body.system)
    except NotFound as exc:
        raise ValidationFailed({"system": f"unknown connector {body.system!r}"}) from exc
    wanted = body.settings.entities
    required = validate_required(connector.spec, body.required_entities, wanted)
    stages = check_credentials(
        connector, body.credentials, options, required=required, wanted=wanted
    )
    return connector, required, stages


def create_connection(
    uow: UnitOfWork,
    cipher: CredentialCipher,
    connector: Connector,
    account_id: str,
    body: ConnectionCreate,
    stages: Sequence[CheckResult],
    *,
    required: Sequence[Entity] | None,
    via: str | None = "api",
) -> tuple[ConnectionView, IssuedToken]:
    """Store a connection whose credentials passed the staged check `stages`, and issue its
    token (commits, also whatever else the caller did in `uow`).

    The check's results become the connection's health and availability; `required` are the
    entities it must keep (already validated against the connector). `connection.created` is
    recorded with `via`; None leaves the announcement to the caller.
    """
    settings = body.settings
    if "history_days" not in settings.model_fields_set:
        settings = settings.model_copy(update={"history_days": connector.spec.default_history_days})
    now = utcnow()
    row = ConnectionRow(
        id=new_id("conn"),
        account_id=account_id,
        system=body.system,
        end_customer_id=body.end_customer_id,
        end_customer_name=body.end_customer_name,
        status=ConnectionStatus.ACTIVE.value,
        credentials_ciphertext=cipher.encrypt(body.credentials),
        settings=settings.model_dump(mode="json"),
        enabled_event_types=body.enabled_event_types,
        metadata=body.metadata,
        health={"checks": health_checks(stages), "consecutive_failures": 0, "last_error": None},
        last_checked_at=now,
        created_at=now,
        updated_at=now,
        disconnected_at=None,
        availability=availability_record(stages, connector.spec),
        required_entities=None if required is None else [e.value for e in required],
    )
    uow.connections.add(row)
    issued = issue_token(uow, TokenKind.CONNECTION, account_id, connection_id=row.id)
    view = ConnectionView.from_row(row)
    if via is not None:
        record_event(
            uow,
            account_id=account_id,
            connection_id=row.id,
            type="connection.created",
            data={
                "system": view.system,
                "status": view.status.value,
                "end_customer_id": view.end_customer_id,
                "end_customer_name": view.end_customer_name,
                "metadata": view.metadata,
                "via": via,
            },
        )
    uow.commit()
    return view, issued


def load_connection(
    uow: UnitOfWork, account_id: str, connection_id: str, *, lock: bool = False
) -> ConnectionRow:
    """The account's connection, or 403 if it belongs to another account, or 404; `lock`
    holds its row until the unit of work ends."""
    row = uow.connections.get(account_id, connection_id, lock=lock)
    if row is not None:
        return row
    if uow.connections.owner_of(connection_id) is not None:
        raise PermissionDenied(f"Connection {connection_id} belongs to another account.")
    raise NotFound(f"No connection {connection_id}.")


def get_connection(uow: UnitOfWork, account_id: str, connection_id: str) -> ConnectionView:
    return ConnectionView.from_row(load_connection(uow, account_id, connection_id))


def list_connections(
    uow: UnitOfWork,
    account_id: str,
    *,
    status: ConnectionStatus | None = None,
    system: str | None = None,
    end_customer_id: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[ConnectionView], str | None]:
    """One page of the account's connections, oldest first, and the cursor of the next."""
    after: tuple[datetime, str] | None = None
    if cursor:
        after = decode_keyset(cursor)
    rows = uow.connections.list(
        account_id,
        filters={
            "status": status.value if status else None,
            "system": system,
            "end_customer_id": end_customer_id,
        },
        after=after,
        limit=limit + 1,
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_keyset(rows[-1].created_at, rows[-1].id)
    return [ConnectionView.from_row(r) for r in rows], next_cursor


def update_connection(
    uow: UnitOfWork, account_id: str, connection_id: str, patch: ConnectionPatch
) -> ConnectionView:
    """Apply a PATCH; settings are validated as a whole so a partial change stays consistent,
    and metadata keys merge into the stored ones (a key set to null is removed).

    The row is locked while it is read and rewritten, so concurrent PATCHes of different keys
    all take effect."""
    row = load_connection(uow, account_id, connection_id, lock=True)
    given = patch.model_dump(exclude_unset=True)
    values: dict[str, Any] = {}
    settings_changes = {k: given[k] for k in _SETTINGS_FIELDS if k in given}
    if settings_changes:
        merged = {**row.settings, **patch.model_dump(include=set(settings_changes), mode="json")}
        try:
            kept = set(row.settings) - set(settings_changes)
            values["settings"] = ConnectionSettings.model_validate(
                merged, context={STORED: kept}
            ).model_dump(mode="json")
        except ValidationError as exc:
            raise ValidationFailed(field_errors(exc)) from exc
        chosen = values["settings"].get("entities")
        dropped = [e for e in row.required_entities or () if chosen and e not in chosen]
        if dropped:
            raise ValidationFailed(
                {"entities": f"Must keep the connection's required entities: {', '.join(dropped)}."}
            )
    for name in ("end_customer_name", "enabled_event_types"):
        if name in given and given[name] is not None:
            values[name] = given[name]
    if patch.metadata is not None:
        try:
            values["metadata"] = merge_metadata(row.metadata, patch.metadata)
        except ValueError as exc:
            raise ValidationFailed({"metadata": str(exc)}) from exc
    if values:
        values["updated_at"] = utcnow()
        uow.connections.update(account_id, connection_id, **values)
        uow.commit()
    return get_connection(uow, account_id, connection_id)


def disconnect(uow: UnitOfWork, account_id: str, connection_id: str) -> ConnectionView:
    """Revoke the connection's tokens now and mark it disconnected; its data is kept."""
    row = load_connection(uow, account_id, connection_id)
    if row.status != ConnectionStatus.DISCONNECTED.value:
        now = utcnow()
        moved = change_status(
            uow,
            connection_id,
            ConnectionStatus.DISCONNECTED,
            reason=StatusReason.DISCONNECTED,
            leave_syncing=False,
            now=now,
        )
        if moved is not None:
            uow.credentials.revoke_for_connection(connection_id, TokenKind.CONNECTION.value, now)
        uow.commit()
    return get_connection(uow, account_id, connection_id)


def delete_connection_data(uows: UnitOfWorkFactory, account_id: str, connection_id: str) -> int:
    """Erase a disconnected connection's synced history (commits); returns the records deleted.

    Deletes its records, sync states and runs, and error log; the connection itself and its
    events stay. Refused with `Conflict` while the connection is not disconnected (its data
    would be synced straight back), and while a sync that started before the disconnect is
    still committing pages (`retry_after` says when to try again).

    Takes a unit-of-work factory: the sync lock is read on a database connection of its own,
    before the deleting transaction begins (on SQLite it would otherwise wait behind it).
    """
    syncing = is_locked(uows.engine, sync_lock_name(connection_id))
    with uows() as uow:
        row = load_connection(uow, account_id, connection_id)
        if row.status != ConnectionStatus.DISCONNECTED.value:
            raise Conflict(
                f"Connection {connection_id} is {row.status}; its data can be deleted only "
                f"after it is disconnected (POST /v1/connections/{connection_id}/disconnect).",
                details={"status": row.status},
            )
        if syncing:
            raise Conflict(
                f"A sync of connection {connection_id} that started before it was disconnected "
                "is still finishing; try again in a minute.",
                retry_after=60,
            )
        deleted = erase_synced_history(uow.connection, connection_id)
        uow.commit()
    return deleted


def issue_connection_token(uow: UnitOfWork, account_id: str, connection_id: str) -> IssuedToken:
    """An additional token for a live connection (commits)."""
    row = load_connection(uow, account_id, connection_id)
    if row.status == ConnectionStatus.DISCONNECTED.value:
        raise ConnectionDisconnected("A disconnected connection gets no new tokens.")
    issued = issue_token(uow, TokenKind.CONNECTION, account_id, connection_id=connection_id)
    uow.commit()
    return issued
