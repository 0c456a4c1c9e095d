"""What the store keeps for a source record: the unified JSON text, its hash and its filters."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from ironbridge.connectors import RawRecord
from ironbridge.connectors.sandbox.connector import SandboxConnector
from ironbridge.model import Entity
from ironbridge.unified import Projector

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
        # Hashes stored before the raw half existed were a whole SHA-256 of this text.
        unified_digest = hashlib.sha256(written.unified.encode()).hexdigest()
        assert written.content_hash[:32] == unified_digest[:32]
        assert written.content_hash[32:] == hashlib.sha256(written.raw.encode()).hexdigest()[:32]
        assert written.id == unified["id"] and written.deleted is False


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
