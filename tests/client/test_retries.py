"""Retries, backoff, `Retry-After` and idempotency keys, on a mocked transport (edge cases the
live server cannot be made to produce on demand); the clock and the sleep are the test's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from ironbridge.client import (
    AsyncClient,
    Client,
    Conflict,
    InternalError,
    IronbridgeError,
    RateLimitExceeded,
    RecordLocked,
    RetryPolicy,
    ServiceUnavailable,
)

Handler = Callable[[httpx.Request], httpx.Response]
NOW = 1_800_000_000.0


def _error(status: int, code: str, **headers: str) -> httpx.Response:
    body = {
        "error": {
            "code": code,
            "type": "api_error",
            "message": f"{code} happened",
            "request_id": "req_1",
            "details": {"why": code},
        }
    }
    return httpx.Response(status, json=body, headers={"X-Request-ID": "req_1", **headers})


STAMP = "2026-01-02T03:04:05Z"


def _vendor() -> httpx.Response:
    vendor = {
        "id": "vnd_1",
        "remote_id": "V1",
        "updated_at": STAMP,
        "name": "Acme",
        "status": "active",
    }
    return httpx.Response(200, json=vendor)


def _order(status: int = 201) -> httpx.Response:
    order = {"id": "po_1", "remote_id": "PO-1", "updated_at": STAMP, "status": "draft"}
    return httpx.Response(status, json=order)


def _endpoint() -> httpx.Response:
    endpoint = {
        "id": "whe_1",
        "url": "https://example.com/hooks",
        "description": None,
        "event_types": [],
        "connection_ids": None,
        "enabled": True,
        "disabled_reason": None,
        "failing_since": None,
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    return httpx.Response(201, json=endpoint)


class Script:
    """Answers requests from a list, in order, keeping what was sent."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _client(script: Script, sleeps: list[float], **policy: object) -> Client:
    retry = RetryPolicy(random=lambda: 0.5, clock=lambda: NOW, **policy)  # type: ignore[arg-type]
    return Client(
        "ib_conn_x",
        retry=retry,
        sleep=sleeps.append,
        http_client=httpx.Client(transport=httpx.MockTransport(script)),
    )


def test_a_5xx_read_is_retried_with_growing_jittered_backoff() -> None:
    script = Script(
        _error(500, "INTERNAL_ERROR"), _error(502, "UPSTREAM_ERROR"), _error(504, "X"), _vendor()
    )
    sleeps: list[float] = []
    vendor = _client(script, sleeps, backoff=1.0).vendors.get("vnd_1")
    assert vendor.id == "vnd_1"
    assert len(script.sent) == 4
    # Full jitter at 0.5 of the ceiling: 1 s, 2 s, 4 s ceilings.
    assert sleeps == [0.5, 1.0, 2.0]


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_retries=10, backoff=1.0, max_backoff=3.0, random=lambda: 0.999)
    delays = [policy.delay(attempt) for attempt in range(1, 6)]
    assert delays[-1] == pytest.approx(3.0 * 0.999)
    assert all(d is not None and d <= 3.0 for d in delays)
    assert policy.delay(11) is None


def test_retry_after_in_seconds_is_waited_exactly() -> None:
    script = Script(_error(429, "RATE_LIMIT_EXCEEDED", **{"Retry-After": "12"}), _vendor())
    sleeps: list[float] = []
    _client(script, sleeps).vendors.get("vnd_1")
    assert sleeps == [12.0]


def test_retry_after_as_an_http_date_is_read_against_the_injected_clock() -> None:
    when = datetime.fromtimestamp(NOW, UTC) + timedelta(seconds=7)
    script = Script(
        _error(503, "SERVICE_UNAVAILABLE", **{"Retry-After": format_datetime(when, usegmt=True)}),
        _vendor(),
    )
    sleeps: list[float] = []
    _client(script, sleeps).vendors.get("vnd_1")
    assert sleeps == [7.0]


def test_a_retry_after_beyond_the_limit_raises_at_once_with_it() -> None:
    script = Script(_error(429, "RATE_LIMIT_EXCEEDED", **{"Retry-After": "3600"}))
    sleeps: list[float] = []
    with pytest.raises(RateLimitExceeded) as raised:
        _client(script, sleeps, max_retry_after=60.0).vendors.get("vnd_1")
    assert raised.value.retry_after == 3600.0 and raised.value.status == 429
    assert sleeps == [] and len(script.sent) == 1


def test_after_the_last_retry_the_error_of_the_last_answer_is_raised() -> None:
    script = Script(*[_error(503, "SERVICE_UNAVAILABLE") for _ in range(3)])
    sleeps: list[float] = []
    with pytest.raises(ServiceUnavailable) as raised:
        _client(script, sleeps, max_retries=2).vendors.get("vnd_1")
    assert len(script.sent) == 3 and len(sleeps) == 2
    assert raised.value.request_id == "req_1" and raised.value.details == {
        "why": "SERVICE_UNAVAILABLE"
    }


def test_a_4xx_other_than_408_and_429_is_not_retried() -> None:
    script = Script(_error(409, "RECORD_LOCKED"))
    sleeps: list[float] = []
    with pytest.raises(RecordLocked):
        _client(script, sleeps).purchase_orders.update("po_1", notes="x")
    assert len(script.sent) == 1 and sleeps == []


def test_408_is_retried() -> None:
    script = Script(httpx.Response(408), _vendor())
    sleeps: list[float] = []
    assert _client(script, sleeps).vendors.get("vnd_1").name == "Acme"
    assert len(sleeps) == 1


def test_a_write_keeps_one_generated_idempotency_key_across_retries() -> None:
    created = _order()
    script = Script(httpx.ReadTimeout("slow"), _error(502, "UPSTREAM_ERROR"), created)
    sleeps: list[float] = []
    order = _client(script, sleeps).purchase_orders.create({"vendor_id": "vnd_1"}, currency="USD")
    assert order.id == "po_1"
    keys = {request.headers["Idempotency-Key"] for request in script.sent}
    assert len(script.sent) == 3 and len(keys) == 1
    (key,) = keys
    assert len(key) == 36  # a UUID
    assert script.sent[0].content == b'{"vendor_id":"vnd_1","currency":"USD"}'


def test_a_given_idempotency_key_is_sent_as_is() -> None:
    script = Script(_order(200))
    _client(script, []).purchase_orders.delete("po_1", idempotency_key="order-42-cancel")
    assert script.sent[0].headers["Idempotency-Key"] == "order-42-cancel"


def test_a_write_without_a_key_is_not_retried_once_it_may_have_arrived() -> None:
    # Creating a webhook endpoint has no Idempotency-Key: a second POST could create a second.
    script = Script(httpx.ReadTimeout("slow"))
    sleeps: list[float] = []
    with pytest.raises(httpx.ReadTimeout):
        _client(script, sleeps).webhook_endpoints.create(url="https://example.com/hooks")
    assert len(script.sent) == 1 and sleeps == []
    script = Script(_error(500, "INTERNAL_ERROR"))
    with pytest.raises(InternalError):
        _client(script, sleeps).webhook_endpoints.create(url="https://example.com/hooks")
    assert len(script.sent) == 1 and sleeps == []


def test_any_request_is_retried_when_it_never_reached_the_server() -> None:
    script = Script(httpx.ConnectError("refused"), _error(429, "RATE_LIMIT_EXCEEDED"), _endpoint())
    sleeps: list[float] = []
    made = _client(script, sleeps).webhook_endpoints.create(url="https://example.com/hooks")
    assert made.id == "whe_1" and len(sleeps) == 2


def test_connection_errors_on_reads_are_retried_then_raised() -> None:
    script = Script(*[httpx.ReadError("reset") for _ in range(4)])
    sleeps: list[float] = []
    with pytest.raises(httpx.ReadError):
        _client(script, sleeps).vendors.get("vnd_1")
    assert len(script.sent) == 4 and len(sleeps) == 3


def test_retries_can_be_turned_off() -> None:
    script = Script(_error(503, "SERVICE_UNAVAILABLE"))
    with pytest.raises(ServiceUnavailable):
        _client(script, [], max_retries=0).vendors.get("vnd_1")
    assert len(script.sent) == 1


def test_an_unknown_code_raises_the_base_class_with_its_fields() -> None:
    script = Script(_error(418, "TEAPOT_STATE"))
    with pytest.raises(IronbridgeError) as raised:
        _client(script, []).vendors.get("vnd_1")
    error = raised.value
    assert type(error) is IronbridgeError
    assert (error.code, error.status, error.request_id) == ("TEAPOT_STATE", 418, "req_1")
    assert error.message == "TEAPOT_STATE happened" and error.details == {"why": "TEAPOT_STATE"}


def test_an_answer_without_an_error_body_still_raises_with_the_request_id() -> None:
    script = Script(
        httpx.Response(502, text="<html>bad gateway</html>", headers={"X-Request-ID": "req_9"})
    )
    with pytest.raises(IronbridgeError) as raised:
        _client(script, [], max_retries=0).vendors.get("vnd_1")
    assert raised.value.code is None and raised.value.status == 502
    assert raised.value.request_id == "req_9"


def test_the_async_client_retries_with_the_same_key_and_honours_retry_after() -> None:
    created = _order()
    script = Script(_error(429, "RATE_LIMIT_EXCEEDED", **{"Retry-After": "2"}), created)
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def main() -> str:
        http = httpx.AsyncClient(transport=httpx.MockTransport(script))
        async with AsyncClient("ib_conn_x", sleep=sleep, http_client=http) as client:
            order = await client.purchase_orders.create(vendor_id="vnd_1")
        await http.aclose()
        return order.id

    assert asyncio.run(main()) == "po_1"
    assert sleeps == [2.0]
    assert len({r.headers["Idempotency-Key"] for r in script.sent}) == 1


def test_a_keyed_write_waits_out_the_first_request_with_its_key() -> None:
    script = Script(_error(409, "CONFLICT"), _order())
    sleeps: list[float] = []
    assert _client(script, sleeps).purchase_orders.create(vendor_id="vnd_1").id == "po_1"
    assert len(sleeps) == 1
    assert len({r.headers["Idempotency-Key"] for r in script.sent}) == 1


def test_a_conflict_without_a_key_is_raised_at_once() -> None:
    script = Script(_error(409, "CONFLICT"))
    sleeps: list[float] = []
    with pytest.raises(Conflict):
        _client(script, sleeps).flow_runs.retry("run_1")
    assert sleeps == []
