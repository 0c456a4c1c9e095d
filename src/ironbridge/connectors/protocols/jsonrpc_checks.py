"""The connection check of a JSON-RPC system, stage by stage: reach → authenticate → permissions.

Reach asks the server its version and, where listing is on, whether the database exists.
Authenticate signs in and reads the user's context (a system may require a key in it, as Tryton
requires a company). Permissions reads one record of each entity; an entity whose module is not
activated or whose read is refused is reported unavailable, with what to enable. Writes the user
may not make do not fail it either: the stage passes and its message lists the writes the
system will refuse. What each failure tells a person to do is the system's, in `CheckHints`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ironbridge import errors
from ironbridge.connectors.base import Availability, CheckResult, CheckStage, EntityAvailability
from ironbridge.connectors.protocols.jsonrpc_changes import (
    ModelResource,
    read_fields,
    resource_domain,
)
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient
from ironbridge.model import Entity

__all__ = [
    "CheckHints",
    "WriteAccess",
    "authenticate",
    "check",
    "permissions",
    "reach",
    "refused_writes",
]

#: Per model, the entity whose offered writes it holds and the (access right, the write it
#: allows) pairs those writes need, e.g. `{"party.party": (VENDORS, (("create", "create"),))}`.
WriteAccess = Mapping[str, tuple[Entity, tuple[tuple[str, str], ...]]]


@dataclass(frozen=True, slots=True)
class CheckHints:
    """What a system's check tells a person to do after each kind of failure.

    `required_context` is (context key, what its absence means, what to do): a user without it
    signs in but cannot work.
    """

    unreachable: str
    bad_url: str
    not_rpc: str
    no_database: str
    throttled: str
    refused: str
    read_refused: str
    read_failed: str
    required_context: tuple[str, str, str] | None = None


def refused_writes(client: ModelClient, needs: WriteAccess) -> list[str]:
    """The offered writes the user's access rights refuse, in words (`create/delete
    purchase-orders`); none when the dialect has no way to ask without writing."""
    if client.dialect.access_rights is None or not needs:
        return []
    model, method = client.dialect.access_rights
    try:
        access = client.call(model, method, list(needs))
    except errors.IronbridgeError:
        return []  # no way to ask without writing: writes will tell
    refused: list[str] = []
    for name, (entity, operations) in needs.items():
        rights = access.get(name, {}) if isinstance(access, dict) else {}
        denied = [operation for right, operation in operations if not rights.get(right)]
        if denied:
            refused.append(f"{'/'.join(denied)} {entity.value}")
    return refused


def reach(client: ModelClient, hints: CheckHints) -> CheckResult:
    """The server answers as the system, and has the database when it lists its databases."""
    where, name = client.http.base_url, client.name
    try:
        version = client.server_version()
    except (errors.ConnectionUnavailable, errors.UpstreamTimeout) as exc:
        return CheckResult(CheckStage.REACH, False, exc.message, fix=hints.unreachable)
    except errors.ValidationFailed as exc:
        message = next(iter(exc.fields.values()), exc.message)
        return CheckResult(CheckStage.REACH, False, message, fix=hints.bad_url)
    except errors.IronbridgeError:
        message = f"{where} answers, but not as a {name} JSON-RPC server."
        return CheckResult(CheckStage.REACH, False, message, fix=hints.not_rpc)
    # None when listing is switched off on this server: the sign-in then tells.
    databases = client.databases()
    if databases is not None and client.database not in databases:
        message = (
            f"{name} {version} answers at {where}, but it has no database "
            f"named {client.database!r}."
        )
        return CheckResult(CheckStage.REACH, False, message, fix=hints.no_database)
    found = "" if databases is None else f" and database {client.database!r} exists"
    return CheckResult(CheckStage.REACH, True, f"{name} {version} answers at {where}{found}.")


def authenticate(client: ModelClient, hints: CheckHints) -> CheckResult:
    """The user signs in (and has what the system requires in its context)."""
    try:
        client.sign_in()
        context = client.context()
    except errors.RateLimitExceeded as exc:
        return CheckResult(CheckStage.AUTHENTICATE, False, exc.message, fix=hints.throttled)
    except errors.ConnectionReauthRequired as exc:
        return CheckResult(CheckStage.AUTHENTICATE, False, exc.message, fix=hints.refused)
    except errors.IronbridgeError as exc:
        return CheckResult(CheckStage.AUTHENTICATE, False, exc.message)
    if hints.required_context is not None:
        key, missing, fix = hints.required_context
        if context.get(key) is None:
            message = f"Signed in as {client.username!r}, but {missing}."
            return CheckResult(CheckStage.AUTHENTICATE, False, message, fix=fix)
    message = f"Signed in to {client.database!r} as {client.username!r}."
    return CheckResult(CheckStage.AUTHENTICATE, True, message)


def permissions(
    client: ModelClient,
    resources: Mapping[Entity, ModelResource],
    entities: Sequence[Entity],
    hints: CheckHints,
    *,
    unavailable: Callable[[ModelResource], errors.EntityUnavailable | None],
    refused_writes: Callable[[], list[str]],
) -> CheckResult:
    """One record of each entity reads, and which offered writes the system will refuse.

    `unavailable` gives the error for an entity the database cannot hold (None when it can).
    """
    readable: list[str] = []
    found: list[EntityAvailability] = []
    for entity in entities:
        resource = resources[entity]
        error = unavailable(resource)
        if error is not None:
            # Optional: a database without the module is a normal customer.
            reason, enable = error.details["reason"], error.details["enable"]
            found.append(EntityAvailability(entity, Availability.UNAVAILABLE, reason, enable))
            continue
        try:
            client.search_read(
                resource.model,
                resource_domain(client, resource),
                read_fields(client, resource),
                limit=1,
                extra=resource.context,
            )
        except errors.PermissionDenied as exc:
            reason = f"The user may not read {entity.value}: {exc.message}"
            found.append(
                EntityAvailability(entity, Availability.UNAVAILABLE, reason, hints.read_refused)
            )
            continue
        except errors.UpstreamError as exc:
            message = f"Reading {entity.value} failed: {exc.message}"
            return CheckResult(CheckStage.PERMISSIONS, False, message, fix=hints.read_failed)
        readable.append(entity.value)
    refused = refused_writes()
    message = f"Read access to {', '.join(readable) or 'nothing ironbridge reads'}"
    if refused:
        message += f". {client.name} will refuse: {'; '.join(refused)}."
    else:
        message += ", and write access."
    if found:
        missing = "; ".join(f"{item.entity.value}: {item.reason}" for item in found)
        message += f" Unavailable in this database: {missing}"
    return CheckResult(CheckStage.PERMISSIONS, True, message, entities=tuple(found))


def check(
    client: ModelClient,
    resources: Mapping[Entity, ModelResource],
    entities: Sequence[Entity],
    hints: CheckHints,
    *,
    unavailable: Callable[[ModelResource], errors.EntityUnavailable | None],
    refused_writes: Callable[[], list[str]],
) -> Iterator[CheckResult]:
    """Reach → authenticate → permissions, one result per stage; stops at the first failure."""
    stages: tuple[Callable[[], CheckResult], ...] = (
        lambda: reach(client, hints),
        lambda: authenticate(client, hints),
        lambda: permissions(
            client,
            resources,
            entities,
            hints,
            unavailable=unavailable,
            refused_writes=refused_writes,
        ),
    )
    for stage in stages:
        result = stage()
        yield result
        if not result.ok:
            return
