"""What the store keeps for a source record: the unified JSON text, its hash and its filters."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironbridge.connectors import IdFactory, RawRecord
from ironbridge.connectors.sandbox.connector import SandboxConnector
from ironbridge.model import Entity
from ironbridge.unified import Projector, raw_json

CONNECTOR = SandboxConnector()


def sandbox_records(entity: Entity) -> list[RawRecord]:
    with CONNECTOR.session({}) as session:
        return [raw for page in session.list_changes(entity, None) for raw in page]


@pytest.mark.parametrize("entity", list(Entity), ids=lambda e: e.value)
def test_stored_text_is_the_compact_json_of_the_unified_record(entity: Entity) -> None:
    # Content hashes of records stored earlier were taken over exactly this text: a change
    # of serializer that changed a byte would report every record as updated once.
    projector = Projector(CONNECTOR, "conn_projection", entity)
    for raw in sandbox_records(entity):
        written = projector.write(raw)
        unified = projector.unified(raw)
        assert written.unified == json.dumps(unified, separators=(",", ":"), ensure_ascii=False)
        # The unified half is of the same text without the record's own updated_at: when a
        # record changed is not what it holds.
        content = {name: value for name, value in unified.items() if name != "updated_at"}
        text = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
        assert written.content_hash[:32] == hashlib.sha256(text.encode()).hexdigest()[:32]
        assert written.content_hash[32:] == hashlib.sha256(written.raw.encode()).hexdigest()[:32]
        assert written.id == unified["id"] and written.deleted is False
        assert written.modified_at == raw.modified_at and written.snapshot is False


def test_the_change_time_alone_does_not_change_the_unified_hash() -> None:
    projector = Projector(CONNECTOR, "conn_projection", Entity.VENDORS)
    raw = sandbox_records(Entity.VENDORS)[0]
    later = RawRecord(raw.remote_id, datetime(2030, 1, 1, tzinfo=UTC), raw.data)
    first, second = projector.write(raw), projector.write(later)
    assert first.unified != second.unified
    assert first.content_hash == second.content_hash


def test_a_record_without_a_change_time_is_dated_when_seen() -> None:
    projector = Projector(CONNECTOR, "conn_projection", Entity.INVENTORY_ITEMS)
    raw = sandbox_records(Entity.INVENTORY_ITEMS)[0]
    undated = RawRecord(raw.remote_id, None, raw.data)
    seen = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
    written = projector.write(undated, seen_at=seen)
    assert written.snapshot is True and written.modified_at == seen
    assert json.loads(written.unified)["updated_at"] == "2026-05-04T03:02:01Z"
    assert projector.unified(undated, seen_at=seen)["updated_at"] == "2026-05-04T03:02:01Z"
    # Dated otherwise, the content is the same.
    assert written.content_hash == projector.write(raw).content_hash
    with pytest.raises(ValueError, match="no change time"):
        projector.write(undated)


def test_text_outside_ascii_and_control_characters_are_written_as_json_would() -> None:
    projector = Projector(CONNECTOR, "conn_projection", Entity.VENDORS)
    raw = sandbox_records(Entity.VENDORS)[0]
    odd = 'Müller & Söhne 漢字 😀 \u2028 tab\there \x01 "quoted" back\\slash'
    data = {**raw.data, "VendorName": odd}
    changed = RawRecord(raw.remote_id, datetime(2026, 1, 1, tzinfo=UTC), data)
    written = projector.write(changed)
    unified = projector.unified(changed)
    assert unified["name"] == odd
    assert written.unified == json.dumps(unified, separators=(",", ":"), ensure_ascii=False)


def test_raw_json_is_the_sorted_compact_json_dumps_of_the_record() -> None:
    data = {
        "b": [1.5, None, True, {"z": 'é\u2028"', "a": datetime(2026, 1, 1, tzinfo=UTC)}],
        "a": 10**30,
        "ü": (1, "x"),
    }
    expected = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    assert raw_json(data) == expected
    assert raw_json({}) == "{}"


@pytest.mark.parametrize(
    "data",
    [
        # What decoded JSON holds, all in ASCII: orjson writes it.
        {"id": "PO-1", "n": [0, -3, 2**63 - 1], "ok": False, "none": None, "x": {"b": 1, "a": 2}},
        {"amounts": [0.1, 2.5, 100.0, -0.0, 1234567.125, 0.30000000000000004, 0.0001234]},
        {"guid": "23c6c18a-e759-40bc-a9d3-366334445661", "code": "1E5", "text": "0.00001"},
        # Values typed by a family's decoder, and keys or integers only json takes.
        {"at": datetime(2026, 1, 1, 12, 30, tzinfo=UTC), "day": datetime(2026, 1, 1).date()},
        {"price": Decimal("12.50"), "big": 10**30},
        {10: "ten", 3: "three"},
        {"name": "Müller GmbH", "quote": '"\\\u2028', "emoji": "\U0001f600"},
    ],
)
def test_raw_json_matches_json_dumps_whichever_encoder_writes_it(data: dict[Any, Any]) -> None:
    # Stored records were hashed on this text: it must not change under them.
    assert raw_json(data) == json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(), _JSON_VALUES, max_size=6))
def test_any_text_is_written_as_json_dumps_writes_it(data: dict[str, Any]) -> None:
    # Names and addresses beyond ASCII (umlauts, CJK, emoji, lone surrogates) are common.
    assert raw_json(data) == json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def test_floats_with_an_exponent_keep_their_values_in_orjsons_spelling() -> None:
    data = {"tiny": [1e-05, 1.5e-07, 4.849251122277342e-05, 5e-324], "huge": 1e22}
    text = raw_json(data)
    assert json.loads(text) == data
    assert raw_json(json.loads(text)) == text  # the same text every time it is read


class _FixedOrder(SandboxConnector):
    """Maps any raw record to one purchase order with decimals in every notation."""

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        return {
            "id": ids(entity, raw.remote_id),
            "remote_id": raw.remote_id,
            "updated_at": raw.modified_at,
            "number": "PO-1",
            "status": "approved",
            "vendor": {"remote_id": "V1", "id": ids(Entity.VENDORS, "V1")},
            "currency": "eur",
            "order_date": "2026-01-31",
            "total": Decimal("1E+2"),
            "subtotal": "12.50",
            "tax_total": 0,
            "notes": "Straße 😀",
            "custom_fields": {"x": [1, 2.5, None]},
            "lines": [
                {
                    "line_number": 1,
                    "item": {"remote_id": "I1", "id": ids(Entity.INVENTORY_ITEMS, "I1")},
                    "quantity": "1E-7",
                    "quantity_received": "-0.00",
                    "unit_price": 3.25,
                    "line_total": Decimal("1.230E+3"),
                }
            ],
        }


#: What earlier releases stored for `_FixedOrder`'s record (and hashed).
UNIFIED_TEXT = (
    '{"id":"po_ddfe25f7114a5036a6fee8d9d927a7d2","remote_id":"R1","created_at":null,"'
    'updated_at":"2026-02-03T04:05:06.789000Z","deleted":false,"custom_fields":{"x":['
    '1,2.5,null]},"number":"PO-1","status":"approved","vendor":{"id":"vnd_67b0255dd78'
    '75c4ea1edda2da57d5ed6","remote_id":"V1"},"order_date":"2026-01-31","required_dat'
    'e":null,"expected_delivery_date":null,"currency":"EUR","subtotal":"12.50","tax_t'
    'otal":"0","total":"100","payment_terms":null,"ship_to":null,"bill_to":null,"buye'
    'r":null,"notes":"Straße 😀","lines":[{"remote_id":null,"line_number":1,"item":{"i'
    'd":"item_eefe0a19ad525c27a3b7eba559df5eb7","remote_id":"I1"},"item_code":null,"d'
    'escription":null,"quantity":"0.0000001","quantity_received":"-0.00","unit_of_mea'
    'sure":null,"unit_price":"3.25","line_total":"1230","required_date":null,"locatio'
    'n":null}]}'
)
RAW_TEXT = '{"a":{"y":true,"z":null},"b":[1,1.5,"\\u00fc"],"when":"2026-01-01 00:00:00"}'
CONTENT_HASH = "8191bdbd23a1f13e798e86c84452fd73e8445ce07ae9900061d0aa9a5046d2fd"


def test_a_stored_record_keeps_the_exact_text_and_hash_of_earlier_releases() -> None:
    # Byte for byte what earlier releases stored: a changed serialiser would make every
    # stored record look changed once (a flood of update events).
    projector = Projector(_FixedOrder(), "conn_projection", Entity.PURCHASE_ORDERS)
    raw = RawRecord(
        "R1",
        datetime(2026, 2, 3, 4, 5, 6, 789000, tzinfo=UTC),
        {"b": [1, 1.5, "ü"], "a": {"z": None, "y": True}, "when": datetime(2026, 1, 1)},
    )
    written = projector.write(raw)
    assert written.unified == UNIFIED_TEXT
    assert written.raw == RAW_TEXT
    assert written.content_hash == CONTENT_HASH
    assert written.status == "approved"
    assert written.filters == {"vendor_id": json.loads(UNIFIED_TEXT)["vendor"]["id"]}
    assert written.id == json.loads(UNIFIED_TEXT)["id"] and written.deleted is False
