"""The poller against a real ironbridge server: its events API, cursors, filters and errors."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from ironbridge.api import create_app
from ironbridge.bootstrap import Container
from ironbridge.events import record_event
from ironbridge.receiver import Inbox, Poller

from ...conftest import AccountFixture, new_account
from .uvicorn_server import UvicornServer


@pytest.fixture
def served(container: Container) -> Iterator[tuple[str, AccountFixture]]:
    account = new_account(container)
    with UvicornServer(create_app(container)) as base_url:
        yield base_url, account


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    with Inbox(f"sqlite:///{tmp_path / 'inbox.db'}") as inbox:
        yield inbox


def emit(
    container: Container,
    account: AccountFixture,
    n: int,
    *,
    type: str = "system.error",
    connection_id: str | None = None,
) -> list[str]:
    with container.uow() as uow:
        ids = [
            record_event(
                uow, account_id=account.id, connection_id=connection_id, type=type, data={"n": i}
            ).id
            for i in range(n)
        ]
        uow.commit()
    return ids


def poll_until(reader: Poller, inbox: Inbox, count: int, timeout: float = 30.0) -> None:
    """Poll until the inbox holds `count` events: the server hands out an event only once it
    has settled (a moment after it was written), so the first polls may find nothing yet."""
    deadline = time.monotonic() + timeout
    while len(inbox.events(limit=1000)) < count:
        assert time.monotonic() < deadline, f"{len(inbox.events(limit=1000))} of {count} events"
        reader.poll()
        time.sleep(0.1)


def stored_ids(inbox: Inbox) -> list[str]:
    return sorted(item.event_id for item in inbox.events(limit=1000))


def test_poller_reads_every_page_and_resumes_from_its_saved_cursor(
    container: Container, served: tuple[str, AccountFixture], inbox: Inbox
) -> None:
    base_url, account = served
    first = emit(container, account, 5)
    with Poller(base_url, account.admin_key, inbox, expected_every=60, page_size=2) as reader:
        poll_until(reader, inbox, 5)
        assert reader.poll() == 0  # caught up: a second pass stores nothing
    assert stored_ids(inbox) == sorted(first)
    assert {item.source for item in inbox.events(limit=10)} == {"poll"}
    saved = inbox.cursor(reader.cursor_name)
    assert saved is not None

    later = emit(container, account, 3)
    with Poller(base_url, account.admin_key, inbox, expected_every=60, page_size=2) as restarted:
        poll_until(restarted, inbox, 8)
    assert stored_ids(inbox) == sorted(first + later)


def test_poller_filters_by_type_and_connection_on_the_server(
    container: Container,
    served: tuple[str, AccountFixture],
    inbox: Inbox,
    new_connection: Callable[[AccountFixture], str],
) -> None:
    base_url, account = served
    mine = new_connection(account)
    other = new_connection(account)
    emit(container, account, 2, type="sync.failed", connection_id=other)
    emit(container, account, 2, type="system.error", connection_id=mine)
    wanted = emit(container, account, 2, type="sync.failed", connection_id=mine)
    with Poller(
        base_url,
        account.admin_key,
        inbox,
        expected_every=60,
        connection_id=mine,
        types=["sync.failed"],
    ) as reader:
        poll_until(reader, inbox, 2)
        reader.poll()
    assert stored_ids(inbox) == sorted(wanted)


def test_poller_sees_only_its_own_account_and_refuses_a_wrong_key(
    container: Container, served: tuple[str, AccountFixture], inbox: Inbox
) -> None:
    base_url, account = served
    other = new_account(container, "Other Integrations")
    emit(container, other, 3)
    mine = emit(container, account, 1)
    with Poller(base_url, account.admin_key, inbox, expected_every=60) as reader:
        poll_until(reader, inbox, 1)
    assert stored_ids(inbox) == mine
    with (
        Poller(base_url, "ib_admin_wrong", inbox, expected_every=60) as wrong,
        pytest.raises(httpx.HTTPStatusError) as refused,
    ):
        wrong.poll()
    assert refused.value.response.status_code == 401
    assert inbox.cursor(wrong.cursor_name) == inbox.cursor(reader.cursor_name)


@pytest.fixture
def new_connection(container: Container) -> Callable[[AccountFixture], str]:
    from ...conftest import new_sandbox_connection

    counter = iter(range(1000))

    def make(account: AccountFixture) -> str:
        return new_sandbox_connection(container, account, customer=f"cust-{next(counter)}").id

    return make
