"""Request budgets, in this process or on Redis (through the `limits` library, to share nodes):
per credential, and for failed authentication per client address.

A moving window counts the requests of the last 60 seconds at every moment, so a budget of
100 a minute never lets more than 100 through in any 60 seconds; a fixed window would let
up to twice that through across the turn of a minute.

In process the windows are our own (`MovingWindows`): `limits`' memory storage inserted each
request at the front of a list of objects and expired them from a timer thread it started
anew every 10 ms, which under load cost more than the rest of the limiter.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import cast

from limits import RateLimitItemPerMinute
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

__all__ = ["MovingWindows", "RateDecision", "RateLimiter"]

_MINUTE = 60.0


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    #: Seconds until the oldest counted request leaves the window (one more is allowed then).
    reset_after: int

    def headers(self) -> dict[str, str]:
        """The `RateLimit-*` headers describing this decision."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after),
        }


class MovingWindows:
    """Moving one-minute windows in this process: per key, the times of the requests counted
    in the last minute, oldest first. Thread-safe; expired times go as their key is next used,
    and keys idle for a minute in a sweep at most once a minute."""

    def __init__(self) -> None:
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = time.time()

    def hit(self, key: str, limit: int) -> tuple[bool, float, int]:
        """Count one request for `key` if fewer than `limit` are in its window; whether it
        was, when the window's oldest counted request was made, and how many are counted."""
        with self._lock:
            now = time.time()
            times = self._live(key, now)
            allowed = len(times) < limit
            if allowed:
                times.append(now)
            return allowed, times[0] if times else now, len(times)

    def peek(self, key: str) -> tuple[float, int]:
        """When the oldest request counted for `key` was made, and how many are counted."""
        with self._lock:
            now = time.time()
            times = self._live(key, now)
            return (times[0] if times else now), len(times)

    def _live(self, key: str, now: float) -> deque[float]:
        if now - self._swept > _MINUTE:
            self._swept = now
            idle = [k for k, t in self._times.items() if not t or t[-1] < now - _MINUTE]
            for k in idle:
                del self._times[k]
        times = self._times.setdefault(key, deque())
        while times and times[0] < now - _MINUTE:
            times.popleft()
        return times

    def reset(self) -> None:
        with self._lock:
            self._times.clear()


class RateLimiter:
    """Moving one-minute windows per key, in this process (`memory://`) or on Redis (one
    sorted list per key)."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        self._windows: MovingWindows | None = None
        self.storage: Storage | None = None
        if storage_uri == "memory://":
            self._windows = MovingWindows()
        else:
            self.storage = cast(Storage, storage_from_string(storage_uri))
            self._limiter = MovingWindowRateLimiter(self.storage)

    @classmethod
    def for_redis(cls, redis_url: str | None) -> RateLimiter:
        return cls(redis_url if redis_url else "memory://")

    def hit(self, key: str, per_minute: int) -> RateDecision:
        """Count one request for `key` against `per_minute`."""
        if self._windows is not None:
            allowed, oldest, count = self._windows.hit(key, per_minute)
            return _decided(allowed, per_minute, oldest, count)
        item = RateLimitItemPerMinute(per_minute)
        allowed = self._limiter.hit(item, "ironbridge", key)
        return self._decision(item, key, allowed)

    def peek(self, key: str, per_minute: int) -> RateDecision:
        """Whether one more request for `key` would be allowed, without counting it."""
        if self._windows is not None:
            oldest, count = self._windows.peek(key)
            return _decided(count < per_minute, per_minute, oldest, count)
        item = RateLimitItemPerMinute(per_minute)
        return self._decision(item, key, None)

    def _decision(
        self, item: RateLimitItemPerMinute, key: str, allowed: bool | None
    ) -> RateDecision:
        stats = self._limiter.get_window_stats(item, "ironbridge", key)
        reset_after = max(1, math.ceil(stats.reset_time - time.time()))
        return RateDecision(
            allowed=stats.remaining > 0 if allowed is None else allowed,
            limit=item.amount,
            remaining=max(0, stats.remaining),
            reset_after=reset_after,
        )

    def reset(self) -> None:
        """Forget every counter (tests and operators)."""
        if self._windows is not None:
            self._windows.reset()
        elif self.storage is not None:
            self.storage.reset()


def _decided(allowed: bool, limit: int, oldest: float, count: int) -> RateDecision:
    """The decision on a window whose oldest counted request was at `oldest`."""
    return RateDecision(
        allowed=allowed,
        limit=limit,
        remaining=max(0, limit - count),
        reset_after=max(1, math.ceil(oldest + _MINUTE - time.time())),
    )
