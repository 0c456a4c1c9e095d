"""A connection's events are found through its own index, not by reading the account's."""

from __future__ import annotations

from sqlalchemy import text

from ironbridge.bootstrap import Container


def test_events_of_one_connection_seek_its_index(container: Container) -> None:
    with container.uow(readonly=True) as uow:
        plan = uow.connection.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM events WHERE account_id = :a "
                "AND connection_id = :c AND type IN ('connection.status_changed') "
                "AND created_at < :t ORDER BY position LIMIT 50"
            ),
            {"a": "acc_x", "c": "conn_x", "t": "2030-01-01"},
        ).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert "ix_events_connection_position (connection_id=?)" in details
    assert "TEMP B-TREE" not in details  # the index gives the order too
