"""The sandbox connector: sample data behind the real connector contract.

Reads serve the sandbox system's sample (`system.py`, `data.py`) through the same paging and
mapping contract as a real system. Writes are read-only by design: they are validated, checked
against the business rules a real ERP enforces, and answered with the record as it would be
after the write; the sample itself never changes, so a later `get` returns the original. A
created record gets a fresh number that no later read finds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from ironbridge.connectors.base import (
    CheckResult,
    CheckStage,
    Connector,
    ConnectorSession,
    IdFactory,
    PassthroughRequest,
    PassthroughResponse,
    RawRecord,
    SessionOptions,
)
from ironbridge.connectors.kit import ensure_page_size, ensure_resolved
from ironbridge.connectors.sandbox import maps
from ironbridge.connectors.sandbox.spec import SPEC
from ironbridge.connectors.sandbox.system import SandboxSystem, copy_record
from ironbridge.model import (
    CREATE_MODELS,
    UPDATE_MODELS,
    Entity,
    InventoryAdjustment,
    parse_input,
)

__all__ = ["SandboxConnector", "SandboxSession"]


class SandboxConnector(Connector):
    """The built-in sandbox: connects with no credentials and serves deterministic sample data."""

    spec = SPEC
    status_tables = maps.STATUS_TABLES

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> SandboxSession:
        """A session on the sample data; `credentials` may be `{}` or name a `tenant` label."""
        clean = self.validate_credentials(credentials)
        return SandboxSession(options, tenant=clean.get("tenant"))

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map a sandbox record through the tables in `maps.py`."""
        return maps.to_unified(entity, raw, ids)


class SandboxSession(ConnectorSession):
    """A session on the sandbox's sample data; see the module docstring for write semantics."""

    def __init__(self, options: SessionOptions | None = None, *, tenant: str | None = None) -> None:
        super().__init__(SPEC, options)
        self.tenant = tenant
        self._system = SandboxSystem()

    def check(self) -> Iterator[CheckResult]:
        """Three passing stages: the sandbox is built in and needs no credentials."""
        yield CheckResult(CheckStage.REACH, True, "The sandbox is built into ironbridge.")
        label = f" {self.tenant!r}" if self.tenant else ""
        yield CheckResult(
            CheckStage.AUTHENTICATE, True, f"Signed in to sandbox{label}; no credentials needed."
        )
        yield CheckResult(
            CheckStage.PERMISSIONS,
            True,
            "Read access to all six entities; writes are validated and answered, "
            "but change nothing.",
        )

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Pages of records changed at or after `since`, in (modified_at, remote_id) order."""
        ensure_page_size(page_size)
        if since is not None and since.utcoffset() is None:
            raise ValueError("since must carry a time zone")
        self.spec.ensure_supported(entity, "read")
        return self._system.changes(entity, since, page_size)

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """A copy of the sample record `remote_id`; `errors.NotFound` when there is none."""
        return copy_record(self._system.find(entity, remote_id))

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """Validate a new record and return it as the sandbox would store it (it stores nothing)."""
        self.spec.ensure_supported(entity, "create")
        body = parse_input(CREATE_MODELS[entity], payload)
        ensure_resolved(body, "sandbox")
        return self._system.create(
            entity, maps.to_source(entity, body.model_dump(exclude_unset=True))
        )

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Validate changes and return the record as it would be; the sample stays unchanged.

        Raises `errors.RecordLocked` for a purchase order that is approved or further along, or a
        closed or cancelled work order.
        """
        self.spec.ensure_supported(entity, "update")
        original = self._system.find(entity, remote_id)
        body = parse_input(UPDATE_MODELS[entity], changes)
        ensure_resolved(body, "sandbox")
        self._system.ensure_unlocked(entity, original, "modified")
        values = body.model_dump(exclude_unset=True)
        if not values:
            return copy_record(original)
        return self._system.update(entity, original, maps.to_source(entity, values))

    def delete(self, entity: Entity, remote_id: str) -> None:
        """Validate a deletion (draft purchase orders only); nothing is deleted."""
        self.spec.ensure_supported(entity, "delete")
        self._system.delete(entity, remote_id)

    def adjust_inventory(self, remote_id: str, adjustment: dict[str, Any]) -> RawRecord:
        """Validate a stock adjustment and return the item as it would be; stock stays unchanged."""
        self.spec.ensure_supported(Entity.INVENTORY_ITEMS, "adjust")
        self._system.find(Entity.INVENTORY_ITEMS, remote_id)
        body = parse_input(InventoryAdjustment, adjustment)
        ensure_resolved(body, "sandbox")
        return self._system.adjust(remote_id, body)

    def passthrough(self, request: PassthroughRequest) -> PassthroughResponse:
        """The sandbox's own tiny API, for trying the passthrough endpoint.

        - `GET /info` (or `GET /`): the sandbox's name, data anchor and record counts.
        - `/echo` (any method): the request as received, minus credential headers.

        Any other path raises `errors.NotFound`.
        """
        return self._system.answer(request, self.tenant)
