"""What a catalog entry takes from the maps: writable fields, status tables, written codes."""

from __future__ import annotations

from ironbridge.connectors.base import StatusTable
from ironbridge.connectors.kit import (
    PLAIN,
    Code,
    Flags,
    Mapper,
    Number,
    RecordMap,
    Ref,
    Text,
    Tokens,
    capability,
    code_tables,
    status_tables,
    writable_fields,
    written_codes,
)
from ironbridge.connectors.protocols.jsonrpc_wire import TRYTON_WIRE
from ironbridge.model import (
    Entity,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderPriority,
    WorkOrderStatus,
)

P = PurchaseOrderStatus
STATUS = {"DRAFT": P.DRAFT, "WAPPR": P.PENDING_APPROVAL, "HOLD": P.DRAFT, "APPR": P.APPROVED}
ORDERS = RecordMap(
    fields={
        "number": Text("ponum"),
        "status": Code("status", table=STATUS, writable=False),
        "vendor": Ref(Entity.VENDORS, "vendor"),
        "total": Number("totalcost", writable=False),
        "notes": Text("description"),
    }
)
VENDORS = RecordMap(
    fields={"status": Flags((("disabled", VendorStatus.INACTIVE),), VendorStatus.ACTIVE)}
)


def test_writable_fields_follow_the_map_with_references_by_both_ids() -> None:
    assert writable_fields(ORDERS) == ("number", "vendor_id", "vendor_remote_id", "notes")
    assert writable_fields(ORDERS, but={"number"}, also={"status"}) == (
        "status",
        "vendor_id",
        "vendor_remote_id",
        "notes",
    )


def test_status_tables_are_those_of_the_status_codes() -> None:
    mapper = Mapper("Test", PLAIN, {Entity.PURCHASE_ORDERS: ORDERS, Entity.VENDORS: VENDORS})
    assert status_tables(mapper) == (
        StatusTable(Entity.PURCHASE_ORDERS, "status", STATUS, PurchaseOrderStatus),
    )


def test_a_member_is_written_as_its_first_code() -> None:
    assert written_codes(STATUS) == {
        P.DRAFT: "DRAFT",
        P.PENDING_APPROVAL: "WAPPR",
        P.APPROVED: "APPR",
    }


def test_a_capability_allows_reading_and_the_named_writes() -> None:
    found = capability("create", "adjust", writable=("notes",), rules=("One site.",))
    assert (found.read, found.create, found.update, found.delete, found.adjust) == (
        True,
        True,
        False,
        False,
        True,
    )
    assert (found.writable_fields, found.rules, found.requires) == (("notes",), ("One site.",), ())


def test_code_tables_list_every_code_and_token_rule_open_where_codes_may_be_new() -> None:
    priority = {"1": WorkOrderPriority.URGENT, "": None}
    rules = (("REL", WorkOrderStatus.SCHEDULED), ("CRTD", WorkOrderStatus.OPEN))
    work = RecordMap(
        fields={
            "title": Text("title"),
            "priority": Code("prio", table=priority, otherwise=None),
            "status": Tokens("text", rules),
        }
    )
    tables = code_tables({Entity.PURCHASE_ORDERS: ORDERS, Entity.WORK_ORDERS: work})
    assert tables == (
        StatusTable(Entity.PURCHASE_ORDERS, "status", STATUS, PurchaseOrderStatus),
        StatusTable(Entity.WORK_ORDERS, "prio", priority, WorkOrderPriority, closed=False),
        StatusTable(Entity.WORK_ORDERS, "text", dict(rules), WorkOrderStatus, closed=False),
    )
    assert tables[1].table is priority


def test_code_tables_follow_a_code_with_those_refining_it_and_spell_paths_by_the_wire() -> None:
    by_state = {"running": WorkOrderStatus.IN_PROGRESS}
    decides = {"cancelled": WorkOrderStatus.CANCELLED}
    refine = {state: Code("state", by_state) for state in ("draft", "running")}
    maps = {Entity.WORK_ORDERS: RecordMap({"status": Code("job.state", decides, refine=refine)})}
    assert code_tables(maps) == (
        StatusTable(Entity.WORK_ORDERS, "job.state", decides, WorkOrderStatus, False),
    )
    assert code_tables(maps, refined=True, wire=TRYTON_WIRE) == (
        StatusTable(Entity.WORK_ORDERS, "job./state", decides, WorkOrderStatus, False),
        StatusTable(Entity.WORK_ORDERS, "state", by_state, WorkOrderStatus),
    )


def test_a_wire_spells_a_path_as_the_keys_of_nested_objects() -> None:
    assert PLAIN.source_key("a/b") == "a/b"
    assert TRYTON_WIRE.source_key("production.product.code") == "production./product./code"
