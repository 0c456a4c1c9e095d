"""The Maximo connector against its emulator, over real HTTP: both sign-in methods, reads of
every object structure with the sites' own status synonyms, incremental reads, work-order
status changes allowed and refused, work-order, purchase-order and inventory writes, faults
(429, 5xx bursts, slow answers, revoked keys) and the conformance suite."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors.base import CheckStage, RawRecord, SessionOptions
from ironbridge.connectors.maximo import connector
from ironbridge.connectors.maximo.connector import MaximoSession
from ironbridge.model import (
    Entity,
    PurchaseOrderStatus,
    WorkOrderStatus,
    record_id,
)
from ironbridge.testing.conformance import CHECKS, Conformance, WriteSample
from ironbridge.testing.emulators.maximo import MaximoEmulator, RunningEmulator

LOCAL = SessionOptions(allow_private_urls=True)
WORK_ORDERS = Entity.WORK_ORDERS
ITEMS = Entity.INVENTORY_ITEMS


def ids(entity: Entity, remote_id: str) -> str:
    return record_id("conn_TEST", entity, remote_id)


def api_key(maximo: RunningEmulator, **extra: str) -> dict[str, str]:
    return {
        "host": maximo.base_url,
        "api_key": maximo.password,
        "sites": "BEDFORD, NASHUA",
        **extra,
    }


def native(maximo: RunningEmulator) -> dict[str, str]:
    return {
        "host": maximo.base_url,
        "auth_method": "basic",
        "username": maximo.username,
        "password": maximo.password,
        "sites": "NASHUA",
    }


def listed(session: Any, entity: Entity, since: datetime | None = None) -> dict[str, RawRecord]:
    return {raw.remote_id: raw for page in session.list_changes(entity, since) for raw in page}


def unified(entity: Entity, raw: RawRecord) -> dict[str, Any]:
    return connector.to_unified(entity, raw, ids)


def wo_member(maximo: RunningEmulator, remote_id: str) -> tuple[str, dict[str, Any]]:
    site, _, number = remote_id.partition("/")
    return maximo.emulator.find("mxapiwodetail", siteid=site, wonum=number)


def a_work_order(maximo: RunningEmulator, status: str, site: str = "BEDFORD") -> str:
    _, row = maximo.emulator.find("mxapiwodetail", status=status, siteid=site)
    return f"{site}/{row['wonum']}"


# -- connect ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["api_key", "native"])
def test_both_sign_in_methods_connect(maximo: RunningEmulator, method: str) -> None:
    credentials = api_key(maximo) if method == "api_key" else native(maximo)
    with connector.session(credentials, options=LOCAL) as session:
        results = list(session.check())
        assert [r.stage for r in results] == list(CheckStage)
        assert all(r.ok for r in results), results
        sites = {raw.remote_id.split("/")[0] for raw in listed(session, Entity.LOCATIONS).values()}
    assert sites == ({"BEDFORD", "NASHUA"} if method == "api_key" else {"NASHUA"})


def test_a_wrong_key_fails_the_authenticate_stage(maximo: RunningEmulator) -> None:
    with connector.session(api_key(maximo, api_key="wrong"), options=LOCAL) as session:
        results = list(session.check())
    assert [(r.stage, r.ok) for r in results] == [
        (CheckStage.REACH, True),
        (CheckStage.AUTHENTICATE, False),
    ]
    assert "BMXAA7901E" in results[-1].message


def test_an_object_structure_the_security_group_lacks_is_unavailable(
    maximo: RunningEmulator,
) -> None:
    maximo.emulator.denied.add("mxapipo")
    with connector.session(api_key(maximo), options=LOCAL) as session:
        results = list(session.check())
        assert results[-1].ok
        assert [item.entity for item in results[-1].entities] == [Entity.PURCHASE_ORDERS]
        assert "MXAPIPO" in (results[-1].entities[0].enable or "")
        with pytest.raises(errors.PermissionDenied):
            session.get(Entity.PURCHASE_ORDERS, "BEDFORD/2002")


def test_without_the_domains_the_permissions_stage_fails(maximo: RunningEmulator) -> None:
    maximo.emulator.denied.add("mxapidomain")
    with connector.session(api_key(maximo), options=LOCAL) as session:
        results = list(session.check())
    assert [(r.stage, r.ok) for r in results][-1] == (CheckStage.PERMISSIONS, False)
    assert "MXAPIDOMAIN" in (results[-1].fix or "")


def test_the_connect_form_offers_an_api_key_or_a_native_login() -> None:
    fields = {field.name: field for field in connector.spec.auth_fields}
    assert list(fields) == ["host", "auth_method", "api_key", "username", "password", "sites"]
    assert [value for value, _ in fields["auth_method"].options] == ["api_key", "basic"]
    assert fields["api_key"].secret and fields["password"].secret
    assert fields["api_key"].applies_when == ("auth_method", "api_key")
    assert fields["username"].applies_when == ("auth_method", "basic")


def test_sites_are_required() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        connector.session({"host": "https://maximo.example", "api_key": "k", "sites": " , "})
    assert set(caught.value.fields) == {"sites"}


# -- reads -----------------------------------------------------------------------------------


def test_work_orders_map_every_status_through_the_sites_synonyms(maximo: RunningEmulator) -> None:
    with connector.session(api_key(maximo), options=LOCAL) as session:
        records = listed(session, WORK_ORDERS)
    assert len(records) == 400
    orders = {remote_id: unified(WORK_ORDERS, raw) for remote_id, raw in records.items()}
    assert {order["status"] for order in orders.values()} == set(WorkOrderStatus)
    by_raw = {(o["custom_fields"]["status"], o["status"]) for o in orders.values()}
    # NASHUA's own names for WMATL and APPR, BEDFORD's for COMP.
    assert {
        ("WAITPARTS", WorkOrderStatus.ON_HOLD),
        ("DISPATCH", WorkOrderStatus.SCHEDULED),
        ("FIELDCOMP", WorkOrderStatus.COMPLETED),
    } <= by_raw
    _, row = maximo.emulator.find("mxapiwodetail", wonum="1003")
    order = orders[f"{row['siteid']}/1003"]
    assert order["asset"]["remote_id"] == f"{row['siteid']}/{row['assetnum']}"
    assert records[f"{row['siteid']}/1003"].data["woactivity"] == [
        {k: v for k, v in task.items()} for task in maximo.emulator.render(row["woactivity"])
    ]
    used = next(o for o in orders.values() if o["parts_used"])
    assert all(part["quantity"] > 0 and part["item"] for part in used["parts_used"])


def test_assets_keep_their_hierarchy_and_locations(maximo: RunningEmulator) -> None:
    with connector.session(api_key(maximo), options=LOCAL) as session:
        assets = {
            k: unified(Entity.ASSETS, raw) for k, raw in listed(session, Entity.ASSETS).items()
        }
        locations = listed(session, Entity.LOCATIONS)
    children = [asset for asset in assets.values() if asset["parent"]]
    assert children and all(child["parent"]["remote_id"] in assets for child in children)
    assert all(asset["location"]["remote_id"] in locations for asset in assets.values())
    broken = [a for a in assets.values() if a["custom_fields"]["status"] == "BROKEN"]
    assert broken and {a["status"] for a in broken} == {"not_operating"}


def test_inventory_shows_each_storerooms_balance(maximo: RunningEmulator) -> None:
    with connector.session(api_key(maximo), options=LOCAL) as session:
        items = listed(session, ITEMS)
        item = unified(ITEMS, session.get(ITEMS, "BRG-0003"))
    assert list(items) == sorted(items) and all(raw.modified_at is None for raw in items.values())
    rows = [
        r for r in maximo.emulator.tables["mxapiinventory"].values() if r["itemnum"] == "BRG-0003"
    ]
    assert sorted(
        (s["location"]["remote_id"], s["on_hand"]) for s in item["stock_levels"]
    ) == sorted((f"{r['siteid']}/{r['location']}", Decimal(r["curbaltotal"])) for r in rows)
    assert item["total_on_hand"] == sum(Decimal(r["curbaltotal"]) for r in rows)


def test_purchase_orders_read_with_lines_and_receipts(maximo: RunningEmulator) -> None:
    with connector.session(api_key(maximo), options=LOCAL) as session:
        orders = [
            unified(Entity.PURCHASE_ORDERS, r)
            for r in listed(session, Entity.PURCHASE_ORDERS).values()
        ]
        vendors = listed(session, Entity.VENDORS)
    statuses = Counter(order["status"] for order in orders)
    assert {
        PurchaseOrderStatus.PARTIALLY_RECEIVED,
        PurchaseOrderStatus.RECEIVED,
        PurchaseOrderStatus.PENDING_APPROVAL,
        PurchaseOrderStatus.CANCELLED,
    } <= set(statuses)
    assert all(o["lines"] and o["vendor"]["remote_id"] in vendors for o in orders)
    one = orders[0]
    assert one["subtotal"] == sum(line["line_total"] for line in one["lines"])
    assert one["lines"][0]["location"]["remote_id"].startswith(one["remote_id"].split("/")[0])


def test_an_unknown_id_is_not_found(maximo: RunningEmulator) -> None:
    with connector.session(native(maximo), options=LOCAL) as session:
        for remote_id in ("NASHUA/999999", "BEDFORD/1002", "1001", "NASHUA/"):
            with pytest.raises(errors.NotFound):
                session.get(WORK_ORDERS, remote_id)
        with pytest.raises(errors.NotFound):
            session.get(ITEMS, "NOPE-1")


# -- incremental reads -----------------------------------------------------------------------


def test_only_what_changed_since_is_read_again(maximo: RunningEmulator) -> None:
    member, _ = wo_member(maximo, "BEDFORD/1010")
    with connector.session(api_key(maximo), options=LOCAL) as session:
        before = session.get(WORK_ORDERS, "BEDFORD/1010")
        since = maximo.emulator.now()
        maximo.emulator.touch("mxapiwodetail", member, description="Leak found again")
        changed = listed(session, WORK_ORDERS, since)
        assert set(changed) == {"BEDFORD/1010"}
        assert changed["BEDFORD/1010"].modified_at >= since > before.modified_at
        assert not listed(session, WORK_ORDERS, since + timedelta(seconds=1))


def test_pages_are_keyset_reads_in_change_order(maximo: RunningEmulator) -> None:
    # Many orders sharing one second: the pager reads that second by key, skipping none.
    moment = maximo.emulator.now() - timedelta(minutes=5)
    for number in range(1100, 1160):
        maximo.emulator.touch(
            "mxapiwodetail",
            wo_member(maximo, f"{('NASHUA', 'BEDFORD')[number % 2 == 0]}/{number}")[0],
            at=moment,
        )
    with connector.session(api_key(maximo), options=LOCAL) as session:
        pages = list(session.list_changes(WORK_ORDERS, None, page_size=25))
    keys = [(raw.modified_at, raw.data["workorderid"]) for page in pages for raw in page]
    assert all(len(page) <= 25 for page in pages)
    assert keys == sorted(keys) and len(set(keys)) == 400
    assert sum(1 for at, _ in keys if at == moment) == 60


# -- work-order writes -----------------------------------------------------------------------


def test_a_status_change_uses_the_action_and_the_sites_own_value(maximo: RunningEmulator) -> None:
    target = a_work_order(maximo, "WAPPR", "NASHUA")
    with connector.session(api_key(maximo), options=LOCAL) as session:
        raw = session.update(WORK_ORDERS, target, {"status": WorkOrderStatus.IN_PROGRESS})
    order = unified(WORK_ORDERS, raw)
    assert order["status"] == "in_progress" and order["custom_fields"]["status"] == "INPRG"
    history = [entry["status"] for entry in raw.data["wostatus"]]
    assert history[-2:] == ["WAPPR", "INPRG"]
    assert order["actual_start"] is not None


@pytest.mark.parametrize(
    ("current", "wanted"),
    [("INPRG", WorkOrderStatus.CANCELLED), ("COMP", WorkOrderStatus.IN_PROGRESS)],
)
def test_a_transition_maximo_refuses_is_validation_failed(
    maximo: RunningEmulator, current: str, wanted: WorkOrderStatus
) -> None:
    target = a_work_order(maximo, current)
    with connector.session(api_key(maximo), options=LOCAL) as session:
        with pytest.raises(errors.ValidationFailed) as caught:
            session.update(WORK_ORDERS, target, {"status": wanted, "title": "Not applied"})
        assert "BMXAA4590E" in caught.value.message and set(caught.value.fields) == {"status"}
        assert unified(WORK_ORDERS, session.get(WORK_ORDERS, target))["title"] != "Not applied"


@pytest.mark.parametrize("current", ["CLOSE", "CAN"])
def test_closed_and_cancelled_work_orders_are_locked(maximo: RunningEmulator, current: str) -> None:
    target = a_work_order(maximo, current)
    with connector.session(api_key(maximo), options=LOCAL) as session:
        for changes in ({"status": WorkOrderStatus.IN_PROGRESS}, {"title": "Again"}):
            with pytest.raises(errors.RecordLocked) as caught:
                session.update(WORK_ORDERS, target, dict(changes))
            assert "BMXAA0031E" in caught.value.message


def test_a_work_order_is_created_in_its_assets_site_and_updated(maximo: RunningEmulator) -> None:
    _, asset = maximo.emulator.find("mxapiasset", siteid="NASHUA")
    start = datetime(2026, 12, 10, 8, tzinfo=UTC)
    with connector.session(api_key(maximo), options=LOCAL) as session:
        raw = session.create(
            WORK_ORDERS,
            {
                "title": "Replace the seal",
                "asset_remote_id": f"NASHUA/{asset['assetnum']}",
                "priority": "high",
                "type": "corrective",
                "scheduled_start": start,
                "scheduled_end": start + timedelta(hours=2),
                "due_date": start.date(),
            },
        )
        created = unified(WORK_ORDERS, raw)
        assert raw.remote_id.startswith("NASHUA/") and created["status"] == "open"
        assert (created["priority"], created["type"], created["due_date"]) == (
            "high",
            "corrective",
            start.date(),
        )
        updated = unified(
            WORK_ORDERS,
            session.update(
                WORK_ORDERS,
                raw.remote_id,
                {"assignee": "GARCIA", "estimated_hours": Decimal("2.5")},
            ),
        )
    assert (updated["assignee"], updated["estimated_hours"]) == ("GARCIA", Decimal("2.5"))
    assert updated["scheduled_start"] == start


def test_references_in_two_sites_are_refused(maximo: RunningEmulator) -> None:
    with connector.session(api_key(maximo), options=LOCAL) as session:
        with pytest.raises(errors.ValidationFailed) as caught:
            session.create(
                WORK_ORDERS,
                {
                    "title": "Split",
                    "asset_remote_id": "NASHUA/11015",
                    "location_remote_id": "BEDFORD/BB100",
                },
            )
        assert set(caught.value.fields) == {"location_id"}
        with pytest.raises(errors.ValidationFailed):
            session.create(WORK_ORDERS, {"title": "Nowhere", "asset_remote_id": "BEDFORD/1"})


def test_a_stale_rowstamp_is_record_locked(maximo: RunningEmulator) -> None:
    target = a_work_order(maximo, "APPR")
    member, _ = wo_member(maximo, target)
    session = MaximoSession(connector.validate_credentials(api_key(maximo)), options=LOCAL)
    found = session._find(WORK_ORDERS, target)
    maximo.emulator.touch("mxapiwodetail", member, lead="SMITH")
    with session, pytest.raises(errors.RecordLocked):
        session._client.update(found["href"], {"lead": "CHEN"}, etag=found["_rowstamp"])


# -- purchase orders and inventory -----------------------------------------------------------

ORDER = {
    "vendor_remote_id": "EAGLENA/VEN002",
    "order_date": datetime(2026, 11, 2).date(),
    "notes": "From ironbridge",
    "lines": [
        {
            "item_remote_id": "BRG-0003",
            "quantity": Decimal(3),
            "unit_price": Decimal("12.50"),
            "location_remote_id": "NASHUA/NSTORE",
        },
        {
            "item_remote_id": "BRG-0003",
            "quantity": Decimal(1),
            "unit_price": Decimal(4),
            "location_remote_id": "NASHUA/NSTORE",
        },
    ],
}


def test_a_purchase_order_is_created_with_lines_in_the_storerooms_site(
    maximo: RunningEmulator,
) -> None:
    with connector.session(api_key(maximo), options=LOCAL) as session:
        raw = session.create(Entity.PURCHASE_ORDERS, dict(ORDER))
    order = unified(Entity.PURCHASE_ORDERS, raw)
    assert raw.remote_id.startswith("NASHUA/") and order["status"] == "pending_approval"
    assert [
        (line["line_number"], line["quantity"], line["line_total"]) for line in order["lines"]
    ] == [(1, Decimal(3), Decimal("37.50")), (2, Decimal(1), Decimal(4))]
    assert order["vendor"]["remote_id"] == "EAGLENA/VEN002" and order["notes"] == "From ironbridge"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"vendor_remote_id": "EAGLENA/VEN009"}, "body"),
        ({"vendor_remote_id": "VEN002"}, "vendor_id"),
    ],
)
def test_a_refused_order_is_validation_failed(
    maximo: RunningEmulator, change: dict[str, Any], field: str
) -> None:
    with (
        connector.session(api_key(maximo), options=LOCAL) as session,
        pytest.raises(errors.ValidationFailed) as caught,
    ):
        session.create(Entity.PURCHASE_ORDERS, {**ORDER, **change})
    assert field in caught.value.fields


def test_inventory_adjustments_move_the_storerooms_balance(maximo: RunningEmulator) -> None:
    store = "NASHUA/NSTORE"
    with connector.session(api_key(maximo), options=LOCAL) as session:

        def on_hand(raw: RawRecord) -> Decimal:
            levels = unified(ITEMS, raw)["stock_levels"]
            return next(s["on_hand"] for s in levels if s["location"]["remote_id"] == store)

        before = on_hand(session.get(ITEMS, "BRG-0003"))
        after = session.adjust_inventory(
            "BRG-0003",
            {"location_remote_id": store, "quantity_delta": Decimal(-2), "reason": "Damaged"},
        )
        assert on_hand(after) == before - 2
        counted = session.adjust_inventory(
            "BRG-0003", {"location_remote_id": store, "new_count": Decimal(7), "reason": "Count"}
        )
        assert on_hand(counted) == 7
        with pytest.raises(errors.ValidationFailed):
            session.adjust_inventory(
                "BRG-0003",
                {
                    "location_remote_id": store,
                    "quantity_delta": Decimal(-100),
                    "reason": "Too many",
                },
            )
        with pytest.raises(errors.ValidationFailed):
            session.adjust_inventory(
                "BRG-0003",
                {
                    "location_remote_id": "BEDFORD/NOWHERE",
                    "quantity_delta": Decimal(1),
                    "reason": "x",
                },
            )


# -- faults ----------------------------------------------------------------------------------


def test_429_is_waited_out(maximo: RunningEmulator) -> None:
    maximo.emulator.faults.rate_limit_requests = 3
    waits: list[float] = []
    credentials = connector.validate_credentials(api_key(maximo))
    with MaximoSession(credentials, options=LOCAL, sleep=waits.append) as session:
        assert session.get(WORK_ORDERS, "BEDFORD/1002").remote_id == "BEDFORD/1002"
    assert waits == [1.0, 1.0, 1.0]


def test_a_burst_of_5xx_fails_the_call_and_the_next_one_works(maximo: RunningEmulator) -> None:
    maximo.emulator.faults.fail_requests = 2
    with connector.session(api_key(maximo), options=LOCAL) as session:
        for _ in range(2):
            with pytest.raises(errors.ServiceUnavailable) as caught:
                session.get(WORK_ORDERS, "BEDFORD/1002")
            assert caught.value.retryable
        assert session.get(WORK_ORDERS, "BEDFORD/1002")


def test_a_slow_answer_times_out(maximo: RunningEmulator) -> None:
    maximo.emulator.faults.delay = 0.5
    options = SessionOptions(allow_private_urls=True, timeout=0.1)
    with (
        connector.session(api_key(maximo), options=options) as session,
        pytest.raises(errors.UpstreamTimeout),
    ):
        session.get(WORK_ORDERS, "BEDFORD/1002")


def test_a_revoked_key_mid_read_is_reauth_required(maximo: RunningEmulator) -> None:
    with connector.session(api_key(maximo), options=LOCAL) as session:
        pages = session.list_changes(WORK_ORDERS, None, page_size=50)
        next(pages)
        maximo.emulator.faults.expire_credentials_after = 0
        with pytest.raises(errors.ConnectionReauthRequired):
            list(pages)


# -- conformance -----------------------------------------------------------------------------


def conformance_samples(emulator: MaximoEmulator) -> dict[Entity, WriteSample]:
    def order(status: str) -> str:
        _, row = emulator.find("mxapiwodetail", status=status, siteid="BEDFORD")
        return f"BEDFORD/{row['wonum']}"

    return {
        WORK_ORDERS: WriteSample(
            create={
                "title": "Suite work order",
                "asset_remote_id": "BEDFORD/11010",
                "priority": "urgent",
            },
            update={"title": "Changed by the suite", "status": WorkOrderStatus.IN_PROGRESS},
            update_target=order("APPR"),
            locked_update=(order("CLOSE"), {"title": "late"}),
            invalid_create={"title": "Nowhere", "asset_remote_id": "BEDFORD/NOPE"},
            invalid_update=(order("COMP"), {"status": WorkOrderStatus.OPEN}),
        ),
        Entity.PURCHASE_ORDERS: WriteSample(
            create=ORDER, invalid_create={**ORDER, "vendor_remote_id": "EAGLENA/NOPE"}
        ),
        ITEMS: WriteSample(
            adjust=(
                "BRG-0003",
                {
                    "location_remote_id": "NASHUA/NSTORE",
                    "quantity_delta": Decimal(5),
                    "reason": "Found",
                },
            ),
            invalid_adjust=(
                "BRG-0003",
                {
                    "location_remote_id": "NASHUA/NSTORE",
                    "quantity_delta": Decimal(-100_000),
                    "reason": "No",
                },
            ),
        ),
    }


@pytest.mark.parametrize("check", CHECKS)
def test_the_connector_passes_the_conformance_suite(maximo: RunningEmulator, check: str) -> None:
    samples = conformance_samples(maximo.emulator)
    suite = Conformance(connector, api_key(maximo), options=LOCAL, samples=samples)
    getattr(suite, check)()
