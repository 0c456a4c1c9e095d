"""The HTTP answer to one webhook request, shared by the ASGI and WSGI adapters.

The answer depends only on the request: 200 once the event is stored (new or a duplicate),
400 when it fails verification, 413 when it is too large, 503 when the inbox's database is
unavailable. How processing goes later never changes it, so a failing handler cannot make
ironbridge retry a delivery that already arrived.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from .inbox import Inbox
from .verify import WebhookVerificationError, verify

logger = logging.getLogger(__name__)

#: Seconds ironbridge is asked to wait before resending while the inbox database is down.
RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Answer:
    """A finished HTTP response: status, JSON body and extra headers."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def status_line(self) -> str:
        """`"200 OK"`, as WSGI's `start_response` wants it."""
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def receive(
    inbox: Inbox,
    secrets: str | Sequence[str],
    body: bytes,
    headers: Mapping[str, str],
    tolerance: int,
) -> Answer:
    """Verify the request, store its event, and say what to answer. Does blocking I/O."""
    try:
        event = verify(body, headers, secrets, tolerance)
    except WebhookVerificationError as exc:
        logger.warning("rejected a webhook (%s): %s", exc.code, exc)
        return _error(HTTPStatus.BAD_REQUEST, exc.code, str(exc))
    try:
        result = inbox.accept_event(event, raw=body, source="webhook")
    except SQLAlchemyError:
        logger.exception("could not store webhook %s", event["id"])
        return _error(
            HTTPStatus.SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "the webhook could not be stored; send it again later",
            headers=(("retry-after", str(RETRY_AFTER_SECONDS)),),
        )
    status = "duplicate" if result.duplicate else "accepted"
    return _json(HTTPStatus.OK, {"id": result.event_id, "status": status})


def too_large(limit: int) -> Answer:
    """The 413 answer for a body over `limit` bytes."""
    return _error(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large", f"bodies over {limit} bytes"
    )


def _error(
    status: HTTPStatus, code: str, message: str, *, headers: tuple[tuple[str, str], ...] = ()
) -> Answer:
    return _json(status, {"error": {"code": code, "message": message}}, headers=headers)


def _json(
    status: HTTPStatus, content: dict[str, Any], *, headers: tuple[tuple[str, str], ...] = ()
) -> Answer:
    body = json.dumps(content, separators=(",", ":")).encode()
    return Answer(int(status), body, (("content-type", "application/json"), *headers))
