"""PATCHes of a connection read and rewrite it under its row lock: none is lost to another."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from ironbridge.accounts import create_account
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.connections import ConnectionCreate, ConnectionPatch, connect, update_connection

from ...conftest import make_settings


@pytest.fixture
def pg_container(tmp_path: Path, postgres_url: str) -> Iterator[Container]:
    container = bootstrap(make_settings(tmp_path, database_url=postgres_url))
    yield container
    container.close()


def _lock_waiters(container: Container) -> int:
    with container.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


def test_a_metadata_merge_waits_for_a_concurrent_change_and_keeps_it(
    pg_container: Container,
) -> None:
    container = pg_container
    with container.uow() as uow:
        account = create_account(uow, "A")
        view, _ = connect(
            uow,
            container.cipher,
            container.registry,
            account.id,
            ConnectionCreate(system="sandbox", end_customer_id="c", end_customer_name="C"),
            options=container.session_options,
        )
    failures: list[BaseException] = []

    def patch_k2() -> None:
        try:
            with container.uow() as uow:
                update_connection(uow, account.id, view.id, ConnectionPatch(metadata={"k2": "2"}))
        except BaseException as exc:  # reported by the test thread
            failures.append(exc)

    with container.uow() as first:
        # Another writer has changed the row and not yet committed.
        first.connections.update(account.id, view.id, metadata={"k1": "1"})
        other = threading.Thread(target=patch_k2)
        other.start()
        deadline = time.monotonic() + 30
        while _lock_waiters(container) == 0:
            assert time.monotonic() < deadline, "the second PATCH never reached the row"
            time.sleep(0.05)
        first.commit()
    other.join(30)
    assert not failures
    with container.uow(readonly=True) as uow:
        row = uow.connections.get(account.id, view.id)
    assert row is not None and row.metadata == {"k1": "1", "k2": "2"}
