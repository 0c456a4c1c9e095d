"""One circuit breaker per connection, so a failing source is left alone for a while.

After `fail_max` consecutive source failures (`SOURCE_FAILURES`: unreachable, timed out, or an
unusable answer) a connection's circuit opens: calls fail fast with `ConnectionUnavailable` and a
`retry_after` of the time it stays open. After `reset_seconds` the next call is let through as a
probe; its success closes the circuit, its failure opens it for another period.

Answers that prove the source is up (validation errors, locked or missing records, rate limits,
refused credentials) never count as failures: pybreaker treats an excluded exception as a
success, so they also reset the count, and a probe that gets one closes the circuit.

The board keeps the time: it stamps when a circuit opens and decides when the probe may go, by
its `clock` (pybreaker would read the system clock itself), so every decision agrees with
`probe_at`, the moment work postponed by an open circuit becomes due.

The state lives in Redis (pybreaker's `CircuitRedisStorage`) when the deployment has one, so every
API node and worker agrees on it; otherwise in this process's memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pybreaker
from redis import Redis
from redis.exceptions import RedisError

from ..errors import ConnectionUnavailable, UpstreamError, UpstreamTimeout
from ..logs import get_logger
from ..settings import Settings

__all__ = [
    "SOURCE_FAILURES",
    "BreakerBoard",
    "is_source_failure",
]

_log = get_logger("ironbridge.health")

#: The errors that say "the source is failing", and so count towards opening the circuit.
SOURCE_FAILURES: Final = (ConnectionUnavailable, UpstreamTimeout, UpstreamError)


def is_source_failure(exc: BaseException) -> bool:
    """Whether `exc` says the source is failing (rather than answering with a refusal)."""
    return isinstance(exc, SOURCE_FAILURES)


def _not_a_source_failure(exc: BaseException) -> bool:
    return not is_source_failure(exc)


def _system_clock() -> datetime:
    return datetime.now(UTC)


class _Breaker(pybreaker.CircuitBreaker):  # type: ignore[misc]
    """pybreaker's breaker, with the opening time taken from the board's clock."""

    def __init__(self, clock: Callable[[], datetime], **options: Any) -> None:
        super().__init__(**options)
        self._clock = clock

    def open(self) -> bool:
        throw = bool(super().open())
        # pybreaker stamps the system clock; the board's decisions are made by its own.
        self._state_storage.opened_at = self._clock()
        return throw


class BreakerBoard:
    """The circuit breakers of every connection this process talks to.

    `guard(connection_id)` wraps one call to a connection's source; `retry_after` and
    `probe_at` tell callers that want to fail fast (or postpone work) how long an open circuit
    stays open.
    """

    def __init__(
        self,
        *,
        fail_max: int = 5,
        reset_seconds: float = 60.0,
        redis: Redis | None = None,
        key_prefix: str = "ironbridge:breaker",
        clock: Callable[[], datetime] = _system_clock,
    ) -> None:
        self.fail_max = fail_max
        self.reset_seconds = reset_seconds
        self.key_prefix = key_prefix
        #: What time it is (timezone-aware UTC); tests move it instead of waiting.
        self.clock = clock
        self._redis = redis
        self._breakers: dict[str, pybreaker.CircuitBreaker] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> BreakerBoard:
        """The board for this deployment: shared through Redis when `redis_url` is set."""
        # Short timeouts: a Redis outage should cost a call a moment, not a TCP timeout.
        redis = (
            Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
            if settings.redis_url
            else None
        )
        return cls(
            fail_max=settings.breaker_fail_max,
            reset_seconds=settings.breaker_reset_seconds,
            redis=redis,
            key_prefix=settings.breaker_key_prefix,
        )

    @property
    def shared(self) -> bool:
        """Whether the state is shared with other processes (kept in Redis)."""
        return self._redis is not None

    def _breaker(self, connection_id: str) -> pybreaker.CircuitBreaker:
        with self._lock:
            breaker = self._breakers.get(connection_id)
            if breaker is not None:
                return breaker
            if self._redis is None:
                breaker = self._new_breaker(
                    connection_id, pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
                )
                self._breakers[connection_id] = breaker
                return breaker
            try:
                storage = pybreaker.CircuitRedisStorage(
                    pybreaker.STATE_CLOSED,
                    self._redis,
                    namespace=f"{self.key_prefix}:{connection_id}",
                )
            except RedisError as exc:
                # Redis is down: let calls through unguarded rather than fail them all, and
                # try Redis again on the next call (pybreaker itself reads a closed circuit
                # when Redis fails later on).
                _log.warning(
                    "breaker_state_unavailable", connection_id=connection_id, error=str(exc)
                )
                return self._new_breaker(
                    connection_id, pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
                )
            breaker = self._new_breaker(connection_id, storage)
            self._breakers[connection_id] = breaker
            return breaker

    def _new_breaker(
        self, connection_id: str, storage: pybreaker.CircuitBreakerStorage
    ) -> pybreaker.CircuitBreaker:
        return _Breaker(
            lambda: self.clock(),
            fail_max=self.fail_max,
            reset_timeout=self.reset_seconds,
            exclude=[_not_a_source_failure],
            state_storage=storage,
            name=connection_id,
            # The failure that trips the circuit is reported as itself (its code and message
            # say what happened at the source), not as pybreaker's own error.
            throw_new_error_on_trip=False,
        )

    def state(self, connection_id: str) -> str:
        """`closed`, `open` or `half-open` (an open circuit past its reset time stays `open`
        until the next call probes the source)."""
        return str(self._breaker(connection_id).current_state)

    def failures(self, connection_id: str) -> int:
        """Consecutive source failures counted so far."""
        return int(self._breaker(connection_id).fail_counter)

    def probe_at(self, connection_id: str) -> datetime | None:
        """When an open circuit lets a probe through; None when calls may go ahead now."""
        breaker = self._breaker(connection_id)
        if breaker.current_state != pybreaker.STATE_OPEN:
            return None
        opened_at = breaker._state_storage.opened_at  # pybreaker exposes no public accessor
        if opened_at is None:
            # Opened, but the time was lost (an expired Redis key): probe now, as pybreaker does.
            return None
        at: datetime = opened_at + timedelta(seconds=self.reset_seconds)
        return at if at > self.clock() else None

    def retry_after(self, connection_id: str) -> float | None:
        """Seconds until an open circuit lets a probe through; None when calls may go ahead."""
        at = self.probe_at(connection_id)
        return None if at is None else (at - self.clock()).total_seconds()

    def is_open(self, connection_id: str) -> bool:
        """Whether calls to the connection's source fail fast right now."""
        return self.retry_after(connection_id) is not None

    def open_error(self, connection_id: str, wait: float | None = None) -> ConnectionUnavailable:
        """The fast failure for an open circuit, with how long it stays open."""
        wait = wait if wait is not None else self.retry_after(connection_id)
        wait = max(wait or 0.0, 0.001)
        return ConnectionUnavailable(
            f"The source system failed {self.fail_max} times in a row; ironbridge pauses calls "
            f"to it and tries again in {max(1, round(wait))} s.",
            retry_after=wait,
            details={"breaker": "open"},
        )

    @contextmanager
    def guard(self, connection_id: str) -> Iterator[None]:
        """Run the block as one call to the connection's source.

        Raises `ConnectionUnavailable` (with `retry_after`) without running the block while the
        circuit is open; otherwise counts the block's outcome and re-raises its exception.
        """
        breaker = self._breaker(connection_id)
        wait = self.retry_after(connection_id)
        if wait is not None:
            raise self.open_error(connection_id, wait)
        if breaker.current_state == pybreaker.STATE_OPEN:
            # The board's clock says the reset time is over: this call is the probe.
            breaker.half_open()
        with ExitStack() as stack:
            try:
                # `calling()` holds pybreaker's lock only while deciding, not during the block,
                # so a long sync does not serialise the connection's writes behind it.
                stack.enter_context(breaker.calling())
            except pybreaker.CircuitBreakerError:
                raise self.open_error(connection_id) from None
            yield

    def reset(self, connection_id: str) -> None:
        """Close the circuit and forget its failures (e.g. after new credentials)."""
        self._breaker(connection_id).close()

    def close(self) -> None:
        """Release the Redis connection pool, if any."""
        if self._redis is not None:
            self._redis.close()
