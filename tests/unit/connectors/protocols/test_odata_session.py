"""What the OData session reads besides one entity set per entity: records kept only as values
on other rows (`EntitySet.levels`), and an entity's `optional` second entity set."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors import kit
from ironbridge.connectors.base import RawRecord, SessionOptions
from ironbridge.connectors.protocols import odata_v2
from ironbridge.connectors.protocols.odata_session import EntitySet, ODataSession
from ironbridge.connectors.sap_s4hana.spec import CHECK_TEXTS, SPEC
from ironbridge.model import Entity

PLACES = EntitySet(
    service="STOCK",
    entity_set="Stock",
    key="Plant",
    change=None,
    levels=("Plant", "StorageLocation"),
)
AREAS = EntitySet(service="AREAS", entity_set="Area", key="Area", change=None, prefix="A:")


class FakeOData:
    """Stock rows, answered as `distinct` and `query` of an OData V2 client answer them."""

    def __init__(self, rows: Sequence[dict[str, str]]) -> None:
        self.rows = rows
        self.filters: list[str | None] = []

    def distinct(
        self, path: str, columns: Sequence[str], *, limit: int
    ) -> Iterator[tuple[str, ...]]:
        yield from sorted({tuple(row[name] for name in columns) for row in self.rows})[:limit]

    def query(self, path: str, *, filter: str | None = None, **_: Any) -> list[dict[str, Any]]:
        self.filters.append(filter)
        wanted = dict(part.split(" eq ") for part in (filter or "").split(" and ") if part)
        return [
            row
            for row in self.rows
            if all(f"'{row[name]}'" == value for name, value in wanted.items())
        ][:1]

    def iter_all(self, path: str, **_: Any) -> Iterator[list[dict[str, Any]]]:
        yield [{"Area": "north"}]


class Session(ODataSession):
    resources = {Entity.LOCATIONS: PLACES}
    optional = {Entity.LOCATIONS: (AREAS, "Areas are not read.")}
    source = "Test"

    def __init__(self, rows: Sequence[dict[str, str]], *, areas: bool = True) -> None:
        super().__init__(SPEC)
        self.fake = FakeOData(rows)
        self.odata = cast(Any, self.fake)
        self._areas = areas

    def offers(self, resource: EntitySet) -> bool:
        return self._areas


ROWS = [
    {"Plant": "1710", "StorageLocation": "171A"},
    {"Plant": "1710", "StorageLocation": "171A"},
    {"Plant": "1710", "StorageLocation": "171B"},
    {"Plant": "1720", "StorageLocation": ""},
    {"Plant": "", "StorageLocation": "X"},
]


def _records(session: Session) -> list[RawRecord]:
    return list(session.records(Entity.LOCATIONS, None, batch=50, page_size=50))


def test_levels_give_a_record_per_distinct_value_and_per_value_within_it() -> None:
    records = _records(Session(ROWS, areas=False))
    assert [(record.remote_id, record.modified_at) for record in records] == [
        ("1710", None),
        ("1710/171A", None),
        ("1710/171B", None),
        ("1720", None),
    ]
    assert records[0].data == {"Plant": "1710", "StorageLocation": ""}
    assert records[1].data == {"Plant": "1710", "StorageLocation": "171A"}


def test_an_optional_entity_set_comes_first_with_its_prefix() -> None:
    remote_ids = [record.remote_id for record in _records(Session(ROWS))]
    assert remote_ids[:2] == ["A:north", "1710"]


def test_a_level_record_is_found_by_its_values() -> None:
    session = Session(ROWS)
    found = session.get(Entity.LOCATIONS, "1710/171B")
    assert found.data == {"Plant": "1710", "StorageLocation": "171B"}
    assert session.fake.filters[-1] == "Plant eq '1710' and StorageLocation eq '171B'"
    assert session.get(Entity.LOCATIONS, "1720").data == {"Plant": "1720", "StorageLocation": ""}
    assert session.fake.filters[-1] == "Plant eq '1720'"


@pytest.mark.parametrize("remote_id", ["1730", "1710/171C", "A:"])
def test_a_level_record_no_row_holds_is_not_found(remote_id: str) -> None:
    with pytest.raises(errors.NotFound):
        Session(ROWS).get(Entity.LOCATIONS, remote_id)


class Locking(Session):
    locks = {"Deleted": ("X", "flagged for deletion", "cancelled")}


def test_a_declared_lock_refuses_changes_with_the_status_it_means() -> None:
    session = Locking(ROWS)
    session.ensure_changeable(Entity.PURCHASE_ORDERS, "7", {"Deleted": ""})
    with pytest.raises(errors.RecordLocked) as caught:
        session.ensure_changeable(Entity.PURCHASE_ORDERS, "7", {"Deleted": "X"})
    assert caught.value.message == (
        "Purchase order 7 is flagged for deletion in Test and cannot be changed."
    )
    assert caught.value.details == {"status": "cancelled"}


class Signer:
    def __init__(self, method: str = "basic") -> None:
        self.method = method
        self.wrapped: object = None
        self.closed = False

    def around(self, wrap: Any = None) -> httpx.Auth:
        self.wrapped = wrap
        return httpx.BasicAuth("u", "p")

    def close(self) -> None:
        self.closed = True


class Opened(Session):
    auth_protocol = staticmethod(lambda inner: inner)
    error_reader = odata_v2.DetailedErrors("Test", "innererror/errordetails")

    def __init__(self) -> None:
        ODataSession.__init__(self, SPEC, SessionOptions(allow_private_urls=True))


def test_open_signs_requests_in_the_sessions_protocol_with_its_params() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(400, json={"error": {"code": "C", "message": "bad"}})

    session, signer = Opened(), Signer()
    session.open(
        "http://127.0.0.1/odata/",
        signer,
        params={"client": "100"},
        transport=httpx.MockTransport(answer),
    )
    assert signer.wrapped is Opened.auth_protocol
    with pytest.raises(errors.ValidationFailed, match="Test C: bad"):
        session.odata.get_json("S/E")
    assert seen[0].url.params["client"] == "100"
    session.close()
    assert signer.closed


def test_a_session_that_opened_nothing_closes_quietly() -> None:
    Session(ROWS).close()


class Writing(Session):
    mapper = kit.Mapper(
        "Test",
        odata_v2.ODataV2Wire("Test"),
        {
            Entity.PURCHASE_ORDERS: kit.RecordMap(
                {"vendor": kit.Ref(Entity.VENDORS, "Supplier")},
                creates={
                    "lines": kit.Rows("to_Item", {"quantity": kit.Number("Qty")}, number="Item")
                },
            )
        },
    )


def test_a_declared_mapper_writes_the_body_and_names_refused_fields() -> None:
    session = Writing(ROWS)
    payload = {"vendor_remote_id": "V1", "lines": [{"quantity": 2}]}
    assert session.write_body(Entity.PURCHASE_ORDERS, payload, creating=True) == {
        "Supplier": "V1",
        "to_Item": {"results": [{"Item": "1", "Qty": "2"}]},
    }
    with pytest.raises(errors.ValidationFailed):
        session.write_body(Entity.PURCHASE_ORDERS, payload, creating=False)
    names = session.field_names(Entity.PURCHASE_ORDERS)
    assert callable(names)
    assert names("Supplier") == "vendor_id"
    assert names("to_Item('2')/Qty") == "lines.1.quantity"


def test_a_session_without_a_mapper_writes_nothing() -> None:
    session = Session(ROWS)
    assert session.field_names(Entity.PURCHASE_ORDERS) is None
    with pytest.raises(TypeError):
        session.write_body(Entity.PURCHASE_ORDERS, {}, creating=True)


class Checking(Opened):
    check_texts = CHECK_TEXTS


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ("basic", "SAP refused the user name or password."),
        ("oauth2_client_credentials", "SAP refused the OAuth client or its token."),
        ("api_key", "Test refused the credentials."),
    ],
)
def test_refused_credentials_are_named_by_the_sign_in_method(method: str, message: str) -> None:
    session = Checking()
    session.open("http://127.0.0.1/odata/", Signer(method))
    assert session.refused() == message
    session.close()


def test_a_session_that_never_signed_in_is_refused_in_general_terms() -> None:
    assert Checking().refused() == "Test refused the credentials."
