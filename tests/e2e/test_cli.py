"""The command line, run as users run it: a real process with its own environment."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IRONBRIDGE_DATA_DIR": str(data_dir), "IRONBRIDGE_LOG_LEVEL": "WARNING"}
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path):  # type: ignore[no-untyped-def]
    port = _free_port()
    env = {
        **os.environ,
        "IRONBRIDGE_DATA_DIR": str(tmp_path),
        "IRONBRIDGE_PORT": str(port),
        "IRONBRIDGE_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "ironbridge", "serve", "--demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise AssertionError(proc.stdout.read() if proc.stdout else "no output")
    yield base, proc
    proc.terminate()
    proc.wait(timeout=20)


def test_serve_demo_prints_keys_that_work_against_the_running_server(served) -> None:  # type: ignore[no-untyped-def]
    base, proc = served
    assert proc.stdout is not None
    printed = ""
    while "connection token" not in printed:
        printed += proc.stdout.readline()
    printed += proc.stdout.readline()
    values = dict(
        line.split(":", 1) for line in printed.splitlines() if ":" in line and "ib_" in line
    )
    admin_key = values["admin key"].strip()
    token = values["connection token"].strip()
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
