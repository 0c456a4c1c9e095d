"""`Idempotency-Key` at the HTTP edge: the header, and a write answered at most once per key."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Request, Response

from ..bootstrap import Container
from ..idempotency import KEY_PATTERN, request_fingerprint, run_idempotent
from .errors import request_id_of

__all__ = ["IdempotencyKey", "idempotent_response"]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=KEY_PATTERN,
        description=(
            "Repeat a write safely: the same key and body within 24 h returns the first response "
            "(status and body, with `Idempotent-Replayed: true`) without writing again; the same "
            "key with another body is 409 `IDEMPOTENCY_KEY_REUSED`."
        ),
    ),
]


def idempotent_response(
    request: Request,
    container: Container,
    scope: str,
    key: str | None,
    body: Any,
    status: int,
    action: Callable[[], Any],
    *,
    holds_secrets: bool = False,
) -> Response:
    """Run `action` (returning the JSON-able answer) at most once per `key` in `scope`.

    `holds_secrets` says the request or the answer carries a secret (source credentials, a
    token shown once): the stored answer is then encrypted and the request's fingerprint keyed.
    """
    cipher = container.cipher if holds_secrets else None
    fingerprint = request_fingerprint(request.method, request.url.path, body, cipher=cipher)

    def run() -> tuple[int, str]:
        return status, json.dumps(action(), separators=(",", ":"), default=str)

    stored = run_idempotent(container.uow, scope, key, fingerprint, run, cipher=cipher)
    text = stored.body
    if stored.replayed and stored.status_code >= 400:
        error = json.loads(text)
        error["error"]["request_id"] = request_id_of(request)
        text = json.dumps(error)
    response = Response(text, status_code=stored.status_code, media_type="application/json")
    if stored.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
