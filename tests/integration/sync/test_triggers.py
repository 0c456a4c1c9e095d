"""What starts a sync: the schedule tick, inbound change notices, the API and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ironbridge.api import create_app
from ironbridge.model import Entity
from ironbridge.schedule import next_run, validate_schedule
from ironbridge.store.sync import SyncRepository
from ironbridge.testing.source import purchase_order

from .conftest import SourceConnection


def _runs(conn: SourceConnection):  # type: ignore[no-untyped-def]
    with conn.container.uow() as uow:
        return SyncRepository(uow.connection, conn.id).runs(limit=100)


@pytest.mark.alone
def test_the_tick_queues_entities_whose_schedule_is_due(
    source_connection: SourceConnection,
) -> None:
    source_connection.sync(trigger="initial")
    assert source_connection.container.worker.tick()["queued"] == 0, "not due yet"
    with source_connection.container.uow() as uow:
        SyncRepository(uow.connection, source_connection.id).update_state(
            "purchase-orders", last_success_at=datetime.now(UTC) - timedelta(hours=2)
        )
        uow.commit()
    source_connection.source.put(Entity.PURCHASE_ORDERS, "LATE1", purchase_order(77))
    assert source_connection.container.worker.tick()["queued"] == 1
    newest = _runs(source_connection)[0]
    assert newest.trigger == "schedule" and newest.status == "succeeded" and newest.created == 1


def test_an_inbound_notice_triggers_an_incremental_sync(
    source_connection: SourceConnection,
) -> None:
    source_connection.sync(trigger="initial")
    source_connection.source.put(Entity.PURCHASE_ORDERS, "PUSHED1", purchase_order(88))
    with TestClient(create_app(source_connection.container)) as client:
        headers = {"Authorization": f"Bearer {source_connection.token}"}
        response = client.post(
            f"/v1/inbound/{source_connection.id}",
            json={"entity": "purchase-orders", "remote_ids": ["PUSHED1"]},
            headers=headers,
        )
        assert response.status_code == 202, response.text
        other = client.post(
            "/v1/inbound/conn_SOMEONEELSE", json={"entity": "purchase-orders"}, headers=headers
        )
        assert other.status_code == 403
        unsupported = client.post(
            f"/v1/inbound/{source_connection.id}", json={"entity": "assets"}, headers=headers
        )
        assert unsupported.status_code == 400
    newest = _runs(source_connection)[0]
    assert newest.trigger == "inbound" and newest.created == 1


def test_schedules_are_presets_or_cron() -> None:
    at = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)  # a Monday
    assert next_run("15m", at) == at + timedelta(minutes=15)
    assert next_run("daily", at) == at + timedelta(days=1)
    assert next_run("30 2 * * 1-5", at) == datetime(2026, 3, 3, 2, 30, tzinfo=UTC)
    assert next_run("0 */6 * * *", at) == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    for bad in ("every tuesday", "61 * * * *", "* * *"):
        try:
            validate_schedule(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_the_cli_syncs_with_progress(source_connection: SourceConnection, tmp_path: Path) -> None:
    settings = source_connection.container.settings
    env = {
        **os.environ,
        "IRONBRIDGE_DATA_DIR": str(settings.data_dir),
        "IRONBRIDGE_LOG_LEVEL": "WARNING",
        "IRONBRIDGE_CONNECTORS": "ironbridge.testing.source:connector",
    }
    if settings.database_url:
        env["IRONBRIDGE_DATABASE_URL"] = settings.database_url
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ironbridge",
            "sync",
            source_connection.id,
            "--entity",
            "purchase-orders",
            "--full",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "purchase-orders" in result.stderr and "succeeded" in result.stderr
    newest = _runs(source_connection)[0]
    assert newest.trigger == "cli" and newest.mode == "full" and newest.created == 300
    missing = subprocess.run(
        [sys.executable, "-m", "ironbridge", "sync", "conn_NOPE"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 1 and "conn_NOPE" in missing.stderr
