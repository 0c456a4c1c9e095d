"""A pooled PostgreSQL connection the server dropped is replaced before use, once it has been
idle; one in steady use is not pinged on every checkout."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, exc, text

from ironbridge.store import engine as engine_module
from ironbridge.store.engine import make_engine
from tests.conftest import POSTGRES_ADMIN_URL


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    made = make_engine(postgres_url)
    yield made
    made.dispose()


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _drop(pid: int) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        # Terminating is asynchronous: wait until the server no longer lists it.
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            admin.execute("SELECT pg_sleep(0.01)")


def test_a_dropped_idle_connection_is_replaced_before_use(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped = _backend(engine)
    _drop(dropped)
    # Any idle time counts as long enough, so the pooled connection is pinged at checkout.
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE", -1.0)

    assert _backend(engine) != dropped


def test_a_connection_in_steady_use_is_not_pinged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped = _backend(engine)
    _drop(dropped)
    # Never idle long enough: no ping, so the request itself meets the dropped connection,
    # and the pool replaces it for the next one.
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE", 3600.0)

    with pytest.raises(exc.OperationalError):
        _backend(engine)
    assert _backend(engine) != dropped
