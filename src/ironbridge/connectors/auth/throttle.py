"""Keeping to a source's concurrency limit and waiting out its 429s, as an `httpx.Auth`.

Some systems limit how many requests one account may have open at once and answer the excess
with 429 (NetSuite: 5 to 20 per account, shared by every integration). `Throttle` wraps a
sign-in's auth: each request holds one of the account's slots while it is answered, and a 429
is waited out and the request signed and sent anew, since a signature may not be reused
(an OAuth 1.0a nonce is single-use). `shared_slots` gives every session of one account the
same slots; `throttled` builds the wrapper from a connection's own setting of how many
requests it may have open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from typing import Final

import httpx

from ironbridge import errors

__all__ = ["Throttle", "shared_slots", "throttled"]

_SLOTS: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_SLOTS_LOCK: Final = threading.Lock()


def shared_slots(account: str, size: int) -> threading.BoundedSemaphore:
    """The `size` request slots of `account`, the same object for every session in-process."""
    with _SLOTS_LOCK:
        return _SLOTS.setdefault((account, size), threading.BoundedSemaphore(size))


class Throttle(httpx.Auth):
    """`inner`'s auth, one slot per request, and up to `retries` waits on 429.

    A wait is the answer's `Retry-After` (seconds) or `first_wait` doubling per attempt; the
    last 429 is returned, for the family's error table to raise as rate limited.
    """

    requires_request_body = True

    def __init__(
        self,
        inner: httpx.Auth,
        slots: threading.BoundedSemaphore,
        *,
        sleep: Callable[[float], None],
        retries: int = 4,
        first_wait: float = 0.5,
    ) -> None:
        self.inner, self.slots, self.sleep = inner, slots, sleep
        self.retries, self.first_wait = retries, first_wait

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Run `inner`'s flow under a slot; on 429, wait and run it again."""
        for attempt in range(self.retries + 1):
            flow = self.inner.sync_auth_flow(request)
            outgoing = next(flow)
            while True:
                with self.slots:
                    response = yield outgoing
                try:
                    outgoing = flow.send(response)
                except StopIteration:
                    break
            if response.status_code != 429 or attempt == self.retries:
                return
            after = response.headers.get("Retry-After", "")
            self.sleep(float(after) if after.isdigit() else self.first_wait * 2**attempt)


def throttled(
    inner: httpx.Auth,
    account: str,
    setting: str | None,
    *,
    default: int,
    sleep: Callable[[float], None],
    field: str = "concurrency",
) -> Throttle:
    """`inner` under the slots of `account`, as many as the connection's `setting` (the auth
    field `field`; `default` when empty).

    Raises:
        errors.ValidationFailed: the setting is no whole number from 1.
    """
    size = (setting or "").strip() or str(default)
    if not size.isdigit() or int(size) < 1:
        raise errors.ValidationFailed({field: "Enter a whole number from 1."})
    return Throttle(inner, shared_slots(account, int(size)), sleep=sleep)
