import json
import os
import re
import subprocess
import sys
import uuid

from hypothesis import given
from hypothesis import strategies as st

from ironbridge.model import ID_NAMESPACE, ID_PREFIXES, Entity, entity_of_id, id_pattern, record_id

entities = st.sampled_from(list(Entity))
texts = st.text(max_size=40)


def test_ids_are_pinned_so_they_never_change_between_releases() -> None:
    # Integrators store these ids; a change here would orphan every one of them.
    assert (
        record_id("conn_1", Entity.PURCHASE_ORDERS, "PO-100001")
        == "po_883d9d3c4cfa5227bddc3edcb7534592"
    )


def test_another_process_computes_the_same_id() -> None:
    assert record_id("conn_1", Entity.VENDORS, "V10001") == _id_in_fresh_process(
        "conn_1", "vendors", "V10001"
    )


def _id_in_fresh_process(connection_id: str, entity: str, remote_id: str) -> str:
    code = (
        "from ironbridge.model import Entity, record_id;"
        f"print(record_id({connection_id!r}, Entity({entity!r}), {remote_id!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    return result.stdout.strip()


@given(texts, entities, texts)
def test_record_id_is_deterministic(connection_id: str, entity: Entity, remote_id: str) -> None:
    assert record_id(connection_id, entity, remote_id) == record_id(
        connection_id, entity, remote_id
    )


@given(texts, entities, texts)
def test_record_id_is_prefixed_per_entity_and_matches_its_pattern(
    connection_id: str, entity: Entity, remote_id: str
) -> None:
    value = record_id(connection_id, entity, remote_id)
    assert value.startswith(ID_PREFIXES[entity])
    assert re.fullmatch(id_pattern(entity), value)
    assert entity_of_id(value) is entity


@given(texts, texts, entities, texts)
def test_the_same_remote_id_in_two_connections_gets_two_ids(
    first: str, second: str, entity: Entity, remote_id: str
) -> None:
    if first != second:
        assert record_id(first, entity, remote_id) != record_id(second, entity, remote_id)


@given(texts, entities, entities, texts)
def test_the_same_remote_id_as_two_entities_gets_two_ids(
    connection_id: str, first: Entity, second: Entity, remote_id: str
) -> None:
    if first is not second:
        assert record_id(connection_id, first, remote_id) != record_id(
            connection_id, second, remote_id
        )


def test_parts_that_concatenate_alike_do_not_collide() -> None:
    assert record_id("a:b", Entity.ASSETS, "c") != record_id("a", Entity.ASSETS, "b:c")


def test_prefixes_are_distinct_and_cover_every_entity() -> None:
    assert set(ID_PREFIXES) == set(Entity)
    assert len(set(ID_PREFIXES.values())) == len(Entity)


def test_entity_of_id_is_none_for_anything_else() -> None:
    assert entity_of_id("PO-100001") is None
    assert entity_of_id("xyz_" + "0" * 32) is None
    assert entity_of_id("po_" + "0" * 31) is None


@given(texts, entities, st.one_of(texts, st.integers()))
def test_record_id_is_the_uuid5_of_the_json_of_its_parts(
    connection_id: str, entity: Entity, remote_id: str
) -> None:
    name = json.dumps([connection_id, entity.value, remote_id])
    expected = ID_PREFIXES[entity] + uuid.uuid5(ID_NAMESPACE, name).hex
    assert record_id.__wrapped__(connection_id, entity, remote_id) == expected
