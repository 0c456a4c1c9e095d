"""The command line, run as users run it: a real process with its own environment."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis

from ironbridge import errors
from ironbridge.health import BreakerBoard
from ironbridge.testing.emulators.sap_s4hana import running_emulator

from ..conftest import REDIS_URL
from .conftest import Served, cli_env, serving


def run_cli(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(data_dir, **env)
    return subprocess.run(
        [sys.executable, "-m", "ironbridge", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_version_prints_the_package_version() -> None:
    from ironbridge import __version__

    result = run_cli(Path("/nonexistent"), "version")
    assert result.returncode == 0
    assert result.stdout.strip() == __version__


def test_demo_is_idempotent_and_prints_working_json(tmp_path: Path) -> None:
    first = json.loads(run_cli(tmp_path, "demo", "--json").stdout)
    second = json.loads(run_cli(tmp_path, "demo", "--json").stdout)
    assert first["created"] is True and second["created"] is False
    assert first["account_id"] == second["account_id"]
    assert first["connection_id"] == second["connection_id"]
    assert first["admin_key"].startswith("ib_admin_")
    assert first["connection_token"].startswith("ib_conn_")
    assert second["admin_key"] != first["admin_key"]


def test_accounts_and_keys_are_created_from_the_cli(tmp_path: Path) -> None:
    created = run_cli(tmp_path, "accounts", "create", "Widget Works", "--json")
    assert created.returncode == 0, created.stderr
    account = json.loads(created.stdout)
    assert account["name"] == "Widget Works" and account["admin_key"].startswith("ib_admin_")
    key = json.loads(
        run_cli(tmp_path, "keys", "create", "--account", account["account_id"], "--json").stdout
    )
    assert key["admin_key"].startswith("ib_admin_") and key["admin_key"] != account["admin_key"]
    missing = run_cli(tmp_path, "keys", "create", "--account", "acc_NOPE", "--json")
    assert missing.returncode == 1
    assert "acc_NOPE" in missing.stderr


def test_migrate_brings_a_new_store_up_to_date(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ironbridge.db").exists()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with serving(tmp_path) as running:
        yield running


def test_serve_demo_prints_keys_that_work_against_the_running_server(served: Served) -> None:
    base, admin_key, token = served.base, served.admin_key, served.token
    listed = httpx.get(f"{base}/v1/connections", headers={"Authorization": f"Bearer {admin_key}"})
    assert listed.status_code == 200
    assert [c["system"] for c in listed.json()["data"]] == ["sandbox"]
    # The in-process worker runs the initial sync; the connection settles back to active.
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline:
        me = httpx.get(f"{base}/v1/connection", headers={"Authorization": f"Bearer {token}"})
        status = me.json()["status"]
        if status == "active":
            break
        time.sleep(0.2)
    assert status == "active"


def test_every_command_reads_the_configuration_serve_demo_uses(tmp_path: Path) -> None:
    # An on-premises system on this machine, connected through the demo server, then synced
    # from the command line in another process: both read the same settings.
    with running_emulator() as sap, serving(tmp_path) as served:
        created = httpx.post(
            f"{served.base}/v1/connections",
            headers={"Authorization": f"Bearer {served.admin_key}"},
            json={
                "system": "sap_s4hana",
                "end_customer_id": "plant-1",
                "end_customer_name": "Plant One",
                "credentials": {
                    "base_url": sap.base_url,
                    "auth_method": "basic",
                    "username": sap.username,
                    "password": sap.password,
                },
            },
            timeout=60,
        )
        assert created.status_code == 201, created.text
        connection_id = created.json()["id"]

        synced = run_cli(tmp_path, "sync", connection_id, "--entity", "purchase-orders")
        assert synced.returncode == 0, synced.stderr
        assert "succeeded" in synced.stderr

        # Refused, the error names the setting that allows it.
        refused = run_cli(
            tmp_path,
            "sync",
            connection_id,
            "--entity",
            "purchase-orders",
            IRONBRIDGE_ALLOW_PRIVATE_URLS="false",
        )
        assert refused.returncode == 1
        assert "IRONBRIDGE_ALLOW_PRIVATE_URLS=true" in " ".join(refused.stderr.split())
    assert (tmp_path / "ironbridge.env").read_text().count("IRONBRIDGE_ALLOW_PRIVATE_URLS=true")


@pytest.mark.redis
def test_a_sync_from_the_cli_is_refused_while_the_connections_circuit_is_open(
    tmp_path: Path,
) -> None:
    demo = json.loads(run_cli(tmp_path, "demo", "--json").stdout)
    connection_id = demo["connection_id"]
    prefix = f"ib-test:{uuid.uuid4().hex}"
    shared = {"IRONBRIDGE_REDIS_URL": REDIS_URL, "IRONBRIDGE_BREAKER_KEY_PREFIX": prefix}
    # Another node's calls failed until the circuit opened; its state is in the shared Redis.
    board = BreakerBoard(redis=Redis.from_url(REDIS_URL), key_prefix=prefix, fail_max=1)
    try:
        with pytest.raises(errors.UpstreamError), board.guard(connection_id):
            raise errors.UpstreamError("The source answered with nonsense.")
        assert board.is_open(connection_id)

        refused = run_cli(tmp_path, "sync", connection_id, "-e", "purchase-orders", **shared)
        assert refused.returncode == 1
        said = " ".join(refused.stderr.split())
        assert "circuit is open" in said and "stays queued" in said, refused.stderr

        board.reset(connection_id)
        synced = run_cli(tmp_path, "sync", connection_id, "-e", "purchase-orders", **shared)
        assert synced.returncode == 0, synced.stderr
        assert "succeeded" in synced.stderr
    finally:
        board.close()


def test_serve_on_a_busy_port_says_how_to_pick_another_before_minting_keys(
    tmp_path: Path,
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "ironbridge", "serve", "--demo"],
            env=cli_env(tmp_path, IRONBRIDGE_PORT=str(port)),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    said = " ".join((result.stdout + result.stderr).split())
    assert f"Port {port} on 127.0.0.1 is already in use" in said
    assert "--port" in said and f"IRONBRIDGE_PORT={port + 1}" in said
    assert "ib_admin_" not in said and "ib_conn_" not in said
    assert not (tmp_path / "ironbridge.db").exists()  # no store, no account, no keys
