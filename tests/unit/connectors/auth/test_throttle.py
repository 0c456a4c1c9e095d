"""`Throttle`: one slot per request, 429s waited out and the request signed anew."""

from __future__ import annotations

import threading
from collections.abc import Generator

import httpx

from ironbridge.connectors.auth.throttle import Throttle, shared_slots


class Counting(httpx.Auth):
    """Signs each request with a fresh number, as a nonce would be."""

    def __init__(self) -> None:
        self.signed = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.signed += 1
        request.headers["Authorization"] = f"n{self.signed}"
        yield request


def client(
    statuses: list[int], seen: list[str], waits: list[float], retries: int = 4
) -> httpx.Client:
    answers = iter(statuses)

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        status = next(answers)
        return httpx.Response(status)

    auth = Throttle(Counting(), threading.BoundedSemaphore(1), sleep=waits.append, retries=retries)
    return httpx.Client(transport=httpx.MockTransport(answer), auth=auth)


def test_429s_are_waited_out_with_a_new_signature_each_time() -> None:
    seen: list[str] = []
    waits: list[float] = []
    assert client([429, 429, 200], seen, waits).get("https://x.test/").status_code == 200
    assert seen == ["n1", "n2", "n3"] and waits == [0.5, 1.0]


def test_the_last_429_is_answered_when_retries_run_out() -> None:
    seen: list[str] = []
    waits: list[float] = []
    assert client([429] * 3, seen, waits, retries=2).get("https://x.test/").status_code == 429
    assert len(seen) == 3 and waits == [0.5, 1.0]


def test_sessions_of_one_account_share_its_slots() -> None:
    assert shared_slots("ACME", 3) is shared_slots("ACME", 3)
    assert shared_slots("ACME", 3) is not shared_slots("OTHER", 3)


def test_retry_after_is_honoured() -> None:
    waits: list[float] = []
    answers = iter([httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200)])
    auth = Throttle(Counting(), threading.BoundedSemaphore(1), sleep=waits.append)
    with httpx.Client(transport=httpx.MockTransport(lambda _: next(answers)), auth=auth) as http:
        assert http.get("https://x.test/").status_code == 200
    assert waits == [3.0]
