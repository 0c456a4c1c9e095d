"""The conformance suite catches what a connector gets wrong, with a message saying what.

Each test breaks one promise of the sandbox connector and runs the check that guards it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors import RawRecord, SessionOptions, StatusTable
from ironbridge.connectors.sandbox import connector as sandbox
from ironbridge.connectors.sandbox import maps
from ironbridge.connectors.sandbox.connector import SandboxConnector, SandboxSession
from ironbridge.connectors.sandbox.system import SandboxSystem
from ironbridge.model import Entity, VendorStatus, WorkOrderStatus
from ironbridge.testing.conformance import CHECKS, Conformance

from ...contract.test_connector_conformance import SAMPLES

GOOD = SAMPLES["sandbox"]


def suite(connector: SandboxConnector, samples: Mapping[Entity, Any] = GOOD) -> Conformance:
    return Conformance(connector, {}, samples=samples)


def with_tables(*tables: StatusTable) -> SandboxConnector:
    class Tabled(SandboxConnector):
        status_tables = tables

    return Tabled()


def with_session(session_type: type[SandboxSession]) -> SandboxConnector:
    class Broken(SandboxConnector):
        def session(
            self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
        ) -> SandboxSession:
            return session_type(options)

    return Broken()


def test_the_sandbox_passes_every_check() -> None:
    suite(sandbox).run_all()
    assert "check_declared_writes_read_back" in CHECKS


def test_a_code_the_source_sends_but_the_table_lacks_is_named() -> None:
    shorter = dict(maps.WORK_ORDER_STATUS)
    del shorter["On Hold"]
    table = StatusTable(Entity.WORK_ORDERS, "Status", MappingProxyType(shorter), WorkOrderStatus)
    with pytest.raises(AssertionError, match="sends 'On Hold', which the status table lacks"):
        suite(with_tables(table)).check_every_code_the_source_sends_is_mapped()
    # An open table may leave codes out: each system adds its own.
    open_table = dataclasses.replace(table, closed=False)
    suite(with_tables(open_table)).check_every_code_the_source_sends_is_mapped()


def test_a_table_naming_a_field_no_record_has_is_refused() -> None:
    table = StatusTable(Entity.VENDORS, "State", maps.VENDOR_STATUS, VendorStatus)
    with pytest.raises(AssertionError, match="no record carries the field"):
        suite(with_tables(table)).check_every_code_the_source_sends_is_mapped()


def test_a_table_mapping_to_another_enum_is_refused() -> None:
    table = StatusTable(Entity.WORK_ORDERS, "Status", maps.WORK_ORDER_STATUS, VendorStatus)
    with pytest.raises(AssertionError, match="not a VendorStatus"):
        suite(with_tables(table)).check_status_tables_map_to_unified_enums()


class IgnoresChanges(SandboxSession):
    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        super().update(entity, remote_id, changes)
        return self.get(entity, remote_id)


def test_an_update_that_does_not_show_what_was_written_is_caught() -> None:
    with pytest.raises(AssertionError, match="does not show what was written: notes"):
        suite(with_session(IgnoresChanges)).check_declared_writes_read_back()


class TriesUndeclaredDeletes(SandboxSession):
    def delete(self, entity: Entity, remote_id: str) -> None:
        raise errors.NotFound(f"No {entity.label} {remote_id!r}.")


def test_an_undeclared_operation_must_be_refused_not_tried() -> None:
    with pytest.raises(
        AssertionError, match="work-orders: delete is not in the spec, but the session tried it"
    ):
        suite(with_session(TriesUndeclaredDeletes)).check_unsupported_operations_are_refused()


class UnlockedSystem(SandboxSystem):
    def ensure_unlocked(self, entity: Entity, original: RawRecord, action: str) -> None:
        return None


class UnlockedEverything(SandboxSession):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._system = UnlockedSystem()


def test_a_write_the_record_state_should_lock_is_caught() -> None:
    with pytest.raises(AssertionError, match="must fail with RecordLocked"):
        suite(with_session(UnlockedEverything)).check_refused_writes_raise_the_right_error()


def test_a_declared_write_without_a_sample_fails_naming_it() -> None:
    samples = {entity: sample for entity, sample in GOOD.items() if entity is not Entity.VENDORS}
    with pytest.raises(AssertionError, match="vendors: the spec declares create"):
        suite(sandbox, samples).check_declared_writes_read_back()


class GetDatesLater(SandboxSession):
    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        raw = super().get(entity, remote_id)
        later = raw.modified_at + timedelta(hours=1) if raw.modified_at else None
        return RawRecord(raw.remote_id, later, raw.data)


def test_get_may_date_a_record_later_only_if_changes_since_list_it_then() -> None:
    with pytest.raises(AssertionError, match="changes since then list it at"):
        suite(with_session(GetDatesLater)).check_get_matches_the_listed_record()
