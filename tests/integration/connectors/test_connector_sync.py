"""Both real connectors through the sync engine and the unified API, not the connector alone.

Each test connects with `ironbridge.connections.connect` on a fresh container (SQLite store,
inline queue), syncs with `Worker.start_sync`, changes data directly in the source (the SAP
emulator's own API; Tryton's JSON-RPC as a Tryton user would), and checks what the engine made
of it: run counts, change events in the outbox, records marked deleted, connection status, and
what the unified HTTP API then serves.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from ironbridge.api import create_app
from ironbridge.bootstrap import Container
from ironbridge.connectors.sap_s4hana.spec import SPEC as SAP_SPEC
from ironbridge.model import Entity
from ironbridge.store.records import StoredRecord
from ironbridge.store.sync import SyncRunRow
from ironbridge.testing.emulators.sap import RunningEmulator

from ...conftest import sync_clock
from .conftest import TrytonRpc, TrytonServer
from .linking import Linked, link, only

PURCHASE_ORDERS = Entity.PURCHASE_ORDERS
#: What an SAP order written through the API names: its vendor, items and delivery locations.
SAP_REFERENCED = (Entity.VENDORS, Entity.INVENTORY_ITEMS, Entity.LOCATIONS)
SAP_ORGANISATION = {
    "CompanyCode": "1710",
    "PurchasingOrganization": "1710",
    "PurchasingGroup": "001",
}


def assert_reauth_required(linked: Linked, run: SyncRunRow) -> None:
    """The run failed for refused credentials, which moved the connection once."""
    assert run.status == "failed" and run.error is not None
    assert run.error["code"] == "CONNECTION_REAUTH_REQUIRED"
    assert linked.status() == "auth_required"
    assert linked.event_types()["connection.auth_required"] == 1


# === SAP S/4HANA, against the emulator ===========================================================


def sap_credentials(sap: RunningEmulator) -> dict[str, str]:
    return {"base_url": sap.base_url, "username": sap.username, "password": sap.password}


def sap_change_times(sap: RunningEmulator) -> dict[str, datetime]:
    return {
        row["PurchaseOrder"]: row["LastChangeDateTime"]
        for row in sap.emulator.store.rows("A_PurchaseOrder")
    }


def sap_window(
    sap: RunningEmulator, before: datetime, after: datetime
) -> tuple[set[str], set[str]]:
    """Orders surely inside SAP's default 90-day window of a sync run between the two readings,
    and those maybe inside (the engine's "now" lies between them; a second covers rounding)."""
    days = timedelta(days=SAP_SPEC.default_history_days or 0)
    stamps = sap_change_times(sap)
    surely_in = {n for n, at in stamps.items() if at >= after - days + timedelta(seconds=1)}
    maybe_in = {n for n, at in stamps.items() if at >= before - days - timedelta(seconds=1)}
    return surely_in, maybe_in


def test_sap_initial_sync_keeps_to_the_default_history_window(
    container: Container, sap: RunningEmulator
) -> None:
    # The sample's orders changed over the 120 days before the emulator started; SAP's default
    # window of 90 days, left as the connector sets it, takes the later part of them.
    assert SAP_SPEC.default_history_days == 90
    linked = link(container, "sap_s4hana", sap_credentials(sap))
    before = datetime.now(UTC)
    run = only(linked.sync(PURCHASE_ORDERS, trigger="initial"))
    after = datetime.now(UTC)
    surely_in, maybe_in = sap_window(sap, before, after)
    stored = set(linked.stored(PURCHASE_ORDERS))
    assert surely_in <= stored <= maybe_in
    assert 150 < len(stored) < 280, "the window holds most of the sample, not all of it"
    older = set(sap_change_times(sap)) - maybe_in
    assert older and not older & stored
    assert run.created == len(stored) and run.pages >= 2
    # The first load is announced once, not record by record.
    assert linked.event_types()["sync.completed"] == 1
    assert not {t for t in linked.event_types() if t.startswith("purchase_order.")}


def test_sap_default_window_leaves_out_master_data_not_changed_within_it(
    container: Container, sap: RunningEmulator
) -> None:
    masters = (Entity.VENDORS, Entity.WORK_ORDERS, Entity.ASSETS)
    linked = link(container, "sap_s4hana", sap_credentials(sap), entities=masters)
    started = datetime.now(UTC)
    assert all(run.status == "succeeded" for run in linked.sync(*masters, trigger="initial"))
    window = started - timedelta(days=90, seconds=1)
    for entity, total in ((Entity.VENDORS, 40), (Entity.WORK_ORDERS, 120), (Entity.ASSETS, 80)):
        stored = linked.stored(entity)
        assert 0 < len(stored) < total, entity
        assert all(row.modified_at >= window for row in stored.values()), entity
    # With the window switched off, a full sync takes the rest.
    with container.uow() as uow:
        row = uow.connections.get_for_token(linked.id)
        assert row is not None
        unbounded = {**row.settings, "history_days": None}
        uow.connections.update(linked.account.id, linked.id, settings=unbounded)
        uow.commit()
    only(linked.sync(Entity.ASSETS, full=True))
    assert len(linked.stored(Entity.ASSETS)) == 80


def test_sap_incremental_sync_takes_exactly_the_orders_changed_in_sap(
    container: Container, sap: RunningEmulator
) -> None:
    linked = link(container, "sap_s4hana", sap_credentials(sap))
    before = datetime.now(UTC)
    initial = only(linked.sync(PURCHASE_ORDERS, trigger="initial"))
    surely_in, maybe_in = sap_window(sap, before, datetime.now(UTC))
    assert initial.created == len(linked.stored(PURCHASE_ORDERS))
    # 4500000102 is one of a mass change (a tie, 20 days back); the rest are taken from
    # inside the window, and one order from before it, which a change brings in.
    changed = ["4500000102", *sorted(surely_in - {"4500000102"})[::60]]
    (outside,) = sorted(set(sap_change_times(sap)) - maybe_in)[:1]
    # Terms no sample order has: each is a change (setting the terms an order has is none).
    for number in [*changed, outside]:
        sap.emulator.change_purchase_order(number, PaymentTerms="NT45")
    added = sap.emulator.add_purchase_order(
        "17300001", [{"Material": "TG0011", "OrderQuantity": 3, "Plant": "1710"}]
    )
    run = only(linked.sync(PURCHASE_ORDERS))
    assert (run.created, run.updated, run.deleted) == (2, len(changed), 0)
    assert run.unchanged <= 10, "an incremental run reads the changes, not every order"
    events = linked.event_types()
    assert events["purchase_order.updated"] == len(changed)
    assert events["purchase_order.created"] == 2
    stored = linked.stored(PURCHASE_ORDERS)
    assert {added, outside} <= set(stored)
    for number in [*changed, outside]:
        assert '"payment_terms":"NT45"' in stored[number].unified.replace(" ", "")
    # Nothing changed since: the next run reads the overlap and finds nothing new.
    again = only(linked.sync(PURCHASE_ORDERS))
    assert (again.created, again.updated) == (0, 0)


def test_sap_full_sync_marks_orders_deleted_in_sap_as_deleted(
    container: Container, sap: RunningEmulator
) -> None:
    linked = link(container, "sap_s4hana", sap_credentials(sap))
    only(linked.sync(PURCHASE_ORDERS, trigger="initial"))
    doomed = sorted(linked.stored(PURCHASE_ORDERS))[10]
    sap.emulator.delete_purchase_order(doomed)
    # An incremental run cannot see a deletion: SAP lists what changed, not what vanished.
    assert only(linked.sync(PURCHASE_ORDERS)).deleted == 0
    run = only(linked.sync(PURCHASE_ORDERS, full=True))
    assert (run.created, run.updated, run.deleted) == (0, 0, 1)
    assert doomed not in linked.stored(PURCHASE_ORDERS)
    assert linked.stored(PURCHASE_ORDERS, include_deleted=True)[doomed].deleted
    assert linked.event_types()["purchase_order.deleted"] == 1


#: What SAP keeps no change time for: stock, plants and storage locations.
SAP_SNAPSHOTS = (Entity.INVENTORY_ITEMS, Entity.LOCATIONS)


def updated_at(record: StoredRecord) -> datetime:
    return datetime.fromisoformat(json.loads(record.unified)["updated_at"])


def change_events(linked: Linked) -> Counter[str]:
    """Record events by type (`inventory_item.updated`, ...), without sync and status events."""
    records = {entity.event_name for entity in Entity}
    return Counter(
        {
            kind: count
            for kind, count in linked.event_types().items()
            if kind.split(".", 1)[0] in records
        }
    )


def test_sap_stock_and_plants_synced_again_unchanged_emit_nothing_and_keep_their_dates(
    container: Container, sap: RunningEmulator
) -> None:
    linked = link(
        container, "sap_s4hana", sap_credentials(sap), entities=SAP_SNAPSHOTS, history_days=None
    )
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    clock = sync_clock(container, start)
    assert all(run.status == "succeeded" for run in linked.sync(*SAP_SNAPSHOTS))
    loaded = {entity: linked.stored(entity) for entity in SAP_SNAPSHOTS}
    assert len(loaded[Entity.INVENTORY_ITEMS]) == 60 and len(loaded[Entity.LOCATIONS]) == 30
    created = change_events(linked)
    plants = {
        key: row for key, row in loaded[Entity.LOCATIONS].items() if not key.startswith("FL:")
    }
    for row in [*loaded[Entity.INVENTORY_ITEMS].values(), *plants.values()]:
        assert (row.modified_at, updated_at(row)) == (start, start), row.remote_id
    for full in (False, True):
        clock.advance(timedelta(hours=1))
        runs = linked.sync(*SAP_SNAPSHOTS, full=full)
        assert [(run.status, run.created, run.updated, run.deleted) for run in runs] == [
            ("succeeded", 0, 0, 0)
        ] * 2
    assert change_events(linked) == created, "an unchanged SAP system is no event"
    assert {entity: linked.stored(entity) for entity in SAP_SNAPSHOTS} == loaded


def test_sap_stock_changed_in_sap_is_one_event_dated_when_the_sync_first_saw_it(
    container: Container, sap: RunningEmulator
) -> None:
    linked = link(container, "sap_s4hana", sap_credentials(sap), entities=SAP_SNAPSHOTS)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    clock = sync_clock(container, start)
    only(linked.sync(Entity.INVENTORY_ITEMS, trigger="initial"))
    rows = sap.emulator.store.rows("A_MatlStkInAcctMod")
    (row,) = [row for row in rows if row["Material"] == "TG0011"][:1]
    sap.emulator.update(
        "A_MatlStkInAcctMod",
        sap.emulator.store.key_of("A_MatlStkInAcctMod", row),
        MatlWrhsStkQtyInMatlBaseUnit=row["MatlWrhsStkQtyInMatlBaseUnit"] + 5,
    )
    seen = clock.advance(timedelta(hours=1))
    run = only(linked.sync(Entity.INVENTORY_ITEMS))
    assert (run.created, run.updated, run.unchanged) == (0, 1, 59)
    clock.advance(timedelta(hours=1))
    assert only(linked.sync(Entity.INVENTORY_ITEMS)).updated == 0
    assert change_events(linked) == Counter({"inventory_item.updated": 1})
    stored = linked.stored(Entity.INVENTORY_ITEMS)
    assert (stored["TG0011"].modified_at, updated_at(stored["TG0011"])) == (seen, seen)
    assert {row.modified_at for key, row in stored.items() if key != "TG0011"} == {start}


def test_sandbox_synced_again_emits_no_change_events(container: Container) -> None:
    linked = link(container, "sandbox", {}, entities=tuple(Entity))
    sync_clock(container, datetime.now(UTC).replace(microsecond=0) + timedelta(days=1))
    assert all(run.status == "succeeded" for run in linked.sync(trigger="initial"))
    loaded = {entity: linked.stored(entity) for entity in Entity}
    for full in (False, True):
        runs = linked.sync(full=full)
        assert {(run.status, run.created, run.updated, run.deleted) for run in runs} == {
            ("succeeded", 0, 0, 0)
        }
    assert change_events(linked) == Counter()
    assert {entity: linked.stored(entity) for entity in Entity} == loaded


def test_sap_expired_credentials_move_the_connection_to_auth_required(
    container: Container, sap: RunningEmulator
) -> None:
    linked = link(container, "sap_s4hana", sap_credentials(sap))
    sap.emulator.expire_credentials()
    (run,) = linked.sync(PURCHASE_ORDERS)
    assert_reauth_required(linked, run)


def test_sap_orders_are_read_and_created_through_the_unified_api(
    container: Container, sap: RunningEmulator
) -> None:
    linked = link(
        container, "sap_s4hana", sap_credentials(sap), entities=(PURCHASE_ORDERS, *SAP_REFERENCED)
    )
    assert all(run.status == "succeeded" for run in linked.sync(trigger="initial"))
    stored = linked.stored(PURCHASE_ORDERS)
    with TestClient(create_app(container)) as client:
        listed = client.get("/v1/purchase-orders", params={"limit": 500}, headers=linked.headers)
        assert listed.status_code == 200, listed.text
        assert {row["remote_id"] for row in listed.json()["data"]} == set(stored)
        first = min(stored)
        one = client.get(
            f"/v1/purchase-orders/{linked.ids(PURCHASE_ORDERS, first)}", headers=linked.headers
        )
        assert one.status_code == 200 and one.json()["remote_id"] == first
        created = client.post(
            "/v1/purchase-orders",
            headers=linked.headers,
            json={
                "vendor_id": linked.ids(Entity.VENDORS, "17300001"),
                "custom_fields": SAP_ORGANISATION,
                "lines": [
                    {
                        "item_id": linked.ids(Entity.INVENTORY_ITEMS, "TG0011"),
                        "quantity": "5",
                        "unit_price": "12.50",
                        "location_id": linked.ids(Entity.LOCATIONS, "1710/171A"),
                    }
                ],
            },
        )
        assert created.status_code == 201, created.text
        order = created.json()
        assert order["vendor"]["remote_id"] == "17300001"
        assert order["lines"][0]["line_total"] == "62.50"
        assert order["remote_id"] in sap.emulator.purchase_order_ids()
        # SAP keeps what is written: the order is in the store at once, before any sync.
        assert order["remote_id"] in linked.stored(PURCHASE_ORDERS)
        read_back = client.get(f"/v1/purchase-orders/{order['id']}", headers=linked.headers)
        assert read_back.status_code == 200 and read_back.json()["id"] == order["id"]


# === Tryton, against the real server =============================================================


_PRICE = {"__class__": "Decimal", "decimal": "4.85"}


def tryton_draft(rpc: TrytonRpc, note: str, *, party: int = 3, address: int = 3) -> int:
    """A draft purchase made as a Tryton user would make one (party 3 unless another is given,
    one line of product 1).

    Shaped like the seeded ones (an RFQ reference, a priced line), since test_tryton.py, which
    shares the server, reads every purchase and expects those.
    """
    line = {"type": "line", "product": 1, "quantity": 2.0, "unit": 1, "unit_price": _PRICE}
    (created,) = rpc.call(
        "purchase.purchase",
        "create",
        [
            {
                "party": party,
                "invoice_address": address,
                "currency": 1,
                "warehouse": 5,
                "reference": f"RFQ-SYNC-{uuid.uuid4().hex[:6]}",
                "description": note,
                "lines": [["create", [line]]],
            }
        ],
    )
    return int(created)


def back_date(server: TrytonServer, purchase_ids: list[int], days: int) -> None:
    """Move purchases and their lines `days` into the past, as if made then.

    Tryton offers no call that sets a record's change time, so this writes the database trytond
    serves (SQLite in WAL mode takes a second writer). Its times are naive UTC text.
    """
    when = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S.%f")
    marks = ",".join("?" * len(purchase_ids))
    with sqlite3.connect(server.database_file, timeout=30) as db:
        for table, key in (("purchase_purchase", "id"), ("purchase_line", "purchase")):
            db.execute(
                f"UPDATE {table} SET create_date = ?, write_date = NULL WHERE {key} IN ({marks})",
                (when, *purchase_ids),
            )


def tryton_datetime(value: dict[str, Any]) -> datetime:
    """A Tryton JSON-RPC datetime (`{"__class__": "datetime", "year": ...}`, UTC)."""
    year, month, day, hour, minute, second, micro = (
        int(value[part])
        for part in ("year", "month", "day", "hour", "minute", "second", "microsecond")
    )
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def tryton_change_times(rpc: TrytonRpc) -> dict[str, datetime]:
    """Each purchase's latest change, its lines' included, read straight from Tryton."""
    latest: dict[str, datetime] = {}
    for model, parent in (("purchase.purchase", "id"), ("purchase.line", "purchase")):
        for row in rpc.call(model, "search_read", [], 0, None, None, [parent, "last_modified_at"]):
            at = tryton_datetime(row["last_modified_at"])
            key = str(row[parent])
            latest[key] = max(latest.get(key, at), at)
    return latest


def test_tryton_initial_sync_keeps_to_the_history_window(
    container: Container, tryton: TrytonServer, tryton_admin: TrytonRpc
) -> None:
    old = [tryton_draft(tryton_admin, "made long ago") for _ in range(2)]
    recent = tryton_draft(tryton_admin, "made today")
    back_date(tryton, old, days=400)
    linked = link(container, "tryton", tryton.admin, history_days=200)
    before = datetime.now(UTC)
    run = only(linked.sync(PURCHASE_ORDERS, trigger="initial"))
    stamps = tryton_change_times(tryton_admin)
    expected = {key for key, at in stamps.items() if at >= before - timedelta(days=200)}
    stored = set(linked.stored(PURCHASE_ORDERS))
    assert stored == expected and run.created == len(stored)
    assert str(recent) in stored
    assert not {str(purchase) for purchase in old} & stored


def test_tryton_incremental_sync_takes_exactly_the_purchases_changed_in_tryton(
    container: Container, tryton: TrytonServer, tryton_admin: TrytonRpc
) -> None:
    first, second, third = (tryton_draft(tryton_admin, f"draft {n}") for n in range(3))
    linked = link(container, "tryton", tryton.admin)
    only(linked.sync(PURCHASE_ORDERS, trigger="initial"))
    # One write call is one Tryton transaction: both get the same write_date.
    tryton_admin.call("purchase.purchase", "write", [first, second], {"description": "re-priced"})
    # A line written on its own leaves its purchase's write_date alone; the order still changed.
    (line,) = tryton_admin.call(
        "purchase.line", "search", [["purchase", "=", third]], 0, None, None
    )
    tryton_admin.call("purchase.line", "write", [line], {"quantity": 9.0})
    added = tryton_draft(tryton_admin, "new after the first sync")
    run = only(linked.sync(PURCHASE_ORDERS))
    assert (run.created, run.updated, run.deleted) == (1, 3, 0)
    events = linked.event_types()
    assert events["purchase_order.updated"] == 3
    assert events["purchase_order.created"] == 1
    stored = linked.stored(PURCHASE_ORDERS)
    assert str(added) in stored
    assert '"notes":"re-priced"' in stored[str(first)].unified.replace(" ", "")
    again = only(linked.sync(PURCHASE_ORDERS))
    assert (again.created, again.updated) == (0, 0)


def test_a_tryton_save_that_changes_nothing_mapped_is_no_event(
    container: Container, tryton: TrytonServer, tryton_admin: TrytonRpc
) -> None:
    purchase = tryton_draft(tryton_admin, "saved again")
    linked = link(container, "tryton", tryton.admin)
    only(linked.sync(PURCHASE_ORDERS, trigger="initial"))
    before = linked.stored(PURCHASE_ORDERS)[str(purchase)]
    # Saving with the same value stamps the purchase again (a new write_date), and nothing else.
    tryton_admin.call("purchase.purchase", "write", [purchase], {"description": "saved again"})
    assert tryton_change_times(tryton_admin)[str(purchase)] > before.modified_at
    run = only(linked.sync(PURCHASE_ORDERS))
    assert (run.created, run.updated) == (0, 0)
    assert change_events(linked) == Counter()
    after = linked.stored(PURCHASE_ORDERS)[str(purchase)]
    assert (after.modified_at, after.unified) == (before.modified_at, before.unified)
    # A change of what is mapped is one event, dated by Tryton's change time.
    tryton_admin.call("purchase.purchase", "write", [purchase], {"description": "re-priced"})
    run = only(linked.sync(PURCHASE_ORDERS))
    assert (run.created, run.updated) == (0, 1)
    assert change_events(linked) == Counter({"purchase_order.updated": 1})
    changed = linked.stored(PURCHASE_ORDERS)[str(purchase)]
    stamp = tryton_change_times(tryton_admin)[str(purchase)]
    assert (changed.modified_at, updated_at(changed)) == (stamp, stamp)


def test_tryton_full_sync_marks_a_deleted_draft_as_deleted(
    container: Container, tryton: TrytonServer, tryton_admin: TrytonRpc
) -> None:
    doomed = tryton_draft(tryton_admin, "to be deleted")
    linked = link(container, "tryton", tryton.admin)
    only(linked.sync(PURCHASE_ORDERS, trigger="initial"))
    tryton_admin.call("purchase.purchase", "delete", [doomed])
    run = only(linked.sync(PURCHASE_ORDERS, full=True))
    assert (run.created, run.updated, run.deleted) == (0, 0, 1)
    assert str(doomed) not in linked.stored(PURCHASE_ORDERS)
    assert linked.stored(PURCHASE_ORDERS, include_deleted=True)[str(doomed)].deleted
    assert linked.event_types()["purchase_order.deleted"] == 1


def test_a_renamed_tryton_vendor_changes_the_vendor_alone(
    container: Container, tryton: TrytonServer, tryton_admin: TrytonRpc
) -> None:
    # Renaming a party leaves its purchases' rows alone, and an incremental run re-reads only
    # the latest of them (its overlap): orders must not hold a copy of the name, or those
    # re-read would announce a change and the older ones keep the old name.
    (party,) = tryton_admin.call(
        "party.party",
        "create",
        [{"name": "Rename Me Supplies", "addresses": [["create", [{"city": "Toledo"}]]]}],
    )
    (address,) = tryton_admin.call(
        "party.address", "search", [["party", "=", party]], 0, None, None
    )
    older = tryton_draft(tryton_admin, "ordered a month ago", party=party, address=address)
    back_date(tryton, [older], days=30)
    recent = tryton_draft(tryton_admin, "ordered today", party=party, address=address)
    linked = link(container, "tryton", tryton.admin, entities=(PURCHASE_ORDERS, Entity.VENDORS))
    assert all(run.status == "succeeded" for run in linked.sync(trigger="initial"))

    tryton_admin.call("party.party", "write", [party], {"name": "Renamed Supplies Inc"})
    runs = {run.entity: run for run in linked.sync()}
    assert runs["vendors"].updated == 1 and linked.event_types()["vendor.updated"] == 1
    orders = runs["purchase-orders"]
    assert orders.status == "succeeded"
    assert orders.unchanged >= 1, "the run re-read the latest order in its overlap"
    # Other tests' purchases may change on their own account; these two must not.
    announced = {data["remote_id"] for kind, data in linked.events() if kind.startswith("purch")}
    assert not announced & {str(older), str(recent)}

    vendor_id = linked.ids(Entity.VENDORS, str(party))
    with TestClient(create_app(container)) as client:
        for purchase in (older, recent):
            path = f"/v1/purchase-orders/{linked.ids(PURCHASE_ORDERS, str(purchase))}"
            plain = client.get(path, headers=linked.headers).json()
            assert plain["vendor"] == {"id": vendor_id, "remote_id": str(party)}
            named = client.get(path, params={"expand": "vendor"}, headers=linked.headers)
            assert named.json()["vendor"]["name"] == "Renamed Supplies Inc"
        page = client.get(
            "/v1/purchase-orders",
            params={"vendor_id": vendor_id, "expand": "vendor"},
            headers=linked.headers,
        ).json()["data"]
        assert {row["remote_id"] for row in page} == {str(older), str(recent)}
        assert {row["vendor"]["name"] for row in page} == {"Renamed Supplies Inc"}


def test_a_changed_tryton_password_moves_the_connection_to_auth_required(
    container: Container, tryton: TrytonServer, tryton_admin: TrytonRpc
) -> None:
    # A throw-away user: Tryton slows down sign-ins of a login after failures.
    login, password = f"sync-{uuid.uuid4().hex[:8]}", "Sync-Bot-Pass-2026!"
    groups = tryton_admin.call(
        "res.group", "search", [["name", "in", ["Purchase", "Stock"]]], 0, None, None
    )
    (user,) = tryton_admin.call(
        "res.user",
        "create",
        [{"name": "Sync user", "login": login, "password": password, "groups": [["add", groups]]}],
    )
    credentials = {**tryton.admin, "username": login, "password": password}
    linked = link(container, "tryton", credentials)
    only(linked.sync(PURCHASE_ORDERS, trigger="initial"))
    tryton_admin.call("res.user", "write", [user], {"password": "Changed-Pass-2026!"})
    (run,) = linked.sync(PURCHASE_ORDERS)
    assert_reauth_required(linked, run)


def test_tryton_purchases_are_read_and_created_through_the_unified_api(
    container: Container, tryton: TrytonServer
) -> None:
    # Tryton delivers to the order's warehouse: the lines name items, not locations.
    referenced = (Entity.VENDORS, Entity.INVENTORY_ITEMS)
    linked = link(container, "tryton", tryton.admin, entities=(PURCHASE_ORDERS, *referenced))
    assert all(run.status == "succeeded" for run in linked.sync(trigger="initial"))
    stored = linked.stored(PURCHASE_ORDERS)
    with TestClient(create_app(container)) as client:
        listed = client.get("/v1/purchase-orders", params={"limit": 500}, headers=linked.headers)
        assert listed.status_code == 200, listed.text
        assert {row["remote_id"] for row in listed.json()["data"]} == set(stored)
        seeded = min(stored, key=int)
        one = client.get(
            f"/v1/purchase-orders/{linked.ids(PURCHASE_ORDERS, seeded)}", headers=linked.headers
        )
        assert one.status_code == 200 and one.json()["remote_id"] == seeded
        created = client.post(
            "/v1/purchase-orders",
            headers=linked.headers,
            json={
                "vendor_id": linked.ids(Entity.VENDORS, "3"),
                "notes": "Ordered through the unified API",
                "custom_fields": {"reference": "RFQ-API-0001"},
                "lines": [{"item_id": linked.ids(Entity.INVENTORY_ITEMS, "1"), "quantity": "4"}],
            },
        )
        assert created.status_code == 201, created.text
        order: dict[str, Any] = created.json()
        assert order["status"] == "draft" and order["vendor"]["remote_id"] == "3"
        named = client.get(
            f"/v1/purchase-orders/{order['id']}?expand=vendor", headers=linked.headers
        )
        assert named.status_code == 200 and named.json()["vendor"]["name"] == "Bearing World LLC"
        assert Decimal(order["lines"][0]["quantity"]) == 4
        # Tryton keeps what is written: the draft is in the store at once, before any sync.
        assert order["remote_id"] in linked.stored(PURCHASE_ORDERS)
        read_back = client.get(f"/v1/purchase-orders/{order['id']}", headers=linked.headers)
        assert read_back.status_code == 200
        assert read_back.json()["notes"] == "Ordered through the unified API"


def test_tryton_work_orders_and_stock_adjustments_through_the_unified_api(
    container: Container, tryton: TrytonServer
) -> None:
    entities = (Entity.WORK_ORDERS, Entity.INVENTORY_ITEMS, Entity.LOCATIONS)
    linked = link(container, "tryton", tryton.admin, entities=entities)
    assert all(run.status == "succeeded" for run in linked.sync(trigger="initial"))
    with TestClient(create_app(container)) as client:
        works = client.get("/v1/work-orders", params={"limit": 500}, headers=linked.headers)
        assert works.status_code == 200, works.text
        rows = works.json()["data"]
        assert {row["remote_id"] for row in rows} == set(linked.stored(Entity.WORK_ORDERS))
        assert {"open", "scheduled", "in_progress", "completed", "closed"} <= {
            row["status"] for row in rows
        }
        running = client.get(
            "/v1/work-orders", params={"status": "in_progress"}, headers=linked.headers
        ).json()["data"]
        assert running and all(row["status"] == "in_progress" for row in running)

        item_id = linked.ids(Entity.INVENTORY_ITEMS, "2")
        warehouse_id = linked.ids(Entity.LOCATIONS, "5")

        def on_hand(body: dict[str, Any]) -> Decimal:
            (level,) = [
                level for level in body["stock_levels"] if level["location"]["id"] == warehouse_id
            ]
            return Decimal(level["on_hand"])

        before = on_hand(
            client.get(f"/v1/inventory-items/{item_id}", headers=linked.headers).json()
        )
        adjusted = client.post(
            f"/v1/inventory-items/{item_id}/adjustments",
            headers={**linked.headers, "Idempotency-Key": "count-2-warehouse"},
            json={"location_id": warehouse_id, "quantity_delta": "-2", "reason": "Damaged"},
        )
        assert adjusted.status_code in (200, 201), adjusted.text
        assert on_hand(adjusted.json()) == before - 2
        # Stored at once, and a replay of the same key does not adjust twice.
        stored = client.get(f"/v1/inventory-items/{item_id}", headers=linked.headers).json()
        assert on_hand(stored) == before - 2
        replay = client.post(
            f"/v1/inventory-items/{item_id}/adjustments",
            headers={**linked.headers, "Idempotency-Key": "count-2-warehouse"},
            json={"location_id": warehouse_id, "quantity_delta": "-2", "reason": "Damaged"},
        )
        assert replay.status_code == adjusted.status_code
        assert on_hand(replay.json()) == before - 2
        linked.sync()
        resynced = client.get(f"/v1/inventory-items/{item_id}", headers=linked.headers).json()
        assert on_hand(resynced) == before - 2, "Tryton itself holds the new quantity"
