"""A connector declared as its session class and its mapper."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime

import pytest

from ironbridge import errors
from ironbridge.connectors.base import (
    AuthField,
    Capability,
    CheckResult,
    ConnectorSession,
    ConnectorSpec,
    RawRecord,
    SessionOptions,
    StatusTable,
)
from ironbridge.connectors.kit import PLAIN, Code, MappedConnector, Mapper, RecordMap, Text
from ironbridge.model import Entity, VendorStatus

SPEC = ConnectorSpec(
    id="tiny",
    name="Tiny",
    category="erp",
    logo="",
    description="A tiny system.",
    auth_fields=(AuthField(name="host", label="Host", help="Where it is.", secret=False),),
    setup_guide=(),
    capabilities={Entity.VENDORS: Capability(read=True, create=False, update=False, delete=False)},
    change_field="changed",
    passthrough=False,
)


STATUS = {"A": VendorStatus.ACTIVE, "I": VendorStatus.INACTIVE}
VENDOR = {"name": Text("nm"), "status": Code("st", table=STATUS)}


class TinySession(ConnectorSession):
    def __init__(self, credentials: Mapping[str, str], *, options: SessionOptions | None) -> None:
        super().__init__(SPEC, options)
        self.credentials = credentials

    def check(self) -> Iterator[CheckResult]:
        yield from ()

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        yield from ()

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        raise errors.NotFound(remote_id)


class Tiny(MappedConnector):
    spec = SPEC
    mapper = Mapper("Tiny", PLAIN, {Entity.VENDORS: RecordMap(fields=VENDOR)})
    session_type = TinySession


def test_sessions_get_validated_credentials_and_records_map_through_the_mapper() -> None:
    session = Tiny().session({"host": "tiny.example"})
    assert isinstance(session, TinySession)
    assert session.credentials == {"host": "tiny.example"}
    with pytest.raises(errors.ValidationFailed):
        Tiny().session({"host": "tiny.example", "port": "1"})
    record = Tiny().to_unified(
        Entity.VENDORS, RawRecord("V1", None, {"nm": "Acme", "st": "I"}), _ids
    )
    assert (record["id"], record["name"], record["status"]) == ("vendors:V1", "Acme", "inactive")


def test_status_tables_default_to_those_of_the_mappers_status_codes() -> None:
    assert Tiny.status_tables == (StatusTable(Entity.VENDORS, "st", STATUS, VendorStatus),)

    class Declared(Tiny):
        status_tables = ()

    assert Declared.status_tables == ()


def _ids(entity: Entity, remote_id: str) -> str:
    return f"{entity.value}:{remote_id}"
