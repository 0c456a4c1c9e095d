"""Tokens a session fetches and keeps: the cache, the header that carries them, one renewal.

`CachedToken` keeps what a fetch returned until shortly before its lifetime ends, on the
session's monotonic clock, and fetches once however many threads ask. `TokenAuth` puts the
current token on every request; `RenewOnUnauthorized` resends a request refused with 401
once, after replacing the token that was refused. An OAuth token endpoint and a family's
session login are both token fetches, so both sign in through these three.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from typing import Final

import httpx

__all__ = ["CachedToken", "Fetched", "RenewOnUnauthorized", "TokenAuth"]

#: A fetch's result: the token, and its lifetime in seconds (None: until refused).
Fetched = tuple[str, float | None]

# A token is renewed this long before it expires (at most half its life), so a request never
# sets out with a token that expires on the way.
_RENEW_BEFORE: Final = 30.0


class CachedToken:
    """A token from `fetch`, kept until shortly before it expires or until it is refused.

    Args:
        fetch: gets a new token and its lifetime; raises the taxonomy's errors when it cannot.
        clock: monotonic seconds (the session's `SessionOptions.clock`).
        close: releases what `fetch` holds (its HTTP client), when the session closes.
    """

    def __init__(
        self,
        fetch: Callable[[], Fetched],
        *,
        clock: Callable[[], float],
        close: Callable[[], None] | None = None,
    ) -> None:
        self._fetch_token = fetch
        self._clock = clock
        self._close = close
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at: float | None = None

    def token(self) -> str:
        """A token valid for a while yet: the cached one, or a new one."""
        with self._lock:
            if self._token is not None and (
                self._renew_at is None or self._clock() < self._renew_at
            ):
                return self._token
            return self._fetch()

    def renew(self, refused: str | None) -> str:
        """A new token after the source refused `refused`; one fetch however many threads ask."""
        with self._lock:
            if self._token is not None and self._token != refused:
                return self._token  # another request renewed it meanwhile
            return self._fetch()

    @property
    def held(self) -> str | None:
        """The token held now, without fetching one (None when none is held)."""
        return self._token

    def forget(self) -> None:
        """Drop the token; the next request fetches a new one."""
        with self._lock:
            self._token = None

    def close(self) -> None:
        """Forget the token and release what fetching it holds."""
        self.forget()
        if self._close is not None:
            self._close()

    def _fetch(self) -> str:
        self._token = None
        token, lifetime = self._fetch_token()
        self._renew_at = (
            None
            if lifetime is None
            else self._clock() + lifetime - min(_RENEW_BEFORE, lifetime / 2)
        )
        self._token = token
        return token


class TokenAuth(httpx.Auth):
    """`<header>: <prefix><token>` from a `CachedToken` on every request.

    Args:
        source: where the token comes from.
        header: the header that carries it (`Authorization`).
        prefix: what precedes it there (`Bearer `, Tryton's `Session `).
    """

    def __init__(
        self, source: CachedToken, *, header: str = "Authorization", prefix: str = "Bearer "
    ) -> None:
        self.source = source
        self._header = header
        self._prefix = prefix

    def headers(self) -> dict[str, str]:
        """The header that carries the token held now; empty when none is held."""
        token = self.source.held
        return {} if token is None else {self._header: f"{self._prefix}{token}"}

    def sent(self, request: httpx.Request) -> str | None:
        """The token `request` carried, as this auth wrote it."""
        value = request.headers.get(self._header)
        return None if value is None else value.removeprefix(self._prefix)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the current token."""
        request.headers[self._header] = f"{self._prefix}{self.source.token()}"
        yield request


class RenewOnUnauthorized(httpx.Auth):
    """Runs `inner`; when the answer is 401, renews the token and runs `inner` once more.

    It wraps the whole inner flow (a family's CSRF exchange included), so the resend carries
    a fresh token and whatever the family fetched under it. A second 401 is the source's final
    word, and reaches the caller as it came.
    """

    def __init__(self, inner: httpx.Auth, tokens: TokenAuth) -> None:
        self._inner = inner
        self._tokens = tokens
        self.requires_request_body = inner.requires_request_body
        self.requires_response_body = inner.requires_response_body

    def _run(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, httpx.Response]:
        flow = self._inner.sync_auth_flow(request)
        outgoing = next(flow)
        while True:
            response = yield outgoing
            try:
                outgoing = flow.send(response)
            except StopIteration:
                return response

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send through `inner`; on 401, once more with a new token."""
        response = yield from self._run(request)
        if response.status_code != 401:
            return
        # The inner flow wrote the token it sent onto the request.
        self._tokens.source.renew(self._tokens.sent(request))
        yield from self._run(request)
