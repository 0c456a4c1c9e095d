"""Tokens and source credentials cannot be read from the database file."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ironbridge.accounts import create_account, create_admin_key
from ironbridge.api import create_app
from ironbridge.bootstrap import bootstrap
from ironbridge.connections import ConnectionCreate, connect
from ironbridge.connectors import AuthField, ConnectorRegistry, SessionOptions
from ironbridge.connectors.sandbox.connector import SandboxConnector, SandboxSession
from ironbridge.settings import load_secret_key

from ..conftest import make_settings


class LockedSandbox(SandboxConnector):
    """The sandbox behind a username and password, as a real system would be."""

    spec = dataclasses.replace(
        SandboxConnector.spec,
        id="locked_sandbox",
        auth_fields=(
            AuthField("username", "User", "Sign-in name.", secret=False),
            AuthField("password", "Password", "Sign-in password.", secret=True, kind="password"),
        ),
    )

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> SandboxSession:
        self.validate_credentials(credentials)
        return SandboxSession(options)


def test_raw_database_files_hold_no_token_or_credential(tmp_path: Path) -> None:
    container = bootstrap(make_settings(tmp_path), registry=ConnectorRegistry([LockedSandbox()]))
    password = "S3cr3t-Source-Passw0rd"
    with container.uow() as uow:
        account = create_account(uow, "A")
        key = create_admin_key(uow, account.id)
        view, issued = connect(
            uow,
            container.cipher,
            container.registry,
            account.id,
            ConnectionCreate(
                system="locked_sandbox",
                end_customer_id="c",
                end_customer_name="C",
                credentials={"username": "plant-admin", "password": password},
            ),
            options=container.session_options,
        )
        container.worker.start_sync(view.id, trigger="initial")
        row = uow.connections.get(account.id, view.id)
    assert row is not None
    assert container.cipher.decrypt(row.credentials_ciphertext)["password"] == password
    container.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("ironbridge.db*"))
    assert len(raw) > 100_000  # the synced records are in there
    for secret in (key.token, issued.token, password, "plant-admin"):
        assert secret.encode() not in raw
    # The random part alone must not be there either (no reversible encoding of it).
    assert key.token.split("_", 2)[2].encode() not in raw


def test_an_idempotent_connect_keeps_its_answer_and_fingerprint_unreadable(
    tmp_path: Path,
) -> None:
    container = bootstrap(make_settings(tmp_path), registry=ConnectorRegistry([LockedSandbox()]))
    password = "An0ther-Source-Passw0rd"
    with container.uow() as uow:
        account = create_account(uow, "A")
        key = create_admin_key(uow, account.id)
    body = {
        "system": "locked_sandbox",
        "end_customer_id": "c",
        "end_customer_name": "C",
        "credentials": {"username": "plant-admin", "password": password},
    }
    headers = {"Authorization": f"Bearer {key.token}", "Idempotency-Key": "connect-c"}
    with TestClient(create_app(container)) as client:
        first = client.post("/v1/connections", json=body, headers=headers)
        again = client.post("/v1/connections", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    token = again.json()["token"]
    assert token == first.json()["token"]
    container.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("ironbridge.db*"))
    for secret in (token, token.split("_", 2)[2], password):
        assert secret.encode() not in raw
    # The request's fingerprint is keyed: a guess at the body cannot be checked against it.
    validated = ConnectionCreate.model_validate(body).model_dump(mode="json")
    canonical = json.dumps(["POST", "/v1/connections", validated], sort_keys=True)
    assert hashlib.sha256(canonical.encode()).hexdigest().encode() not in raw


def test_secret_key_is_generated_once_with_owner_only_permissions(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    first = load_secret_key(settings)
    assert load_secret_key(settings) == first
    mode = stat.S_IMODE((tmp_path / "data" / "secret.key").stat().st_mode)
    assert mode == 0o600
    assert load_secret_key(make_settings(tmp_path, secret_key="from-env")) == "from-env"


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems start services with, under which files come out world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("usual_umask")
def test_embedded_store_and_queue_are_private_to_their_owner(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, queue_immediate=False)
    container = bootstrap(settings)
    try:
        with container.uow() as uow:
            account = create_account(uow, "Acme")
            create_admin_key(uow, account.id)
        queue = container.worker.queue
        queue.put("probe", "written")  # the queue's database exists once it has been written
        assert queue.get("probe") == "written"
        data = settings.data_dir
        files = {p.name: _mode(p) for p in data.iterdir()}
        assert {
            "ironbridge.db",
            "ironbridge.db-wal",
            "ironbridge.db-shm",
            "queue.db",
            "secret.key",
        } <= set(files)
        assert files == dict.fromkeys(files, 0o600)
        assert _mode(data) == 0o700
    finally:
        container.close()


@pytest.mark.usefixtures("usual_umask")
def test_files_left_readable_by_an_earlier_version_are_made_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("ironbridge.db", "queue.db"):
        sqlite3.connect(data / name).close()  # 0644, as SQLite creates files under umask 022
    assert _mode(data / "ironbridge.db") == 0o644
    container = bootstrap(make_settings(tmp_path, queue_immediate=False))
    try:
        container.worker.queue.put("probe", "written")
        for name in ("ironbridge.db", "ironbridge.db-wal", "ironbridge.db-shm", "queue.db"):
            assert _mode(data / name) == 0o600, name
        # The folder may be the operator's, with a mode they chose: it is left as it was.
        assert _mode(data) == 0o755
    finally:
        container.close()
