"""A source that fails, then recovers: the circuit opens after the threshold, calls fail fast
with Retry-After, one offline and one online event fire, and syncs resume."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from ironbridge.store.errorlog import ErrorLogRepository
from ironbridge.store.sync import SyncRepository

from .conftest import Linked

PING = {"method": "GET", "path": "/ping"}


def error_of(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


def newest_run(linked: Linked) -> Any:
    with linked.container.uow(readonly=True) as uow:
        return SyncRepository(uow.connection, linked.id).runs(limit=1)[0]


def test_repeated_upstream_errors_open_the_circuit_and_recovery_closes_it(
    linked: Linked, api: TestClient
) -> None:
    record_id = api.get("/v1/purchase-orders", headers=linked.headers).json()["data"][0]["id"]
    linked.source.set("fail", "upstream")
    for attempt in range(3):
        failed = api.post("/v1/passthrough", json=PING, headers=linked.headers)
        assert failed.status_code == 502 and error_of(failed)["code"] == "UPSTREAM_ERROR"
        # One bad answer is not an outage: offline only once the third one trips the circuit.
        assert linked.status() == ("offline" if attempt == 2 else "active")
    reached = linked.reached()

    fast = api.post("/v1/passthrough", json=PING, headers=linked.headers)
    assert fast.status_code == 503
    assert error_of(fast)["code"] == "CONNECTION_UNAVAILABLE"
    assert error_of(fast)["details"] == {"breaker": "open"}
    assert fast.headers["Retry-After"] == "1"
    write = api.patch(
        f"/v1/purchase-orders/{record_id}", json={"payment_terms": "Net 30"}, headers=linked.headers
    )
    assert write.status_code == 503 and write.headers["Retry-After"] == "1"
    assert error_of(write)["code"] == "CONNECTION_UNAVAILABLE"
    queued = api.post("/v1/sync", json={"entities": ["purchase-orders"]}, headers=linked.headers)
    assert queued.status_code == 202
    postponed = newest_run(linked)
    assert postponed.status == "queued" and postponed.error is None
    assert linked.events("sync.failed") == [], "a postponed run has not failed"
    assert linked.reached() == reached, "nothing reached the source while open"
    with linked.container.uow(readonly=True) as uow:
        state = SyncRepository(uow.connection, linked.id).state("purchase-orders")
    assert state is not None and state.next_run_at is not None, "the sync is postponed"

    linked.source.set("fail", None)
    linked.breaker_clock.advance(seconds=1.1)
    probe = api.post("/v1/passthrough", json=PING, headers=linked.headers)
    assert probe.status_code == 200 and probe.json()["body"] == {"path": "/ping"}
    assert linked.status() == "active"
    assert linked.transitions() == [("active", "offline"), ("offline", "active")]
    offline = linked.events("connection.status_changed")[0]
    assert offline.data["reason"] == "circuit_open"

    resumed = api.post("/v1/sync", json={"entities": "all", "full": True}, headers=linked.headers)
    assert resumed.status_code == 202
    run = newest_run(linked)
    assert run.status == "succeeded" and run.unchanged == 5
    updated = api.patch(
        f"/v1/purchase-orders/{record_id}", json={"payment_terms": "Net 30"}, headers=linked.headers
    )
    assert updated.status_code == 200 and updated.json()["payment_terms"] == "Net 30"


def test_every_failed_call_is_in_the_error_log_with_its_request_id(
    linked: Linked, api: TestClient
) -> None:
    linked.source.set("fail", "upstream")
    answers = [api.post("/v1/passthrough", json=PING, headers=linked.headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [502, 502, 502, 503]
    with linked.container.uow(readonly=True) as uow:
        logged = ErrorLogRepository(uow.connection, linked.id).newest(before=None, limit=10)
    # The fast failure never reached the source, so it is not an upstream failure.
    assert [(e.operation, e.code) for e in logged] == [("passthrough", "UPSTREAM_ERROR")] * 3
    assert {e.request_id for e in logged} == {a.headers["X-Request-ID"] for a in answers[:3]}
    errors = api.get(f"/v1/connections/{linked.id}/errors", headers=linked.account.headers)
    assert len(errors.json()["data"]) == 3
    me = api.get("/v1/connection", headers=linked.headers).json()
    assert me["status"] == "offline"
    assert me["last_error"]["code"] == "UPSTREAM_ERROR"
    assert me["last_error"]["operation"] == "passthrough"
    assert me["last_successful_sync_at"] is not None


def test_an_unreachable_source_is_offline_at_once_and_sync_failures_count_too(
    linked: Linked, api: TestClient
) -> None:
    linked.source.set("fail", "unavailable")
    linked.sync()
    assert linked.status() == "offline", "unreachable is an outage from the first failure"
    linked.sync()
    linked.sync()
    assert linked.container.breakers.is_open(linked.id)
    reached = linked.reached()
    (postponed,) = linked.sync()
    run = newest_run(linked)
    assert run.id == postponed and run.status == "queued" and run.error is None
    assert linked.reached() == reached
    # Scheduled syncs wait for the circuit too.
    assert linked.container.worker.tick()["queued"] == 0
    linked.source.set("fail", None)
    linked.breaker_clock.advance(seconds=1.1)
    linked.sync()
    assert newest_run(linked).status == "succeeded"
    assert linked.transitions() == [("active", "offline"), ("offline", "active")]


def test_answers_that_prove_the_source_is_up_do_not_count_towards_the_circuit(
    linked: Linked, api: TestClient
) -> None:
    record_id = api.get("/v1/purchase-orders", headers=linked.headers).json()["data"][0]["id"]
    linked.source.set("fail", "locked")
    for _ in range(5):
        locked = api.patch(
            f"/v1/purchase-orders/{record_id}",
            json={"payment_terms": "Net 30"},
            headers=linked.headers,
        )
        assert locked.status_code == 409 and error_of(locked)["code"] == "RECORD_LOCKED"
    assert linked.container.breakers.failures(linked.id) == 0
    assert not linked.container.breakers.is_open(linked.id)
    assert linked.status() == "active" and linked.transitions() == []
    with linked.container.uow(readonly=True) as uow:
        logged = ErrorLogRepository(uow.connection, linked.id).newest(before=None, limit=10)
    assert [(e.operation, e.entity, e.code) for e in logged] == [
        ("write", "purchase-orders", "RECORD_LOCKED")
    ] * 5
