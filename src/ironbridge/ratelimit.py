"""Request budgets, in this process or on Redis (to share them between nodes): per credential,
and for failed authentication per client address.

A moving window counts the requests of the last 60 seconds at every moment, so a budget of
100 a minute never lets more than 100 through in any 60 seconds; a fixed window would let
up to twice that through across the turn of a minute.

Both kinds of windows are our own. In process (`MovingWindows`): `limits`' memory storage
inserted each request at the front of a list of objects and expired them from a timer thread
it started anew every 10 ms, which under load cost more than the rest of the limiter. On Redis
(`RedisWindows`): counting a request and reading what the `RateLimit-*` headers need took
`limits` two round trips (and peeking a third), on every authenticated request; one Lua script
per decision does either in one.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

from redis import Redis

__all__ = ["MovingWindows", "RateDecision", "RateLimiter", "RedisWindows"]

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
            return self._hit(key, limit, time.time())

    def peek(self, key: str) -> tuple[float, int]:
        """When the oldest request counted for `key` was made, and how many are counted."""
        with self._lock:
            return self._seen(key, time.time())

    def hit_unless(
        self, guard: str, guard_limit: int, key: str, limit: int
    ) -> tuple[tuple[float, int], tuple[bool, float, int] | None]:
        """`peek(guard)`, and unless `guard` holds `guard_limit` requests already, `hit(key,
        limit)` (else None: nothing counted), as one decision."""
        with self._lock:
            now = time.time()
            seen = self._seen(guard, now)
            return seen, None if seen[1] >= guard_limit else self._hit(key, limit, now)

    def _hit(self, key: str, limit: int, now: float) -> tuple[bool, float, int]:
        times = self._live(key, now)
        allowed = len(times) < limit
        if allowed:
            times.append(now)
        return allowed, times[0] if times else now, len(times)

    def _seen(self, key: str, now: float) -> tuple[float, int]:
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


class Windows(Protocol):
    """Moving one-minute windows per key (`MovingWindows`, `RedisWindows`)."""

    def hit(self, key: str, limit: int) -> tuple[bool, float, int]: ...

    def peek(self, key: str) -> tuple[float, int]: ...

    def hit_unless(
        self, guard: str, guard_limit: int, key: str, limit: int
    ) -> tuple[tuple[float, int], tuple[bool, float, int] | None]: ...

    def reset(self) -> None: ...


#: For each key, expires its times older than a minute. With a guard (two keys), stops there
#: when the guard holds ARGV[2] times. Then, counting (ARGV[4] = "1"), adds this request's
#: time (member ARGV[5]) to the last key if it holds fewer than ARGV[3]. Answers, per key, its
#: window's oldest time (as text: Lua numbers come back as integers) and how many it holds,
#: then whether the time was added (-1: the guard stopped it).
_WINDOW_SCRIPT = """
local now = tonumber(ARGV[1])
local answer = {}
local function window(key)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - 60))
  local count = redis.call('ZCARD', key)
  table.insert(answer, redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2] or ARGV[1])
  table.insert(answer, count)
  return count
end
if #KEYS == 2 and window(KEYS[1]) >= tonumber(ARGV[2]) then
  table.insert(answer, -1)
  return answer
end
local key = KEYS[#KEYS]
local count = window(key)
local added = 0
if ARGV[4] == '1' and count < tonumber(ARGV[3]) then
  redis.call('ZADD', key, now, ARGV[5])
  redis.call('PEXPIRE', key, 60000)
  answer[#answer] = count + 1
  added = 1
end
table.insert(answer, added)
return answer
"""


class RedisWindows:
    """Moving one-minute windows on Redis, shared by every node: per key a sorted set of the
    request times counted in the last minute (each a member of its own), expiring with the
    key's last use. One round trip per decision (`hit`, `peek`, `hit_unless`), taken atomically
    in Redis.

    Times are the nodes' clocks (as `limits` had them), so they should agree within a second.
    """

    _PREFIX = "ironbridge:rate:"

    def __init__(self, url: str) -> None:
        # A Redis that stops answering fails the request within seconds rather than holding it.
        self._redis: Redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._script: Any = self._redis.register_script(_WINDOW_SCRIPT)

    def _run(self, keys: list[str], guard_limit: int, limit: int, count: bool) -> list[Any]:
        now = time.time()
        # Distinct members, so requests made in the same microsecond are each counted.
        member = f"{now:.6f}:{os.urandom(6).hex()}"
        args = [repr(now), guard_limit, limit, "1" if count else "0", member]
        answer: list[Any] = self._script(keys=[self._PREFIX + key for key in keys], args=args)
        return answer

    def hit(self, key: str, limit: int) -> tuple[bool, float, int]:
        """As `MovingWindows.hit`."""
        oldest, held, added = self._run([key], 0, limit, True)
        return added == 1, float(oldest), int(held)

    def peek(self, key: str) -> tuple[float, int]:
        """As `MovingWindows.peek`."""
        oldest, held, _ = self._run([key], 0, 0, False)
        return float(oldest), int(held)

    def hit_unless(
        self, guard: str, guard_limit: int, key: str, limit: int
    ) -> tuple[tuple[float, int], tuple[bool, float, int] | None]:
        """As `MovingWindows.hit_unless`, in one round trip."""
        answer = self._run([guard, key], guard_limit, limit, True)
        seen = float(answer[0]), int(answer[1])
        if answer[-1] == -1:
            return seen, None
        return seen, (answer[4] == 1, float(answer[2]), int(answer[3]))

    def reset(self) -> None:
        """Forget every window (tests and operators)."""
        names = list(self._redis.scan_iter(match=self._PREFIX + "*", count=1000))
        for start in range(0, len(names), 1000):
            self._redis.delete(*names[start : start + 1000])


class RateLimiter:
    """Moving one-minute windows per key, in this process (`memory://`) or on Redis (a
    `redis://` URL: shared by every node using it)."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        self._windows: Windows
        if storage_uri == "memory://":
            self._windows, self._shared = MovingWindows(), False
        else:
            self._windows, self._shared = RedisWindows(storage_uri), True
        #: On Redis, keys this node saw refused, and until when (`refused_lately`).
        self._refused: dict[str, float] = {}

    @classmethod
    def for_redis(cls, redis_url: str | None) -> RateLimiter:
        return cls(redis_url if redis_url else "memory://")

    def hit(self, key: str, per_minute: int) -> RateDecision:
        """Count one request for `key` against `per_minute`."""
        allowed, oldest, count = self._windows.hit(key, per_minute)
        return self._noted(key, _decided(allowed, per_minute, oldest, count))

    def peek(self, key: str, per_minute: int) -> RateDecision:
        """Whether one more request for `key` would be allowed, without counting it."""
        oldest, count = self._windows.peek(key)
        return self._noted(key, _decided(count < per_minute, per_minute, oldest, count))

    def hit_unless(
        self, guard: str, guard_limit: int, key: str, per_minute: int
    ) -> tuple[RateDecision, RateDecision | None]:
        """As `peek(guard, guard_limit)`, then, unless that refuses, `hit(key, per_minute)`
        (else None: nothing counted); one round trip on Redis."""
        (oldest, count), counted = self._windows.hit_unless(guard, guard_limit, key, per_minute)
        seen = self._noted(guard, _decided(count < guard_limit, guard_limit, oldest, count))
        if counted is None:
            return seen, None
        allowed, oldest, count = counted
        return seen, self._noted(key, _decided(allowed, per_minute, oldest, count))

    def refused_lately(self, key: str, per_minute: int) -> RateDecision | None:
        """The refusal `key` is under, if any, as far as this node can tell without asking
        anyone: in process that is exactly `peek`; on Redis, a refusal this node saw for it
        that still holds (another node's are learnt at the next decision on the key)."""
        if not self._shared:
            decision = self.peek(key, per_minute)
            return None if decision.allowed else decision
        until = self._refused.get(key)
        if until is None:
            return None
        if until <= time.time():
            self._refused.pop(key, None)
            return None
        left = max(1, math.ceil(until - time.time()))
        return RateDecision(allowed=False, limit=per_minute, remaining=0, reset_after=left)

    def _noted(self, key: str, decision: RateDecision) -> RateDecision:
        if self._shared and not decision.allowed:
            if len(self._refused) > 10_000:  # bounded: forget those that have run out
                now = time.time()
                self._refused = {k: t for k, t in self._refused.items() if t > now}
            self._refused[key] = time.time() + decision.reset_after
        return decision

    def reset(self) -> None:
        """Forget every counter (tests and operators)."""
        self._refused.clear()
        self._windows.reset()


def _decided(allowed: bool, limit: int, oldest: float, count: int) -> RateDecision:
    """The decision on a window whose oldest counted request was at `oldest`."""
    return RateDecision(
        allowed=allowed,
        limit=limit,
        remaining=max(0, limit - count),
        reset_after=max(1, math.ceil(oldest + _MINUTE - time.time())),
    )
