"""`odata_v4.ODataV4Session` over the small OData v4 service: reads and the permission probe
from declarations alone, with string keys (Business Central's tests cover GUID keys)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ironbridge import errors
from ironbridge.connectors.base import Availability, CheckResult, SessionOptions
from ironbridge.connectors.business_central.spec import SPEC
from ironbridge.connectors.protocols import http, odata_v4
from ironbridge.model import Entity
from ironbridge.testing.odata_v4 import EntitySet, ODataV4Service, serving

T0 = datetime(2025, 1, 1, tzinfo=UTC)
#: Keys that need quoting or escaping in a URL: an apostrophe, a slash.
CODES = ("B2", "O'NEIL", "A/1", "C3")
#: Items and vendors, of which the service offers only items.
_SPEC = dataclasses.replace(
    SPEC, capabilities={e: SPEC.capabilities[e] for e in (Entity.INVENTORY_ITEMS, Entity.VENDORS)}
)


class _Session(odata_v4.ODataV4Session):
    resources = {
        Entity.INVENTORY_ITEMS: odata_v4.EntitySet("items"),
        Entity.VENDORS: odata_v4.EntitySet("vendors"),
    }
    key, change = "code", "changedAt"
    source = "The test service"
    all_readable = "Everything is readable."
    grant_fix = "Publish the entity set."

    def __init__(self, base_url: str) -> None:
        super().__init__(_SPEC, SessionOptions(allow_private_urls=True))
        self.odata = odata_v4.ODataV4Client(
            http.make_client(base_url, auth=None, options=self.options)
        )

    def check(self) -> Iterator[CheckResult]:
        yield self.check_permissions()

    def close(self) -> None:
        self.odata.http.close()


@pytest.fixture
def session() -> Iterator[_Session]:
    rows = [
        {"code": code, "changedAt": T0 + timedelta(minutes=index % 2)}
        for index, code in enumerate(CODES)
    ]
    service = ODataV4Service({"items": EntitySet("code", rows)}, root="/api/")
    with serving(service) as url, _Session(url) as opened:
        yield opened


def test_changes_come_in_change_time_then_key_order(session: _Session) -> None:
    pages = list(session.list_changes(Entity.INVENTORY_ITEMS, None, page_size=3))
    assert [r.remote_id for page in pages for r in page] == ["A/1", "B2", "C3", "O'NEIL"]
    assert all(0 < len(page) <= 3 for page in pages)
    assert pages[0][0].modified_at == T0
    later = list(session.list_changes(Entity.INVENTORY_ITEMS, T0 + timedelta(minutes=1)))
    assert [r.remote_id for page in later for r in page] == ["C3", "O'NEIL"]


@pytest.mark.parametrize("code", CODES)
def test_one_record_is_read_by_its_string_key(session: _Session, code: str) -> None:
    record = session.get(Entity.INVENTORY_ITEMS, code)
    assert (record.remote_id, record.data["code"]) == (code, code)


def test_an_unknown_key_is_not_found(session: _Session) -> None:
    with pytest.raises(errors.NotFound):
        session.get(Entity.INVENTORY_ITEMS, "NOPE")


def test_the_check_names_the_entity_set_the_service_lacks(session: _Session) -> None:
    result = session.check_permissions()
    assert result.ok
    [missing] = result.entities
    assert (missing.entity, missing.status) == (Entity.VENDORS, Availability.UNAVAILABLE)
    assert missing.enable == "Publish the entity set."
    assert result.message.startswith("Not available: vendors: ")
