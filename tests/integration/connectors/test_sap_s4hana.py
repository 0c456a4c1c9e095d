"""The SAP S/4HANA connector driven over HTTP against the SAP S/4HANA emulator."""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors.base import (
    Availability,
    CheckStage,
    PassthroughRequest,
    RawRecord,
    SessionOptions,
)
from ironbridge.connectors.sap_s4hana import connector
from ironbridge.connectors.sap_s4hana.connector import SapS4HanaSession
from ironbridge.model import MODELS, Entity, PurchaseOrderStatus, WorkOrderType, record_id
from ironbridge.testing.conformance import CHECKS, Conformance, WriteSample
from ironbridge.testing.emulators import EMULATORS, serve_emulator
from ironbridge.testing.emulators import sap as sap_alias
from ironbridge.testing.emulators.sap_s4hana import (
    Faults,
    RunningEmulator,
    SapS4HanaEmulator,
    running_emulator,
)
from ironbridge.testing.emulators.sap_s4hana.data import END_OF_TIME

LOCAL = SessionOptions(allow_private_urls=True, timeout=5.0)
EXPECTED_COUNTS = {
    Entity.PURCHASE_ORDERS: 300,
    Entity.VENDORS: 40,  # 45 business partners, 5 of them customers only
    Entity.WORK_ORDERS: 120,
    Entity.ASSETS: 80,  # 90 equipment slices, 10 of them historical
    Entity.INVENTORY_ITEMS: 60,
    Entity.LOCATIONS: 30,  # 3 plants, 6 storage locations, 21 functional locations
}
ORGANISATION = {"CompanyCode": "1710", "PurchasingOrganization": "1710", "PurchasingGroup": "001"}
#: When a sync saw the records SAP keeps no change time for, in these tests.
SEEN_AT = datetime(2026, 1, 1, tzinfo=UTC)


def ids(entity: Entity, remote_id: str) -> str:
    return record_id("conn_sap_test", entity, remote_id)


def credentials(sap: RunningEmulator, **overrides: str) -> dict[str, str]:
    return {
        "base_url": sap.base_url,
        "username": sap.username,
        "password": sap.password,
        **overrides,
    }


@pytest.fixture
def sap() -> Iterator[RunningEmulator]:
    with running_emulator() as running:
        yield running


@pytest.fixture
def session(sap: RunningEmulator) -> Iterator[SapS4HanaSession]:
    with connector.session(credentials(sap), options=LOCAL) as opened:
        yield opened


def read_all(
    session: SapS4HanaSession, entity: Entity, since: datetime | None = None, page_size: int = 100
) -> list[RawRecord]:
    records: list[RawRecord] = []
    for page in session.list_changes(entity, since, page_size=page_size):
        assert 0 < len(page) <= page_size
        records.extend(page)
    return records


def unified(entity: Entity, raw: RawRecord) -> Any:
    data = connector.to_unified(entity, raw, ids)
    if raw.modified_at is None:
        # SAP keeps no change time for it: the sync dates it by when it first saw its content.
        assert data["updated_at"] is None
        data["updated_at"] = SEEN_AT
    return MODELS[entity].model_validate(data)


def new_order(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "vendor_remote_id": "17300001",
        "order_date": date(2025, 7, 1),
        "lines": [
            {
                "item_remote_id": "TG0011",
                "quantity": Decimal("5"),
                "unit_price": Decimal("12.50"),
                "location_remote_id": "1710/171A",
                "required_date": date(2025, 7, 20),
            },
            {
                "description": "Calibration service",
                "quantity": Decimal("2"),
                "unit_of_measure": "H",
                "unit_price": Decimal("95"),
                "location_remote_id": "1720",
            },
        ],
        "custom_fields": dict(ORGANISATION),
    }
    payload.update(overrides)
    return payload


# --- check --------------------------------------------------------------------------------------


def test_good_credentials_pass_all_three_check_stages(session: SapS4HanaSession) -> None:
    results = list(session.check())
    assert [result.stage for result in results] == list(CheckStage)
    assert all(result.ok for result in results)


def test_a_host_that_does_not_answer_fails_reach(sap: RunningEmulator) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    target = credentials(sap, base_url=f"http://127.0.0.1:{closed_port}")
    with connector.session(target, options=LOCAL) as session:
        results = list(session.check())
    assert [(result.stage, result.ok) for result in results] == [(CheckStage.REACH, False)]
    assert results[0].fix


def test_a_wrong_password_fails_authenticate(sap: RunningEmulator) -> None:
    with connector.session(credentials(sap, password="wrong"), options=LOCAL) as session:
        results = list(session.check())
    assert [(result.stage, result.ok) for result in results] == [
        (CheckStage.REACH, True),
        (CheckStage.AUTHENTICATE, False),
    ]


def test_a_user_without_a_service_passes_with_that_entity_unavailable(
    sap: RunningEmulator,
) -> None:
    granted = [
        "API_PURCHASEORDER_PROCESS_SRV",
        "API_BUSINESS_PARTNER",
        "API_EQUIPMENT",
        "API_MATERIAL_STOCK_SRV",
    ]
    sap.emulator.add_user("NO_MAINT", "maint-pass-123", services=granted)
    limited = credentials(sap, username="NO_MAINT", password="maint-pass-123")
    with connector.session(limited, options=LOCAL) as session:
        results = list(session.check())
    permissions = results[-1]
    assert [result.ok for result in results] == [True, True, True]
    assert permissions.stage is CheckStage.PERMISSIONS
    found = {item.entity: item for item in permissions.entities}
    # Functional locations are not granted either: locations are read without them.
    assert set(found) == {Entity.WORK_ORDERS, Entity.LOCATIONS}
    assert found[Entity.LOCATIONS].status is Availability.LIMITED
    missing = found[Entity.WORK_ORDERS]
    assert missing.status is Availability.UNAVAILABLE
    assert missing.reason is not None and "API_MAINTENANCEORDER" in missing.reason
    assert missing.enable is not None and "SAP_COM_0398" in missing.enable
    assert "work-orders" in permissions.message


def test_a_private_address_is_refused_unless_the_deployment_allows_it(
    sap: RunningEmulator,
) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        connector.session(credentials(sap), options=SessionOptions())
    assert "base_url" in caught.value.fields


def test_a_pasted_gateway_path_in_the_address_still_connects(sap: RunningEmulator) -> None:
    pasted = credentials(sap, base_url=f"{sap.base_url}/sap/opu/odata/sap/API_EQUIPMENT/")
    with connector.session(pasted, options=LOCAL) as session:
        assert all(result.ok for result in session.check())


# --- OAuth 2.0 client credentials -----------------------------------------------------------


TOKEN_PATH = "/sap/bc/sec/oauth2/token"


def oauth_credentials(sap: RunningEmulator, **overrides: str) -> dict[str, str]:
    # As in SAP S/4HANA Cloud, the communication user is the OAuth client.
    return {
        "base_url": sap.base_url,
        "auth_method": "oauth2_client_credentials",
        "client_id": sap.username,
        "client_secret": sap.password,
        **overrides,
    }


def token_requests(sap: RunningEmulator) -> int:
    return sum(1 for _method, path, _user in sap.emulator.requests if path == TOKEN_PATH)


def test_oauth_passes_all_check_stages_with_one_token_from_the_systems_own_server(
    sap: RunningEmulator,
) -> None:
    with connector.session(oauth_credentials(sap), options=LOCAL) as session:
        results = list(session.check())
        session.get(Entity.WORK_ORDERS, "4000001")
    assert [(result.stage, result.ok) for result in results] == [
        (stage, True) for stage in CheckStage
    ]
    data_calls = [r for r in sap.emulator.requests if r[1] != TOKEN_PATH]
    assert token_requests(sap) == 1, "the token is kept for the session, not fetched per call"
    # Every data call was made with the Bearer token, which the emulator knows as the client's.
    assert data_calls and all(user == sap.username for _m, _p, user in data_calls)


def test_oauth_token_is_renewed_shortly_before_it_expires(sap: RunningEmulator) -> None:
    # A 10-minute token is renewed 30 s before it expires, on the session's clock.
    sap.emulator.token_lifetime = 600
    now = [1000.0]
    options = dataclasses.replace(LOCAL, clock=lambda: now[0])
    with connector.session(oauth_credentials(sap), options=options) as session:
        session.get(Entity.ASSETS, "10000001")
        now[0] += 569
        session.get(Entity.ASSETS, "10000002")
        assert token_requests(sap) == 1
        now[0] += 2
        session.get(Entity.ASSETS, "10000003")
    assert token_requests(sap) == 2
    assert not any(
        path.startswith("/sap/opu") and user is None for _m, path, user in sap.emulator.requests
    ), "no request went out with an expired token"


def test_a_revoked_token_is_replaced_once_and_the_call_retried(sap: RunningEmulator) -> None:
    with connector.session(oauth_credentials(sap), options=LOCAL) as session:
        session.get(Entity.WORK_ORDERS, "4000001")
        sap.emulator.revoke_tokens()
        assert session.get(Entity.WORK_ORDERS, "4000002").remote_id == "4000002"
        # Writes renew the same way, CSRF token and all.
        sap.emulator.revoke_tokens()
        updated = session.update(Entity.PURCHASE_ORDERS, "4500000002", {"payment_terms": "NT30"})
    assert unified(Entity.PURCHASE_ORDERS, updated).payment_terms == "NT30"
    assert token_requests(sap) == 3


def test_a_revoke_fault_mid_sync_is_survived(sap: RunningEmulator) -> None:
    sap.emulator.faults = Faults.parse("revoke_after=3")
    with connector.session(oauth_credentials(sap), options=LOCAL) as session:
        assert len(read_all(session, Entity.PURCHASE_ORDERS, page_size=50)) == 300
    assert token_requests(sap) == 2


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_secret": "wrong-secret-value"},
        {"client_id": "NOBODY"},
        {"scope": "API_NOT_GRANTED_0001"},
    ],
    ids=["wrong secret", "unknown client", "scope not granted"],
)
def test_a_refused_client_fails_authenticate_and_requires_reauthorisation(
    sap: RunningEmulator, overrides: dict[str, str]
) -> None:
    target = oauth_credentials(sap, **overrides)
    with connector.session(target, options=LOCAL) as session:
        results = list(session.check())
        with pytest.raises(errors.ConnectionReauthRequired) as caught:
            session.get(Entity.PURCHASE_ORDERS, "4500000001")
    assert [(result.stage, result.ok) for result in results] == [
        (CheckStage.REACH, True),
        (CheckStage.AUTHENTICATE, False),
    ]
    assert results[-1].fix
    for secret in ("wrong-secret-value", sap.password):
        assert secret not in caught.value.message and secret not in results[-1].message


def test_a_granted_scope_is_asked_for(sap: RunningEmulator) -> None:
    target = oauth_credentials(sap, scope="API_EQUIPMENT_0001 API_MAINTENANCEORDER_0001")
    with connector.session(target, options=LOCAL) as session:
        assert all(result.ok for result in session.check())


def test_an_unreachable_token_endpoint_fails_reach(sap: RunningEmulator) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    target = oauth_credentials(sap, token_url=f"http://127.0.0.1:{closed_port}{TOKEN_PATH}")
    with connector.session(target, options=LOCAL) as session:
        results = list(session.check())
        with pytest.raises(errors.ConnectionUnavailable):
            session.get(Entity.PURCHASE_ORDERS, "4500000001")
    assert [(result.stage, result.ok) for result in results] == [(CheckStage.REACH, False)]


def test_an_explicit_token_url_is_used(sap: RunningEmulator) -> None:
    target = oauth_credentials(sap, token_url=f"{sap.base_url}{TOKEN_PATH}")
    with connector.session(target, options=LOCAL) as session:
        assert all(result.ok for result in session.check())
    assert token_requests(sap) == 1


def test_a_private_token_url_is_refused_like_a_private_system_address(
    sap: RunningEmulator,
) -> None:
    # The system address is public; the token URL points inside the network.
    target = oauth_credentials(
        sap, base_url="https://93.184.216.34", token_url="http://169.254.169.254/token"
    )
    with pytest.raises(errors.ValidationFailed) as caught:
        connector.session(target, options=SessionOptions())
    assert set(caught.value.fields) == {"token_url"}
    with pytest.raises(errors.ValidationFailed) as scheme:
        connector.session(oauth_credentials(sap, token_url="ftp://sap/token"), options=LOCAL)
    assert set(scheme.value.fields) == {"token_url"}


def test_expired_client_secret_mid_session_requires_reauthorisation(sap: RunningEmulator) -> None:
    with connector.session(oauth_credentials(sap), options=LOCAL) as session:
        pages = session.list_changes(Entity.PURCHASE_ORDERS, None, page_size=50)
        assert len(next(pages)) == 50
        sap.emulator.expire_credentials()
        with pytest.raises(errors.ConnectionReauthRequired):
            list(pages)


def test_the_sign_in_method_decides_which_fields_are_needed_and_kept() -> None:
    base = {"base_url": "https://s4.example.com"}
    with pytest.raises(errors.ValidationFailed) as oauth_missing:
        connector.validate_credentials({**base, "auth_method": "oauth2_client_credentials"})
    assert set(oauth_missing.value.fields) == {"client_id", "client_secret"}
    with pytest.raises(errors.ValidationFailed) as basic_missing:
        connector.validate_credentials({**base, "client_id": "C", "client_secret": "S"})
    # No method given is a communication user, as every connection made before OAuth was.
    assert set(basic_missing.value.fields) == {"username", "password"}
    with pytest.raises(errors.ValidationFailed) as unknown:
        connector.validate_credentials({**base, "auth_method": "x509"})
    assert "auth_method" in unknown.value.fields
    # The other method's fields (a secret typed before switching) are not kept.
    clean = connector.validate_credentials(
        {
            **base,
            "auth_method": "oauth2_client_credentials",
            "client_id": "C",
            "client_secret": "S",
            "username": "U",
            "password": "P",
        }
    )
    assert clean == {
        **base,
        "auth_method": "oauth2_client_credentials",
        "client_id": "C",
        "client_secret": "S",
    }


def test_the_catalog_shows_the_choice_and_which_fields_belong_to_it() -> None:
    fields = {field["name"]: field for field in connector.spec.to_dict()["auth_fields"]}
    assert [option["value"] for option in fields["auth_method"]["options"]] == [
        "basic",
        "oauth2_client_credentials",
    ]
    assert fields["client_secret"]["secret"] is True
    assert fields["client_secret"]["applies_when"] == {
        "field": "auth_method",
        "value": "oauth2_client_credentials",
    }
    assert fields["password"]["applies_when"]["value"] == "basic"
    assert fields["base_url"]["applies_when"] is None


@pytest.mark.parametrize(
    "check",
    [
        "check_stages_pass_in_order",
        "check_records_map_to_valid_unified_records",
        "check_get_matches_the_listed_record",
    ],
)
def test_the_connector_conforms_signed_in_with_oauth(sap: RunningEmulator, check: str) -> None:
    getattr(Conformance(connector, oauth_credentials(sap), options=LOCAL), check)()


# --- reads --------------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", list(Entity))
def test_a_full_read_maps_every_record_to_a_valid_unified_record(
    session: SapS4HanaSession, entity: Entity
) -> None:
    records = read_all(session, entity)
    assert len(records) == EXPECTED_COUNTS[entity]
    keys = [record.change_key for record in records]
    assert keys == sorted(keys)
    assert len({record.remote_id for record in records}) == len(records)
    for record in records:
        model = unified(entity, record)
        assert model.remote_id == record.remote_id
        assert model.updated_at == (record.modified_at or SEEN_AT)


def test_records_sharing_one_millisecond_are_neither_skipped_nor_repeated(
    session: SapS4HanaSession,
) -> None:
    # 4500000101-112 share one change stamp; 113-120 share one millisecond below which they
    # differ. Pages of 7 cut through both groups.
    records = read_all(session, Entity.PURCHASE_ORDERS, page_size=7)
    numbers = [record.remote_id for record in records]
    assert len(numbers) == len(set(numbers)) == 300
    keys = [record.change_key for record in records]
    assert all(earlier < later for earlier, later in itertools.pairwise(keys))


def test_statuses_cover_the_purchase_order_life(session: SapS4HanaSession) -> None:
    statuses = {
        unified(Entity.PURCHASE_ORDERS, record).status
        for record in read_all(session, Entity.PURCHASE_ORDERS)
    }
    assert {
        PurchaseOrderStatus.DRAFT,
        PurchaseOrderStatus.PENDING_APPROVAL,
        PurchaseOrderStatus.SENT,
        PurchaseOrderStatus.PARTIALLY_RECEIVED,
        PurchaseOrderStatus.RECEIVED,
        PurchaseOrderStatus.CANCELLED,
    } <= statuses


def test_an_unknown_status_code_is_an_upstream_error(
    sap: RunningEmulator, session: SapS4HanaSession
) -> None:
    sap.emulator.change_purchase_order("4500000003", PurchasingProcessingStatus="99")
    raw = session.get(Entity.PURCHASE_ORDERS, "4500000003")
    with pytest.raises(errors.UpstreamError, match="PurchasingProcessingStatus"):
        connector.to_unified(Entity.PURCHASE_ORDERS, raw, ids)


def test_order_types_and_priorities_of_the_systems_own_customizing_keep_the_order(
    sap: RunningEmulator, session: SapS4HanaSession
) -> None:
    (order,) = [row["MaintenanceOrder"] for row in sap.emulator.store.rows("MaintenanceOrder")][:1]
    sap.emulator.update("MaintenanceOrder", order, MaintenanceOrderType="ZM07", MaintPriority="7")
    data = unified(Entity.WORK_ORDERS, session.get(Entity.WORK_ORDERS, order))
    assert (data.type, data.priority) == (WorkOrderType.OTHER, None)
    assert data.custom_fields["MaintenanceOrderType"] == "ZM07"
    assert data.custom_fields["MaintPriority"] == "7"


def test_an_incremental_read_returns_exactly_the_records_changed_since(
    sap: RunningEmulator, session: SapS4HanaSession
) -> None:
    since = datetime.now(UTC)
    changed = ["4500000010", "4500000077", "4500000150", "4500000222", "4500000299"]
    for number in changed:
        sap.emulator.change_purchase_order(number, PaymentTerms="NT30")
    records = read_all(session, Entity.PURCHASE_ORDERS, since=since, page_size=2)
    assert sorted(record.remote_id for record in records) == changed
    assert all(record.modified_at >= since - timedelta(milliseconds=1) for record in records)
    assert all(record.data["PaymentTerms"] == "NT30" for record in records)


def test_incremental_reads_of_other_entities_follow_their_change_fields(
    sap: RunningEmulator, session: SapS4HanaSession
) -> None:
    since = datetime.now(UTC)
    sap.emulator.update("MaintenanceOrder", "4000005", SystemStatusText="TECO NMAT")
    sap.emulator.update(
        "Equipment",
        {"Equipment": "10000003", "ValidityEndDate": datetime(9999, 12, 31, tzinfo=UTC)},
        EquipmentName="Renamed pump",
    )
    # A never-changed partner (every fourth) and a changed one.
    sap.emulator.update("A_BusinessPartner", "17300004", SearchTerm1="TOUCHED")
    sap.emulator.update("A_BusinessPartner", "17300005", SearchTerm1="TOUCHED")
    assert [r.remote_id for r in read_all(session, Entity.WORK_ORDERS, since)] == ["4000005"]
    assets = read_all(session, Entity.ASSETS, since)
    assert [record.remote_id for record in assets] == ["10000003"]
    assert unified(Entity.ASSETS, assets[0]).name == "Renamed pump"
    vendors = read_all(session, Entity.VENDORS, since - timedelta(seconds=1))
    assert sorted(record.remote_id for record in vendors) == ["17300004", "17300005"]


def test_never_changed_partners_are_read_by_their_creation_time(session: SapS4HanaSession) -> None:
    vendors = {record.remote_id: record for record in read_all(session, Entity.VENDORS)}
    never_changed = vendors["17300004"]
    assert never_changed.data["LastChangeDate"] is None
    created = unified(Entity.VENDORS, never_changed)
    assert created.updated_at == created.created_at


def test_a_deleted_purchase_order_is_not_found(
    sap: RunningEmulator, session: SapS4HanaSession
) -> None:
    sap.emulator.delete_purchase_order("4500000042")
    with pytest.raises(errors.NotFound):
        session.get(Entity.PURCHASE_ORDERS, "4500000042")
    numbers = {record.remote_id for record in read_all(session, Entity.PURCHASE_ORDERS)}
    assert "4500000042" not in numbers and len(numbers) == 299


@pytest.mark.parametrize(
    ("entity", "remote_id"),
    [
        (Entity.PURCHASE_ORDERS, "4500000001"),
        (Entity.VENDORS, "17300002"),
        (Entity.WORK_ORDERS, "4000001"),
        (Entity.ASSETS, "10000008"),
        (Entity.INVENTORY_ITEMS, "TG0011"),
        (Entity.LOCATIONS, "1710"),
        (Entity.LOCATIONS, "1710/171A"),
        (Entity.LOCATIONS, "FL:1710"),
        (Entity.LOCATIONS, "FL:1720-PLT-LINE3"),
    ],
)
def test_get_returns_what_the_full_read_returns(
    session: SapS4HanaSession, entity: Entity, remote_id: str
) -> None:
    record = session.get(entity, remote_id)
    assert record.remote_id == remote_id
    listed = {item.remote_id: item for item in read_all(session, entity)}[remote_id]
    first, second = unified(entity, record), unified(entity, listed)
    assert first.model_dump(exclude={"updated_at"}) == second.model_dump(exclude={"updated_at"})


@pytest.mark.parametrize(
    ("entity", "remote_id"),
    [
        (Entity.PURCHASE_ORDERS, "4599999999"),
        (Entity.VENDORS, "17100001"),  # a customer, not a supplier
        (Entity.ASSETS, "19999999"),
        (Entity.LOCATIONS, "1710/999X"),
        (Entity.LOCATIONS, "FL:1710-NOWHERE"),
        (Entity.LOCATIONS, "FL:"),
    ],
)
def test_get_of_a_missing_record_is_not_found(
    session: SapS4HanaSession, entity: Entity, remote_id: str
) -> None:
    with pytest.raises(errors.NotFound):
        session.get(entity, remote_id)


# --- functional locations ---------------------------------------------------------------------


def test_locations_are_plants_storage_locations_and_functional_locations(
    session: SapS4HanaSession,
) -> None:
    places = {
        r.remote_id: unified(Entity.LOCATIONS, r) for r in read_all(session, Entity.LOCATIONS)
    }
    kinds = {
        (place.type.value, place.parent.remote_id if place.parent else None)
        for place in (
            places["1710"],
            places["1710/171A"],
            places["FL:1710"],
            places["FL:1710-PLT"],
            places["FL:1710-PLT-LINE2"],
        )
    }
    assert kinds == {
        ("plant", None),
        ("warehouse", "1710"),
        ("site", "1710"),  # the top functional location hangs below its plant
        ("area", "FL:1710"),
        ("area", "FL:1710-PLT"),
    }
    # The type follows the place in the structure, whatever the system's own category.
    utilities = places["FL:1710-UTL"]
    assert utilities.custom_fields["FunctionalLocationCategory"] == "Z1"
    assert (utilities.type.value, utilities.parent and utilities.parent.remote_id) == (
        "area",
        "FL:1710",
    )
    line = places["FL:1710-PLT-LINE2"]
    assert (line.code, line.name) == ("1710-PLT-LINE2", "Production line 2 1710")
    assert line.custom_fields["MaintenancePlant"] == "1710"
    assert places["FL:1730-UTL"].status.value == "inactive"
    assert places["FL:1710-UTL"].status.value == "active"
    # Every parent named is itself a location.
    assert all(p.parent is None or p.parent.remote_id in places for p in places.values())


def test_equipment_is_located_at_its_functional_location_or_else_its_plant(
    session: SapS4HanaSession,
) -> None:
    installed = unified(Entity.ASSETS, session.get(Entity.ASSETS, "10000001"))
    in_stock = unified(Entity.ASSETS, session.get(Entity.ASSETS, "10000013"))  # every 13th
    assert installed.location is not None and in_stock.location is not None
    assert installed.location.remote_id == "FL:1720-PLT-LINE2"
    assert installed.location.id == ids(Entity.LOCATIONS, "FL:1720-PLT-LINE2")
    assert in_stock.location.remote_id == "1720"


def test_functional_locations_are_read_incrementally_by_their_change_time(
    sap: RunningEmulator, session: SapS4HanaSession
) -> None:
    since = datetime.now(UTC)
    sap.emulator.update("FunctionalLocation", "1720-PLT-LINE4", FunctionalLocationName="Line 4")
    records = read_all(session, Entity.LOCATIONS, since, page_size=4)
    floc = [r for r in records if r.remote_id.startswith("FL:")]
    assert [r.remote_id for r in floc] == ["FL:1720-PLT-LINE4"]
    assert unified(Entity.LOCATIONS, floc[0]).name == "Line 4"
    # Plants and storage locations have no change time: they come whole, after, every time,
    # without one (never stamped with the time of the read, which would make each read a change).
    assert len(records) == 1 + 9
    assert [r.remote_id for r in records if r.modified_at is None] == sorted(
        r.remote_id for r in records[1:]
    )
    keys = [record.change_key for record in records]
    assert keys == sorted(keys)


def test_stock_comes_whole_without_a_change_time_whatever_since(
    session: SapS4HanaSession,
) -> None:
    items = read_all(session, Entity.INVENTORY_ITEMS, datetime.now(UTC) + timedelta(days=1))
    assert len(items) == 60
    assert {item.modified_at for item in items} == {None}
    assert [item.remote_id for item in items] == sorted(item.remote_id for item in items)
    assert session.get(Entity.INVENTORY_ITEMS, "TG0011").modified_at is None
    assert session.get(Entity.LOCATIONS, "1710/171A").modified_at is None


def test_a_user_without_functional_locations_reads_locations_limited_to_places(
    sap: RunningEmulator,
) -> None:
    granted = [
        "API_PURCHASEORDER_PROCESS_SRV",
        "API_BUSINESS_PARTNER",
        "API_MAINTENANCEORDER",
        "API_EQUIPMENT",
        "API_MATERIAL_STOCK_SRV",
    ]
    sap.emulator.add_user("NO_FLOC", "floc-pass-123", services=granted)
    limited = credentials(sap, username="NO_FLOC", password="floc-pass-123")
    with connector.session(limited, options=LOCAL) as session:
        results = list(session.check())
        places = read_all(session, Entity.LOCATIONS)
    assert [result.ok for result in results] == [True, True, True]
    (locations,) = results[-1].entities
    assert locations.entity is Entity.LOCATIONS and locations.status is Availability.LIMITED
    assert locations.available
    assert locations.reason is not None and "API_FUNCTIONALLOCATION" in locations.reason
    assert locations.enable is not None and "SAP_COM_0395" in locations.enable
    # Plants and storage locations still come; functional locations are left out, not failed.
    assert len(places) == 3 + 6
    assert not any(record.remote_id.startswith("FL:") for record in places)


def test_services_not_activated_on_the_system_are_unavailable_until_activated(
    sap: RunningEmulator,
) -> None:
    sap.emulator.disable_service("API_EQUIPMENT")
    sap.emulator.disable_service("API_FUNCTIONALLOCATION")
    with connector.session(credentials(sap), options=LOCAL) as session:
        results = list(session.check())
    assert [result.ok for result in results] == [True, True, True]
    found = {item.entity: item for item in results[-1].entities}
    assert set(found) == {Entity.ASSETS, Entity.LOCATIONS}
    assert found[Entity.ASSETS].status is Availability.UNAVAILABLE
    assert found[Entity.ASSETS].reason is not None
    assert "not available on this system" in found[Entity.ASSETS].reason
    assert found[Entity.ASSETS].enable is not None
    assert "API_EQUIPMENT" in found[Entity.ASSETS].enable
    assert "/IWFND/MAINT_SERVICE" in found[Entity.ASSETS].enable
    assert found[Entity.LOCATIONS].status is Availability.LIMITED

    sap.emulator.enable_service("API_EQUIPMENT")
    sap.emulator.enable_service("API_FUNCTIONALLOCATION")
    with connector.session(credentials(sap), options=LOCAL) as session:
        assert list(session.check())[-1].entities == ()


def test_a_purchase_order_line_cannot_be_delivered_to_a_functional_location(
    session: SapS4HanaSession,
) -> None:
    payload = new_order()
    payload["lines"][0]["location_remote_id"] = "FL:1710-PLT"
    with pytest.raises(errors.ValidationFailed) as caught:
        session.create(Entity.PURCHASE_ORDERS, payload)
    assert set(caught.value.fields) == {"lines.0.location_id"}


def test_stock_is_summed_per_storage_location(session: SapS4HanaSession) -> None:
    item = unified(Entity.INVENTORY_ITEMS, session.get(Entity.INVENTORY_ITEMS, "TG0011"))
    assert item.stock_levels
    assert item.total_on_hand == sum(level.on_hand for level in item.stock_levels)
    for level in item.stock_levels:
        assert level.available + level.reserved == level.on_hand


# --- writes -------------------------------------------------------------------------------------


def test_a_purchase_order_is_created_by_deep_insert(
    sap: RunningEmulator, session: SapS4HanaSession
) -> None:
    before = datetime.now(UTC)
    created = session.create(Entity.PURCHASE_ORDERS, new_order())
    order = unified(Entity.PURCHASE_ORDERS, created)
    assert order.remote_id == "4500000301"
    assert order.status is PurchaseOrderStatus.SENT
    assert [line.location.remote_id for line in order.lines if line.location] == [
        "1710/171A",
        "1720",
    ]
    assert order.lines[0].required_date == date(2025, 7, 20)
    assert order.lines[0].line_total == Decimal("62.50")
    assert order.custom_fields["PurchaseOrderType"] == "NB"
    posts = [request for request in sap.emulator.requests if request[0] == "POST"]
    assert len(posts) == 1, "header, items and schedule lines go in one request"
    changed = read_all(session, Entity.PURCHASE_ORDERS, since=before)
    assert [record.remote_id for record in changed] == ["4500000301"]


def test_create_names_the_organisational_fields_sap_needs(session: SapS4HanaSession) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        session.create(Entity.PURCHASE_ORDERS, new_order(custom_fields={"CompanyCode": "1710"}))
    assert set(caught.value.fields) == {
        "custom_fields.PurchasingOrganization",
        "custom_fields.PurchasingGroup",
    }


def test_create_refuses_fields_sap_cannot_write(session: SapS4HanaSession) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        session.create(Entity.PURCHASE_ORDERS, new_order(number="PO-1", notes="hello"))
    assert set(caught.value.fields) == {"number", "notes"}


def test_sap_field_errors_point_at_unified_fields(session: SapS4HanaSession) -> None:
    payload = new_order()
    payload["lines"][1]["location_remote_id"] = "9999"
    payload["vendor_remote_id"] = "17300006"  # blocked for purchasing
    with pytest.raises(errors.ValidationFailed) as caught:
        session.create(Entity.PURCHASE_ORDERS, payload)
    assert set(caught.value.fields) == {"vendor_id", "lines.1.location_id"}


def test_an_update_sends_if_match_from_a_fresh_read(
    sap: RunningEmulator, session: SapS4HanaSession
) -> None:
    updated = session.update(Entity.PURCHASE_ORDERS, "4500000002", {"payment_terms": "NT30"})
    assert unified(Entity.PURCHASE_ORDERS, updated).payment_terms == "NT30"
    fetches = [r for r in sap.emulator.requests if r[0] == "GET" and r[1].endswith("_SRV/")]
    patches = [r for r in sap.emulator.requests if r[0] == "PATCH"]
    assert len(fetches) == 1 and len(patches) == 1


def test_a_stale_etag_is_record_locked(sap: RunningEmulator, session: SapS4HanaSession) -> None:
    sap.emulator.faults.concurrent_change_writes = 1
    with pytest.raises(errors.RecordLocked):
        session.update(Entity.PURCHASE_ORDERS, "4500000002", {"payment_terms": "ZB14"})
    row = sap.emulator.get_row("A_PurchaseOrder", "4500000002")
    assert row is not None and row["PaymentTerms"] != "ZB14"


def test_an_order_flagged_for_deletion_is_record_locked(session: SapS4HanaSession) -> None:
    with pytest.raises(errors.RecordLocked):
        session.update(Entity.PURCHASE_ORDERS, "4500000025", {"payment_terms": "NT30"})


def test_an_update_refuses_fields_sap_cannot_change(session: SapS4HanaSession) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        session.update(
            Entity.PURCHASE_ORDERS,
            "4500000002",
            {"notes": "x", "custom_fields": {"CompanyCode": "1720"}},
        )
    assert set(caught.value.fields) == {"notes", "custom_fields.CompanyCode"}


def test_an_update_of_a_missing_order_is_not_found(session: SapS4HanaSession) -> None:
    with pytest.raises(errors.NotFound):
        session.update(Entity.PURCHASE_ORDERS, "4599999999", {"payment_terms": "NT30"})


def test_a_stale_csrf_token_is_fetched_again_once(
    sap: RunningEmulator, session: SapS4HanaSession
) -> None:
    session.update(Entity.PURCHASE_ORDERS, "4500000002", {"payment_terms": "0004"})
    sap.emulator.invalidate_csrf_tokens()
    session.update(Entity.PURCHASE_ORDERS, "4500000002", {"payment_terms": "NT30"})
    fetches = [r for r in sap.emulator.requests if r[0] == "GET" and r[1].endswith("_SRV/")]
    patches = [r for r in sap.emulator.requests if r[0] == "PATCH"]
    assert len(fetches) == 2
    assert len(patches) == 3  # one refused as stale, then resent


# --- failures -----------------------------------------------------------------------------------


def test_rate_limiting_is_rate_limit_exceeded_with_retry_after(
    sap: RunningEmulator, session: SapS4HanaSession
) -> None:
    sap.emulator.faults.rate_limit_requests = 1
    sap.emulator.faults.retry_after = 7
    with pytest.raises(errors.RateLimitExceeded) as caught:
        read_all(session, Entity.WORK_ORDERS)
    assert caught.value.retry_after == 7
    assert len(read_all(session, Entity.WORK_ORDERS)) == 120


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (503, errors.ConnectionUnavailable),
        (500, errors.UpstreamError),
        (502, errors.UpstreamError),
    ],
)
def test_server_failures_map_to_the_taxonomy(
    sap: RunningEmulator,
    session: SapS4HanaSession,
    status: int,
    error: type[errors.IronbridgeError],
) -> None:
    sap.emulator.faults.fail_requests = 1
    sap.emulator.faults.fail_status = status
    with pytest.raises(error) as caught:
        session.get(Entity.ASSETS, "10000001")
    assert caught.value.retryable


def test_expired_credentials_mid_session_require_reauthorisation(
    sap: RunningEmulator, session: SapS4HanaSession
) -> None:
    pages = session.list_changes(Entity.PURCHASE_ORDERS, None, page_size=50)
    assert len(next(pages)) == 50
    sap.emulator.expire_credentials()
    with pytest.raises(errors.ConnectionReauthRequired):
        list(pages)


def test_a_slow_source_is_an_upstream_timeout(sap: RunningEmulator) -> None:
    sap.emulator.faults.delay = 1.0
    impatient = SessionOptions(allow_private_urls=True, timeout=0.2)
    with (
        connector.session(credentials(sap), options=impatient) as session,
        pytest.raises(errors.UpstreamTimeout),
    ):
        session.get(Entity.WORK_ORDERS, "4000001")


def test_errors_never_carry_the_password(sap: RunningEmulator) -> None:
    with (
        connector.session(credentials(sap, password="s3cr3t-value"), options=LOCAL) as session,
        pytest.raises(errors.ConnectionReauthRequired) as caught,
    ):
        session.get(Entity.PURCHASE_ORDERS, "4500000001")
    assert "s3cr3t-value" not in caught.value.message


# --- passthrough and client ---------------------------------------------------------------------


def test_passthrough_returns_sap_json_without_session_secrets(session: SapS4HanaSession) -> None:
    response = session.passthrough(
        PassthroughRequest(
            "GET",
            "/sap/opu/odata/sap/API_MAINTENANCEORDER/MaintenanceOrder('4000001')",
            headers={"X-CSRF-Token": "Fetch", "Authorization": "Basic Zm9vOmJhcg=="},
        )
    )
    assert response.status == 200
    assert response.body["d"]["MaintenanceOrder"] == "4000001"
    assert not {"x-csrf-token", "set-cookie"} & {name.lower() for name in response.headers}


def test_passthrough_refuses_methods_other_than_get_and_post(session: SapS4HanaSession) -> None:
    with pytest.raises(errors.ValidationFailed):
        session.passthrough(PassthroughRequest("DELETE", "/sap/opu/odata/sap/API_EQUIPMENT/"))


def test_the_sap_client_is_sent_on_every_request(sap: RunningEmulator) -> None:
    with connector.session(credentials(sap, sap_client="100"), options=LOCAL) as session:
        list(session.check())
        session.update(Entity.PURCHASE_ORDERS, "4500000002", {"payment_terms": "ZB14"})
        # The emulator pages every 100 rows: __next links must keep their $skiptoken too.
        assert len(read_all(session, Entity.PURCHASE_ORDERS, page_size=500)) == 300
    paths = [path for _method, path, _user in sap.emulator.requests]
    assert paths and all("sap-client=100" in path for path in paths)
    assert any("skiptoken" in path for path in paths)


# --- conformance and the emulator as users run it ---------------------------------------------


#: The writes the conformance suite makes, as the write tests above make them.
SAMPLES = {
    Entity.PURCHASE_ORDERS: WriteSample(
        create=new_order(),
        update={"payment_terms": "NT30"},
        # Flagged for deletion: SAP refuses changes.
        locked_update=("4500000025", {"payment_terms": "NT30"}),
        invalid_create=new_order(number="PO-1", notes="hello"),
        invalid_update=("4500000002", {"notes": "x"}),
    )
}


@pytest.mark.parametrize("check", CHECKS)
def test_the_connector_passes_the_conformance_suite(sap: RunningEmulator, check: str) -> None:
    suite = Conformance(connector, credentials(sap), options=LOCAL, samples=SAMPLES)
    getattr(suite, check)()


def test_serve_emulator_prints_where_to_connect_and_stops(tmp_path: Any) -> None:
    assert "sap_s4hana" in EMULATORS
    out = io.StringIO()
    stop = threading.Event()
    thread = threading.Thread(
        target=serve_emulator,
        args=("sap_s4hana",),
        kwargs={"faults": "rate_limit=1,retry_after=3", "out": out, "stop": stop},
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        started = json.loads(out.getvalue().splitlines()[0])
        assert set(started) == {"base_url", "username", "password"}
        target = {key: started[key] for key in ("base_url", "username", "password")}
        with connector.session(target, options=LOCAL) as session:
            with pytest.raises(errors.RateLimitExceeded) as caught:
                session.get(Entity.WORK_ORDERS, "4000001")
            assert caught.value.retry_after == 3
            assert session.get(Entity.WORK_ORDERS, "4000001").remote_id == "4000001"
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_ironbridge_emulate_sap_prints_where_to_connect_and_serves() -> None:
    # The command as users type it, in its own process; `sap` is the short name of sap_s4hana.
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "ironbridge", "emulate", "sap", "--port", "0"),
            *("--disable-service", "API_EQUIPMENT"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "the emulator printed nothing within 30 s"
        started = json.loads(process.stdout.readline())
        assert set(started) == {"base_url", "username", "password"}
        response = httpx.get(
            f"{started['base_url']}/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/"
            "A_PurchaseOrder('4500000001')",
            auth=(started["username"], started["password"]),
            timeout=10,
        )
        assert response.status_code == 200
        assert response.json()["d"]["PurchaseOrder"] == "4500000001"
        # A service left out answers as SAP Gateway does for one not activated.
        missing = httpx.get(
            f"{started['base_url']}/sap/opu/odata/sap/API_EQUIPMENT/Equipment",
            auth=(started["username"], started["password"]),
            timeout=10,
        )
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "/IWFND/MED/170"
    finally:
        process.kill()
        process.wait(timeout=10)


def test_the_sap_module_is_the_sap_s4hana_emulator_under_its_short_name() -> None:
    assert EMULATORS["sap"] is EMULATORS["sap_s4hana"]
    assert sap_alias.SapS4HanaEmulator is SapS4HanaEmulator
    with sap_alias.running_emulator() as running:
        assert isinstance(running.emulator, SapS4HanaEmulator)


def test_the_emulator_seeds_as_many_purchase_orders_as_asked_keeping_the_sample() -> None:
    anchor = datetime.now(UTC)
    sample = SapS4HanaEmulator(anchor=anchor)
    larger = SapS4HanaEmulator(purchase_orders=450, anchor=anchor)
    assert len(larger.purchase_order_ids()) == 450
    assert larger.purchase_order_ids()[:300] == sample.purchase_order_ids()
    assert larger.get_row("A_PurchaseOrder", "4500000150") == sample.get_row(
        "A_PurchaseOrder", "4500000150"
    )
    assert larger.get_row("Equipment", ("10000003", END_OF_TIME)) == sample.get_row(
        "Equipment", ("10000003", END_OF_TIME)
    )


def test_serve_emulator_names_the_systems_it_knows() -> None:
    with pytest.raises(KeyError, match="sap_s4hana"):
        serve_emulator("nonexistent")


def test_fault_text_is_read_as_the_command_line_writes_it() -> None:
    faults = Faults.parse("fail=3,status=500,rate_limit=2,retry_after=5,delay=0.25,expire_after=9")
    assert (faults.fail_requests, faults.fail_status) == (3, 500)
    assert (faults.rate_limit_requests, faults.retry_after) == (2, 5)
    assert (faults.delay, faults.expire_credentials_after) == (0.25, 9)
    with pytest.raises(ValueError, match="unknown fault"):
        Faults.parse("explode=1")
