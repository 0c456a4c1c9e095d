"""The NetSuite connector against its emulator, over real HTTP: both sign-in methods, reads,
incremental reads across a line-only change and the account's midnight, writes with
idempotency keys, locked orders, 429 backoff and the account's concurrency, and the
conformance suite."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from joserfc.jwk import RSAKey

from ironbridge import errors
from ironbridge.connectors.base import CheckStage, PassthroughRequest, SessionOptions
from ironbridge.connectors.netsuite import connector
from ironbridge.connectors.netsuite.connector import NetSuiteSession
from ironbridge.connectors.protocols.rest_json import write_key
from ironbridge.model import Entity, LocationType, PurchaseOrderStatus
from ironbridge.testing.conformance import CHECKS, Conformance, WriteSample
from ironbridge.testing.emulators.netsuite import M2MClient, RunningEmulator
from ironbridge.unified.projection import Projector

LOCAL = SessionOptions(allow_private_urls=True)
ORDERS = Entity.PURCHASE_ORDERS


def ids(entity: Entity, remote_id: str) -> str:
    return f"{entity.value}:{remote_id}"


def tba(netsuite: RunningEmulator, **extra: str) -> dict[str, str]:
    return {
        "auth_method": "oauth1_hmac_sha256",
        **netsuite.tba,
        "base_url": netsuite.base_url,
        **extra,
    }


def m2m(netsuite: RunningEmulator) -> dict[str, str]:
    key = RSAKey.generate_key(2048)
    netsuite.emulator.credentials.m2m.append(
        M2MClient("ironbridge-client", "cert-1", RSAKey.import_key(key.as_pem(private=False)))
    )
    return {
        "auth_method": "oauth2_jwt_bearer",
        "account_id": netsuite.emulator.account_id,
        "client_id": "ironbridge-client",
        "certificate_id": "cert-1",
        "private_key": key.as_pem(private=True).decode(),
        "base_url": netsuite.base_url,
    }


def listed(session: Any, entity: Entity, since: datetime | None) -> dict[str, Any]:
    return {raw.remote_id: raw for page in session.list_changes(entity, since) for raw in page}


# -- connect ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["tba", "m2m"])
def test_both_sign_in_methods_connect_and_learn_the_time_zone(
    netsuite: RunningEmulator, method: str
) -> None:
    credentials = tba(netsuite) if method == "tba" else m2m(netsuite)
    with connector.session(credentials, options=LOCAL) as session:
        results = list(session.check())
        assert [r.stage for r in results] == list(CheckStage)
        assert all(r.ok for r in results), results
        assert "America/Los_Angeles" in results[1].message
        assert len(listed(session, Entity.LOCATIONS, None)) == 6


@pytest.mark.parametrize("zone", [None, "Europe/Berlin"])
def test_a_wrong_token_secret_fails_the_authenticate_stage(
    netsuite: RunningEmulator, zone: str | None
) -> None:
    named = {"time_zone": zone} if zone else {}
    with connector.session(tba(netsuite, token_secret="wrong", **named), options=LOCAL) as session:
        results = list(session.check())
    assert [(r.stage, r.ok) for r in results] == [
        (CheckStage.REACH, True),
        (CheckStage.AUTHENTICATE, False),
    ]


def test_a_time_zone_the_connection_names_wins(netsuite: RunningEmulator) -> None:
    with connector.session(tba(netsuite, time_zone="Europe/Berlin"), options=LOCAL) as session:
        results = list(session.check())
    assert all(r.ok for r in results) and "Europe/Berlin" in results[1].message


def test_an_assertion_signed_by_another_key_is_refused(netsuite: RunningEmulator) -> None:
    credentials = m2m(netsuite)
    credentials["private_key"] = RSAKey.generate_key(2048).as_pem(private=True).decode()
    with connector.session(credentials, options=LOCAL) as session:
        results = list(session.check())
    assert results[-1].stage is CheckStage.AUTHENTICATE and not results[-1].ok


def test_a_record_type_the_role_lacks_is_unavailable(netsuite: RunningEmulator) -> None:
    netsuite.emulator.denied.add("vendor")
    with connector.session(tba(netsuite), options=LOCAL) as session:
        results = list(session.check())
        assert results[-1].ok
        assert [item.entity for item in results[-1].entities] == [Entity.VENDORS]
        with pytest.raises(errors.PermissionDenied):
            session.get(Entity.VENDORS, "101")


# -- reads -----------------------------------------------------------------------------------


def test_orders_read_with_their_lines_status_and_custom_fields(netsuite: RunningEmulator) -> None:
    with connector.session(tba(netsuite), options=LOCAL) as session:
        records = listed(session, ORDERS, None)
        assert len(records) == 300
        statuses = {connector.to_unified(ORDERS, raw, ids)["status"] for raw in records.values()}
        assert statuses == set(PurchaseOrderStatus) - {PurchaseOrderStatus.APPROVED}
        order = connector.to_unified(ORDERS, session.get(ORDERS, "1005"), ids)
    assert order["number"] == "PO00005"
    assert order["custom_fields"] == {"custbody_approval_ref": "APR-5"}
    assert order["lines"] and order["total"] == sum(line["line_total"] for line in order["lines"])
    assert order["lines"][0]["item"]["remote_id"].isdigit()


def test_custom_fields_are_mappable_per_connection(netsuite: RunningEmulator) -> None:
    # A header field is a custom field already; a line field (custcol_*) is mapped in.
    mappings = {"custom_fields.cost_centers": "lines[].custcol_cost_center"}
    with connector.session(tba(netsuite), options=LOCAL) as session:
        raw = session.get(ORDERS, "1005")
    order = Projector(connector, "conn_1", ORDERS, mappings).unified(raw)
    db = netsuite.emulator.db
    centers = db.execute(
        'SELECT custcol_cost_center FROM transactionline WHERE "transaction" = 1005 '
        "AND mainline = 'F' AND custcol_cost_center IS NOT NULL ORDER BY linesequencenumber"
    ).fetchall()
    assert centers and order["custom_fields"]["custbody_approval_ref"] == "APR-5"
    assert order["custom_fields"]["cost_centers"] == [center for (center,) in centers]


def test_items_carry_their_quantities_per_location(netsuite: RunningEmulator) -> None:
    with connector.session(tba(netsuite), options=LOCAL) as session:
        item = connector.to_unified(
            Entity.INVENTORY_ITEMS, session.get(Entity.INVENTORY_ITEMS, "501"), ids
        )
    db = netsuite.emulator.db
    rows = db.execute(
        "SELECT location, quantityonhand FROM inventoryitemlocations "
        "WHERE item = 501 ORDER BY location"
    ).fetchall()
    assert [(s["location"]["remote_id"], s["on_hand"]) for s in item["stock_levels"]] == [
        (str(location), Decimal(on_hand)) for location, on_hand in rows
    ]


def test_locations_are_typed_by_their_location_type(netsuite: RunningEmulator) -> None:
    with connector.session(tba(netsuite), options=LOCAL) as session:
        records = listed(session, Entity.LOCATIONS, None)
    unified = [connector.to_unified(Entity.LOCATIONS, raw, ids) for raw in records.values()]
    types = {location["name"]: location["type"] for location in unified}
    assert types["Downtown Store"] is LocationType.SITE
    assert types["Main Warehouse"] is LocationType.WAREHOUSE
    # A location without a type holds stock as a warehouse does.
    assert types["West Coast DC"] is LocationType.WAREHOUSE


def test_an_unknown_id_is_not_found(netsuite: RunningEmulator) -> None:
    with connector.session(tba(netsuite), options=LOCAL) as session:
        with pytest.raises(errors.NotFound):
            session.get(ORDERS, "999999")
        with pytest.raises(errors.NotFound):
            session.get(ORDERS, "PO1")


# -- incremental reads -----------------------------------------------------------------------


def test_a_change_made_only_on_a_line_marks_its_order_changed(netsuite: RunningEmulator) -> None:
    with connector.session(tba(netsuite), options=LOCAL) as session:
        before = session.get(ORDERS, "1010")
        since = datetime.now(UTC).replace(microsecond=0)
        netsuite.emulator.change_line(1010, 1)
        changed = listed(session, ORDERS, since)
    assert set(changed) == {"1010"}
    assert changed["1010"].modified_at >= since > before.modified_at
    header = netsuite.emulator.db.execute(
        'SELECT lastmodifieddate FROM "transaction" WHERE id = 1010'
    ).fetchone()[0]
    assert header < netsuite.emulator.local_now().strftime("%Y-%m-%d %H:%M:%S")


def test_a_change_just_before_the_accounts_midnight_is_not_lost(netsuite: RunningEmulator) -> None:
    # 23:59:50 in Los Angeles is the next day in UTC: a bound written in UTC would skip it.
    zone = ZoneInfo("America/Los_Angeles")
    midnight = datetime.combine(datetime.now(zone).date(), time(), tzinfo=zone)
    moment = (midnight - timedelta(seconds=10)).astimezone(UTC)
    netsuite.emulator.change_order(1020, at=moment)
    with connector.session(tba(netsuite), options=LOCAL) as session:
        changed = listed(session, ORDERS, moment - timedelta(seconds=5))
        assert "1020" in changed and changed["1020"].modified_at == moment
        assert "1020" not in listed(session, ORDERS, moment + timedelta(seconds=1))


def test_pages_are_keyset_reads_in_change_order(netsuite: RunningEmulator) -> None:
    with connector.session(tba(netsuite), options=LOCAL) as session:
        pages = list(session.list_changes(ORDERS, None, page_size=40))
    keys = [(raw.modified_at, int(raw.remote_id)) for page in pages for raw in page]
    assert len(pages) == 8 and keys == sorted(keys) and len(set(keys)) == 300


# -- writes ----------------------------------------------------------------------------------

ORDER = {
    "vendor_remote_id": "102",
    "order_date": datetime(2026, 11, 2).date(),
    "notes": "From ironbridge",
    "custom_fields": {"custbody_approval_ref": "APR-X"},
    "lines": [
        {
            "item_remote_id": "502",
            "quantity": Decimal(3),
            "unit_price": Decimal("12.50"),
            "location_remote_id": "1",
        },
        {"item_remote_id": "503", "quantity": Decimal(1), "unit_price": Decimal(4)},
    ],
}


def test_an_order_is_created_with_lines_and_read_back(netsuite: RunningEmulator) -> None:
    with connector.session(tba(netsuite), options=LOCAL) as session:
        raw = session.create(ORDERS, dict(ORDER))
    order = connector.to_unified(ORDERS, raw, ids)
    assert order["vendor"]["remote_id"] == "102" and order["notes"] == "From ironbridge"
    assert [(line["item"]["remote_id"], line["quantity"]) for line in order["lines"]] == [
        ("502", Decimal(3)),
        ("503", Decimal(1)),
    ]
    assert order["custom_fields"] == {"custbody_approval_ref": "APR-X"}


def test_a_write_under_the_callers_key_is_applied_once(netsuite: RunningEmulator) -> None:
    before = len(netsuite.emulator.orders_in("B"))
    keyed = replace(LOCAL, idempotency_key="order-77")
    with connector.session(tba(netsuite), options=keyed) as session:
        first = session.create(ORDERS, dict(ORDER))
    with connector.session(tba(netsuite), options=keyed) as session:
        again = session.create(ORDERS, dict(ORDER))
    assert again.remote_id == first.remote_id
    assert len(netsuite.emulator.orders_in("B")) == before + 1
    path = "services/rest/record/v1/purchaseOrder"
    assert write_key("order-77", "POST", path) in netsuite.emulator.idempotent


def test_the_same_content_without_a_key_is_two_writes(netsuite: RunningEmulator) -> None:
    # Two identical orders asked on purpose are two orders, and a vendor set inactive,
    # active and inactive again ends inactive: no key is made from a write's content.
    with connector.session(tba(netsuite), options=LOCAL) as session:
        first, second = session.create(ORDERS, dict(ORDER)), session.create(ORDERS, dict(ORDER))
        for status in ("inactive", "active", "inactive"):
            vendor = session.update(Entity.VENDORS, "103", {"status": status})
    assert first.remote_id != second.remote_id
    assert connector.to_unified(Entity.VENDORS, vendor, ids)["status"] == "inactive"


def test_an_update_patches_the_header_and_replaces_lines(netsuite: RunningEmulator) -> None:
    with connector.session(tba(netsuite), options=LOCAL) as session:
        raw = session.update(
            ORDERS,
            "1001",
            {"notes": "Rush", "lines": [{"item_remote_id": "510", "quantity": Decimal(7)}]},
        )
    order = connector.to_unified(ORDERS, raw, ids)
    assert order["notes"] == "Rush"
    assert [(line["item"]["remote_id"], line["quantity"]) for line in order["lines"]] == [
        ("510", Decimal(7))
    ]


@pytest.mark.parametrize("status", ["G", "H"])
def test_closed_and_fully_billed_orders_are_locked(netsuite: RunningEmulator, status: str) -> None:
    order = netsuite.emulator.orders_in(status)[0]
    with (
        connector.session(tba(netsuite), options=LOCAL) as session,
        pytest.raises(errors.RecordLocked),
    ):
        session.update(ORDERS, str(order), {"notes": "late"})


def test_a_refused_value_names_the_unified_field(netsuite: RunningEmulator) -> None:
    with connector.session(tba(netsuite), options=LOCAL) as session:
        with pytest.raises(errors.ValidationFailed) as caught:
            session.create(ORDERS, {**ORDER, "vendor_remote_id": "99999"})
        assert set(caught.value.fields) == {"vendor_id"}
        bad_line = {**ORDER, "lines": [{"item_remote_id": "77777", "quantity": Decimal(1)}]}
        with pytest.raises(errors.ValidationFailed) as caught:
            session.create(ORDERS, bad_line)
        assert set(caught.value.fields) == {"lines.0.item_id"}
        with pytest.raises(errors.ValidationFailed) as caught:
            session.create(ORDERS, {**ORDER, "currency": "EUR"})
        assert set(caught.value.fields) == {"currency"}


def test_a_role_without_the_permission_is_permission_denied(netsuite: RunningEmulator) -> None:
    netsuite.emulator.denied.add("purchaseorder")
    with (
        connector.session(tba(netsuite), options=LOCAL) as session,
        pytest.raises(errors.PermissionDenied),
    ):
        session.create(ORDERS, dict(ORDER))


def test_vendors_are_created_and_updated(netsuite: RunningEmulator) -> None:
    with connector.session(tba(netsuite), options=LOCAL) as session:
        created = session.create(Entity.VENDORS, {"name": "Acme Parts", "email": "a@acme.test"})
        updated = session.update(Entity.VENDORS, created.remote_id, {"status": "inactive"})
    vendor = connector.to_unified(Entity.VENDORS, updated, ids)
    assert (vendor["name"], vendor["email"], vendor["status"]) == (
        "Acme Parts",
        "a@acme.test",
        "inactive",
    )


# -- passthrough -----------------------------------------------------------------------------


def test_passthrough_runs_suiteql_and_reads_records(netsuite: RunningEmulator) -> None:
    statement = "SELECT id, companyname FROM vendor WHERE id = 101"
    with connector.session(tba(netsuite), options=LOCAL) as session:
        queried = session.passthrough(
            PassthroughRequest(
                "POST", "/services/rest/query/v1/suiteql", headers={"Prefer": "transient"},
                body={"q": statement},
            )
        )  # fmt: skip
        record = session.passthrough(
            PassthroughRequest("GET", "/services/rest/record/v1/vendor/101")
        )
    assert queried.status == 200 and queried.body["items"][0]["id"] == "101"
    assert record.status == 200 and record.body["id"] == "101"


def test_passthrough_answers_as_netsuite_did_and_keeps_its_own_sign_in(
    netsuite: RunningEmulator,
) -> None:
    with connector.session(tba(netsuite), options=LOCAL) as session:
        refused = session.passthrough(
            PassthroughRequest(
                "POST", "/services/rest/query/v1/suiteql", headers={"Authorization": "Basic x"},
                body={"q": "SELECT nothing FROM nowhere"},
            )
        )  # fmt: skip
    # Signed by the session (a replaced Authorization would be 401), refused by NetSuite.
    assert refused.status == 400
    assert refused.body["o:errorDetails"][0]["o:errorCode"] == "INVALID_PARAMETER"
    assert "authorization" not in {name.lower() for name in refused.headers}


# -- limits ----------------------------------------------------------------------------------


def test_429_is_waited_out_and_signed_anew(netsuite: RunningEmulator) -> None:
    netsuite.emulator.faults.rate_limit_requests = 3
    waits: list[float] = []
    credentials = connector.validate_credentials(tba(netsuite))
    with NetSuiteSession(credentials, options=LOCAL, sleep=waits.append) as session:
        assert session.get(Entity.VENDORS, "101").remote_id == "101"
    assert waits == [0.5, 1.0, 2.0]


def test_429_that_does_not_end_is_rate_limit_exceeded(netsuite: RunningEmulator) -> None:
    netsuite.emulator.faults.rate_limit_requests = 100
    credentials = connector.validate_credentials(tba(netsuite))
    with (
        NetSuiteSession(credentials, options=LOCAL, sleep=lambda _: None) as session,
        pytest.raises(errors.RateLimitExceeded),
    ):
        session.get(Entity.VENDORS, "101")


def test_sessions_of_one_account_keep_to_its_concurrency(netsuite: RunningEmulator) -> None:
    netsuite.emulator.concurrency = 1
    netsuite.emulator.faults.delay = 0.05
    credentials = connector.validate_credentials(tba(netsuite, concurrency="1"))
    refused: list[float] = []
    failures: list[BaseException] = []

    def read() -> None:
        try:
            with NetSuiteSession(credentials, options=LOCAL, sleep=refused.append) as session:
                session.get(Entity.LOCATIONS, "1")
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures and not refused


# -- conformance -----------------------------------------------------------------------------

SAMPLES = {
    ORDERS: WriteSample(
        create=ORDER,
        update={"notes": "Changed by the suite"},
        update_target="1001",
        locked_update=("1007", {"notes": "late"}),
        invalid_create={**ORDER, "vendor_remote_id": "99999"},
    ),
    Entity.VENDORS: WriteSample(
        create={"name": "Suite Vendor", "phone": "+1 555 0999"},
        update={"phone": "+1 555 0888"},
        update_target="101",
    ),
}


@pytest.mark.parametrize("check", CHECKS)
def test_the_connector_passes_the_conformance_suite(netsuite: RunningEmulator, check: str) -> None:
    suite = Conformance(connector, tba(netsuite), options=LOCAL, samples=SAMPLES)
    getattr(suite, check)()
