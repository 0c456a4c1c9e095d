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
    """Stands in for the `time` module of our windows (in memory and on Redis): the window is
    judged by it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    import ironbridge.ratelimit

    clock = _Clock(1_000_000.0)
    monkeypatch.setattr(ironbridge.ratelimit, "time", clock)
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


def test_concurrent_requests_never_overrun_the_budget(limiter: RateLimiter) -> None:
    from concurrent.futures import ThreadPoolExecutor

    key = f"race-{uuid.uuid4()}"
    with ThreadPoolExecutor(max_workers=8) as pool:
        decisions = list(pool.map(lambda _: limiter.hit(key, 25), range(100)))
    assert sum(d.allowed for d in decisions) == 25
    assert min(d.remaining for d in decisions) == 0


def test_reset_forgets_every_window(limiter: RateLimiter) -> None:
    key = f"reset-{uuid.uuid4()}"
    assert limiter.hit(key, 1).allowed
    assert not limiter.hit(key, 1).allowed
    limiter.reset()
    assert limiter.hit(key, 1).allowed


def test_hit_unless_counts_nothing_once_the_guard_is_spent(limiter: RateLimiter) -> None:
    guard, key = f"guard-{uuid.uuid4()}", f"key-{uuid.uuid4()}"
    seen, counted = limiter.hit_unless(guard, 2, key, 5)
    assert seen.allowed and counted is not None and counted.allowed and counted.remaining == 4
    limiter.hit(guard, 2)
    limiter.hit(guard, 2)
    seen, counted = limiter.hit_unless(guard, 2, key, 5)
    assert not seen.allowed and counted is None
    assert 1 <= seen.reset_after <= 60
    # The refused attempt was not counted against the key.
    assert limiter.peek(key, 5).remaining == 4


def test_a_node_refuses_before_asking_once_it_saw_a_refusal() -> None:
    guard = f"guard-{uuid.uuid4()}"
    node_a, node_b = RateLimiter(REDIS_URL), RateLimiter(REDIS_URL)
    assert node_a.refused_lately(guard, 1) is None
    assert node_a.hit(guard, 1).allowed
    # Node B has seen no refusal, so it cannot tell without asking...
    assert node_b.refused_lately(guard, 1) is None
    # ...and asking, it is refused, and remembers that until the window frees up.
    seen, counted = node_b.hit_unless(guard, 1, f"key-{uuid.uuid4()}", 10)
    assert counted is None
    remembered = node_b.refused_lately(guard, 1)
    assert remembered is not None and not remembered.allowed
    assert remembered.reset_after == seen.reset_after


def test_in_process_the_refusal_is_known_exactly() -> None:
    limiter = RateLimiter("memory://")
    guard = f"guard-{uuid.uuid4()}"
    assert limiter.refused_lately(guard, 1) is None
    limiter.hit(guard, 1)
    refused = limiter.refused_lately(guard, 1)
    assert refused is not None and not refused.allowed
