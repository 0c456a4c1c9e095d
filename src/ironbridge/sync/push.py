"""Push: subscriptions at sources that send change notifications, and the notifications.

Polling stays on whatever happens here; push only makes changes arrive sooner. A connection
whose connector pushes (`Connector.push`) gets one subscription per synced entity the source
can push, when this deployment's public URL is set: the source calls
`<public URL>/v1/push/<connection id>` back to validate it (`handshake_answer`), then POSTs
its notifications there (`accept_notification`), each authenticated by the subscription's
client state (random, kept as a digest). The schedule's tick renews subscriptions a day before
they expire, re-creates those the source dropped, and tries refused ones again hourly
(`push_due`, `maintain_push`); disconnecting removes them at the source (`stop_push`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from ..connections.status import ConnectionStatus
from ..connectors import (
    ConnectorRegistry,
    PushSubscription,
    PushSubscriptions,
    SessionOptions,
)
from ..errors import IronbridgeError, NotFound, PermissionDenied
from ..logs import get_logger
from ..model import Entity
from ..security import CredentialCipher, hash_token, tokens_equal
from ..store import ConnectionRow, UnitOfWorkFactory, utcnow
from ..store.push import FAILED, LIVE, PushRepository, PushRow
from .service import synced_entities

__all__ = [
    "RENEW_BEFORE",
    "RETRY_AFTER",
    "PushContext",
    "accept_notification",
    "handshake_answer",
    "maintain_push",
    "notification_url",
    "push_due",
    "pushed_entities",
    "stop_push",
]

_log = get_logger("ironbridge.push")

#: A subscription is renewed once it expires within this (Business Central's last three days).
RENEW_BEFORE: Final = timedelta(days=1)
#: A subscription the source refused (or failed to renew) is asked for again after this.
RETRY_AFTER: Final = timedelta(hours=1)


@dataclass(frozen=True)
class PushContext:
    """What push maintenance needs; `public_url` is read when called (None: no push)."""

    uow: UnitOfWorkFactory
    registry: ConnectorRegistry
    cipher: CredentialCipher
    options: SessionOptions
    public_url: Callable[[], str | None]


def notification_url(public_url: str, connection_id: str) -> str:
    """Where the source sends a connection's notifications."""
    return f"{public_url.rstrip('/')}/v1/push/{connection_id}"


def pushed_entities(connection: ConnectionRow, registry: ConnectorRegistry) -> list[Entity]:
    """The connection's synced entities its source can push (none for a polled source)."""
    if connection.system not in registry:
        return []
    push = registry.get(connection.system).push
    if push is None:
        return []
    return [e for e in synced_entities(connection, registry) if e in push.entities]


def _due(row: PushRow | None, now: datetime) -> bool:
    if row is None:
        return True
    if row.error is not None and row.attempted_at > now - RETRY_AFTER:
        return False
    return row.status != LIVE or row.expires_at is None or row.expires_at - now <= RENEW_BEFORE


def push_due(
    uows: UnitOfWorkFactory,
    registry: ConnectorRegistry,
    connection: ConnectionRow,
    public_url: str | None,
    now: datetime,
) -> bool:
    """Whether the connection's subscriptions need the source now (reads the store only)."""
    if connection.system not in registry or registry.get(connection.system).push is None:
        return False  # a polled source has no subscriptions: no read at every tick
    wanted = pushed_entities(connection, registry) if public_url else []
    with uows(readonly=True) as uow:
        rows = {r.entity: r for r in PushRepository(uow.connection, connection.id).list()}
    if set(rows) - {e.value for e in wanted}:
        return True
    return any(_due(rows.get(e.value), now) for e in wanted)


def _subscription(row: PushRow) -> PushSubscription:
    assert row.remote_id is not None and row.expires_at is not None
    return PushSubscription(Entity(row.entity), row.remote_id, row.expires_at, row.etag)


def _store(ctx: PushContext, connection_id: str, entity: Entity, **values: object) -> None:
    # One short write per subscription: the source's handshake must never wait on a lock.
    with ctx.uow() as uow:
        PushRepository(uow.connection, connection_id).put(entity.value, **values)
        uow.commit()


def _keep(
    ctx: PushContext,
    session: PushSubscriptions,
    connection_id: str,
    entity: Entity,
    row: PushRow | None,
    url: str,
    now: datetime,
) -> None:
    """Renew the entity's subscription, or create one (none yet, or the source dropped it);
    a refusal is kept with its reason."""
    live = row if row is not None and row.status == LIVE and row.remote_id else None
    try:
        if live is not None:
            try:
                renewed = session.renew(_subscription(live), url)
            except NotFound:
                _log.info("push_subscription_gone", connection_id=connection_id, entity=entity)
                live = None
            else:
                _live(ctx, connection_id, renewed, live.client_state_hash, now)
                return
        client_state = secrets.token_urlsafe(32)
        created = session.subscribe(entity, url, client_state)
        _live(ctx, connection_id, created, hash_token(client_state), now)
    except IronbridgeError as exc:
        _log.warning("push_subscription_refused", connection_id=connection_id, code=exc.code)
        # A live subscription that could not be renewed stays live until it expires.
        _store(
            ctx,
            connection_id,
            entity,
            status=LIVE if live else FAILED,
            remote_id=live.remote_id if live else None,
            etag=live.etag if live else None,
            expires_at=live.expires_at if live else None,
            client_state_hash=live.client_state_hash if live else None,
            error=exc.message,
            attempted_at=now,
        )


def _live(
    ctx: PushContext,
    connection_id: str,
    subscription: PushSubscription,
    client_state_hash: str | None,
    now: datetime,
) -> None:
    _store(
        ctx,
        connection_id,
        subscription.entity,
        status=LIVE,
        remote_id=subscription.remote_id,
        etag=subscription.etag,
        expires_at=subscription.expires_at,
        client_state_hash=client_state_hash,
        error=None,
        attempted_at=now,
    )


def maintain_push(ctx: PushContext, connection_id: str, now: datetime | None = None) -> int:
    """Create, renew or re-create the connection's due subscriptions and remove those of
    entities it no longer syncs; returns how many are live afterwards.

    A source that refuses (the public URL unreachable, the entity not pushable) leaves the
    entity polled, with the reason kept for the connection's `push` view.
    """
    now = now or utcnow()
    public_url = ctx.public_url()
    with ctx.uow(readonly=True) as uow:
        connection = uow.connections.get_for_token(connection_id)
        rows = {r.entity: r for r in PushRepository(uow.connection, connection_id).list()}
    if connection is None or connection.status == ConnectionStatus.DISCONNECTED.value:
        return 0
    wanted = pushed_entities(connection, ctx.registry) if public_url else []
    if not wanted and not rows:
        return 0
    connector = ctx.registry.get(connection.system)
    credentials = ctx.cipher.decrypt(connection.credentials_ciphertext)
    with connector.session(credentials, options=ctx.options) as session:
        if not isinstance(session, PushSubscriptions):
            return 0
        for entity in wanted:
            row = rows.get(entity.value)
            if public_url is not None and _due(row, now):
                url = notification_url(public_url, connection_id)
                _keep(ctx, session, connection_id, entity, row, url, now)
        _drop(
            ctx,
            session,
            connection_id,
            [r for e, r in rows.items() if e not in {w.value for w in wanted}],
        )
    with ctx.uow(readonly=True) as uow:
        kept = PushRepository(uow.connection, connection_id).list()
    return sum(1 for r in kept if r.status == LIVE)


def _drop(
    ctx: PushContext, session: PushSubscriptions, connection_id: str, rows: Sequence[PushRow]
) -> None:
    for row in rows:
        if row.status == LIVE and row.remote_id and row.expires_at:
            try:
                session.unsubscribe(_subscription(row))
            except IronbridgeError as exc:
                # It expires on its own; its notifications are refused meanwhile.
                _log.warning(
                    "push_unsubscribe_failed",
                    connection_id=connection_id,
                    entity=row.entity,
                    code=exc.code,
                )
        with ctx.uow() as uow:
            PushRepository(uow.connection, connection_id).remove(row.entity)
            uow.commit()


def stop_push(ctx: PushContext, connection_id: str) -> int:
    """Remove the connection's subscriptions at the source and here (disconnect); returns how
    many there were."""
    with ctx.uow(readonly=True) as uow:
        connection = uow.connections.get_for_token(connection_id)
        rows = PushRepository(uow.connection, connection_id).list()
    if connection is None or not rows:
        return 0
    connector = ctx.registry.get(connection.system)
    credentials = ctx.cipher.decrypt(connection.credentials_ciphertext)
    with connector.session(credentials, options=ctx.options) as session:
        if isinstance(session, PushSubscriptions):
            _drop(ctx, session, connection_id, rows)
    return len(rows)


def _pushing(
    uows: UnitOfWorkFactory, registry: ConnectorRegistry, connection_id: str
) -> tuple[ConnectionRow, Sequence[PushRow]]:
    with uows(readonly=True) as uow:
        connection = uow.connections.get_for_token(connection_id)
        rows = PushRepository(uow.connection, connection_id).list() if connection else []
    if connection is None or connection.system not in registry:
        raise NotFound(f"No connection {connection_id} takes change notifications.")
    if registry.get(connection.system).push is None:
        raise NotFound(f"No connection {connection_id} takes change notifications.")
    return connection, rows


def handshake_answer(
    uows: UnitOfWorkFactory,
    registry: ConnectorRegistry,
    connection_id: str,
    query: Mapping[str, str],
) -> str | None:
    """The answer to the source's validation of the notification URL, or None when the
    request is no validation; `NotFound` for a connection that takes no notifications."""
    connection, _ = _pushing(uows, registry, connection_id)
    push = registry.get(connection.system).push
    assert push is not None
    return push.handshake(query)


def accept_notification(
    uows: UnitOfWorkFactory, registry: ConnectorRegistry, connection_id: str, body: bytes
) -> list[Entity]:
    """The entities a notification says changed, once every notice in it carries the client
    state of the live subscription it names (compared in constant time).

    Raises:
        NotFound: no such connection, or its connector takes no notifications.
        ValidationFailed: the body is no notification of its source.
        PermissionDenied: a notice's subscription or client state is not one of the
            connection's; nothing is done.
    """
    connection, rows = _pushing(uows, registry, connection_id)
    push = registry.get(connection.system).push
    assert push is not None
    notices = push.parse(body)
    subscriptions = {r.remote_id: r for r in rows if r.remote_id and r.client_state_hash}
    for notice in notices:
        row = subscriptions.get(notice.subscription_id)
        stored = row.client_state_hash if row is not None else hash_token("")
        matches = tokens_equal(stored or "", notice.client_state)
        if row is None or not matches or row.entity != notice.entity.value:
            raise PermissionDenied(
                "The notification's subscription or clientState is not one of this "
                "connection's; it was ignored."
            )
    return sorted({n.entity for n in notices}, key=lambda e: e.value)
