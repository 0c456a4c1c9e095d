"""The conformance suite every connector must pass, runnable against any live target.

Each check drives a connector directly (no server, no store) and raises AssertionError with
a message saying what the connector got wrong. `run_all` runs every check in order; the test
suite runs them per registered connector, and connector authors run them against their
emulator or a real instance:

    suite = Conformance(my_connector, {"url": ..., "password": ...}, samples=MY_SAMPLES)
    suite.run_all()

Reads are checked on whatever the target holds. Writes need payloads the target accepts, so
each declared write is exercised with a `WriteSample` per entity: payloads already resolved
to remote ids, as the service passes them (see `ironbridge.connectors.base`), and, where the
source has them, a write it refuses because of a record's state (`RecordLocked`) or a value
(`ValidationFailed`). The write checks change the target: run them against a copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from ..connectors import CheckStage, Connector, ConnectorSession, RawRecord, SessionOptions
from ..connectors.base import Operation
from ..errors import NotFound, OperationNotSupported, RecordLocked, ValidationFailed
from ..model import MODELS, REFERENCE_FIELDS, Entity, record_id

__all__ = ["CHECKS", "Conformance", "WriteSample"]

_CONNECTION = "conn_CONFORMANCE"
#: What the service dates a record without a change time by, in checks that need a date.
_SEEN_AT = datetime(2100, 1, 1, tzinfo=UTC)
#: A remote id no source holds.
_UNKNOWN = "does-not-exist-9f1c"
_REFERENCE_SUFFIX = "_remote_id"
_WRITES: tuple[Operation, ...] = ("create", "update", "delete")


@dataclass(frozen=True)
class WriteSample:
    """How to exercise the writes a connector declares for one entity, in one target.

    Payloads are resolved write bodies (`vendor_remote_id`, Python values), valid in the target.
    The record `create` makes is then updated and deleted, unless `update_target` or
    `delete_target` names another (a source that keeps nothing written has no created record
    to change). Each `*_refused` write must fail: `locked_*` with `RecordLocked` (a record whose
    state locks it), `invalid_*` with `ValidationFailed` (a value the source refuses).
    `not_read_back` names payload fields the source stores in a form of its own on purpose.
    `adjust` is (item remote id, adjustment) for inventory items; its read back is checked on
    the stock level at the adjustment's location.
    """

    create: Mapping[str, Any] | None = None
    update: Mapping[str, Any] | None = None
    update_target: str | None = None
    delete_target: str | None = None
    adjust: tuple[str, Mapping[str, Any]] | None = None
    locked_update: tuple[str, Mapping[str, Any]] | None = None
    locked_delete: str | None = None
    invalid_create: Mapping[str, Any] | None = None
    invalid_update: tuple[str, Mapping[str, Any]] | None = None
    invalid_adjust: tuple[str, Mapping[str, Any]] | None = None
    not_read_back: frozenset[str] = frozenset()


def _ids(entity: Entity, remote_id: str) -> str:
    return record_id(_CONNECTION, entity, remote_id)


def _lookup(data: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """The value at `a/b` in nested objects, and whether the record has it at all."""
    value: Any = data
    for step in path.split("/"):
        if not isinstance(value, Mapping) or step not in value:
            return False, None
        value = value[step]
    return True, value


def _plain(value: Any) -> Any:
    """A value in one form for comparing what was written with what was read back."""
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).normalize()
    return value


def _differences(expected: Any, got: Any, path: str) -> Iterator[str]:
    """Where `got` disagrees with the written `expected` (a subset: unwritten keys are free)."""
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            yield f"{path}: wrote an object, read back {got!r}"
            return
        for key, value in expected.items():
            if key.endswith(_REFERENCE_SUFFIX):
                stem = key.removesuffix(_REFERENCE_SUFFIX)
                ref = got.get(stem)
                remote = ref.get("remote_id") if isinstance(ref, Mapping) else None
                if remote != value:
                    yield f"{path}{stem}: wrote {value!r}, read back {remote!r}"
            else:
                yield from _differences(value, got.get(key), f"{path}{key}.")
    elif isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            yield f"{path.rstrip('.')}: wrote {len(expected)} entries, read back {got!r}"
            return
        for index, (one, other) in enumerate(zip(expected, got, strict=True)):
            yield from _differences(one, other, f"{path}{index}.")
    elif _plain(expected) != _plain(got):
        yield f"{path.rstrip('.')}: wrote {expected!r}, read back {got!r}"


def _refusals(
    sample: WriteSample | None,
) -> Iterator[tuple[type[Exception], Operation, str | None, Mapping[str, Any]]]:
    """The writes `sample` says the source refuses: (error, operation, remote id, payload)."""
    if sample is None:
        return
    if sample.locked_update is not None:
        yield RecordLocked, "update", *sample.locked_update
    if sample.locked_delete is not None:
        yield RecordLocked, "delete", sample.locked_delete, {}
    if sample.invalid_create is not None:
        yield ValidationFailed, "create", None, sample.invalid_create
    if sample.invalid_update is not None:
        yield ValidationFailed, "update", *sample.invalid_update
    if sample.invalid_adjust is not None:
        yield ValidationFailed, "adjust", *sample.invalid_adjust


def _write(
    session: ConnectorSession,
    entity: Entity,
    operation: Operation,
    remote_id: str,
    payload: Mapping[str, Any],
) -> object:
    if operation == "create":
        return session.create(entity, dict(payload))
    if operation == "update":
        return session.update(entity, remote_id, dict(payload))
    if operation == "delete":
        session.delete(entity, remote_id)
        return None
    if operation == "adjust":
        return session.adjust_inventory(remote_id, dict(payload))
    raise ValueError(f"{operation} is not a write")


@dataclass
class Conformance:
    """The checks, against one target: `connector` signed in with `credentials`.

    `samples` says how to exercise the declared writes (see `WriteSample`); a declared write
    without a sample fails its check. Each `check_*` method opens its own session.
    """

    connector: Connector
    credentials: Mapping[str, str]
    options: SessionOptions = field(default_factory=SessionOptions)
    page_size: int = 50
    #: Reading stops after this many records per entity, so big sources stay quick.
    max_records: int = 2000
    #: At most this many listed records per entity are fetched again with `get`.
    max_gets: int = 25
    #: How to exercise each entity's declared writes; see `WriteSample`.
    samples: Mapping[Entity, WriteSample] = field(default_factory=dict)

    def session(self) -> ConnectorSession:
        return self.connector.session(self.credentials, options=self.options)

    def _read(
        self, session: ConnectorSession, entity: Entity, since: datetime | None = None
    ) -> Iterator[list[RawRecord]]:
        seen = 0
        for page in session.list_changes(entity, since, page_size=self.page_size):
            yield page
            seen += len(page)
            if seen >= self.max_records:
                return

    def _records(self, session: ConnectorSession, entity: Entity) -> list[RawRecord]:
        return [raw for page in self._read(session, entity) for raw in page]

    def _unified(self, entity: Entity, raw: RawRecord) -> dict[str, Any]:
        """The record as the service would store it: mapped, dated, validated."""
        unified = self.connector.to_unified(entity, raw, _ids)
        if raw.modified_at is None:
            # ironbridge dates a record its source does not.
            unified = {**unified, "updated_at": _SEEN_AT}
        return MODELS[entity].model_validate(unified).model_dump()

    def _sample(self, entity: Entity, operation: Operation) -> WriteSample:
        sample = self.samples.get(entity)
        payload_named = operation in ("create", "update", "adjust")
        if sample is None or (payload_named and getattr(sample, operation) is None):
            raise AssertionError(
                f"{entity}: the spec declares {operation}, but the suite has no write sample "
                "to exercise it (pass samples=)"
            )
        return sample

    # -- checks --------------------------------------------------------------------------

    def check_spec_is_complete(self) -> None:
        spec = self.connector.spec
        assert spec.name and spec.description, "spec needs a name and a description"
        assert spec.entities, "a connector reads at least one entity"
        for auth_field in spec.auth_fields:
            assert auth_field.label and auth_field.help, f"auth field {auth_field.name} lacks help"
        assert spec.to_dict()["id"] == spec.id

    def check_stages_pass_in_order(self) -> None:
        with self.session() as session:
            results = list(session.check())
        stages = [r.stage for r in results]
        assert stages == [CheckStage.REACH, CheckStage.AUTHENTICATE, CheckStage.PERMISSIONS], (
            f"check must yield reach, authenticate, permissions; got {stages}"
        )
        failed = [r for r in results if not r.ok]
        assert not failed, f"check failed on good credentials: {failed[0].message}"

    def check_status_tables_map_to_unified_enums(self) -> None:
        entities = self.connector.spec.entities
        for declared in self.connector.status_tables:
            where = f"{declared.entity} {declared.source}"
            assert declared.entity in entities, f"{where}: a status table for an unread entity"
            assert declared.table, f"{where}: the status table is empty"
            for code, member in declared.table.items():
                assert member is None or member in declared.enum, (
                    f"{where}: {code!r} maps to {member!r}, not a {declared.enum.__name__}"
                )

    def check_pages_are_ordered_and_end(self) -> None:
        with self.session() as session:
            for entity in self.connector.spec.entities:
                # Change times never go back; records sharing one may come in the source's own
                # key order (numeric ids, say), which the cursor's overlap makes harmless.
                # Records without a change time come after all others, by remote id.
                last: datetime | None = None
                last_unstamped: str | None = None
                seen: set[str] = set()
                for page in self._read(session, entity):
                    assert page, f"{entity}: an empty page (the stream ends instead)"
                    assert len(page) <= self.page_size, f"{entity}: page larger than asked"
                    for raw in page:
                        if raw.modified_at is None:
                            assert last_unstamped is None or raw.remote_id > last_unstamped, (
                                f"{entity}: {raw.remote_id} (no change time) is out of id order"
                            )
                            last_unstamped = raw.remote_id
                        else:
                            assert last_unstamped is None, (
                                f"{entity}: {raw.remote_id} comes after records without a "
                                "change time"
                            )
                            assert last is None or raw.modified_at >= last, (
                                f"{entity}: {raw.remote_id} is out of change-time order"
                            )
                            last = raw.modified_at
                        assert raw.remote_id not in seen, f"{entity}: {raw.remote_id} read twice"
                        seen.add(raw.remote_id)

    def check_records_map_to_valid_unified_records(self) -> None:
        ids: Callable[[Entity, str], str] = _ids
        with self.session() as session:
            for entity in self.connector.spec.entities:
                count = 0
                for page in self._read(session, entity):
                    for raw in page:
                        unified = self.connector.to_unified(entity, raw, ids)
                        assert unified.get("updated_at") == raw.modified_at, (
                            f"{entity} {raw.remote_id}: updated_at must be the change time"
                        )
                        if raw.modified_at is None:
                            # ironbridge dates a record its source does not.
                            unified = {**unified, "updated_at": _SEEN_AT}
                        model = MODELS[entity].model_validate(unified)
                        assert model.remote_id == raw.remote_id
                        assert model.id == ids(entity, raw.remote_id)
                        self._assert_references(entity, model.model_dump(mode="json"), ids)
                        count += 1
                assert count > 0, f"{entity}: the target holds no records to check"

    @staticmethod
    def _assert_references(
        entity: Entity, record: Mapping[str, Any], ids: Callable[[Entity, str], str]
    ) -> None:
        # The model already refuses anything beside the ids (a copied name); the id must be
        # the one of the referenced entity, or `expand` and the `*_id` filters find nothing.
        for name, place in REFERENCE_FIELDS[entity].items():
            for holder in place.holders(record):
                ref = holder.get(place.path[-1])
                if ref is not None:
                    assert ref["id"] == ids(place.target, ref["remote_id"]), (
                        f"{entity} {record['remote_id']}: {name} must carry the id of "
                        f"{place.target.value} {ref['remote_id']!r}"
                    )

    def check_every_code_the_source_sends_is_mapped(self) -> None:
        tables = self.connector.status_tables
        with self.session() as session:
            for entity in {declared.entity for declared in tables}:
                records = self._records(session, entity)
                for declared in tables:
                    if declared.entity is not entity or not declared.closed:
                        continue
                    where = f"{entity} {declared.source}"
                    found = [_lookup(raw.data, declared.source) for raw in records]
                    assert any(present for present, _ in found), (
                        f"{where}: no record carries the field its status table reads"
                    )
                    missing = {
                        repr(code)
                        for present, code in found
                        if present and code is not None and code not in declared.table
                    }
                    assert not missing, (
                        f"{where}: the source sends {', '.join(sorted(missing))}, which the "
                        "status table lacks"
                    )

    def check_get_matches_the_listed_record(self) -> None:
        with self.session() as session:
            for entity in self.connector.spec.entities:
                records = self._records(session, entity)
                step = max(1, len(records) // self.max_gets)
                picked = {*records[::step][: self.max_gets], *records[-1:]}
                redated: tuple[RawRecord, RawRecord] | None = None
                for listed in sorted(picked, key=lambda raw: raw.change_key):
                    fetched = session.get(entity, listed.remote_id)
                    assert fetched.remote_id == listed.remote_id, (
                        f"{entity}: get {listed.remote_id} returned {fetched.remote_id}"
                    )
                    got, want = self._unified(entity, fetched), self._unified(entity, listed)
                    wrong = sorted(
                        key for key in want if key != "updated_at" and got.get(key) != want[key]
                    )
                    assert not wrong, (
                        f"{entity} {listed.remote_id}: get maps to other {', '.join(wrong)} "
                        "than the listed record"
                    )
                    if fetched.modified_at != listed.modified_at:
                        redated = redated or (listed, fetched)
                if redated is not None:
                    self._assert_redated(session, entity, *redated)
                try:
                    session.get(entity, _UNKNOWN)
                except NotFound:
                    pass
                else:
                    raise AssertionError(f"{entity}: get of an unknown id must raise NotFound")

    def _assert_redated(
        self, session: ConnectorSession, entity: Entity, listed: RawRecord, fetched: RawRecord
    ) -> None:
        """A full listing may date a record by its own row where `get` also sees later changes
        of its dependent rows (Tryton: lines, cycles). Then reading changes since the listed
        time must bring the record again, at the time `get` gives it."""
        where = f"{entity} {listed.remote_id}"
        assert listed.modified_at is not None and fetched.modified_at is not None, (
            f"{where}: get has change time {fetched.modified_at}, the listing {listed.modified_at}"
        )
        assert fetched.modified_at > listed.modified_at, (
            f"{where}: get has change time {fetched.modified_at}, earlier than the listing's "
            f"{listed.modified_at}"
        )
        again = next(
            (
                raw
                for page in self._read(session, entity, listed.modified_at)
                for raw in page
                if raw.remote_id == listed.remote_id
            ),
            None,
        )
        assert again is not None and again.modified_at == fetched.modified_at, (
            f"{where}: get has change time {fetched.modified_at}, the listing "
            f"{listed.modified_at}, and changes since then list it at "
            f"{again.modified_at if again else 'no time (not at all)'}"
        )

    def check_since_returns_only_later_changes(self) -> None:
        with self.session() as session:
            for entity in self.connector.spec.entities:
                records = self._records(session, entity)
                stamped = [r.modified_at for r in records if r.modified_at is not None]
                unstamped = {r.remote_id for r in records if r.modified_at is None}
                if len(stamped) < 2 and not unstamped:
                    continue
                # Records without a change time come whatever `since`.
                pivot = stamped[len(stamped) // 2] if len(stamped) >= 2 else _SEEN_AT
                later = [r for page in self._read(session, entity, pivot) for r in page]
                assert later, f"{entity}: nothing returned since {pivot}"
                assert all(
                    r.modified_at is None or r.modified_at >= pivot - timedelta(seconds=1)
                    for r in later
                ), f"{entity}: list_changes(since) returned older records"
                expected = unstamped | {
                    r.remote_id
                    for r in records
                    if r.modified_at is not None and r.modified_at >= pivot
                }
                got = {r.remote_id for r in later}
                assert expected <= got, f"{entity}: since lost {sorted(expected - got)[:5]}"
                if stamped and len(records) < self.max_records:
                    # After the last change (a second on, for sources that keep whole seconds)
                    # only records without a change time come. A full listing may date records
                    # by their own rows only; the latest change is the latest `since` finds.
                    latest = max(
                        (r.modified_at for r in later if r.modified_at is not None),
                        default=max(stamped),
                    )
                    after = max(latest, max(stamped)) + timedelta(seconds=1)
                    again = {
                        r.remote_id for page in self._read(session, entity, after) for r in page
                    }
                    assert again == unstamped, (
                        f"{entity}: since {after}, after every change, returned "
                        f"{sorted(again - unstamped)[:5]} beside the records without a change time"
                    )

    def check_unsupported_operations_are_refused(self) -> None:
        spec = self.connector.spec
        attempts: dict[Operation, Callable[[ConnectorSession, Entity], object]] = {
            "read": lambda session, entity: next(iter(session.list_changes(entity, None)), None),
            "create": lambda session, entity: session.create(entity, {}),
            "update": lambda session, entity: session.update(entity, _UNKNOWN, {}),
            "delete": lambda session, entity: session.delete(entity, _UNKNOWN),
            "adjust": lambda session, _: session.adjust_inventory(_UNKNOWN, {}),
        }
        with self.session() as session:
            for entity in Entity:
                for operation, attempt in attempts.items():
                    if operation == "adjust" and entity is not Entity.INVENTORY_ITEMS:
                        continue
                    if spec.supports(entity, operation):
                        continue
                    try:
                        attempt(session, entity)
                    except OperationNotSupported as refused:
                        assert refused.code == "OPERATION_NOT_SUPPORTED"
                        continue
                    except Exception as other:
                        raise AssertionError(
                            f"{entity}: {operation} is not in the spec, but the session tried it "
                            f"({type(other).__name__}: {other}) instead of refusing it with "
                            "OperationNotSupported"
                        ) from None
                    raise AssertionError(f"{entity}: {operation} is not in the spec but succeeded")

    def check_declared_writes_read_back(self) -> None:
        spec = self.connector.spec
        with self.session() as session:
            for entity in spec.entities:
                created: RawRecord | None = None
                if spec.supports(entity, "create"):
                    sample = self._sample(entity, "create")
                    assert sample.create is not None
                    created = session.create(entity, dict(sample.create))
                    self._assert_read_back(session, entity, "create", sample.create, created)
                if spec.supports(entity, "update"):
                    sample = self._sample(entity, "update")
                    assert sample.update is not None
                    target = self._target(entity, "update", sample.update_target, created)
                    updated = session.update(entity, target, dict(sample.update))
                    assert updated.remote_id == target, (
                        f"{entity}: update of {target} returned {updated.remote_id}"
                    )
                    self._assert_read_back(session, entity, "update", sample.update, updated)
                if spec.supports(entity, "delete"):
                    sample = self._sample(entity, "delete")
                    target = self._target(entity, "delete", sample.delete_target, created)
                    session.delete(entity, target)
                    self._assert_gone(session, entity, target)

    def _target(
        self, entity: Entity, operation: str, named: str | None, created: RawRecord | None
    ) -> str:
        if named is not None:
            return named
        assert created is not None and self.connector.spec.persists_writes, (
            f"{entity}: the sample names no record to {operation} and there is no created "
            "record the source keeps"
        )
        return created.remote_id

    def _assert_read_back(
        self,
        session: ConnectorSession,
        entity: Entity,
        operation: str,
        payload: Mapping[str, Any],
        answered: RawRecord,
    ) -> None:
        sample = self.samples[entity]
        written = {k: v for k, v in payload.items() if k not in sample.not_read_back}
        readings = [("the answer", answered)]
        if self.connector.spec.persists_writes:
            readings.append(("get", session.get(entity, answered.remote_id)))
        for source, raw in readings:
            wrong = list(_differences(written, self._unified(entity, raw), ""))
            assert not wrong, (
                f"{entity} {operation} {answered.remote_id}: {source} does not show what was "
                f"written: {'; '.join(wrong[:5])}"
            )

    def _assert_gone(self, session: ConnectorSession, entity: Entity, remote_id: str) -> None:
        if not self.connector.spec.persists_writes:
            return
        try:
            raw = session.get(entity, remote_id)
        except NotFound:
            return
        # Sources that only cancel keep the record, marked.
        record = self._unified(entity, raw)
        assert record.get("deleted") or record.get("status") == "cancelled", (
            f"{entity}: {remote_id} still reads as live after delete"
        )

    def check_adjustments_read_back(self) -> None:
        if not self.connector.spec.supports(Entity.INVENTORY_ITEMS, "adjust"):
            return
        sample = self._sample(Entity.INVENTORY_ITEMS, "adjust")
        assert sample.adjust is not None
        item, adjustment = sample.adjust
        location = str(adjustment["location_remote_id"])
        with self.session() as session:
            before = self._on_hand(session.get(Entity.INVENTORY_ITEMS, item), location)
            answered = session.adjust_inventory(item, dict(adjustment))
            if "quantity_delta" in adjustment:
                expected = before + Decimal(str(adjustment["quantity_delta"]))
            else:
                expected = Decimal(str(adjustment["new_count"]))
            readings = [("the answer", answered)]
            if self.connector.spec.persists_writes:
                readings.append(("get", session.get(Entity.INVENTORY_ITEMS, item)))
            for source, raw in readings:
                got = self._on_hand(raw, location)
                assert got == expected, (
                    f"inventory-items {item}: {source} shows {got} on hand at {location} after "
                    f"the adjustment, not {expected}"
                )

    def _on_hand(self, raw: RawRecord, location: str) -> Decimal:
        levels = self._unified(Entity.INVENTORY_ITEMS, raw)["stock_levels"]
        return sum(
            (
                Decimal(level["on_hand"])
                for level in levels
                if level["location"]["remote_id"] == location
            ),
            Decimal(0),
        )

    def check_refused_writes_raise_the_right_error(self) -> None:
        spec = self.connector.spec
        with self.session() as session:
            for entity in spec.entities:
                if spec.supports(entity, "update"):
                    changes = self._sample(entity, "update").update or {}
                    self._refused(session, entity, NotFound, "update", _UNKNOWN, changes)
                sample = self.samples.get(entity)
                for error, operation, remote_id, payload in _refusals(sample):
                    self._refused(session, entity, error, operation, remote_id, payload)

    def _refused(
        self,
        session: ConnectorSession,
        entity: Entity,
        error: type[Exception],
        operation: Operation,
        remote_id: str | None,
        payload: Mapping[str, Any],
    ) -> None:
        what = f"{operation} of {remote_id}" if remote_id else operation
        kept = remote_id is not None and error is not NotFound
        before = session.get(entity, remote_id) if kept and remote_id else None
        try:
            _write(session, entity, operation, remote_id or "", payload)
        except error:
            pass
        except Exception as other:
            raise AssertionError(
                f"{entity}: the {what} must fail with {error.__name__}, not "
                f"{type(other).__name__}: {other}"
            ) from None
        else:
            raise AssertionError(f"{entity}: the {what} must fail with {error.__name__}")
        if before is not None:
            after = session.get(entity, before.remote_id)
            assert self._unified(entity, after) == self._unified(entity, before), (
                f"{entity}: the refused {what} changed the record"
            )

    def check_changes_after_a_write_are_listed(self) -> None:
        spec = self.connector.spec
        if not spec.persists_writes:
            return  # the source keeps nothing written: there is no change to list
        with self.session() as session:
            for entity in spec.entities:
                if not spec.supports(entity, "update"):
                    continue
                sample = self._sample(entity, "update")
                assert sample.update is not None
                target = sample.update_target
                if target is None:
                    assert sample.create is not None
                    target = session.create(entity, dict(sample.create)).remote_id
                before = session.get(entity, target)
                written = session.update(entity, target, dict(sample.update))
                assert written.modified_at is not None, (
                    f"{entity} {target}: an updated record has no change time"
                )
                assert before.modified_at is None or written.modified_at > before.modified_at, (
                    f"{entity} {target}: the update did not move the change time on"
                )
                since = [
                    raw for page in self._read(session, entity, before.modified_at) for raw in page
                ]
                listed = {raw.remote_id: raw for raw in since}
                assert target in listed, (
                    f"{entity}: the record {target} updated after {before.modified_at} is not "
                    "listed since then"
                )
                assert listed[target].modified_at == written.modified_at, (
                    f"{entity} {target}: listed with change time {listed[target].modified_at}, "
                    f"the update answered {written.modified_at}"
                )
                # Nothing else changed since the write: exactly the written record comes.
                after = {
                    raw.remote_id
                    for page in self._read(session, entity, written.modified_at)
                    for raw in page
                    if raw.modified_at is not None
                }
                assert after == {target}, (
                    f"{entity}: since the update of {target}, list_changes returned "
                    f"{sorted(after)[:5]}; exactly the changed record was expected"
                )

    def run_all(self) -> None:
        for check in CHECKS:
            getattr(self, check)()


#: Every check, in the order `run_all` runs them.
CHECKS: tuple[str, ...] = tuple(name for name in vars(Conformance) if name.startswith("check_"))
