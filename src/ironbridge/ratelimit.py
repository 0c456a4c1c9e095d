"""Request budgets on the `limits` library (memory, or Redis to share nodes): per credential,
and for failed authentication per client address.

A moving window counts the requests of the last 60 seconds at every moment, so a budget of
100 a minute never lets more than 100 through in any 60 seconds; a fixed window would let
up to twice that through across the turn of a minute.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import cast

from limits import RateLimitItemPerMinute
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

__all__ = ["RateDecision", "RateLimiter"]


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


class RateLimiter:
    """Moving one-minute windows per key, in memory or on Redis (one sorted list per key)."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        self.storage = cast(Storage, storage_from_string(storage_uri))
        self._limiter = MovingWindowRateLimiter(self.storage)

    @classmethod
    def for_redis(cls, redis_url: str | None) -> RateLimiter:
        return cls(redis_url if redis_url else "memory://")

    def hit(self, key: str, per_minute: int) -> RateDecision:
        """Count one request for `key` against `per_minute`."""
        item = RateLimitItemPerMinute(per_minute)
        allowed = self._limiter.hit(item, "ironbridge", key)
        return self._decision(item, key, allowed)

    def peek(self, key: str, per_minute: int) -> RateDecision:
        """Whether one more request for `key` would be allowed, without counting it."""
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
        self.storage.reset()
