"""The store behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from ironbridge.accounts import authenticate, create_account, create_admin_key, issue_token
from ironbridge.bootstrap import Container
from ironbridge.connections import ConnectionCreate, connect, list_connections
from ironbridge.errors import AuthenticationFailed
from ironbridge.security import TokenKind
from ironbridge.store import is_current, upgrade
from ironbridge.store.tables import metadata


def test_migrations_create_the_schema_and_are_idempotent(any_container: Container) -> None:
    upgrade(any_container.engine)
    assert is_current(any_container.engine)
    tables = set(inspect(any_container.engine).get_table_names())
    assert {"accounts", "connections", "credentials", "alembic_version"} <= tables


def test_the_migrations_build_exactly_the_tables_the_code_declares(
    any_container: Container,
) -> None:
    with any_container.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        differences = compare_metadata(context, metadata)
    # Tables of other components sharing the database (DBOS's schema) are not ours to compare.
    ours = [
        d for d in differences if not (d[0] == "remove_table" and d[1].name not in metadata.tables)
    ]
    assert ours == []


def test_admin_keys_authenticate_until_revoked(any_container: Container) -> None:
    with any_container.uow() as uow:
        account = create_account(uow, "A")
        key = create_admin_key(uow, account.id)
        principal = authenticate(uow, key.token, TokenKind.ADMIN)
        assert principal.account_id == account.id
        with pytest.raises(AuthenticationFailed):
            authenticate(uow, key.token, TokenKind.CONNECTION)
        uow.credentials.revoke(account.id, key.id, datetime.now(UTC))
        uow.commit()
    with any_container.uow() as uow, pytest.raises(AuthenticationFailed):
        authenticate(uow, key.token, TokenKind.ADMIN)


def test_expired_tokens_do_not_authenticate(any_container: Container) -> None:
    with any_container.uow() as uow:
        account = create_account(uow, "A")
        issued = issue_token(
            uow, TokenKind.LINK, account.id, expires_at=datetime.now(UTC) - timedelta(seconds=1)
        )
        uow.commit()
        with pytest.raises(AuthenticationFailed):
            authenticate(uow, issued.token, TokenKind.LINK)


def test_single_use_marking_wins_only_once(any_container: Container) -> None:
    with any_container.uow() as uow:
        account = create_account(uow, "A")
        issued = issue_token(uow, TokenKind.LINK, account.id)
        uow.commit()
        assert uow.credentials.mark_used(issued.id, datetime.now(UTC)) is True
        assert uow.credentials.mark_used(issued.id, datetime.now(UTC)) is False


def test_datetimes_come_back_aware_and_equal(any_container: Container) -> None:
    with any_container.uow() as uow:
        account = create_account(uow, "A")
        loaded = uow.accounts.get(account.id)
    assert loaded is not None
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at == account.created_at.replace(
        microsecond=loaded.created_at.microsecond
    )


def test_uncommitted_work_is_rolled_back(any_container: Container) -> None:
    with any_container.uow() as uow:
        account = create_account(uow, "kept")
    with any_container.uow() as uow:
        uow.accounts.set_rate_limit(account.id, 5)  # not committed
    with any_container.uow() as uow:
        stored = uow.accounts.get(account.id)
    assert stored is not None and stored.rate_limit_per_minute is None


def test_connection_queries_are_scoped_to_their_account(any_container: Container) -> None:
    with any_container.uow() as uow:
        mine = create_account(uow, "mine")
        theirs = create_account(uow, "theirs")
        view, _ = connect(
            uow,
            any_container.cipher,
            any_container.registry,
            mine.id,
            ConnectionCreate(system="sandbox", end_customer_id="c", end_customer_name="C"),
            options=any_container.session_options,
        )
        assert uow.connections.get(mine.id, view.id) is not None
        assert uow.connections.get(theirs.id, view.id) is None
        assert uow.connections.owner_of(view.id) == mine.id
        assert list_connections(uow, theirs.id)[0] == []
        assert [c.id for c in list_connections(uow, mine.id)[0]] == [view.id]


def test_json_columns_round_trip(any_container: Container) -> None:
    with any_container.uow() as uow:
        account = create_account(uow, "A")
        view, _ = connect(
            uow,
            any_container.cipher,
            any_container.registry,
            account.id,
            ConnectionCreate(
                system="sandbox",
                end_customer_id="c",
                end_customer_name="C",
                metadata={"ünï": "cødé", "k": "v"},
            ),
            options=any_container.session_options,
        )
        row = uow.connections.get(account.id, view.id)
    assert row is not None
    assert row.metadata == {"ünï": "cødé", "k": "v"}
    assert row.settings["sync_schedule"] == "hourly"
