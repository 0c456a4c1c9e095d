"""Receive ironbridge webhooks in a WSGI service (Flask, Django, Bottle, plain WSGI).

`handle_wsgi` returns a plain WSGI application, so nothing beyond the standard library is
needed. Mount it in Flask in either of two ways:

```python
receiver = handle_wsgi(inbox, secrets)

# 1. As a view: Flask runs a WSGI callable returned by a view as the response.
@app.post("/webhooks")
def webhooks():
    return receiver

# 2. As a mounted application, beside the Flask app:
from werkzeug.middleware.dispatcher import DispatcherMiddleware
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/webhooks": receiver})
```

In Django, route a path to a view that returns `HttpResponse` built from the same parts, or
mount the callable in front of Django's WSGI handler in `wsgi.py` the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from . import _http
from ._constants import DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE
from .inbox import Inbox
from .verify import _secret_keys

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["handle_wsgi"]


def handle_wsgi(
    inbox: Inbox,
    secrets: str | Sequence[str],
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    tolerance: int = DEFAULT_TOLERANCE,
) -> WSGIApplication:
    """A WSGI application that accepts signed webhooks (`POST`, any path) into `inbox`.

    Answers as `inbox_app` does: 200 once stored (new or duplicate), 400 when verification
    fails, 413 for a body over `max_body_bytes`, 411 for a body of unknown length the server
    cannot bound, 405 for other methods, 503 while the inbox's database is down.

    Raises:
        ValueError: a secret is malformed (found now, not at the first request).
    """
    _secret_keys(secrets)

    def receive_webhook(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            answer = _http.Answer(405, b"", (("allow", "POST"),))
        else:
            body = _read_body(environ, max_body_bytes)
            if isinstance(body, _http.Answer):
                answer = body
            else:
                answer = _http.receive(inbox, secrets, body, _headers(environ), tolerance)
        start_response(
            answer.status_line,
            [*answer.headers, ("content-length", str(len(answer.body)))],
        )
        return [answer.body]

    return receive_webhook


def _read_body(environ: WSGIEnvironment, limit: int) -> bytes | _http.Answer:
    """The body, or the answer refusing it (413 too large, 411 length unknown)."""
    stream = environ["wsgi.input"]
    declared = str(environ.get("CONTENT_LENGTH") or "")
    if declared.isdigit():
        if int(declared) > limit:
            return _http.too_large(limit)
        return bytes(stream.read(int(declared)))
    # PEP 3333 lets an application read past CONTENT_LENGTH only when the server says the
    # stream ends by itself (chunked requests); otherwise the read could block forever.
    if not environ.get("wsgi.input_terminated"):
        return _http.Answer(411, b"")
    body = bytes(stream.read(limit + 1))
    return _http.too_large(limit) if len(body) > limit else body


def _headers(environ: WSGIEnvironment) -> dict[str, str]:
    """The request headers by lower-case name; WSGI spells them `HTTP_WEBHOOK_ID`."""
    return {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
