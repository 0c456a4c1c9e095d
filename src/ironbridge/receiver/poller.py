"""Poll ironbridge's events API when webhooks stop arriving, and feed the events to an Inbox.

Webhooks are the fast path; this is the backstop for when they cannot reach you (a firewall
change, an expired certificate, an endpoint disabled by mistake). When no webhook has arrived
for `expected_every` seconds, the poller reads `GET /v1/events?after=<cursor>` page by page
and stores each event with `Inbox.accept_event`. An event that also arrives as a webhook is
stored once, so overlap costs nothing. The cursor lives in the inbox's database and is saved
after the events of its page are stored: a crash re-reads a page, never skips one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from .inbox import Inbox
from .verify import InvalidPayload

__all__ = ["Poller"]

logger = logging.getLogger(__name__)


class Poller:
    """Reads missed events from ironbridge's events API into an Inbox.

    ```python
    poller = Poller("https://ironbridge.example.com", admin_key, inbox, expected_every=300)
    threading.Thread(target=poller.run, daemon=True).start()
    ```

    Args:
        base_url: where ironbridge serves its API (without `/v1`).
        admin_key: the account admin key (`GET /v1/events` is a management endpoint).
        inbox: where events are stored; it also keeps the poller's cursor.
        expected_every: seconds without any webhook after which polling starts.
        types: only read events of these types (sent as `types=a,b`).
        connection_id: only read events of this connection.
        page_size: events asked for per request.
        check_every: seconds between checks in `run`; defaults to a quarter of
            `expected_every`, at most a minute.
        timeout: seconds for each HTTP request.
        client: an httpx.Client to use instead of one of the poller's own.
        clock: returns the current time in seconds since the epoch (as `time.time`); the
            quiet period is measured with it.
    """

    def __init__(
        self,
        base_url: str,
        admin_key: str,
        inbox: Inbox,
        *,
        expected_every: float,
        types: Sequence[str] | None = None,
        connection_id: str | None = None,
        page_size: int = 100,
        check_every: float | None = None,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if expected_every <= 0:
            raise ValueError("expected_every must be a positive number of seconds")
        self.base_url = base_url.rstrip("/")
        self.inbox = inbox
        self.expected_every = expected_every
        self.types = frozenset(types) if types is not None else None
        self.connection_id = connection_id
        self.page_size = page_size
        self.check_every = check_every if check_every is not None else min(expected_every / 4, 60)
        self._headers = {"Authorization": f"Bearer {admin_key}"}
        self._client = client if client is not None else httpx.Client(timeout=timeout)
        self._owns_client = client is None
        self._clock = clock
        self._last_poll: float | None = None
        self._stopping = threading.Event()

    @property
    def cursor_name(self) -> str:
        """The key of this poller's cursor in the inbox: one per server and connection."""
        return f"poller {self.base_url} {self.connection_id or '*'}"

    def is_quiet(self) -> bool:
        """Whether neither a webhook nor a poll has happened within `expected_every` seconds."""
        moments = [self._last_poll]
        last_webhook = self.inbox.last_webhook_at()
        if last_webhook is not None:
            moments.append(last_webhook.timestamp())
        latest = max((moment for moment in moments if moment is not None), default=None)
        return latest is None or self._clock() - latest >= self.expected_every

    def poll_if_quiet(self) -> int:
        """`poll` when webhooks have gone quiet; otherwise nothing. Returns events stored."""
        return self.poll() if self.is_quiet() else 0

    def poll(self) -> int:
        """Read every page of events after the saved cursor now; returns how many were new.

        Raises:
            httpx.HTTPError: the request failed or ironbridge answered with an error.
            ValueError: the answer is not an events page.
        """
        cursor = self.inbox.cursor(self.cursor_name)
        stored = 0
        while True:
            data, next_cursor = self._read_page(cursor)
            for item in data:
                stored += self._store(item)
            # No next cursor means "caught up". Keep the last one: the next poll re-reads from
            # there, and the events it sees again are duplicates the inbox drops.
            if not next_cursor or next_cursor == cursor:
                break
            cursor = next_cursor
            self.inbox.save_cursor(self.cursor_name, cursor)
            if not data:
                break
        self._last_poll = self._clock()
        if stored:
            logger.info("stored %d missed events from %s", stored, self.base_url)
        return stored

    def run(self) -> None:
        """Check every `check_every` seconds and poll when quiet, until `stop` is called.

        Failures are logged and tried again at the next check, so the loop outlives outages of
        ironbridge and of the inbox database.
        """
        while not self._stopping.is_set():
            try:
                self.poll_if_quiet()
            except Exception:
                # A backstop that dies on the first outage would be no backstop at all.
                logger.exception("polling %s failed; trying again later", self.base_url)
            self._stopping.wait(self.check_every)

    def stop(self) -> None:
        """Make `run` return after its current check."""
        self._stopping.set()

    def close(self) -> None:
        """Stop `run` and close the HTTP client the poller created."""
        self.stop()
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Poller:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _read_page(self, cursor: str | None) -> tuple[list[Any], str | None]:
        params: dict[str, str | int] = {"limit": self.page_size}
        if cursor:
            params["after"] = cursor
        if self.connection_id:
            params["connection_id"] = self.connection_id
        if self.types is not None:
            params["types"] = ",".join(sorted(self.types))
        response = self._client.get(
            f"{self.base_url}/v1/events", params=params, headers=self._headers
        )
        response.raise_for_status()
        page = response.json()
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise ValueError("GET /v1/events did not answer with {'data': [...]}")
        next_cursor = page.get("next_cursor")
        if next_cursor is not None and not isinstance(next_cursor, str):
            raise ValueError("GET /v1/events answered with a next_cursor that is not a string")
        return page["data"], next_cursor

    def _store(self, item: Any) -> int:
        # The server filters by `types` already; checking again keeps the promise even against
        # a server version that ignores the parameter.
        if self.types is not None and isinstance(item, dict) and item.get("type") not in self.types:
            return 0
        try:
            result = self.inbox.accept_event(item, source="poll")
        except InvalidPayload as exc:
            logger.warning("passed over a malformed event from %s: %s", self.base_url, exc)
            return 0
        return 0 if result.duplicate else 1
