"""The receiver kit: what every service receiving ironbridge webhooks should do, done once.

- `verify` checks a Standard Webhooks signature in constant time (several secrets during a
  rotation, five minutes of clock drift) and returns the event;
- `Inbox` stores events durably (SQLite or PostgreSQL), drops duplicate event ids, and a worker
  (`Inbox.run`) processes them in (connection_id, sequence) order, skips stale updates of a
  record, and retries failing handlers with backoff without ever asking ironbridge to resend;
- `inbox_app` / `inbox_router` (ASGI: Starlette, FastAPI) and `handle_wsgi` (Flask, Django)
  answer 2xx as soon as the event is stored;
- `Poller` reads `GET /v1/events` when webhooks stop arriving.

The kit imports nothing from the rest of ironbridge, so it runs inside any Python service.
"""

from .asgi import inbox_app, inbox_router
from .inbox import AcceptResult, EventStatus, Handler, Inbox, InboxEvent, Source
from .poller import Poller
from .verify import (
    InvalidPayload,
    InvalidSignature,
    InvalidTimestamp,
    MissingHeaders,
    TimestampTooNew,
    TimestampTooOld,
    WebhookVerificationError,
    parse_event,
    verify,
)
from .wsgi import handle_wsgi

__all__ = [
    "AcceptResult",
    "EventStatus",
    "Handler",
    "Inbox",
    "InboxEvent",
    "InvalidPayload",
    "InvalidSignature",
    "InvalidTimestamp",
    "MissingHeaders",
    "Poller",
    "Source",
    "TimestampTooNew",
    "TimestampTooOld",
    "WebhookVerificationError",
    "handle_wsgi",
    "inbox_app",
    "inbox_router",
    "parse_event",
    "verify",
]
