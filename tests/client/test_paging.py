"""Walking pages: fetched lazily, in order, ending at a null cursor, an empty page, or a cursor
that did not move (the event feed's cursor is where to poll next and never becomes null)."""

from __future__ import annotations

import httpx

from ironbridge.client import Client

STAMP = "2026-01-02T03:04:05Z"


def _event(n: int) -> dict[str, object]:
    return {
        "id": f"evt_{n}",
        "type": "webhook.test",
        "created_at": STAMP,
        "connection_id": None,
        "sequence": n,
        "data": {},
    }


def _client(pages: dict[str | None, dict[str, object]], sent: list[str | None]) -> Client:
    def answer(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        sent.append(cursor)
        return httpx.Response(200, json=pages[cursor])

    return Client("k", http_client=httpx.Client(transport=httpx.MockTransport(answer)))


def test_pages_are_fetched_only_as_iteration_reaches_them() -> None:
    sent: list[str | None] = []
    pages = {
        None: {"data": [_event(1), _event(2)], "next_cursor": "c2"},
        "c2": {"data": [_event(3)], "next_cursor": None},
    }
    walk = _client(pages, sent).events.list(types=["webhook.test"])
    assert next(walk).id == "evt_1" and sent == [None]
    assert [e.id for e in walk] == ["evt_2", "evt_3"]
    assert sent == [None, "c2"]


def test_the_event_feed_walk_ends_at_its_current_end() -> None:
    sent: list[str | None] = []
    pages = {
        None: {"data": [_event(1)], "next_cursor": "c1"},
        # At the end the feed answers no events and the same cursor, to poll again later.
        "c1": {"data": [], "next_cursor": "c1"},
    }
    assert [e.id for e in _client(pages, sent).events.list()] == ["evt_1"]
    assert sent == [None, "c1"]


def test_filters_are_kept_on_every_page() -> None:
    seen: list[httpx.QueryParams] = []
    pages = {
        None: {"data": [_event(1)], "next_cursor": "c2"},
        "c2": {"data": [_event(2)], "next_cursor": None},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params)
        return httpx.Response(200, json=pages[request.url.params.get("cursor")])

    with Client("k", http_client=httpx.Client(transport=httpx.MockTransport(answer))) as client:
        assert len(list(client.events.list(connection_id="conn_1", limit=1))) == 2
    assert [p.get("connection_id") for p in seen] == ["conn_1", "conn_1"]
    assert [p.get("limit") for p in seen] == ["1", "1"]
