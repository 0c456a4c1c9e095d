"""The connect flow's use cases: link tokens, the staged check, public tokens and their exchange.

An integrator creates a link token for one end customer (`create_link_token`). The end customer
opens the flow with it (`open_link_session`), picks a system and enters credentials; the flow
runs the connector's check stage by stage (`complete_link`, a generator that yields each stage's
result as it happens), and on success creates or reconnects the connection, uses up the link
token and hands back a public token. The integrator's backend exchanges that public token once
for the connection token (`exchange_public_token`), so a connection token never reaches a
browser.

Tokens and what they are bound to:

- link token (`ib_link_…`): one account, one end customer, optionally a set of systems or the
  connection to reconnect; expires (30 min by default, at most 7 days); used up by the first
  successful completion. Failed attempts do not use it, so the customer can correct and retry.
- public token (`ib_pub_…`): one connection; expires after `PUBLIC_TOKEN_TTL`; exchanged once,
  and only with an admin key of the same account.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..accounts import IssuedToken, issue_token
from ..connectors import (
    CheckResult,
    CheckStage,
    Connector,
    ConnectorRegistry,
    SessionOptions,
    judged,
)
from ..connectors.protocols.http import WEB_URL_PATTERN
from ..errors import (
    AuthenticationFailed,
    ConnectionCheckFailed,
    ConnectionDisconnected,
    IronbridgeError,
    PermissionDenied,
    ValidationFailed,
)
from ..logs import get_logger
from ..model import Entity
from ..security import CredentialCipher, TokenKind, hash_token, token_kind, tokens_equal
from ..store import ConnectionRow, CredentialRow, UnitOfWork, UnitOfWorkFactory, utcnow
from .availability import availability_record, required_of, validate_required, wanted_of
from .service import create_connection, load_connection
from .status import ConnectionStatus, StatusReason, change_status
from .views import ConnectionCreate, ConnectionView, ConnectorId, Metadata, _check_metadata

__all__ = [
    "DEFAULT_LINK_TTL",
    "MAX_LINK_TTL",
    "MIN_LINK_TTL",
    "PUBLIC_TOKEN_TTL",
    "LinkCompletion",
    "LinkSession",
    "LinkTokenCreate",
    "complete_link",
    "create_link_token",
    "exchange_public_token",
    "open_link_session",
    "run_link",
]

_log = get_logger("ironbridge.connections.links")

#: Link token lifetimes in seconds: default, shortest and longest (7 days, for onboarding links
#: sent by e-mail).
DEFAULT_LINK_TTL: Final = 1800
MIN_LINK_TTL: Final = 60
MAX_LINK_TTL: Final = 7 * 24 * 3600
#: How long the integrator's backend has to exchange a public token.
PUBLIC_TOKEN_TTL: Final = timedelta(minutes=30)

_STAGE_ORDER: Final = tuple(CheckStage)

#: Callback that starts the initial sync of a new connection (the worker's `start_sync`).
StartSync = Callable[[str], object]


class LinkTokenCreate(BaseModel):
    """Body of `POST /v1/link-tokens`."""

    model_config = ConfigDict(
        extra="forbid",
        # A new connection needs its end customer; a reconnect keeps the connection's metadata.
        json_schema_extra={
            "anyOf": [
                {
                    "required": ["end_customer_id", "end_customer_name"],
                    "properties": {
                        "connection_id": {"type": "null"},
                        "end_customer_id": {"type": "string"},
                        "end_customer_name": {"type": "string"},
                    },
                },
                {
                    "required": ["connection_id"],
                    "properties": {
                        "connection_id": {"type": "string"},
                        "metadata": {"maxProperties": 0},
                    },
                },
            ]
        },
    )

    end_customer_id: str | None = Field(
        None,
        min_length=1,
        max_length=255,
        description=(
            "Your id for the customer who will connect. Required for a new connection; for a "
            "reconnect it defaults to (and must match) the connection's."
        ),
    )
    end_customer_name: str | None = Field(
        None,
        min_length=1,
        max_length=255,
        description="Shown to the customer in the flow. Required for a new connection.",
    )
    systems: list[ConnectorId] | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Connector ids the customer may choose from; omit for every system.",
    )
    connection_id: str | None = Field(
        None,
        max_length=64,
        description=(
            "Reconnect this connection: completing the flow replaces its credentials, revokes "
            "its tokens and returns it to `active`."
        ),
    )
    expires_in: int = Field(
        DEFAULT_LINK_TTL,
        ge=MIN_LINK_TTL,
        le=MAX_LINK_TTL,
        description="Seconds the link stays valid: default 1800, at least 60, at most 7 days.",
    )
    metadata: Metadata = Field(
        default_factory=dict,
        description="Your own key-values, stored on the connection the flow creates.",
    )
    redirect_url: str | None = Field(
        None,
        max_length=2048,
        pattern=WEB_URL_PATTERN,
        description=(
            "Full-page mode: after success the customer is sent here with `?public_token=…`. "
            "Embedded mode (connect.js) receives the public token by postMessage instead."
        ),
    )
    required_entities: list[Entity] | None = Field(
        None,
        min_length=1,
        description=(
            "Entities the connection cannot do without: the flow fails at the `permissions` "
            "stage, naming what to enable, when the customer's system does not offer one of "
            "them, and offers only systems that read them all. Omit to connect when at least "
            "one entity is available (the rest are reported as unavailable). A reconnect "
            "keeps the connection's own unless given."
        ),
    )

    _metadata = field_validator("metadata")(_check_metadata)


@dataclass(frozen=True, slots=True)
class LinkSession:
    """What an open link token allows; the connect flow renders from this."""

    link_id: str
    """The link token's credential id (CSRF tokens are bound to it)."""
    account_id: str
    account_name: str
    end_customer_id: str
    end_customer_name: str
    systems: tuple[str, ...] | None
    """Connector ids the customer may choose from; None means every registered system."""
    connection_id: str | None
    """The connection this link reconnects, or None for a new connection."""
    metadata: dict[str, str]
    redirect_url: str | None
    expires_at: datetime
    required_entities: tuple[Entity, ...] | None = None
    """Entities the connection must have available; None: at least one."""

    @property
    def is_reconnect(self) -> bool:
        """Whether completing the flow reconnects an existing connection."""
        return self.connection_id is not None

    def allows(self, system: str) -> bool:
        """Whether the customer may connect `system` with this link."""
        return self.systems is None or system in self.systems

    def available(self, registry: ConnectorRegistry) -> list[Connector]:
        """The registered connectors this link offers, in registry order: those it allows
        that read every required entity."""
        return [c for c in registry.all() if self.allows(c.spec.id) and self.readable_by(c)]

    def readable_by(self, connector: Connector) -> bool:
        """Whether `connector` reads every entity this link requires."""
        return all(connector.spec.supports(e, "read") for e in self.required_entities or ())


@dataclass(frozen=True, slots=True)
class LinkCompletion:
    """A successful completion: the public token is the only time its secret is available."""

    connection_id: str
    system: str
    created: bool
    """True for a new connection, False for a reconnect."""
    public_token: str
    public_token_expires_at: datetime
    stages: tuple[CheckResult, ...]


def create_link_token(
    uow: UnitOfWork,
    account_id: str,
    *,
    registry: ConnectorRegistry,
    base_url: str,
    end_customer_id: str | None,
    end_customer_name: str | None,
    systems: Sequence[str] | None = None,
    connection_id: str | None = None,
    expires_in: int = DEFAULT_LINK_TTL,
    metadata: Mapping[str, str] | None = None,
    redirect_url: str | None = None,
    required_entities: Sequence[Entity] | None = None,
) -> tuple[IssuedToken, str]:
    """Issue a link token for one end customer (commits); returns it and its connect URL.

    `connection_id` makes it a reconnect of that connection (403 if it belongs to another
    account, 404 if there is none, 410 if it was disconnected); the flow then offers only the
    connection's system. `required_entities` must be read by every system the link offers
    (when it names them, or for a reconnect). Raises `ValidationFailed` naming each field that
    is wrong.
    """
    problems: dict[str, str] = {}
    if not MIN_LINK_TTL <= expires_in <= MAX_LINK_TTL:
        problems["expires_in"] = (
            f"Must be between {MIN_LINK_TTL} seconds and {MAX_LINK_TTL} seconds (7 days)."
        )
    allowed: list[str] | None = None
    if systems is not None:
        allowed = list(dict.fromkeys(systems))
        unknown = [name for name in allowed if name not in registry]
        if not allowed:
            problems["systems"] = "Give at least one connector id, or omit the field."
        elif unknown:
            problems["systems"] = f"Unknown connector ids: {', '.join(map(repr, unknown))}."
    if redirect_url is not None and not _is_web_url(redirect_url):
        problems["redirect_url"] = "Must be an absolute http(s) URL."
    metadata = dict(metadata or {})
    if connection_id is not None:
        connection = load_connection(uow, account_id, connection_id)
        if connection.status == ConnectionStatus.DISCONNECTED.value:
            raise ConnectionDisconnected(
                f"Connection {connection_id} is disconnected and cannot be reconnected; "
                "create a link token without connection_id for a new connection."
            )
        if allowed is not None and connection.system not in allowed:
            problems["systems"] = (
                f"A reconnect uses the connection's system, {connection.system!r}; "
                "omit systems or include it."
            )
        if end_customer_id is not None and end_customer_id != connection.end_customer_id:
            problems["end_customer_id"] = (
                "Must match the end customer of the connection being reconnected "
                f"({connection.end_customer_id!r}), or be omitted."
            )
        if metadata:
            problems["metadata"] = (
                "A reconnect keeps the connection's metadata; change it with "
                "PATCH /v1/connections/{id}."
            )
        allowed = [connection.system]
        if required_entities is not None and connection.system in registry:
            try:
                validate_required(
                    registry.get(connection.system).spec,
                    required_entities,
                    wanted_of(connection.settings),
                )
            except ValidationFailed as exc:
                problems.update(exc.fields)
        end_customer_id = connection.end_customer_id
        end_customer_name = end_customer_name or connection.end_customer_name
    else:
        if not end_customer_id:
            problems["end_customer_id"] = "Required for a new connection."
        if not end_customer_name:
            problems["end_customer_name"] = "Required for a new connection."
        if required_entities is not None and allowed is not None and "systems" not in problems:
            for name in allowed:
                spec = registry.get(name).spec
                unread = [e.value for e in required_entities if not spec.supports(e, "read")]
                if unread:
                    problems["required_entities"] = (
                        f"The {name} connector does not read: {', '.join(unread)}; "
                        "remove it from systems or from required_entities."
                    )
                    break
    if problems:
        raise ValidationFailed(problems)
    expires_at = utcnow() + timedelta(seconds=expires_in)
    issued = issue_token(
        uow,
        TokenKind.LINK,
        account_id,
        connection_id=connection_id,
        label=f"link for {end_customer_id}"[:200],
        data={
            "end_customer_id": end_customer_id,
            "end_customer_name": end_customer_name,
            "systems": allowed,
            "connection_id": connection_id,
            "metadata": metadata,
            "redirect_url": redirect_url,
            "required_entities": (
                None
                if required_entities is None
                else [e.value for e in dict.fromkeys(required_entities)]
            ),
        },
        expires_at=expires_at,
    )
    uow.commit()
    # A trailing slash: the flow is mounted at /connect/, and a redirect from /connect would be
    # built from the request's Host and scheme, which a TLS-terminating proxy can get wrong.
    connect_url = f"{base_url.rstrip('/')}/connect/?token={quote(issued.token, safe='')}"
    return issued, connect_url


def open_link_session(uow: UnitOfWork, token: str | None) -> LinkSession:
    """The session a link token opens; `AuthenticationFailed` with a message for the customer.

    The error's `details.reason` is `invalid`, `expired`, `used` or `revoked`, so the flow can
    say what happened and what to do.
    """
    row = _find_token(uow, token, TokenKind.LINK)
    if row is None:
        raise _link_error(
            "invalid",
            "This connect link is not valid. Check that the whole link was copied, or ask "
            "for a new one.",
        )
    account = uow.accounts.get(row.account_id)
    who = account.name if account is not None else "the company that sent it"
    if row.revoked_at is not None or account is None:
        raise _link_error("revoked", f"This connect link was withdrawn. Ask {who} for a new one.")
    if row.used_at is not None:
        raise _link_error(
            "used",
            "This connect link has already been used to connect a system, and each link works "
            f"only once. If you need to connect again, ask {who} for a new link.",
        )
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise _link_error("expired", f"This connect link has expired. Ask {who} for a new one.")
    data = row.data
    systems = data.get("systems")
    return LinkSession(
        link_id=row.id,
        account_id=row.account_id,
        account_name=account.name,
        end_customer_id=str(data.get("end_customer_id") or ""),
        end_customer_name=str(data.get("end_customer_name") or ""),
        systems=tuple(systems) if systems is not None else None,
        connection_id=data.get("connection_id"),
        metadata=dict(data.get("metadata") or {}),
        redirect_url=data.get("redirect_url"),
        expires_at=row.expires_at or utcnow(),
        required_entities=(
            None
            if data.get("required_entities") is None
            else tuple(Entity(value) for value in data["required_entities"])
        ),
    )


def complete_link(
    uows: UnitOfWorkFactory,
    cipher: CredentialCipher,
    registry: ConnectorRegistry,
    options: SessionOptions,
    token: str,
    system: str,
    credentials: Mapping[str, str],
    *,
    start_sync: StartSync | None = None,
    on_reconnect: Callable[[str], object] | None = None,
) -> Generator[CheckResult, None, LinkCompletion]:
    """Check `credentials` for `system` stage by stage, then connect; a generator.

    Yields each stage's `CheckResult` as the connector reports it (reach, authenticate,
    permissions), so the caller can stream progress. A failed stage is yielded and then raised
    as `ConnectionCheckFailed` (with `details.stage` and `details.fix`); the link token stays
    unused, so the customer can correct and retry. On success the generator returns (as
    `StopIteration.value`; see `run_link`) a `LinkCompletion`: the connection was created (or
    reconnected), the link token used up, a public token issued, and the initial sync of a new
    connection started through `start_sync`. `on_reconnect(connection_id)` runs after a
    reconnect is committed: the deployment closes the connection's circuit there, so calls
    with the new credentials are not failed fast for the old ones' failures.

    Takes a unit-of-work factory rather than an open unit of work: a check can take many seconds
    against a slow source, and must not hold a database connection or transaction meanwhile.
    Raises `AuthenticationFailed` for a link that is invalid, expired or already used (also when
    another attempt with the same link won the race), `PermissionDenied` for a system the link
    does not offer, and `ValidationFailed` (field names without prefix) for missing or unknown
    credential fields.
    """
    required: Sequence[Entity] | None = None
    wanted: Sequence[Entity] | None = None
    with uows(readonly=True) as uow:
        session = open_link_session(uow, token)
        required = session.required_entities
        if session.connection_id is not None:
            existing = _live_connection(uow, session.account_id, session.connection_id)
            if required is None:
                required = required_of(existing)
            wanted = wanted_of(existing.settings)
    if not session.allows(system) or system not in registry:
        raise PermissionDenied(f"This connect link does not offer the system {system!r}.")
    connector = registry.get(system)
    if not session.readable_by(connector):
        raise PermissionDenied(
            f"This connect link requires data the system {system!r} does not provide."
        )
    clean = connector.validate_credentials(credentials)
    results: list[CheckResult] = []
    checked = judged(
        _staged_check(connector, clean, options), connector.spec, required=required, wanted=wanted
    )
    for result in checked:
        results.append(result)
        yield result
        if not result.ok:
            raise result.to_error()
    with uows() as uow:
        # Validate again in the writing transaction: the link may have been used by another
        # attempt, withdrawn or expired while the check ran.
        session = open_link_session(uow, token)
        if not uow.credentials.mark_used(session.link_id, utcnow()):
            raise _link_error("used", "This connect link has just been used by another attempt.")
        if session.connection_id is None:
            connection_id = _create(uow, cipher, connector, session, clean, results)
        else:
            connection_id = _reconnect(uow, cipher, connector, session, clean, results)
        public = issue_token(
            uow,
            TokenKind.PUBLIC,
            session.account_id,
            connection_id=connection_id,
            data={"link_token_id": session.link_id, "reconnect": session.is_reconnect},
            expires_at=utcnow() + PUBLIC_TOKEN_TTL,
        )
        uow.commit()
    if session.connection_id is None and start_sync is not None:
        try:
            start_sync(connection_id)
        except Exception:
            # The connection exists and the customer is done; the scheduler's next tick finds
            # the never-synced entities due and queues them, so this is logged, not raised.
            _log.exception("initial_sync_not_started", connection_id=connection_id)
    if session.connection_id is not None and on_reconnect is not None:
        on_reconnect(connection_id)
    assert public.expires_at is not None
    return LinkCompletion(
        connection_id=connection_id,
        system=system,
        created=session.connection_id is None,
        public_token=public.token,
        public_token_expires_at=public.expires_at,
        stages=tuple(results),
    )


def run_link(
    flow: Generator[CheckResult, None, LinkCompletion],
    on_stage: Callable[[CheckResult], object] | None = None,
) -> LinkCompletion:
    """Drive a `complete_link` generator to its end, calling `on_stage` for each stage result.

    For callers that do not stream (a plain form post, tests); errors propagate unchanged.
    """
    while True:
        try:
            result = next(flow)
        except StopIteration as done:
            completion: LinkCompletion = done.value
            return completion
        if on_stage is not None:
            on_stage(result)


def exchange_public_token(
    uow: UnitOfWork, account_id: str, public_token: str
) -> tuple[ConnectionView, IssuedToken]:
    """Exchange a public token once for its connection and a new connection token (commits).

    The token must belong to `account_id`; unknown, expired, already exchanged and other
    accounts' tokens all fail alike with `AuthenticationFailed`. A connection disconnected in
    the meantime gets no token (`ConnectionDisconnected`).
    """
    message = (
        "The public token is unknown, expired or already exchanged. Each public token can be "
        "exchanged once, within 30 minutes of the connect flow's success."
    )
    row = _find_token(uow, public_token, TokenKind.PUBLIC)
    now = utcnow()
    if (
        row is None
        or row.account_id != account_id
        or row.connection_id is None
        or row.revoked_at is not None
        or row.used_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
    ):
        raise AuthenticationFailed(message)
    connection = _live_connection(uow, account_id, row.connection_id)
    if not uow.credentials.mark_used(row.id, now):
        raise AuthenticationFailed(message)
    issued = issue_token(uow, TokenKind.CONNECTION, account_id, connection_id=connection.id)
    uow.commit()
    return ConnectionView.from_row(connection), issued


# -- internals ---------------------------------------------------------------------------------


def _find_token(uow: UnitOfWork, token: str | None, kind: TokenKind) -> CredentialRow | None:
    if not token or token_kind(token) is not kind:
        return None
    row = uow.credentials.find_by_hash(hash_token(token))
    if row is None or row.kind != kind.value or not tokens_equal(row.token_hash, token):
        return None
    return row


def _link_error(reason: str, message: str) -> AuthenticationFailed:
    return AuthenticationFailed(message, details={"reason": reason})


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname) and not parts.username


def _live_connection(uow: UnitOfWork, account_id: str, connection_id: str) -> ConnectionRow:
    row = load_connection(uow, account_id, connection_id)
    if row.status == ConnectionStatus.DISCONNECTED.value:
        raise ConnectionDisconnected(f"Connection {connection_id} has been disconnected.")
    return row


def _staged_check(
    connector: Connector, credentials: Mapping[str, str], options: SessionOptions
) -> Iterator[CheckResult]:
    """The connector's check, with an exception from a stage turned into that stage's failure.

    Connectors report failures as results, but one that raises (an upstream error the session
    did not expect) must still leave the customer with a stage and a message, not a broken page.
    """
    done = 0
    try:
        with connector.session(credentials, options=options) as session:
            for result in session.check():
                done += 1
                yield result
                if not result.ok:
                    return
    except ValidationFailed:
        # A field the connector refuses before contacting anything (a malformed URL, say):
        # the form shows it beside the field rather than as a failed stage.
        raise
    except ConnectionCheckFailed as exc:
        yield CheckResult(_stage_named(exc.stage, done), False, exc.message, exc.details.get("fix"))
    except IronbridgeError as exc:
        stage = _STAGE_ORDER[min(done, len(_STAGE_ORDER) - 1)]
        yield CheckResult(stage, False, exc.message)


def _stage_named(name: str, done: int) -> CheckStage:
    try:
        return CheckStage(name)
    except ValueError:
        return _STAGE_ORDER[min(done, len(_STAGE_ORDER) - 1)]


def _create(
    uow: UnitOfWork,
    cipher: CredentialCipher,
    connector: Connector,
    session: LinkSession,
    credentials: dict[str, str],
    results: Sequence[CheckResult],
) -> str:
    """Create the connection the flow has just checked live (`create_connection`, the one
    place connections are made, which records `connection.created` and commits: the link
    token's use made in this transaction too)."""
    body = ConnectionCreate(
        system=connector.spec.id,
        end_customer_id=session.end_customer_id,
        end_customer_name=session.end_customer_name,
        credentials=credentials,
        metadata=session.metadata,
        required_entities=(
            None if session.required_entities is None else list(session.required_entities)
        ),
    )
    required = validate_required(connector.spec, body.required_entities, body.settings.entities)
    view, issued = create_connection(
        uow,
        cipher,
        connector,
        session.account_id,
        body,
        results,
        required=required,
        via="connect_flow",
    )
    # The connection token is minted when the public token is exchanged, so the only copy goes
    # to the integrator's backend; the one create_connection() issued was never shown to anyone.
    uow.credentials.revoke(session.account_id, issued.id, utcnow())
    return view.id


def _reconnect(
    uow: UnitOfWork,
    cipher: CredentialCipher,
    connector: Connector,
    session: LinkSession,
    credentials: dict[str, str],
    results: Sequence[CheckResult],
) -> str:
    """Replace the connection's credentials, revoke its tokens and make it active again.

    The check's availability replaces the stored one, so areas enabled since are synced from
    now on; required entities named by the link replace the connection's.
    """
    assert session.connection_id is not None
    row = _live_connection(uow, session.account_id, session.connection_id)
    now = utcnow()
    uow.credentials.revoke_for_connection(row.id, TokenKind.CONNECTION.value, now)
    health = {
        **row.health,
        "checks": [{"stage": str(r.stage), "ok": r.ok, "message": r.message} for r in results],
        "consecutive_failures": 0,
        # The old credentials' failure no longer describes the connection.
        "last_error": None,
    }
    values: dict[str, Any] = {}
    availability = availability_record(results, connector.spec)
    if availability is not None:
        values["availability"] = availability
    if session.required_entities is not None:
        values["required_entities"] = [e.value for e in session.required_entities]
    # New credentials end whatever the old ones met; a run still going on the old ones settles
    # nothing when it ends (its credentials are no longer the connection's).
    change_status(
        uow,
        row.id,
        ConnectionStatus.ACTIVE,
        reason=StatusReason.RECONNECTED,
        leave_syncing=False,
        now=now,
    )
    uow.connections.update(
        session.account_id,
        row.id,
        credentials_ciphertext=cipher.encrypt(credentials),
        health=health,
        last_checked_at=now,
        updated_at=now,
        **values,
    )
    return row.id
