"""Sending a `Call` over httpx with retries, and reading its answer or its error."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from .calls import Call
from .errors import error_from_response
from .retries import RetryPolicy

__all__ = ["DEFAULT_TIMEOUT", "AsyncTransport", "SyncTransport"]

T = TypeVar("T")
DEFAULT_TIMEOUT = 30.0
_USER_AGENT = "ironbridge-python"


class _Base:
    def __init__(self, api_key: str | None, retry: RetryPolicy) -> None:
        self.api_key = api_key
        self.retry = retry

    def _request(self, http: httpx.Client | httpx.AsyncClient, call: Call[Any]) -> httpx.Request:
        headers = {"User-Agent": _USER_AGENT, "Accept": "application/json", **call.headers}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if call.idempotency_key is not None:
            headers["Idempotency-Key"] = call.idempotency_key
        return http.build_request(
            call.method,
            call.path,
            params=call.params or None,
            json=call.json if call.has_body else None,
            headers=headers,
        )

    def _result(self, call: Call[T], response: httpx.Response) -> T:
        """The answer of a finished attempt, or its error raised."""
        if response.is_success:
            if call.model is None or call.model is str or not response.content:
                return call.parse(None, response.text)
            return call.parse(response.json(), response.text)
        try:
            body: Any = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        raise error_from_response(
            response.status_code,
            body,
            response.headers.get("X-Request-ID"),
            self.retry.retry_after(response),
        )

    def _wait_after_status(
        self, call: Call[Any], response: httpx.Response, attempt: int
    ) -> float | None:
        repeatable = self.retry.repeatable(call.method, call.idempotency_key)
        keyed = call.idempotency_key is not None
        code = _error_code(response) if keyed and response.status_code == 409 else None
        if not self.retry.retry_status(response.status_code, repeatable, code, keyed):
            return None
        return self.retry.delay(attempt, self.retry.retry_after(response))

    def _wait_after_error(
        self, call: Call[Any], error: httpx.TransportError, attempt: int
    ) -> float | None:
        repeatable = self.retry.repeatable(call.method, call.idempotency_key)
        if not self.retry.retry_error(error, repeatable):
            return None
        return self.retry.delay(attempt)


def _error_code(response: httpx.Response) -> str | None:
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
    return code if isinstance(code, str) else None


class SyncTransport(_Base):
    """Blocking calls on an `httpx.Client`."""

    def __init__(
        self,
        http: httpx.Client,
        api_key: str | None,
        retry: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(api_key, retry)
        self.http = http
        self.sleep = sleep

    def run(self, call: Call[T]) -> T:
        """Send `call` (again after a retryable failure) and return its answer."""
        attempt = 0
        while True:
            attempt += 1
            request = self._request(self.http, call)
            try:
                response = self.http.send(request)
            except httpx.TransportError as exc:
                wait = self._wait_after_error(call, exc, attempt)
                if wait is None:
                    raise
                self.sleep(wait)
                continue
            if not response.is_success:
                wait = self._wait_after_status(call, response, attempt)
                if wait is not None:
                    response.close()
                    self.sleep(wait)
                    continue
            return self._result(call, response)


class AsyncTransport(_Base):
    """Awaitable calls on an `httpx.AsyncClient`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_key: str | None,
        retry: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(api_key, retry)
        self.http = http
        self.sleep = sleep

    async def run(self, call: Call[T]) -> T:
        """Send `call` (again after a retryable failure) and return its answer."""
        attempt = 0
        while True:
            attempt += 1
            request = self._request(self.http, call)
            try:
                response = await self.http.send(request)
            except httpx.TransportError as exc:
                wait = self._wait_after_error(call, exc, attempt)
                if wait is None:
                    raise
                await self.sleep(wait)
                continue
            if not response.is_success:
                wait = self._wait_after_status(call, response, attempt)
                if wait is not None:
                    await response.aclose()
                    await self.sleep(wait)
                    continue
            return self._result(call, response)
