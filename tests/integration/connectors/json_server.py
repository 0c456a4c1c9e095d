"""A JSON HTTP server on 127.0.0.1 for protocol-family tests (`ironbridge.testing.json_server`
underneath): one answer function, and a log of every request it saw."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ironbridge.testing.json_server import serve_json


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class Answer:
    """What the server answers: a status, a JSON body (None: no body) and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Seen], Answer]


@dataclass
class JsonServer:
    """A running server: its base URL, the answer function, and what it received."""

    url: str
    handler: Handler
    seen: list[Seen] = field(default_factory=list)


@contextmanager
def json_server(handler: Handler | None = None) -> Iterator[JsonServer]:
    """Serve `handler` (404 for everything when None) on a free port until the block ends."""
    state = JsonServer("", handler or (lambda _seen: Answer(404)))

    class _Service:
        def handle(
            self, method: str, target: str, headers: Mapping[str, str], body: bytes
        ) -> tuple[int, dict[str, str], Any]:
            parts = urlsplit(target)
            seen = Seen(
                method,
                parts.path,
                dict(parse_qsl(parts.query, keep_blank_values=True)),
                dict(headers),
                json.loads(body) if body else None,
            )
            state.seen.append(seen)
            answer = state.handler(seen)
            return answer.status, answer.headers, answer.body

    served = serve_json(_Service(), name="json-server")
    state.url = f"{served.origin}/"
    try:
        yield state
    finally:
        served.stop()
