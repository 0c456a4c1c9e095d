"""When to send a request again, and how long to wait first.

A request is retried after a connection error, 408, 429 or a 5xx, with exponential backoff and
full jitter, or after exactly the `Retry-After` the server asked for. Only requests that are safe
to repeat are retried: reads, deletes, and writes carrying an `Idempotency-Key` the server
honours. Two failures are safe for any request: a connection that was never opened, and a 429
(the server refused the request before handling it). A keyed write is also retried after the
409 `CONFLICT` that means the first request with its key is still running.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import httpx

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy"]

#: Statuses worth another attempt: timeouts, rate limits and server-side failures.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Connection errors raised before any byte of the request left: repeating cannot duplicate.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how patiently to retry.

    Attributes:
        max_retries: attempts after the first; 0 turns retries off.
        backoff: the first wait in seconds; each further wait may double, up to `max_backoff`.
        max_backoff: the longest computed wait.
        max_retry_after: the longest `Retry-After` honoured; a longer one raises at once.
        random: a number in [0, 1) for the jitter (injectable for tests).
        clock: Unix seconds now, to read a `Retry-After` given as an HTTP date.
    """

    max_retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    random: Callable[[], float] = field(default=random.random, repr=False)
    clock: Callable[[], float] = field(default=time.time, repr=False)

    def repeatable(self, method: str, idempotency_key: str | None) -> bool:
        """Whether sending this request twice cannot do its work twice."""
        return method.upper() in _SAFE_METHODS or idempotency_key is not None

    def retry_status(
        self, status: int, repeatable: bool, code: str | None = None, keyed: bool = False
    ) -> bool:
        """Whether an answer with `status` (and error `code`) deserves another attempt.

        A keyed write answered 409 `CONFLICT` meets the first request with its key still at
        work; once that one finishes, the same key replays its answer.
        """
        if keyed and status == 409 and code == "CONFLICT":
            return True
        return status in RETRYABLE_STATUSES and (repeatable or status == 429)

    def retry_error(self, error: httpx.TransportError, repeatable: bool) -> bool:
        """Whether a connection error deserves another attempt."""
        return repeatable or isinstance(error, _NOT_SENT)

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before retry number `attempt` (1-based); None means give up."""
        if attempt > self.max_retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return ceiling * self.random()

    def retry_after(self, response: httpx.Response) -> float | None:
        """The `Retry-After` of `response` in seconds (delta or HTTP date), if it has one."""
        value = response.headers.get("Retry-After")
        if value is None:
            return None
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - self.clock())
