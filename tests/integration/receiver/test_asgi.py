"""A real uvicorn server answers webhooks through `inbox_app` and `inbox_router`.

200 once the event is stored (also for a redelivery), 400 when it fails verification, 413 when
it is too large; a failing handler never changes the answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ironbridge.receiver import EventStatus, Inbox, inbox_app, inbox_router
from ironbridge.webhooks.signing import generate_secret, headers

from .uvicorn_server import UvicornServer

SECRET = generate_secret()
LIMIT = 4096
ROUTES = ["/webhooks", "/mounted/webhooks"]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Inbox]:
    path: Path = tmp_path_factory.mktemp("asgi") / "inbox.db"
    with Inbox(f"sqlite:///{path}", backoff_base=60) as inbox:
        yield inbox


@pytest.fixture(scope="module")
def client(inbox: Inbox) -> Iterator[httpx.Client]:
    app = FastAPI()
    app.include_router(inbox_router(inbox, [SECRET], max_body_bytes=LIMIT))
    app.mount("/mounted", inbox_app(inbox, SECRET, max_body_bytes=LIMIT))
    with UvicornServer(app) as base_url, httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


_counter = iter(range(1_000_000))


def webhook(event_type: str = "purchase_order.updated", **data: Any) -> tuple[str, bytes]:
    event_id = f"evt_asgi_{next(_counter)}"
    body = {
        "id": event_id,
        "type": event_type,
        "created_at": "2024-05-01T10:00:00Z",
        "connection_id": "conn_1",
        "sequence": 1,
        "data": {"id": event_id, **data},
    }
    return event_id, json.dumps(body).encode()


@pytest.mark.parametrize("route", ROUTES)
def test_signed_webhook_is_stored_and_answered_200(
    client: httpx.Client, inbox: Inbox, route: str
) -> None:
    event_id, body = webhook()
    response = client.post(route, content=body, headers=headers(SECRET, event_id, body))
    assert response.status_code == 200
    assert response.json() == {"id": event_id, "status": "accepted"}
    stored = inbox.get(event_id)
    assert stored is not None and stored.status is EventStatus.PENDING
    assert stored.body == body.decode() and stored.source == "webhook"


@pytest.mark.parametrize("route", ROUTES)
def test_redelivered_webhook_is_answered_200_as_a_duplicate(
    client: httpx.Client, route: str
) -> None:
    event_id, body = webhook()
    for expected in ("accepted", "duplicate"):
        response = client.post(route, content=body, headers=headers(SECRET, event_id, body))
        assert (response.status_code, response.json()["status"]) == (200, expected)


@pytest.mark.parametrize("route", ROUTES)
def test_tampered_body_is_answered_400_and_not_stored(
    client: httpx.Client, inbox: Inbox, route: str
) -> None:
    event_id, body = webhook()
    signed = headers(SECRET, event_id, body)
    response = client.post(route, content=body.replace(b"conn_1", b"conn_2"), headers=signed)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    assert inbox.get(event_id) is None


@pytest.mark.parametrize("route", ROUTES)
def test_webhook_signed_with_another_secret_is_answered_400(
    client: httpx.Client, route: str
) -> None:
    event_id, body = webhook()
    response = client.post(route, content=body, headers=headers(generate_secret(), event_id, body))
    assert response.status_code == 400


@pytest.mark.parametrize("route", ROUTES)
def test_unsigned_webhook_is_answered_400_missing_headers(client: httpx.Client, route: str) -> None:
    _event_id, body = webhook()
    response = client.post(route, content=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_headers"


@pytest.mark.parametrize("route", ROUTES)
def test_replayed_old_webhook_is_answered_400_too_old(client: httpx.Client, route: str) -> None:
    event_id, body = webhook()
    old = headers(SECRET, event_id, body, timestamp=int(time.time()) - 3600)
    response = client.post(route, content=body, headers=old)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "timestamp_too_old"


@pytest.mark.parametrize("route", ROUTES)
def test_signed_body_that_is_not_an_event_is_answered_400(client: httpx.Client, route: str) -> None:
    body = b'{"hello": "world"}'
    response = client.post(route, content=body, headers=headers(SECRET, "evt_x", body))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_payload"


@pytest.mark.parametrize("route", ROUTES)
def test_body_over_the_limit_is_answered_413(client: httpx.Client, route: str) -> None:
    event_id, body = webhook(note="x" * LIMIT)
    response = client.post(route, content=body, headers=headers(SECRET, event_id, body))
    assert response.status_code == 413


@pytest.mark.parametrize("route", ROUTES)
def test_chunked_body_over_the_limit_is_answered_413(client: httpx.Client, route: str) -> None:
    event_id, body = webhook(note="x" * LIMIT)
    chunks = iter([body[:1000], body[1000:]])
    response = client.post(route, content=chunks, headers=headers(SECRET, event_id, body))
    assert response.status_code == 413


@pytest.mark.parametrize("route", ROUTES)
def test_other_methods_are_answered_405(client: httpx.Client, route: str) -> None:
    assert client.get(route).status_code == 405


def test_failing_handler_never_changes_the_answer(client: httpx.Client, inbox: Inbox) -> None:
    event_id, body = webhook("work_order.created")

    def failing(_event: dict[str, Any]) -> None:
        raise RuntimeError("our database is down")

    first = client.post("/webhooks", content=body, headers=headers(SECRET, event_id, body))
    inbox.process_pending({"work_order.created": failing})
    again = client.post("/webhooks", content=body, headers=headers(SECRET, event_id, body))
    assert (first.status_code, again.status_code) == (200, 200)
    stored = inbox.get(event_id)
    assert (
        stored is not None and stored.attempts == 1 and "database is down" in str(stored.last_error)
    )


def test_malformed_secret_is_refused_when_the_app_is_built(inbox: Inbox) -> None:
    with pytest.raises(ValueError):
        inbox_app(inbox, "whsec_%%%")
    with pytest.raises(ValueError):
        inbox_router(inbox, [])
