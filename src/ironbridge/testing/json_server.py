"""Serving a plain-Python JSON service over real HTTP on 127.0.0.1, in a background thread.

For services written without a web framework: the object served answers one request at a time
through `handle(method, target, headers, body)` with (status, headers, JSON body or None), and
this module does the HTTP (the standard library's threaded server).

    served = serve_json(service, name="odata-v4-service")
    ...  # requests to served.origin
    served.stop()
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final, Protocol

__all__ = ["LOOPBACK", "Answer", "JsonService", "ServedJson", "serve_json"]

#: Test servers listen on the loopback interface only: they hold sample data and known passwords.
LOOPBACK: Final = "127.0.0.1"
#: How often the server thread looks for `stop`: short, so stopping returns at once.
_POLL: Final = 0.01
#: An answer: status, extra headers, and the JSON body (None for no body).
Answer = tuple[int, dict[str, str], Any]


class JsonService(Protocol):
    """What `serve_json` serves."""

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
        """Answer one request; `target` is the path with its query, `headers` lower-cased."""
        ...


class _Handler(BaseHTTPRequestHandler):
    service: JsonService

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, extra, payload = self.service.handle(self.command, self.path, headers, body)
        content = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        if payload is not None:
            # The services served speak OData v4 JSON; a plain JSON client reads the type alone.
            self.send_header("Content-Type", "application/json; odata.metadata=minimal")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: services keep their own record of the requests they saw."""


@dataclass
class ServedJson:
    """A service being served: its origin (`http://127.0.0.1:<port>`) and the means to stop."""

    origin: str
    _server: ThreadingHTTPServer
    _thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and wait for the server thread; safe to call twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()


def serve_json(
    service: JsonService, *, name: str, port: int = 0, keep_alive: bool = False
) -> ServedJson:
    """Serve `service` on 127.0.0.1 and return once it listens.

    Args:
        service: what answers the requests.
        name: the server thread's name.
        port: the TCP port; 0 picks a free one (see `ServedJson.origin`).
        keep_alive: answer as HTTP/1.1, keeping connections open between requests (HTTP/1.0,
            one request a connection, otherwise).
    """
    protocol = "HTTP/1.1" if keep_alive else "HTTP/1.0"
    handler = type("Handler", (_Handler,), {"service": service, "protocol_version": protocol})
    server = ThreadingHTTPServer((LOOPBACK, port), handler)
    thread = threading.Thread(target=server.serve_forever, args=(_POLL,), name=name, daemon=True)
    thread.start()
    return ServedJson(f"http://{LOOPBACK}:{server.server_address[1]}", server, thread)
