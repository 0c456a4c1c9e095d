"""`DELETE /v1/connections/{id}/data`: only for a disconnected connection."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ironbridge.store.errorlog import ErrorLogRepository
from ironbridge.store.records import RecordRepository
from ironbridge.store.sync import SyncRepository

from ...conftest import new_account
from .conftest import Linked


def stored_counts(linked: Linked) -> tuple[int, int, int, int]:
    with linked.container.uow(readonly=True) as uow:
        sync = SyncRepository(uow.connection, linked.id)
        return (
            RecordRepository(uow.connection, linked.id).count(
                "purchase-orders", include_deleted=True
            ),
            len(sync.runs(limit=1000)),
            len(sync.states()),
            len(ErrorLogRepository(uow.connection, linked.id).newest(before=None, limit=1000)),
        )


def test_data_is_deleted_only_after_a_disconnect(linked: Linked, api: TestClient) -> None:
    admin = linked.account.headers
    linked.source.set("fail", "upstream")
    linked.sync()
    linked.source.set("fail", None)
    before = stored_counts(linked)
    assert before[0] == 5 and all(before), before

    refused = api.delete(f"/v1/connections/{linked.id}/data", headers=admin)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "CONFLICT" and "disconnect" in error["message"]
    assert stored_counts(linked) == before

    assert api.post(f"/v1/connections/{linked.id}/disconnect", headers=admin).status_code == 200
    deleted = api.delete(f"/v1/connections/{linked.id}/data", headers=admin)
    assert deleted.status_code == 200 and deleted.json() == {"deleted_records": 5}
    assert stored_counts(linked) == (0, 0, 0, 0)
    kept = api.get(f"/v1/connections/{linked.id}", headers=admin).json()
    assert kept["status"] == "disconnected"
    assert kept["last_error"] is None and kept["last_successful_sync_at"] is None
    types = [e.type for e in linked.events()]
    assert "connection.created" in types and "connection.disconnected" in types
    again = api.delete(f"/v1/connections/{linked.id}/data", headers=admin)
    assert again.json() == {"deleted_records": 0}


def test_data_of_another_account_or_no_connection_is_not_deleted(
    linked: Linked, api: TestClient
) -> None:
    other = new_account(linked.container, "Other integrator")
    foreign = api.delete(f"/v1/connections/{linked.id}/data", headers=other.headers)
    assert foreign.status_code == 403
    missing = api.delete("/v1/connections/conn_NOPE/data", headers=linked.account.headers)
    assert missing.status_code == 404
    assert (
        api.delete(f"/v1/connections/{linked.id}/data", headers=linked.headers).status_code == 401
    )
