"""Two nodes on one Redis share each connection's circuit: what one opens, the other sees."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from ironbridge.api import create_app
from ironbridge.bootstrap import Container

from ...conftest import REDIS_URL, new_account
from .conftest import FlakySource, flaky_container, link_flaky

pytestmark = pytest.mark.redis

PING = {"method": "GET", "path": "/ping"}


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own, removed afterwards."""
    name = f"ib-test:{uuid.uuid4().hex}"
    yield name
    client = Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{name}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def nodes(tmp_path: Path, flaky: FlakySource, prefix: str) -> Iterator[tuple[Container, Container]]:
    # One database, one Redis, two processes' worth of containers, on one clock the test moves.
    settings = {"redis_url": REDIS_URL, "breaker_key_prefix": prefix, "breaker_reset_seconds": 3}
    first = flaky_container(tmp_path, flaky, **settings)
    second = flaky_container(tmp_path, flaky, **settings)
    second.breakers.clock = first.breakers.clock  # one time for both nodes, moved by the test
    yield first, second
    first.close()
    second.close()


def test_a_circuit_opened_on_one_node_fails_fast_on_the_other(
    nodes: tuple[Container, Container], tmp_path: Path, flaky: FlakySource, prefix: str
) -> None:
    node_a, node_b = nodes
    assert node_a.breakers.shared and node_b.breakers.shared
    account = new_account(node_a)
    linked = link_flaky(node_a, account, tmp_path / "source.db", flaky)
    linked.source.set("fail", "unavailable")
    with (
        TestClient(create_app(node_a), raise_server_exceptions=False) as api_a,
        TestClient(create_app(node_b), raise_server_exceptions=False) as api_b,
    ):
        assert api_b.get("/v1/connection", headers=linked.headers).status_code == 200
        for _ in range(3):
            assert (
                api_a.post("/v1/passthrough", json=PING, headers=linked.headers).status_code == 503
            )
        assert node_b.breakers.state(linked.id) == "open"
        assert node_b.breakers.retry_after(linked.id) is not None
        reached = linked.reached()
        fast = api_b.post("/v1/passthrough", json=PING, headers=linked.headers)
        assert fast.status_code == 503 and fast.json()["error"]["details"] == {"breaker": "open"}
        assert int(fast.headers["Retry-After"]) >= 1
        assert linked.reached() == reached, "node B did not call the source"
        with Redis.from_url(REDIS_URL) as redis:
            assert redis.get(f"{prefix}:{linked.id}:pybreaker:state") == b"open"

        # Node B's probe, once the circuit lets one through, closes it for node A too.
        linked.source.set("fail", None)
        assert node_b.breakers.is_open(linked.id)
        linked.breaker_clock.advance(seconds=3)
        assert not node_b.breakers.is_open(linked.id)
        assert api_b.post("/v1/passthrough", json=PING, headers=linked.headers).status_code == 200
        assert node_a.breakers.state(linked.id) == "closed"
        assert api_a.post("/v1/passthrough", json=PING, headers=linked.headers).status_code == 200
    assert linked.transitions() == [("active", "offline"), ("offline", "active")]
