"""Per-credential request budgets on the `limits` library (memory, or Redis to share nodes)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import cast

from limits import RateLimitItemPerMinute
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

__all__ = ["RateDecision", "RateLimiter"]


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    #: Seconds until the window resets.
    reset_after: int

    def headers(self) -> dict[str, str]:
        """The `RateLimit-*` headers describing this decision."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after),
        }


class RateLimiter:
    """Fixed one-minute windows per key: one counter increment per request, also on Redis."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        self.storage = cast(Storage, storage_from_string(storage_uri))
        self._limiter = FixedWindowRateLimiter(self.storage)

    @classmethod
    def for_redis(cls, redis_url: str | None) -> RateLimiter:
        return cls(redis_url if redis_url else "memory://")

    def hit(self, key: str, per_minute: int) -> RateDecision:
        """Count one request for `key` against `per_minute`."""
        item = RateLimitItemPerMinute(per_minute)
        allowed = self._limiter.hit(item, "ironbridge", key)
        stats = self._limiter.get_window_stats(item, "ironbridge", key)
        reset_after = max(1, math.ceil(stats.reset_time - time.time()))
        return RateDecision(
            allowed=allowed,
            limit=per_minute,
            remaining=max(0, stats.remaining),
            reset_after=reset_after,
        )

    def reset(self) -> None:
        """Forget every counter (tests and operators)."""
        self.storage.reset()
