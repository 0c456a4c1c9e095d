"""The connection check against Tryton: reach → authenticate → permissions.

Reach asks the server its version and, where listing is on, whether the database exists.
Authenticate signs in and reads the user's company. Permissions reads one record of each entity;
an entity whose module is not activated or whose read is refused is reported unavailable, with
what to enable. Writes the user may not make do not fail it either: the stage passes and its
message lists the writes Tryton will refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from ironbridge import errors
from ironbridge.connectors.base import Availability, CheckResult, CheckStage, EntityAvailability
from ironbridge.connectors.protocols.jsonrpc_changes import (
    ModelResource,
    read_fields,
    resource_domain,
)
from ironbridge.connectors.protocols.jsonrpc_models import ModelClient
from ironbridge.model import Entity

__all__ = ["authenticate", "permissions", "reach", "refused_writes", "unavailable"]

# Per Tryton model the offered writes need: (access right, the operation it allows) pairs.
# An adjustment is a stock inventory created and confirmed (see `adjustments.py`).
_WRITE_ACCESS: Final[Mapping[str, tuple[Entity, tuple[tuple[str, str], ...]]]] = {
    "purchase.purchase": (
        Entity.PURCHASE_ORDERS,
        (("create", "create"), ("write", "write"), ("delete", "delete")),
    ),
    "party.party": (Entity.VENDORS, (("create", "create"), ("write", "write"))),
    "stock.inventory": (Entity.INVENTORY_ITEMS, (("create", "adjust"),)),
}


def reach(client: ModelClient) -> CheckResult:
    """The server answers as Tryton, and has the database when it lists its databases."""
    where = client.http.base_url
    try:
        version = client.server_version()
    except (errors.ConnectionUnavailable, errors.UpstreamTimeout) as exc:
        return CheckResult(
            CheckStage.REACH,
            False,
            exc.message,
            fix="Check the server URL and port, and that the Tryton server is running "
            "and reachable from ironbridge.",
        )
    except errors.ValidationFailed as exc:
        return CheckResult(
            CheckStage.REACH,
            False,
            next(iter(exc.fields.values()), exc.message),
            fix="Enter the http:// or https:// address of the Tryton server.",
        )
    except errors.IronbridgeError:
        return CheckResult(
            CheckStage.REACH,
            False,
            f"{where} answers, but not as a Tryton JSON-RPC server.",
            fix="Enter the address the Tryton client connects to, with its port (often "
            ":8000), not the address of a web page.",
        )
    # None when listing is switched off on this server: the sign-in then tells.
    databases = client.databases()
    if databases is not None and client.database not in databases:
        return CheckResult(
            CheckStage.REACH,
            False,
            f"Tryton {version} answers at {where}, but it has no database "
            f"named {client.database!r}.",
            fix="Check the database name; it is the one chosen in the Tryton client's "
            "login dialog.",
        )
    found = "" if databases is None else f" and database {client.database!r} exists"
    return CheckResult(CheckStage.REACH, True, f"Tryton {version} answers at {where}{found}.")


def authenticate(client: ModelClient) -> CheckResult:
    """The user signs in and works in a company."""
    try:
        client.sign_in()
        context = client.context()
    except errors.RateLimitExceeded as exc:
        return CheckResult(
            CheckStage.AUTHENTICATE,
            False,
            exc.message,
            fix="Wait a few minutes, then check the password and connect again.",
        )
    except errors.ConnectionReauthRequired as exc:
        return CheckResult(
            CheckStage.AUTHENTICATE,
            False,
            exc.message,
            fix="Check the user name and password; the user must be active in Tryton.",
        )
    except errors.IronbridgeError as exc:
        return CheckResult(CheckStage.AUTHENTICATE, False, exc.message)
    if context.get("company") is None:
        return CheckResult(
            CheckStage.AUTHENTICATE,
            False,
            f"Signed in as {client.username!r}, but the user has no company.",
            fix="In Tryton, set the user's Company and Current Company.",
        )
    return CheckResult(
        CheckStage.AUTHENTICATE,
        True,
        f"Signed in to {client.database!r} as {client.username!r}.",
    )


def unavailable(resource: ModelResource, database: str) -> errors.EntityUnavailable:
    """The error for reading an entity whose Tryton module this database lacks."""
    return errors.EntityUnavailable(
        "tryton",
        resource.entity.value,
        "read",
        reason=f"The Tryton module {resource.module} is not activated in database "
        f"{database!r}, so it holds no {resource.entity.value}.",
        enable=f"Activate the Tryton module {resource.module} (and the modules it needs) "
        "in this database.",
    )


def permissions(
    client: ModelClient,
    resources: Mapping[Entity, ModelResource],
    entities: tuple[Entity, ...],
    available: Callable[[ModelResource], bool],
) -> CheckResult:
    """One record of each entity reads, and which offered writes Tryton will refuse."""
    readable: list[str] = []
    found: list[EntityAvailability] = []
    for entity in entities:
        resource = resources[entity]
        if not available(resource):
            # Optional: a database that does not manufacture is a normal customer.
            error = unavailable(resource, client.database)
            found.append(
                EntityAvailability(
                    entity,
                    Availability.UNAVAILABLE,
                    error.details["reason"],
                    error.details["enable"],
                )
            )
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
            found.append(
                EntityAvailability(
                    entity,
                    Availability.UNAVAILABLE,
                    f"The user may not read {entity.value}: {exc.message}",
                    "Give the Tryton user the groups Purchase and Stock.",
                )
            )
            continue
        except errors.UpstreamError as exc:
            return CheckResult(
                CheckStage.PERMISSIONS,
                False,
                f"Reading {entity.value} failed: {exc.message}",
                fix="Activate the Tryton modules purchase and stock in this database.",
            )
        readable.append(entity.value)
    refused = refused_writes(client)
    message = f"Read access to {', '.join(readable) or 'nothing ironbridge reads'}"
    if refused:
        message += f". Tryton will refuse: {'; '.join(refused)}."
    else:
        message += ", and write access."
    if found:
        missing = "; ".join(f"{item.entity.value}: {item.reason}" for item in found)
        message += f" Unavailable in this database: {missing}"
    return CheckResult(CheckStage.PERMISSIONS, True, message, entities=tuple(found))


def refused_writes(client: ModelClient) -> list[str]:
    """The offered writes the user's access rights refuse, in words."""
    try:
        access = client.call("ir.model.access", "get_access", list(_WRITE_ACCESS))
    except errors.IronbridgeError:
        return []  # no way to ask without writing: writes will tell
    refused: list[str] = []
    for model, (entity, operations) in _WRITE_ACCESS.items():
        rights = access.get(model, {}) if isinstance(access, dict) else {}
        denied = [operation for right, operation in operations if not rights.get(right)]
        if denied:
            refused.append(f"{'/'.join(denied)} {entity.value}")
    return refused
