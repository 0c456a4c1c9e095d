"""The operators' overview and connection search, on SQLite and PostgreSQL: counts, attention
order, event volume per hour, text search, and nothing of another account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ironbridge.bootstrap import Container
from ironbridge.errors import ValidationFailed
from ironbridge.health import ConnectionSearch, account_overview, search_connections
from ironbridge.store import tables

from ...conftest import new_account, new_sandbox_connection


def _set(container: Container, account_id: str, connection_id: str, **values: object) -> None:
    with container.uow() as uow:
        uow.connections.update(account_id, connection_id, **values)
        uow.commit()


def _events(container: Container, events: list[tuple[str, datetime]]) -> None:
    with container.engine.begin() as db:
        db.execute(
            tables.events.insert(),
            [
                {
                    "id": f"evt_test_{i}",
                    "account_id": account_id,
                    "connection_id": None,
                    "type": "system.error",
                    "sequence": 0,
                    "created_at": at,
                    "data": {},
                }
                for i, (account_id, at) in enumerate(events)
            ],
        )


# The hourly volume counts events by insertion position, which follows their time as events are
# written; other tests' events in a shared database are written with stepped clocks.
@pytest.mark.alone
def test_overview_counts_orders_attention_and_buckets_events_by_hour(
    any_container: Container,
) -> None:
    container = any_container
    now = datetime.now(UTC)
    account = new_account(container, "First")
    other = new_account(container, "Second")
    # Written first and in time order, as events are: the connections' own events come later.
    ours = [now - timedelta(hours=h) for h in (30, 23.5, 5, 0.7, 0.1, 0.05)]
    _events(
        container,
        sorted(
            [(account.id, at) for at in ours] + [(other.id, now - timedelta(hours=1))],
            key=lambda pair: pair[1],
        ),
    )
    ok = new_sandbox_connection(container, account, "ok")
    offline = new_sandbox_connection(container, account, "offline")
    expired = new_sandbox_connection(container, account, "expired")
    theirs = new_sandbox_connection(container, other, "theirs")
    _set(container, account.id, offline.id, status="offline")
    _set(container, account.id, expired.id, status="auth_required")
    _set(container, other.id, theirs.id, status="auth_required")
    with container.uow(readonly=True) as uow:
        overview = account_overview(uow, account.id, now)
    assert overview.counts == {
        "active": 1,
        "syncing": 0,
        "offline": 1,
        "auth_required": 1,
        "disconnected": 0,
    }
    assert [c.id for c in overview.attention] == [expired.id, offline.id]
    assert ok.id not in {c.id for c in overview.attention}
    starts = [at for at, _ in overview.event_volume]
    assert len(starts) == 24 and starts[-1] <= now < starts[-1] + timedelta(hours=1)
    ends = [*starts[1:], now]
    expected = [sum(1 for t in ours if start <= t < end) for start, end in zip(starts, ends)]
    assert [count for _, count in overview.event_volume] == expected
    assert sum(expected) >= 4  # 23.5 h ago is inside the window only late in an hour


def test_search_matches_end_customers_literally_within_the_account(
    any_container: Container,
) -> None:
    container = any_container
    account = new_account(container, "First")
    other = new_account(container, "Second")
    north = new_sandbox_connection(container, account, "plant_north")
    new_sandbox_connection(container, account, "plantxnorth")
    new_sandbox_connection(container, other, "plant_north-2")
    with container.uow(readonly=True) as uow:
        found, _ = search_connections(uow, account.id, ConnectionSearch(text="PLANT_N"))
        page, cursor = search_connections(uow, account.id, ConnectionSearch(), limit=1)
        rest, end = search_connections(uow, account.id, ConnectionSearch(), cursor=cursor)
    assert [s.detail.id for s in found] == [north.id]  # `_` is not a wildcard
    assert found[0].records["vendors"] == 60
    assert len(page) == 1 and len(rest) == 1 and end is None


def test_search_sorts_by_a_column_either_way_and_pages_through_ties_without_loss(
    any_container: Container,
) -> None:
    container = any_container
    account = new_account(container, "Sorted")
    names = ["delta", "alpha", "charlie", "bravo", "echo"]
    made = {name: new_sandbox_connection(container, account, name) for name in names}
    # Two connections share a status: the id breaks the tie, so paging loses and repeats none.
    for name in ("alpha", "echo"):
        _set(container, account.id, made[name].id, status="auth_required")

    def walk(search: ConnectionSearch) -> list[str]:
        seen: list[str] = []
        cursor = None
        with container.uow(readonly=True) as uow:
            while True:
                page, cursor = search_connections(uow, account.id, search, cursor=cursor, limit=2)
                seen += [s.detail.end_customer_id for s in page]
                if cursor is None:
                    return seen

    assert walk(ConnectionSearch(sort="customer")) == sorted(names)
    assert walk(ConnectionSearch(sort="customer", descending=True)) == sorted(names)[::-1]
    by_status = walk(ConnectionSearch(sort="status"))
    assert sorted(by_status) == sorted(names)
    assert set(by_status[:3]) == {"bravo", "charlie", "delta"}  # active < auth_required
    newest_first = walk(ConnectionSearch(descending=True))
    assert newest_first == names[::-1]
    with container.uow(readonly=True) as uow:
        _, cursor = search_connections(uow, account.id, ConnectionSearch(), limit=2)
        assert cursor is not None
        with pytest.raises(ValidationFailed):  # a cursor of another order seeks nothing
            search_connections(uow, account.id, ConnectionSearch(sort="customer"), cursor=cursor)
        with pytest.raises(ValidationFailed):
            search_connections(uow, account.id, ConnectionSearch(sort="secret_column"))
