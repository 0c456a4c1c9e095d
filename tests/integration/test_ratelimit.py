"""Rate limits count per key, in memory and in Redis (shared between API nodes)."""

from __future__ import annotations

import uuid

import pytest

from ironbridge.ratelimit import RateLimiter

from ..conftest import REDIS_URL


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> RateLimiter:
    return RateLimiter("memory://" if request.param == "memory" else REDIS_URL)


def test_requests_beyond_the_budget_are_refused(limiter: RateLimiter) -> None:
    key = f"k-{uuid.uuid4()}"
    decisions = [limiter.hit(key, 3) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert 1 <= decisions[-1].reset_after <= 60


def test_keys_have_separate_budgets(limiter: RateLimiter) -> None:
    a, b = f"a-{uuid.uuid4()}", f"b-{uuid.uuid4()}"
    assert limiter.hit(a, 1).allowed
    assert not limiter.hit(a, 1).allowed
    assert limiter.hit(b, 1).allowed


def test_two_limiters_on_redis_share_one_budget() -> None:
    key = f"shared-{uuid.uuid4()}"
    node_a, node_b = RateLimiter(REDIS_URL), RateLimiter(REDIS_URL)
    assert node_a.hit(key, 2).allowed
    assert node_b.hit(key, 2).allowed
    assert not node_a.hit(key, 2).allowed


def test_two_api_nodes_on_redis_refuse_together_over_http(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from ironbridge.api import create_app
    from ironbridge.bootstrap import bootstrap

    from ..conftest import make_settings, new_account

    settings = make_settings(tmp_path, redis_url=REDIS_URL, rate_limit_per_minute=2)
    node_a, node_b = bootstrap(settings), bootstrap(settings)
    account = new_account(node_a)
    with (
        TestClient(create_app(node_a)) as client_a,
        TestClient(create_app(node_b)) as client_b,
    ):
        assert client_a.get("/v1/connections", headers=account.headers).status_code == 200
        assert client_b.get("/v1/connections", headers=account.headers).status_code == 200
        refused = client_a.get("/v1/connections", headers=account.headers)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert int(refused.headers["Retry-After"]) >= 1


class _Clock:
    """Stands in for the `time` module of our windows and the Redis storage: the window is
    judged by it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    import limits.storage.redis

    import ironbridge.ratelimit

    clock = _Clock(1_000_000.0)
    monkeypatch.setattr(ironbridge.ratelimit, "time", clock)
    monkeypatch.setattr(limits.storage.redis, "time", clock)
    return clock


def test_no_60_seconds_let_more_than_the_budget_through(
    limiter: RateLimiter, clock: _Clock
) -> None:
    key = f"edge-{uuid.uuid4()}"
    start = clock.now
    assert limiter.hit(key, 100).allowed
    clock.now = start + 59.9
    assert all(limiter.hit(key, 100).allowed for _ in range(99))
    # Just past the minute the first request has left the window, the other 99 have not: a
    # fixed window would start afresh here and let another 100 through within 0.2 s.
    clock.now = start + 60.1
    late = [limiter.hit(key, 100) for _ in range(100)]
    assert sum(d.allowed for d in late) == 1
    assert late[-1].remaining == 0
    # Once the burst at 59.9 s has aged out, the whole budget is back.
    clock.now = start + 120.0
    assert all(limiter.hit(key, 100).allowed for _ in range(99))


def test_peek_tells_without_counting(limiter: RateLimiter) -> None:
    key = f"peek-{uuid.uuid4()}"
    assert limiter.peek(key, 1).allowed
    assert limiter.peek(key, 1).allowed
    assert limiter.hit(key, 1).allowed
    refused = limiter.peek(key, 1)
    assert not refused.allowed and 1 <= refused.reset_after <= 60
