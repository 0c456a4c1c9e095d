"""`handle_wsgi` answers webhooks behind a real WSGI server (the standard library's wsgiref)."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest

from ironbridge.receiver import EventStatus, Inbox, handle_wsgi
from ironbridge.webhooks.signing import generate_secret, headers

SECRET = generate_secret()
LIMIT = 4096


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *_args: Any) -> None:
        """Keep the test output free of access logs."""


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Inbox]:
    path: Path = tmp_path_factory.mktemp("wsgi") / "inbox.db"
    with Inbox(f"sqlite:///{path}") as inbox:
        yield inbox


@pytest.fixture(scope="module")
def client(inbox: Inbox) -> Iterator[httpx.Client]:
    app = handle_wsgi(inbox, [SECRET], max_body_bytes=LIMIT)
    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client
    server.shutdown()
    server.server_close()


def webhook(event_id: str, **data: Any) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "type": "vendor.updated",
            "connection_id": "c",
            "sequence": 1,
            "data": data,
        }
    ).encode()


def test_signed_webhook_is_stored_and_answered_200(client: httpx.Client, inbox: Inbox) -> None:
    body = webhook("evt_wsgi_1")
    for expected in ("accepted", "duplicate"):
        response = client.post("/hooks", content=body, headers=headers(SECRET, "evt_wsgi_1", body))
        assert (response.status_code, response.json()["status"]) == (200, expected)
    stored = inbox.get("evt_wsgi_1")
    assert stored is not None and stored.status is EventStatus.PENDING


def test_tampered_body_is_answered_400(client: httpx.Client, inbox: Inbox) -> None:
    body = webhook("evt_wsgi_2")
    signed = headers(SECRET, "evt_wsgi_2", body)
    response = client.post("/hooks", content=body.replace(b"vendor", b"asset"), headers=signed)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    assert inbox.get("evt_wsgi_2") is None


def test_body_over_the_limit_is_answered_413(client: httpx.Client) -> None:
    body = webhook("evt_wsgi_3", note="x" * LIMIT)
    response = client.post("/hooks", content=body, headers=headers(SECRET, "evt_wsgi_3", body))
    assert response.status_code == 413


def test_other_methods_are_answered_405(client: httpx.Client) -> None:
    response = client.get("/hooks")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_body_of_unknown_length_is_answered_411(inbox: Inbox) -> None:
    app = handle_wsgi(inbox, SECRET)
    statuses: list[str] = []
    environ = {"REQUEST_METHOD": "POST", "wsgi.input": io.BytesIO(b"{}")}
    app(environ, lambda status, _headers, _exc_info=None: statuses.append(status))  # type: ignore[arg-type]
    assert statuses == ["411 Length Required"]


def test_chunked_body_read_by_a_server_that_ends_the_stream(inbox: Inbox) -> None:
    body = webhook("evt_wsgi_4")
    environ = {
        "REQUEST_METHOD": "POST",
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        **{
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in headers(SECRET, "evt_wsgi_4", body).items()
        },
    }
    statuses: list[str] = []
    chunks = handle_wsgi(inbox, SECRET)(
        environ,
        lambda status, _headers, _exc_info=None: statuses.append(status),  # type: ignore[arg-type]
    )
    assert statuses == ["200 OK"]
    assert json.loads(b"".join(chunks))["status"] == "accepted"
