"""Sync schedules through the management API: schedules that never fire are refused, and one
stored before that check does not break reads of the connection or of its sync status."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ironbridge.bootstrap import Container

from ..conftest import AccountFixture, ConnectionFixture
from .test_error_contract import assert_error

NEVER = "0 0 31 2 *"  # the 31st of February


def test_patch_refuses_a_schedule_that_never_fires(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    response = client.patch(
        f"/v1/connections/{sandbox.id}",
        json={"sync_schedule": NEVER},
        headers=sandbox.account.headers,
    )
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "never fires" in error["details"]["fields"]["sync_schedule"]
    view = client.get(f"/v1/connections/{sandbox.id}", headers=sandbox.account.headers).json()
    assert view["settings"]["sync_schedule"] == "hourly"
    # The sync status still answers (nothing was stored).
    assert client.get("/v1/sync", headers=sandbox.headers).status_code == 200


def test_patch_accepts_cron_with_either_day_field(
    client: TestClient, sandbox: ConnectionFixture
) -> None:
    response = client.patch(
        f"/v1/connections/{sandbox.id}",
        json={"sync_schedule": "0 0 1 * 1"},
        headers=sandbox.account.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["settings"]["sync_schedule"] == "0 0 1 * 1"


def test_a_new_connection_with_a_schedule_that_never_fires_is_refused(
    client: TestClient, account: AccountFixture
) -> None:
    body = {
        "system": "sandbox",
        "end_customer_id": "c-9",
        "end_customer_name": "Nine Ltd",
        "settings": {"sync_schedule": "0 6 30 2 *"},
    }
    response = client.post("/v1/connections", json=body, headers=account.headers)
    error = assert_error(response, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "never fires" in error["details"]["fields"]["settings.sync_schedule"]
    listed = client.get("/v1/connections?end_customer_id=c-9", headers=account.headers).json()
    assert listed["data"] == []


def test_a_stored_schedule_that_never_fires_shows_no_next_run(
    client: TestClient, container: Container, sandbox: ConnectionFixture
) -> None:
    # As stored by a version that did not check schedules.
    with container.uow() as uow:
        row = uow.connections.get_for_token(sandbox.id)
        assert row is not None
        uow.connections.update(
            sandbox.account.id, sandbox.id, settings={**row.settings, "sync_schedule": NEVER}
        )
        uow.commit()
    status = client.get("/v1/sync", headers=sandbox.headers)
    assert status.status_code == 200, status.text
    entities = status.json()["data"]
    assert entities and all(e["next_run_at"] is None for e in entities)
    view = client.get(f"/v1/connections/{sandbox.id}", headers=sandbox.account.headers)
    assert view.status_code == 200 and view.json()["settings"]["sync_schedule"] == NEVER
    # Other settings can still be changed, and the schedule can be fixed.
    other = client.patch(
        f"/v1/connections/{sandbox.id}",
        json={"history_days": 30},
        headers=sandbox.account.headers,
    )
    assert other.status_code == 200, other.text
    fixed = client.patch(
        f"/v1/connections/{sandbox.id}",
        json={"sync_schedule": "daily"},
        headers=sandbox.account.headers,
    )
    assert fixed.status_code == 200, fixed.text
    entities = client.get("/v1/sync", headers=sandbox.headers).json()["data"]
    assert all(e["next_run_at"] is not None for e in entities)
