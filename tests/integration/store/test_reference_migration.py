"""Upgrading a store whose references still carry copied names."""

from __future__ import annotations

import json

from alembic import command

from ironbridge.bootstrap import Container
from ironbridge.model import Entity
from ironbridge.store.migrate import alembic_config, upgrade
from ironbridge.store.records import RecordQuery, RecordRepository, content_hash

from ...conftest import new_account, new_sandbox_connection


def test_upgrading_drops_copied_names_without_announcing_a_change(
    any_container: Container,
) -> None:
    connection = new_sandbox_connection(any_container, new_account(any_container))
    entity = Entity.PURCHASE_ORDERS
    with any_container.uow() as uow:
        repo = RecordRepository(uow.connection, connection.id)
        orders = repo.page(entity.value, RecordQuery(limit=20))
        # As earlier versions stored them: a name beside each reference, hashed with it.
        for stored in orders:
            old = json.loads(stored.unified)
            old["vendor"] = {**old["vendor"], "name": "Copied Vendor Name"}
            for line in old["lines"]:
                if line["item"] is not None:
                    line["item"] = {**line["item"], "name": "Copied Item Name"}
            text = json.dumps(old, separators=(",", ":"), ensure_ascii=False)
            repo.set_projection(
                entity.value,
                [
                    {
                        "b_id": stored.id,
                        "unified": text,
                        "status": old["status"],
                        "filters": {"vendor_id": old["vendor"]["id"]},
                        "content_hash": content_hash(text, stored.raw),
                    }
                ],
            )
        uow.commit()

    command.downgrade(alembic_config(any_container.engine), "0004")
    upgrade(any_container.engine)

    with any_container.uow(readonly=True) as uow:
        repo = RecordRepository(uow.connection, connection.id)
        upgraded = {row.id: row for row in repo.page(entity.value, RecordQuery(limit=20))}
    assert set(upgraded) == {stored.id for stored in orders}
    for stored in orders:
        now = upgraded[stored.id]
        assert "Copied" not in now.unified
        # Text and hash as this version's sync wrote them: the next sync finds them unchanged.
        assert now.unified == stored.unified and now.content_hash == stored.content_hash
