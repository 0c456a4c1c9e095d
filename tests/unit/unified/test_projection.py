"""What the store keeps for a source record: the unified JSON text, its hash and its filters."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from ironbridge.connectors import RawRecord
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
