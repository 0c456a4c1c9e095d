"""Business Central's change notifications end to end: a real ironbridge server (uvicorn on
127.0.0.1) whose public URL the emulator calls back. Subscribing on connect with the
validationToken handshake, a change pushed into the records store, collection notices,
forged notices refused, renewal and re-creation on the schedule's tick (injected clocks), an
unreachable public URL leaving the connection polled, and disconnect removing subscriptions."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.store.sync import SyncRepository
from ironbridge.testing.emulators.business_central import (
    BusinessCentralEmulator,
    RunningEmulator,
    running_emulator,
)
from ironbridge.testing.emulators.serving import ServedApp, serve_app

from ...conftest import AccountFixture, StepClock, make_settings, new_account


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    built = bootstrap(make_settings(tmp_path, allow_private_urls=True))
    yield built
    built.close()


@pytest.fixture
def server(container: Container) -> Iterator[ServedApp]:
    served = serve_app(create_app(container), name="ironbridge")
    container.settings.public_url = served.base_url
    yield served
    served.stop()


@pytest.fixture
def clock() -> StepClock:
    return StepClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def bc(clock: StepClock) -> Iterator[RunningEmulator]:
    with running_emulator(emulator=BusinessCentralEmulator(clock=clock)) as running:
        running.emulator.subscriptions.delay = timedelta(0)
        yield running


@pytest.fixture
def account(container: Container) -> AccountFixture:
    return new_account(container)


@pytest.fixture
def api(server: ServedApp) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        yield client


def connect(api: httpx.Client, account: AccountFixture, bc: RunningEmulator) -> dict[str, Any]:
    body = {
        "system": "business_central",
        "end_customer_id": "cronus",
        "end_customer_name": "Cronus",
        "credentials": bc.credentials(),
    }
    created = api.post("/v1/connections", json=body, headers=account.headers)
    assert created.status_code == 201, created.text
    result: dict[str, Any] = created.json()
    return result


def detail(api: httpx.Client, account: AccountFixture, connection_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.get(
        f"/v1/connections/{connection_id}", headers=account.headers
    ).json()
    return found


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.05)


def stored(api: httpx.Client, token: str, path: str, remote_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    cursor: str | None = None
    while True:
        params = {"limit": "200", **({"cursor": cursor} if cursor else {})}
        page = api.get(path, params=params, headers=headers).json()
        for record in page["data"]:
            if record["remote_id"] == remote_id:
                found: dict[str, Any] = record
                return found
        cursor = page["next_cursor"]
        assert cursor, f"{remote_id} is not stored"


def push_runs(container: Container, connection_id: str) -> list[Any]:
    with container.uow(readonly=True) as uow:
        runs = SyncRepository(uow.connection, connection_id).runs(limit=100)
    return [run for run in runs if run.trigger == "push"]


def test_connect_subscribes_and_a_change_is_pushed_into_ironbridge(
    api: httpx.Client,
    account: AccountFixture,
    bc: RunningEmulator,
    container: Container,
    server: ServedApp,
) -> None:
    connection = connect(api, account, bc)
    subscriptions = list(bc.emulator.subscriptions.items.values())
    assert sorted(s.resource.rsplit("/", 1)[-1] for s in subscriptions) == ["items", "vendors"]
    url = f"{server.base_url}/v1/push/{connection['id']}"
    assert {s.notification_url for s in subscriptions} == {url}
    assert all(len(s.client_state) >= 32 for s in subscriptions)
    push = detail(api, account, connection["id"])["push"]
    assert push["live"] is True and push["error"] is None
    assert push["entities"] == ["inventory-items", "vendors"]
    assert push["expires_at"] is not None

    vendor = bc.emulator.company().rows("vendors")[0]
    bc.emulator.company().touch("vendors", vendor["id"], phoneNumber="+1 555 0199")
    assert bc.emulator.subscriptions.deliver() == 1, "ironbridge accepted the notification"
    token = connection["token"]
    wait_for(lambda: stored(api, token, "/v1/vendors", vendor["id"])["phone"] == "+1 555 0199")
    assert push_runs(container, connection["id"]), "the sync was started by the push"


def test_the_dashboard_shows_whether_push_is_live(
    api: httpx.Client, account: AccountFixture, bc: RunningEmulator
) -> None:
    connection = connect(api, account, bc)
    form = api.get("/dashboard/sign-in").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    signed = api.post(
        "/dashboard/sign-in", data={"admin_key": account.admin_key, "csrf": csrf.group(1)}
    )
    assert signed.status_code in (200, 303), signed.text
    page = api.get(f"/dashboard/connections/{connection['id']}")
    assert page.status_code == 200
    assert "push live (inventory-items, vendors;" in page.text


def test_a_body_that_is_no_notification_is_a_clear_400(
    api: httpx.Client, account: AccountFixture, bc: RunningEmulator, container: Container
) -> None:
    connection = connect(api, account, bc)
    refused = api.post(f"/v1/push/{connection['id']}", content=b"<xml/>")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "VALIDATION_FAILED"
    assert push_runs(container, connection["id"]) == []


def test_a_collection_notification_syncs_the_entity(
    api: httpx.Client, account: AccountFixture, bc: RunningEmulator
) -> None:
    connection = connect(api, account, bc)
    bc.emulator.subscriptions.max_notifications = 2
    items = bc.emulator.company().rows("items")[:3]
    for item in items:
        bc.emulator.company().touch("items", item["id"], unitCost=321)
    assert bc.emulator.subscriptions.deliver() == 1
    token = connection["token"]
    for item in items:
        wait_for(
            lambda item=item: (
                float(stored(api, token, "/v1/inventory-items", item["id"])["unit_cost"]) == 321
            )
        )


def test_a_notification_with_another_client_state_is_refused_without_effect(
    api: httpx.Client, account: AccountFixture, bc: RunningEmulator, container: Container
) -> None:
    connection = connect(api, account, bc)
    subscription = next(iter(bc.emulator.subscriptions.items.values()))
    notice = {
        "subscriptionId": subscription.id,
        "clientState": "guessed",
        "resource": f"{subscription.resource.lstrip('/')}(00000000-0000-0000-0000-000000000001)",
        "changeType": "updated",
        "lastModifiedDateTime": "2026-12-03T10:00:00Z",
    }
    url = f"/v1/push/{connection['id']}"
    refused = api.post(url, json={"value": [notice]})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "PERMISSION_DENIED"
    unknown = api.post(url, json={"value": [{**notice, "subscriptionId": "nope"}]})
    assert unknown.status_code == 403
    assert push_runs(container, connection["id"]) == []
    # The real client state is accepted: the refusal was about the secret, not the shape.
    accepted = api.post(url, json={"value": [{**notice, "clientState": subscription.client_state}]})
    assert accepted.status_code == 202, accepted.text
    assert push_runs(container, connection["id"])


def test_refused_client_states_count_against_the_address(
    api: httpx.Client, account: AccountFixture, bc: RunningEmulator, container: Container
) -> None:
    connection = connect(api, account, bc)
    container.settings.auth_failure_limit_per_minute = 1
    subscription = next(iter(bc.emulator.subscriptions.items.values()))
    notice = {
        "subscriptionId": subscription.id,
        "clientState": "guessed",
        "resource": f"{subscription.resource.lstrip('/')}(00000000-0000-0000-0000-000000000001)",
        "changeType": "updated",
    }
    url = f"/v1/push/{connection['id']}"
    assert api.post(url, json={"value": [notice]}).status_code == 403
    # Even the right guess is not looked at now; 429 keeps a real subscription at the source.
    right = api.post(url, json={"value": [{**notice, "clientState": subscription.client_state}]})
    assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 1
    assert push_runs(container, connection["id"]) == []


def test_the_handshake_echoes_the_token_and_unknown_connections_are_refused(
    api: httpx.Client, account: AccountFixture, bc: RunningEmulator
) -> None:
    connection = connect(api, account, bc)
    echoed = api.post(f"/v1/push/{connection['id']}", params={"validationToken": "abc 123"})
    assert echoed.status_code == 200 and echoed.text == "abc 123"
    assert api.post("/v1/push/conn_nothere", params={"validationToken": "x"}).status_code == 404


def test_the_tick_renews_subscriptions_before_they_expire(
    api: httpx.Client,
    account: AccountFixture,
    bc: RunningEmulator,
    container: Container,
    clock: StepClock,
) -> None:
    connection = connect(api, account, bc)
    first = detail(api, account, connection["id"])["push"]["expires_at"]
    assert container.worker.tick(clock.now)["push"] == 0, "nothing due three days ahead"
    clock.advance(days=2, hours=12)
    assert container.worker.tick(clock.now)["push"] == 1
    renewed = list(bc.emulator.subscriptions.items.values())
    assert [s.version for s in renewed] == [2, 2]
    assert all(s.expires_at == clock.now + timedelta(days=3) for s in renewed)
    push = detail(api, account, connection["id"])["push"]
    assert push["live"] is True
    assert datetime.fromisoformat(push["expires_at"]) > datetime.fromisoformat(first)


def test_a_subscription_the_source_dropped_is_created_again(
    api: httpx.Client,
    account: AccountFixture,
    bc: RunningEmulator,
    container: Container,
    clock: StepClock,
) -> None:
    connection = connect(api, account, bc)
    dropped = set(bc.emulator.subscriptions.items)
    bc.emulator.subscriptions.items.clear()
    clock.advance(days=2, hours=12)
    container.worker.tick(clock.now)
    again = bc.emulator.subscriptions.items
    assert len(again) == 2 and not dropped & set(again)
    assert detail(api, account, connection["id"])["push"]["live"] is True
    vendor = bc.emulator.company().rows("vendors")[1]
    bc.emulator.company().touch("vendors", vendor["id"], phoneNumber="+1 555 0142")
    assert bc.emulator.subscriptions.deliver() == 1, "the new subscription is accepted"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_public_url_leaves_push_off_and_polling_on(
    api: httpx.Client,
    account: AccountFixture,
    bc: RunningEmulator,
    container: Container,
    clock: StepClock,
) -> None:
    container.settings.public_url = f"http://127.0.0.1:{_closed_port()}"
    connection = connect(api, account, bc)
    assert bc.emulator.subscriptions.items == {}
    push = detail(api, account, connection["id"])["push"]
    assert push["live"] is False and push["entities"] == []
    assert "validated" in push["error"]
    vendor = bc.emulator.company().rows("vendors")[2]
    bc.emulator.company().touch("vendors", vendor["id"], phoneNumber="+1 555 0177")
    container.worker.tick(datetime.now(UTC) + timedelta(hours=2))
    token = connection["token"]
    wait_for(lambda: stored(api, token, "/v1/vendors", vendor["id"])["phone"] == "+1 555 0177")


def test_disconnect_removes_the_subscriptions_at_the_source(
    api: httpx.Client, account: AccountFixture, bc: RunningEmulator
) -> None:
    connection = connect(api, account, bc)
    assert len(bc.emulator.subscriptions.items) == 2
    gone = api.post(f"/v1/connections/{connection['id']}/disconnect", headers=account.headers)
    assert gone.status_code == 200, gone.text
    wait_for(lambda: bc.emulator.subscriptions.items == {})
    assert detail(api, account, connection["id"])["push"] is None
