"""The poller reads missed events from `GET /v1/events` into the inbox when webhooks go quiet.

The server is a small Starlette stand-in for ironbridge's events endpoint, served by uvicorn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ironbridge.receiver import EventStatus, Inbox, Poller

from .uvicorn_server import UvicornServer

ADMIN_KEY = "ib_admin_test"


class EventsStub:
    """`GET /v1/events?after=&limit=&types=&connection_id=`: events in order, pages of `limit`.

    With `cursor_at_end`, every page carries the position of its last event (or the given
    position when it is empty), as ironbridge's events endpoint does; without, `next_cursor` is
    null on the last page, as its record lists do. The poller must work with both.
    """

    def __init__(self, *, cursor_at_end: bool) -> None:
        self.events: list[dict[str, Any]] = []
        self.requests: list[dict[str, str]] = []
        self.cursor_at_end = cursor_at_end
        self.app = Starlette(routes=[Route("/v1/events", self.list_events)])

    def add(self, count: int, *, connection: str = "conn_1", type: str = "vendor.updated") -> None:
        for _ in range(count):
            number = len(self.events) + 1
            self.events.append(
                {
                    "id": f"evt_{number:04d}",
                    "type": type,
                    "created_at": "2024-05-01T10:00:00Z",
                    "connection_id": connection,
                    "sequence": number,
                    "data": {"id": f"ven_{number}"},
                }
            )

    async def list_events(self, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {ADMIN_KEY}":
            return JSONResponse({"error": {"code": "AUTHENTICATION_FAILED"}}, status_code=401)
        query = dict(request.query_params)
        self.requests.append(query)
        types = set(query["types"].split(",")) if "types" in query else None
        matching = [
            item
            for item in self.events
            if ("connection_id" not in query or item["connection_id"] == query["connection_id"])
            and (types is None or item["type"] in types)
        ]
        start = int(query["after"].removeprefix("c")) if "after" in query else 0
        page = matching[start : start + int(query.get("limit", "100"))]
        end = start + len(page)
        if self.cursor_at_end:
            next_cursor = f"c{end}" if end else None
        else:
            next_cursor = f"c{end}" if end < len(matching) else None
        return JSONResponse({"data": page, "next_cursor": next_cursor})


@pytest.fixture(params=[False, True], ids=["null-cursor-at-end", "cursor-at-end"])
def stub(request: pytest.FixtureRequest) -> Iterator[tuple[EventsStub, str]]:
    stub = EventsStub(cursor_at_end=request.param)
    with UvicornServer(stub.app) as base_url:
        yield stub, base_url


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    with Inbox(f"sqlite:///{tmp_path / 'inbox.db'}") as inbox:
        yield inbox


def poller(base_url: str, inbox: Inbox, **options: Any) -> Poller:
    options = {"expected_every": 60.0, "page_size": 2, **options}
    return Poller(base_url, ADMIN_KEY, inbox, **options)


def test_poll_reads_every_page_into_the_inbox(stub: tuple[EventsStub, str], inbox: Inbox) -> None:
    events, base_url = stub
    events.add(5)
    with poller(base_url, inbox) as reader:
        assert reader.poll() == 5
    assert [request.get("after") for request in events.requests][:3] == [None, "c2", "c4"]
    stored = inbox.events(limit=10)
    assert sorted(item.event_id for item in stored) == [f"evt_{n:04d}" for n in range(1, 6)]
    assert {item.source for item in stored} == {"poll"}


def test_new_poller_resumes_from_the_saved_cursor(
    stub: tuple[EventsStub, str], inbox: Inbox
) -> None:
    events, base_url = stub
    events.add(5)
    with poller(base_url, inbox) as reader:
        reader.poll()
    saved = inbox.cursor(reader.cursor_name)
    assert saved is not None
    events.add(3)
    events.requests.clear()
    with poller(base_url, inbox) as restarted:
        assert restarted.poll() == 3
    # It starts where the first poller stopped, not from the beginning.
    assert events.requests[0]["after"] == saved
    assert len(inbox.events(limit=100)) == 8


def test_events_that_also_arrived_as_webhooks_are_handled_once(
    stub: tuple[EventsStub, str], inbox: Inbox
) -> None:
    events, base_url = stub
    events.add(3)
    inbox.accept_event(events.events[1], source="webhook")
    with poller(base_url, inbox) as reader:
        assert reader.poll() == 2
        assert reader.poll() == 0  # a second pass over the same events stores nothing
    handled: list[str] = []
    inbox.process_pending({"vendor.updated": lambda event: handled.append(event["id"])})
    assert handled == ["evt_0001", "evt_0002", "evt_0003"]


def test_poller_waits_while_webhooks_arrive(stub: tuple[EventsStub, str], inbox: Inbox) -> None:
    events, base_url = stub
    events.add(2)
    inbox.accept_event({"id": "evt_live", "type": "vendor.created", "data": {}}, source="webhook")
    with poller(base_url, inbox, expected_every=60) as reader:
        assert reader.is_quiet() is False
        assert reader.poll_if_quiet() == 0
    assert events.requests == []


class FakeClock:
    """`time.time` for the poller, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_poller_polls_when_webhooks_go_quiet_and_not_again_until_quiet_again(
    stub: tuple[EventsStub, str], inbox: Inbox
) -> None:
    events, base_url = stub
    events.add(1)
    clock = FakeClock()
    with poller(base_url, inbox, expected_every=60, clock=clock) as reader:
        assert reader.poll_if_quiet() == 1
        polled = len(events.requests)
        clock.now += 59.9
        events.add(1)
        assert reader.poll_if_quiet() == 0
        assert len(events.requests) == polled  # polled 59.9 s ago: not quiet yet
        clock.now += 0.1
        assert reader.poll_if_quiet() == 1


def test_a_webhook_arriving_restarts_the_quiet_period(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    moment = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    clock = FakeClock()
    clock.now = moment.timestamp()
    with Inbox(f"sqlite:///{tmp_path / 'inbox.db'}", clock=lambda: moment) as inbox:
        reader = Poller("http://127.0.0.1:9", ADMIN_KEY, inbox, expected_every=60, clock=clock)
        with reader:
            assert reader.is_quiet() is True  # nothing heard yet
            inbox.accept_event(
                {"id": "evt_1", "type": "vendor.created", "data": {}}, source="webhook"
            )
            assert reader.is_quiet() is False
            clock.now += 59
            assert reader.is_quiet() is False
            clock.now += 1
            assert reader.is_quiet() is True


def test_connection_and_type_filters_are_sent(stub: tuple[EventsStub, str], inbox: Inbox) -> None:
    events, base_url = stub
    events.add(2, connection="conn_1", type="vendor.updated")
    events.add(2, connection="conn_1", type="sync.completed")
    events.add(2, connection="conn_2", type="vendor.updated")
    with poller(base_url, inbox, connection_id="conn_1", types=["vendor.updated"]) as reader:
        assert reader.poll() == 2
    assert all(request["connection_id"] == "conn_1" for request in events.requests)
    assert all(request["types"] == "vendor.updated" for request in events.requests)
    stored = inbox.events(limit=10)
    assert {(item.connection_id, item.type) for item in stored} == {("conn_1", "vendor.updated")}


def test_wrong_admin_key_is_an_http_error(stub: tuple[EventsStub, str], inbox: Inbox) -> None:
    _events, base_url = stub
    reader = Poller(base_url, "ib_admin_wrong", inbox, expected_every=1)
    with reader, pytest.raises(httpx.HTTPStatusError):
        reader.poll()
    assert inbox.cursor(reader.cursor_name) is None


def test_malformed_events_are_passed_over(stub: tuple[EventsStub, str], inbox: Inbox) -> None:
    events, base_url = stub
    events.add(2)
    events.events[0]["data"] = "not an object"
    with poller(base_url, inbox) as reader:
        assert reader.poll() == 1


def test_run_polls_in_the_background_until_stopped(
    stub: tuple[EventsStub, str], inbox: Inbox
) -> None:
    events, base_url = stub
    events.add(3)
    reader = poller(base_url, inbox, expected_every=0.1)
    thread = threading.Thread(target=reader.run)
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while inbox.counts()[EventStatus.PENDING] < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert inbox.counts()[EventStatus.PENDING] == 3
    finally:
        reader.close()
        thread.join(timeout=5)
    assert not thread.is_alive()
