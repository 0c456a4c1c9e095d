"""The conformance suite every connector must pass, runnable against any live target.

Each check drives a connector directly (no server, no store) and raises AssertionError with
a message saying what the connector got wrong. `run_all` runs every check in order; the test
suite runs them per registered connector, and connector authors can run them against their
own instance:

    suite = Conformance(my_connector, {"url": ..., "password": ...})
    suite.run_all()
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..connectors import CheckStage, Connector, ConnectorSession, RawRecord, SessionOptions
from ..errors import NotFound, OperationNotSupported
from ..model import MODELS, REFERENCE_FIELDS, Entity, record_id

__all__ = ["CHECKS", "Conformance"]

_CONNECTION = "conn_CONFORMANCE"
#: What the service dates a record without a change time by, in checks that need a date.
_SEEN_AT = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass
class Conformance:
    connector: Connector
    credentials: Mapping[str, str]
    options: SessionOptions = field(default_factory=SessionOptions)
    page_size: int = 50
    #: Reading stops after this many records per entity, so big sources stay quick.
    max_records: int = 2000

    def session(self) -> ConnectorSession:
        return self.connector.session(self.credentials, options=self.options)

    def _read(self, session: ConnectorSession, entity: Entity) -> Iterator[list[RawRecord]]:
        seen = 0
        for page in session.list_changes(entity, None, page_size=self.page_size):
            yield page
            seen += len(page)
            if seen >= self.max_records:
                return

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
        ids: Callable[[Entity, str], str] = lambda e, rid: record_id(_CONNECTION, e, rid)  # noqa: E731
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

    def check_since_returns_only_later_changes(self) -> None:
        with self.session() as session:
            for entity in self.connector.spec.entities:
                records = [r for page in self._read(session, entity) for r in page]
                stamped = [r.modified_at for r in records if r.modified_at is not None]
                unstamped = {r.remote_id for r in records if r.modified_at is None}
                if len(stamped) < 2 and not unstamped:
                    continue
                # Records without a change time come whatever `since`.
                pivot = stamped[len(stamped) // 2] if len(stamped) >= 2 else _SEEN_AT
                later = [
                    r
                    for page in session.list_changes(entity, pivot, page_size=self.page_size)
                    for r in page
                ]
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

    def check_get_matches_the_listed_record(self) -> None:
        with self.session() as session:
            for entity in self.connector.spec.entities:
                first = next((p[0] for p in self._read(session, entity) if p), None)
                if first is None:
                    continue
                fetched = session.get(entity, first.remote_id)
                assert fetched.remote_id == first.remote_id
                try:
                    session.get(entity, "does-not-exist-9f1c")
                except NotFound:
                    pass
                else:
                    raise AssertionError(f"{entity}: get of an unknown id must raise NotFound")

    def check_unsupported_operations_are_refused(self) -> None:
        spec = self.connector.spec
        with self.session() as session:
            for entity in Entity:
                if spec.supports(entity, "delete"):
                    continue
                try:
                    session.delete(entity, "any")
                except OperationNotSupported:
                    continue
                except NotFound:
                    raise AssertionError(
                        f"{entity}: delete is not in the spec but the session tried it"
                    ) from None
                raise AssertionError(f"{entity}: delete is not in the spec but succeeded")

    def run_all(self) -> None:
        for check in CHECKS:
            getattr(self, check)()


#: Every check, in the order `run_all` runs them.
CHECKS: tuple[str, ...] = tuple(name for name in vars(Conformance) if name.startswith("check_"))
