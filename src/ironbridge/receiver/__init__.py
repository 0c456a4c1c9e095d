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

# Module names are private here: every public name of the package is in `__all__`.
import importlib as _importlib
import typing as _typing

# The verifier needs only the standard library and is imported here; the rest is imported on
# first use, so `ironbridge.client.webhooks.verify` loads neither SQLAlchemy nor Starlette.
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

if _typing.TYPE_CHECKING:
    from .asgi import inbox_app, inbox_router
    from .inbox import AcceptResult, EventStatus, Handler, Inbox, InboxEvent, Source
    from .poller import Poller
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

#: The names imported on first use, by the module that defines them.
_LAZY = {
    "AcceptResult": "inbox",
    "EventStatus": "inbox",
    "Handler": "inbox",
    "Inbox": "inbox",
    "InboxEvent": "inbox",
    "Source": "inbox",
    "Poller": "poller",
    "inbox_app": "asgi",
    "inbox_router": "asgi",
    "handle_wsgi": "wsgi",
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
