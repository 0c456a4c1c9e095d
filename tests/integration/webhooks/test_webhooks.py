"""Webhook endpoints and deliveries against a real receiver process on 127.0.0.1."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from huey.exceptions import CancelExecution
from standardwebhooks import Webhook

from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.events import record_event
from ironbridge.webhooks.delivery import (
    DeliveryContext,
    claim_and_deliver,
    drain,
    make_http_client,
)

from ...api.test_error_contract import assert_error
from ...conftest import AccountFixture, make_settings, new_account
from ...e2e.conftest import free_port
from ...waiting import wait_for

HERE = Path(__file__).parent
SCALE = 0.0002  # 30 s -> 6 ms, 24 h -> 17 s


@dataclass
class Receiver:
    url: str
    dir: Path

    def requests(self) -> list[dict[str, Any]]:
        path = self.dir / "requests.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    def fail_with(self, status: int | None) -> None:
        flag = self.dir / "fail"
        if status is None:
            flag.unlink(missing_ok=True)
        else:
            flag.write_text(str(status))


@contextmanager
def running_receiver(folder: Path) -> Iterator[Receiver]:
    """A receiver process logging into `folder`."""
    port = free_port()
    folder.mkdir()
    proc = subprocess.Popen([sys.executable, str(HERE / "receiver.py"), str(port), str(folder)])
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/hook", content=b"{}")
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    (folder / "requests.jsonl").unlink(missing_ok=True)
    try:
        yield Receiver(f"http://127.0.0.1:{port}/hook", folder)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with running_receiver(tmp_path / "receiver") as running:
        yield running


@contextmanager
def deployment(
    tmp_path: Path, *, workers: int, **settings: object
) -> Iterator[tuple[Container, TestClient, AccountFixture]]:
    """A container with a queue consumer, an API client and an account."""
    container = bootstrap(
        make_settings(tmp_path, queue_immediate=False, allow_private_urls=True, **settings)
    )
    container.worker.start_consumer(workers=workers)
    account = new_account(container)
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield container, client, account
    container.close()


@pytest.fixture
def hooked(tmp_path: Path) -> Iterator[tuple[Container, TestClient, AccountFixture]]:
    with deployment(tmp_path, workers=4, webhook_retry_scale=SCALE) as deployed:
        yield deployed


def emit(container: Container, account: AccountFixture, n: int) -> list[str]:
    ids = []
    with container.uow() as uow:
        for i in range(n):
            ids.append(
                record_event(
                    uow,
                    account_id=account.id,
                    connection_id=None,
                    type="system.error",
                    data={"n": i},
                ).id
            )
        uow.commit()
    return ids


def test_endpoints_need_https_and_public_addresses_by_default(
    client: TestClient, account: AccountFixture
) -> None:
    plain = client.post(
        "/v1/webhook-endpoints", json={"url": "http://example.com/hook"}, headers=account.headers
    )
    assert (
        "url"
        in assert_error(plain, 400, "VALIDATION_FAILED", "invalid_request_error")["details"][
            "fields"
        ]
    )
    private = client.post(
        "/v1/webhook-endpoints", json={"url": "https://10.0.0.5/hook"}, headers=account.headers
    )
    assert_error(private, 400, "VALIDATION_FAILED", "invalid_request_error")
    loopback = client.post(
        "/v1/webhook-endpoints", json={"url": "https://127.0.0.1/hook"}, headers=account.headers
    )
    assert_error(loopback, 400, "VALIDATION_FAILED", "invalid_request_error")
    unknown_type = client.post(
        "/v1/webhook-endpoints",
        json={"url": "https://example.com/h", "event_types": ["po.exploded"]},
        headers=account.headers,
    )
    assert_error(unknown_type, 400, "VALIDATION_FAILED", "invalid_request_error")


def test_endpoint_lifecycle_and_secret_shown_only_on_create_and_rotate(
    hooked: tuple[Container, TestClient, AccountFixture], receiver: Receiver
) -> None:
    _, client, account = hooked
    created = client.post(
        "/v1/webhook-endpoints",
        json={"url": receiver.url, "event_types": ["system.error"]},
        headers=account.headers,
    )
    assert created.status_code == 201, created.text
    endpoint = created.json()
    assert endpoint["secret"].startswith("whsec_")
    read = client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=account.headers).json()
    assert read["secret"] is None
    patched = client.patch(
        f"/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": False}, headers=account.headers
    )
    assert patched.json()["enabled"] is False
    listed = client.get("/v1/webhook-endpoints", headers=account.headers).json()["data"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    assert (
        client.delete(
            f"/v1/webhook-endpoints/{endpoint['id']}", headers=account.headers
        ).status_code
        == 204
    )
    gone = client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=account.headers)
    assert_error(gone, 404, "NOT_FOUND", "invalid_request_error")


def test_test_send_is_signed_and_verifies_with_old_and_new_secret_after_rotation(
    hooked: tuple[Container, TestClient, AccountFixture], receiver: Receiver
) -> None:
    _, client, account = hooked
    endpoint = client.post(
        "/v1/webhook-endpoints", json={"url": receiver.url}, headers=account.headers
    ).json()
    rotated = client.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", headers=account.headers
    ).json()
    assert rotated["secret"] != endpoint["secret"]
    result = client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=account.headers)
    assert result.status_code == 200, result.text
    attempt = result.json()
    assert attempt["status"] == "succeeded" and attempt["attempt"]["status_code"] == 200
    assert attempt["attempt"]["latency_ms"] >= 0 and attempt["attempt"]["response_excerpt"] == "ok"
    (request,) = receiver.requests()
    body = request["body"]
    for secret in (endpoint["secret"], rotated["secret"]):
        event = Webhook(secret).verify(body, request["headers"])
        assert event["type"] == "webhook.test" and event["id"] == request["headers"]["webhook-id"]
    with pytest.raises(Exception):
        Webhook(endpoint["secret"]).verify(body.replace("test", "tset"), request["headers"])


def test_a_failing_receiver_gets_every_event_once_it_recovers(
    hooked: tuple[Container, TestClient, AccountFixture], receiver: Receiver
) -> None:
    container, client, account = hooked
    client.post("/v1/webhook-endpoints", json={"url": receiver.url}, headers=account.headers)
    receiver.fail_with(503)
    ids = emit(container, account, 20)
    wait_for(lambda: len({json.loads(r["body"])["id"] for r in receiver.requests()}) == 20)

    def retried_while_failing() -> bool:
        page = client.get("/v1/deliveries?limit=500", headers=account.headers).json()["data"]
        return len(page) == 20 and all(d["attempts"] >= 2 for d in page)

    wait_for(retried_while_failing)
    receiver.fail_with(None)
    delivered = wait_for(
        lambda: (
            {json.loads(r["body"])["id"] for r in receiver.requests() if r["status"] == 200}
            >= set(ids)
            or None
        ),
        timeout=30,
    )
    assert delivered
    ok = [r for r in receiver.requests() if r["status"] == 200]
    assert {r["headers"]["webhook-id"] for r in ok} == set(ids), "webhook-id is the event id"

    # The receiver logs a request before the worker records its outcome.
    def succeeded() -> list[dict[str, Any]] | None:
        url = "/v1/deliveries?status=succeeded&limit=500"
        page = client.get(url, headers=account.headers).json()["data"]
        return page if len(page) == 20 else None

    assert all(d["attempts"] >= 2 for d in wait_for(succeeded))


class DrivenClock:
    """The delivery worker's clock, stepped by the test through days of retries."""

    def __init__(self) -> None:
        self.start()

    def start(self) -> None:
        """Just after now: what was written so far is due."""
        self.now = datetime.now(UTC) + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def driven(
    tmp_path: Path,
) -> Iterator[tuple[Container, TestClient, AccountFixture, DeliveryContext, DrivenClock]]:
    """A deployment whose deliveries only the test sends, on the test's clock (no consumer)."""
    container = bootstrap(make_settings(tmp_path, queue_immediate=False, allow_private_urls=True))
    clock = DrivenClock()
    context = DeliveryContext(
        uow=container.uow,
        cipher=container.cipher,
        client=make_http_client(allow_private=True),
        clock=clock,
    )
    account = new_account(container)
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield container, client, account, context, clock
    context.client.close()
    container.close()


def run_due(context: DeliveryContext) -> datetime | None:
    """Send what is due now; returns when the next retry falls due."""
    _sent, retry_at = drain(context)
    return retry_at


def test_a_worker_process_sends_its_own_new_deliveries_without_a_queue_round_trip(
    tmp_path: Path, receiver: Receiver
) -> None:
    """A process that runs workers sends what it commits at once: the commit wakes one of its
    sender threads directly, not through a queue task its consumer would poll for."""
    with deployment(tmp_path, workers=2) as (container, client, account):
        client.post("/v1/webhook-endpoints", json={"url": receiver.url}, headers=account.headers)

        @container.worker.queue.pre_execute()
        def no_queued_drains(task: Any) -> None:
            # Every drain the queue would run is refused: only the direct wake can send.
            if task.name == "webhook.drain":
                raise CancelExecution()

        ids = emit(container, account, 3)
        wait_for(lambda: {json.loads(r["body"])["id"] for r in receiver.requests()} == set(ids))


def test_retries_follow_the_schedule_until_the_24_hour_cut_off_then_manual_retry_delivers(
    driven: tuple[Container, TestClient, AccountFixture, DeliveryContext, DrivenClock],
    receiver: Receiver,
) -> None:
    container, client, account, context, clock = driven
    client.post("/v1/webhook-endpoints", json={"url": receiver.url}, headers=account.headers)
    receiver.fail_with(500)
    (event_id,) = emit(container, account, 1)
    clock.start()
    first = clock.now
    attempted: list[datetime] = []
    retry_at: datetime | None = clock.now
    while retry_at is not None:
        # Just before the retry is due, nothing is sent.
        clock.now = retry_at - timedelta(milliseconds=1)
        if attempted:
            assert drain(context) == (0, None)
        clock.now = retry_at
        attempted.append(clock.now)
        retry_at = run_due(context)
    (failed,) = client.get("/v1/deliveries?status=failed", headers=account.headers).json()["data"]
    delivery = client.get(f"/v1/deliveries/{failed['id']}", headers=account.headers).json()
    log = delivery["attempt_log"]
    assert [datetime.fromisoformat(a["attempted_at"]) for a in log] == attempted
    assert len(receiver.requests()) == len(attempted)
    assert all(a["status_code"] == 500 for a in log)
    # 30 s doubling with +-20 % jitter, each wait at most 6 h, given up within 24 h.
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(attempted)]
    for k, gap in enumerate(gaps):
        planned = min(30 * 2**k, 6 * 3600)
        assert planned * 0.8 <= gap <= planned * 1.2, (k, gap)
    assert attempted[-1] - first <= timedelta(hours=24)
    assert len(attempted) >= 10
    receiver.fail_with(None)
    retried = client.post(f"/v1/deliveries/{delivery['id']}/retry", headers=account.headers)
    assert retried.status_code == 202
    final = client.get(f"/v1/deliveries/{delivery['id']}", headers=account.headers).json()
    if final["status"] != "succeeded":  # the manual retry is queued for a worker: be that worker
        claim_and_deliver(context, delivery["id"], manual=True)
        final = client.get(f"/v1/deliveries/{delivery['id']}", headers=account.headers).json()
    assert final["status"] == "succeeded"
    assert final["attempt_log"][-1]["status_code"] == 200
    assert json.loads(receiver.requests()[-1]["body"])["id"] == event_id


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_batch_records_every_outcome_with_its_own_attempt(
    tmp_path: Path, request: pytest.FixtureRequest, database: str
) -> None:
    """One drain sends to a working, a gone (410) and a failing endpoint: each delivery gets
    its own attempt and status, the gone endpoint is disabled, the failing ones wait to retry."""
    overrides: dict[str, object] = {"queue_immediate": False, "allow_private_urls": True}
    if database == "postgresql":
        overrides["database_url"] = request.getfixturevalue("own_postgres")
    container = bootstrap(make_settings(tmp_path, **overrides))
    clock = DrivenClock()
    context = DeliveryContext(
        uow=container.uow,
        cipher=container.cipher,
        client=make_http_client(allow_private=True),
        clock=clock,
    )
    account = new_account(container)
    statuses = {"ok": None, "gone": 410, "failing": 500}
    with (
        running_receiver(tmp_path / "ok") as ok,
        running_receiver(tmp_path / "gone") as gone,
        running_receiver(tmp_path / "failing") as failing,
        TestClient(create_app(container), raise_server_exceptions=False) as client,
    ):
        receivers = {"ok": ok, "gone": gone, "failing": failing}
        endpoint_ids = {}
        for name, receiver in receivers.items():
            receiver.fail_with(statuses[name])
            endpoint_ids[name] = client.post(
                "/v1/webhook-endpoints", json={"url": receiver.url}, headers=account.headers
            ).json()["id"]
        ids = emit(container, account, 3)
        clock.start()
        sent, retry_at = drain(context)
        assert sent == 9 and retry_at is not None and retry_at > clock.now
        for name, receiver in receivers.items():
            assert sorted(json.loads(r["body"])["id"] for r in receiver.requests()) == sorted(ids)
        page = client.get("/v1/deliveries?limit=100", headers=account.headers).json()["data"]
        by_endpoint: dict[str, list[dict[str, Any]]] = {}
        for delivery in page:
            full = client.get(f"/v1/deliveries/{delivery['id']}", headers=account.headers).json()
            by_endpoint.setdefault(full["endpoint_id"], []).append(full)
        expected = {"ok": ("succeeded", 200), "gone": ("failed", 410), "failing": ("pending", 500)}
        for name, (status, code) in expected.items():
            deliveries = by_endpoint[endpoint_ids[name]]
            assert sorted(d["event_id"] for d in deliveries) == sorted(ids)
            for delivery in deliveries:
                assert delivery["status"] == status and delivery["attempts"] == 1
                assert [a["status_code"] for a in delivery["attempt_log"]] == [code]
        endpoints = {
            name: client.get(f"/v1/webhook-endpoints/{endpoint_id}", headers=account.headers).json()
            for name, endpoint_id in endpoint_ids.items()
        }
        assert endpoints["gone"]["enabled"] is False
        assert "410" in endpoints["gone"]["disabled_reason"]
        assert endpoints["ok"]["enabled"] and endpoints["failing"]["enabled"]
        # Nothing is due again before the retry time; then only the failing ones are resent.
        assert drain(context) == (0, None)
        clock.now = retry_at + timedelta(minutes=2)
        assert drain(context)[0] == 3
        assert len(failing.requests()) == 6 and len(ok.requests()) == 3
    context.client.close()
    container.close()


def test_bulk_retry_resends_an_endpoints_failed_deliveries(
    hooked: tuple[Container, TestClient, AccountFixture], receiver: Receiver
) -> None:
    container, client, account = hooked
    endpoint = client.post(
        "/v1/webhook-endpoints", json={"url": receiver.url}, headers=account.headers
    ).json()
    receiver.fail_with(500)
    emit(container, account, 3)
    wait_for(
        lambda: (
            len(client.get("/v1/deliveries?status=failed", headers=account.headers).json()["data"])
            == 3
        )
    )
    receiver.fail_with(None)
    bulk = client.post(
        "/v1/deliveries/retry", json={"endpoint_id": endpoint["id"]}, headers=account.headers
    )
    assert bulk.status_code == 202 and bulk.json()["retried"] == 3
    wait_for(
        lambda: (
            len(
                client.get("/v1/deliveries?status=succeeded", headers=account.headers).json()[
                    "data"
                ]
            )
            == 3
        )
    )


def test_410_gone_disables_the_endpoint(
    hooked: tuple[Container, TestClient, AccountFixture], receiver: Receiver
) -> None:
    container, client, account = hooked
    endpoint = client.post(
        "/v1/webhook-endpoints", json={"url": receiver.url}, headers=account.headers
    ).json()
    receiver.fail_with(410)
    emit(container, account, 1)
    disabled = wait_for(
        lambda: (
            (
                e := client.get(
                    f"/v1/webhook-endpoints/{endpoint['id']}", headers=account.headers
                ).json()
            )["enabled"]
            is False
            and e
        )
    )
    assert "410" in disabled["disabled_reason"]
    assert len(receiver.requests()) == 1


def test_endpoint_filters_by_event_type_and_connection(
    hooked: tuple[Container, TestClient, AccountFixture], receiver: Receiver
) -> None:
    container, client, account = hooked
    client.post(
        "/v1/webhook-endpoints",
        json={"url": receiver.url, "event_types": ["sync.failed"]},
        headers=account.headers,
    )
    emit(container, account, 2)  # system.error: filtered out
    with container.uow() as uow:
        record_event(uow, account_id=account.id, connection_id=None, type="sync.failed", data={})
        uow.commit()
    # Deliveries are written with their events: only the matching one has any.
    deliveries = client.get("/v1/deliveries", headers=account.headers).json()["data"]
    assert len(deliveries) == 1
    wait_for(
        lambda: (
            client.get(f"/v1/deliveries/{deliveries[0]['id']}", headers=account.headers).json()[
                "status"
            ]
            == "succeeded"
        )
    )
    assert [json.loads(r["body"])["type"] for r in receiver.requests()] == ["sync.failed"]


def test_events_can_be_polled_in_order(
    hooked: tuple[Container, TestClient, AccountFixture], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    import ironbridge.events.service as events_service

    monkeypatch.setattr(events_service, "SETTLE", timedelta(0))
    container, client, account = hooked
    ids = emit(container, account, 7)
    first = client.get("/v1/events?limit=4", headers=account.headers).json()
    rest = client.get(f"/v1/events?after={first['next_cursor']}", headers=account.headers).json()
    assert [e["id"] for e in first["data"] + rest["data"]] == ids
    empty = client.get(f"/v1/events?after={rest['next_cursor']}", headers=account.headers).json()
    assert empty["data"] == [] and empty["next_cursor"] == rest["next_cursor"]
    typed = client.get("/v1/events?types=sync.completed", headers=account.headers).json()
    assert typed["data"] == []
    other = new_account(container, "Other")
    assert client.get("/v1/events", headers=other.headers).json()["data"] == []


def test_events_page_with_cursor_as_every_list_does_and_after_as_its_alias(
    hooked: tuple[Container, TestClient, AccountFixture], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    import ironbridge.events.service as events_service

    monkeypatch.setattr(events_service, "SETTLE", timedelta(0))
    container, client, account = hooked
    ids = emit(container, account, 5)
    first = client.get("/v1/events?limit=2", headers=account.headers).json()
    by_cursor = client.get(
        "/v1/events", params={"cursor": first["next_cursor"]}, headers=account.headers
    ).json()
    by_after = client.get(
        "/v1/events", params={"after": first["next_cursor"]}, headers=account.headers
    ).json()
    assert [e["id"] for e in first["data"] + by_cursor["data"]] == ids
    assert by_after == by_cursor


def test_an_endpoint_failing_for_5_days_is_disabled_with_a_system_error(
    driven: tuple[Container, TestClient, AccountFixture, DeliveryContext, DrivenClock],
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ironbridge.events.service as events_service

    monkeypatch.setattr(events_service, "SETTLE", timedelta(0))
    container, client, account, context, clock = driven
    # Credentials in the URL reach the receiver, never the event other endpoints receive.
    with_secrets = receiver.url.replace("http://", "http://hookuser:hookpass@") + "?token=s3cr3t"
    endpoint = client.post(
        "/v1/webhook-endpoints", json={"url": with_secrets}, headers=account.headers
    ).json()
    url = f"/v1/webhook-endpoints/{endpoint['id']}"
    receiver.fail_with(500)
    emit(container, account, 1)
    clock.start()
    started = clock.now
    run_due(context)
    # Four days of failures (a new event each day): still enabled, still sent to.
    for day in range(1, 5):
        clock.now = started + timedelta(days=day)
        emit(container, account, 1)
        run_due(context)
        assert client.get(url, headers=account.headers).json()["enabled"] is True
    assert len(receiver.requests()) >= 5

    # Past five days, the next failed attempt disables it and raises system.error once.
    clock.now = started + timedelta(days=5, seconds=1)
    emit(container, account, 1)
    run_due(context)
    disabled = client.get(url, headers=account.headers).json()
    assert disabled["enabled"] is False
    assert disabled["disabled_reason"] == "failing for 5 days"
    listed = client.get("/v1/events?types=system.error", headers=account.headers).json()
    errors = [e for e in listed["data"] if e["data"].get("endpoint_id") == endpoint["id"]]
    assert len(errors) == 1
    assert errors[0]["data"]["url"] == receiver.url + "?token=***"
    assert "hookpass" not in json.dumps(errors[0]) and "s3cr3t" not in json.dumps(errors[0])
    # Disabled means nothing more is sent to it: new events get no delivery to it, and what was
    # still pending is given up without a request.
    sent = len(receiver.requests())
    emit(container, account, 1)
    clock.now += timedelta(days=1)
    run_due(context)
    assert len(receiver.requests()) == sent
    pending = client.get("/v1/deliveries?status=pending", headers=account.headers).json()["data"]
    assert pending == []


def test_a_test_event_is_sent_once_though_a_drain_runs_beside_it(
    driven: tuple[Container, TestClient, AccountFixture, DeliveryContext, DrivenClock],
    receiver: Receiver,
) -> None:
    from ironbridge.webhooks.deliveries import new_test_delivery

    container, client, account, context, clock = driven
    endpoint = client.post(
        "/v1/webhook-endpoints", json={"url": receiver.url}, headers=account.headers
    ).json()
    with container.uow() as uow:
        delivery_id = new_test_delivery(uow, account.id, endpoint["id"])
    # A worker draining between the delivery's commit and the caller's send leaves it alone.
    assert drain(context)[0] == 0
    claim_and_deliver(context, delivery_id, manual=True)
    clock.now += timedelta(minutes=5)
    assert drain(context)[0] == 0
    (request,) = receiver.requests()
    assert json.loads(request["body"])["type"] == "webhook.test"
