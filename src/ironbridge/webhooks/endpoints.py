"""Webhook endpoints of an account: create, change, rotate secrets, delete."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from ..connectors.protocols.http import CREDENTIALED_URL_PATTERN, ensure_url_allowed
from ..errors import NotFound, ValidationFailed
from ..eventtypes import EventTypeName, is_event_type
from ..ids import new_id
from ..security import CredentialCipher
from ..store import UnitOfWork, utcnow
from ..store.webhooks import EndpointRepository, EndpointRow
from .signing import generate_secret

__all__ = [
    "ROTATION_OVERLAP",
    "EndpointIn",
    "EndpointPatch",
    "EndpointView",
    "create_endpoint",
    "delete_endpoint",
    "get_endpoint",
    "list_endpoints",
    "live_secrets",
    "rotate_secret",
    "update_endpoint",
]

#: After a rotation the old secret keeps signing for this long.
ROTATION_OVERLAP = timedelta(hours=24)


def _check_types(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    unknown = [t for t in value if not is_event_type(t)]
    if unknown:
        raise ValueError(f"unknown event types: {', '.join(unknown)}")
    return list(dict.fromkeys(value))


_URL_DESCRIPTION = (
    "Where events are POSTed: an https URL whose host resolves only to public addresses, "
    "unless the deployment allows private URLs (then http and private hosts too)."
)


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1,
        max_length=2048,
        pattern=CREDENTIALED_URL_PATTERN,
        description=_URL_DESCRIPTION,
    )
    description: str | None = Field(None, max_length=500)
    event_types: list[EventTypeName] | None = Field(
        None, description="Only these event types; null = every type."
    )
    connection_ids: list[str] | None = Field(
        None, description="Only events of these connections; null = every connection."
    )
    enabled: StrictBool = True

    _types = field_validator("event_types")(_check_types)


class EndpointPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(
        None,
        min_length=1,
        max_length=2048,
        pattern=CREDENTIALED_URL_PATTERN,
        description=_URL_DESCRIPTION,
    )
    description: str | None = Field(None, max_length=500)
    event_types: list[EventTypeName] | None = None
    connection_ids: list[str] | None = None
    enabled: StrictBool | None = None

    _types = field_validator("event_types")(_check_types)


class EndpointView(BaseModel):
    id: str = Field(description="Endpoint id (`we_…`).")
    url: str
    description: str | None
    event_types: list[str] | None
    connection_ids: list[str] | None
    enabled: bool
    disabled_reason: str | None = Field(description="Why ironbridge switched it off, if it did.")
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime
    secret: str | None = Field(
        None, description="The signing secret (`whsec_…`): only when created or rotated."
    )

    @classmethod
    def from_row(cls, row: EndpointRow, secret: str | None = None) -> EndpointView:
        return cls(
            id=row.id,
            url=row.url,
            description=row.description,
            event_types=row.event_types,
            connection_ids=row.connection_ids,
            enabled=row.enabled,
            disabled_reason=row.disabled_reason,
            failing_since=row.failing_since,
            created_at=row.created_at,
            updated_at=row.updated_at,
            secret=secret,
        )


def _check_url(url: str, allow_private: bool) -> None:
    if not allow_private and not url.lower().startswith("https://"):
        raise ValidationFailed(
            {"url": "must use https (http:// receivers need IRONBRIDGE_ALLOW_PRIVATE_URLS=true)"}
        )
    try:
        ensure_url_allowed(url, allow_private=allow_private)
    except ValidationFailed as exc:
        raise ValidationFailed({"url": next(iter(exc.fields.values()), "not allowed")}) from exc


def _check_connections(uow: UnitOfWork, account_id: str, ids: list[str] | None) -> None:
    for connection_id in ids or []:
        if uow.connections.get(account_id, connection_id) is None:
            raise ValidationFailed({"connection_ids": f"no connection {connection_id}"})


def live_secrets(row: EndpointRow, cipher: CredentialCipher, now: datetime) -> list[str]:
    """The secrets that sign right now, newest first."""
    return [
        cipher.decrypt(s["ciphertext"])["secret"]
        for s in row.secrets
        if s.get("expires_at") is None or datetime.fromisoformat(s["expires_at"]) > now
    ]


def _sealed(cipher: CredentialCipher, secret: str, now: datetime) -> dict[str, Any]:
    return {
        "ciphertext": cipher.encrypt({"secret": secret}),
        "created_at": now.isoformat(),
        "expires_at": None,
    }


def create_endpoint(
    uow: UnitOfWork,
    cipher: CredentialCipher,
    account_id: str,
    body: EndpointIn,
    *,
    allow_private: bool,
) -> EndpointView:
    _check_url(body.url, allow_private)
    _check_connections(uow, account_id, body.connection_ids)
    now = utcnow()
    secret = generate_secret()
    row = EndpointRow(
        id=new_id("we"),
        account_id=account_id,
        url=body.url,
        description=body.description,
        secrets=[_sealed(cipher, secret, now)],
        event_types=body.event_types,
        connection_ids=body.connection_ids,
        enabled=body.enabled,
        disabled_reason=None,
        failing_since=None,
        created_at=now,
        updated_at=now,
    )
    EndpointRepository(uow.connection, account_id).add(row)
    uow.commit()
    return EndpointView.from_row(row, secret)


def _load(uow: UnitOfWork, account_id: str, endpoint_id: str) -> EndpointRow:
    row = EndpointRepository(uow.connection, account_id).get(endpoint_id)
    if row is None or row.disabled_reason == "deleted":
        raise NotFound(f"No webhook endpoint {endpoint_id}.")
    return row


def get_endpoint(uow: UnitOfWork, account_id: str, endpoint_id: str) -> EndpointView:
    return EndpointView.from_row(_load(uow, account_id, endpoint_id))


def list_endpoints(uow: UnitOfWork, account_id: str) -> list[EndpointView]:
    rows = EndpointRepository(uow.connection, account_id).all()
    return [EndpointView.from_row(r) for r in rows if r.disabled_reason != "deleted"]


def update_endpoint(
    uow: UnitOfWork, account_id: str, endpoint_id: str, patch: EndpointPatch, *, allow_private: bool
) -> EndpointView:
    _load(uow, account_id, endpoint_id)
    given = patch.model_dump(exclude_unset=True)
    if "url" in given:
        if given["url"] is None:
            raise ValidationFailed({"url": "cannot be null"})
        _check_url(given["url"], allow_private)
    if "enabled" in given and given["enabled"] is None:
        raise ValidationFailed({"enabled": "cannot be null"})
    _check_connections(uow, account_id, given.get("connection_ids"))
    if given.get("enabled"):
        # Switching an endpoint back on clears why it was switched off.
        given["disabled_reason"] = None
        given["failing_since"] = None
    if given:
        EndpointRepository(uow.connection, account_id).update(
            endpoint_id, **given, updated_at=utcnow()
        )
        uow.commit()
    return get_endpoint(uow, account_id, endpoint_id)


def delete_endpoint(uow: UnitOfWork, account_id: str, endpoint_id: str) -> None:
    _load(uow, account_id, endpoint_id)
    EndpointRepository(uow.connection, account_id).delete(endpoint_id)
    uow.commit()


def rotate_secret(
    uow: UnitOfWork, cipher: CredentialCipher, account_id: str, endpoint_id: str
) -> EndpointView:
    """A new secret, returned once; the current ones keep signing for 24 hours."""
    row = _load(uow, account_id, endpoint_id)
    now = utcnow()
    secret = generate_secret()
    kept = []
    for sealed in row.secrets:
        expires = sealed.get("expires_at")
        if expires is not None and datetime.fromisoformat(expires) <= now:
            continue  # already past its overlap
        kept.append({**sealed, "expires_at": expires or (now + ROTATION_OVERLAP).isoformat()})
    EndpointRepository(uow.connection, account_id).update(
        endpoint_id, secrets=[_sealed(cipher, secret, now), *kept], updated_at=now
    )
    uow.commit()
    return EndpointView.from_row(_load(uow, account_id, endpoint_id), secret)
