"""A minimal integrator backend for the connect flow, using only the standard library.

It serves `index.html` and two JSON endpoints the page calls:

- `POST /api/link-token` creates a link token with the ironbridge admin key and returns the
  connect URL (the admin key never leaves this process);
- `POST /api/exchange` exchanges the public token the flow handed to the page for the
  connection token, keeps that token here, and returns only the connection id.

Run it beside an ironbridge server:

    IRONBRIDGE_URL=http://127.0.0.1:8080 IRONBRIDGE_ADMIN_KEY=ib_admin_… \
        python examples/connect/server.py --port 8000

then open http://127.0.0.1:8000 and click "Connect your system".
"""

from __future__ import annotations

import argparse
import json
import os
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

PAGE = Path(__file__).with_name("index.html")


class IntegratorBackend(ThreadingHTTPServer):
    """The example backend: where connection tokens live once exchanged."""

    def __init__(self, address: tuple[str, int], ironbridge_url: str, admin_key: str) -> None:
        super().__init__(address, _Handler)
        if not ironbridge_url.startswith(("http://", "https://")):
            raise ValueError("IRONBRIDGE_URL must be an http(s) URL")
        self.ironbridge_url = ironbridge_url.rstrip("/")
        self.admin_key = admin_key
        #: connection id -> connection token; a real app stores these in its database.
        self.connection_tokens: dict[str, str] = {}

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` to the ironbridge management API with the admin key."""
        request = Request(  # noqa: S310 (an http(s) URL, checked in __init__)
            f"{self.ironbridge_url}{path}",
            data=json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self.admin_key}",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        with urlopen(request, timeout=30) as response:  # noqa: S310 (as above)
            result: dict[str, Any] = json.loads(response.read())
            return result


class _Handler(BaseHTTPRequestHandler):
    server: IntegratorBackend

    def do_GET(self) -> None:
        if self.path not in {"/", "/index.html"}:
            self._send(404, b"not found", "text/plain")
            return
        page = PAGE.read_text().replace("{{IRONBRIDGE_URL}}", self.server.ironbridge_url)
        self._send(200, page.encode(), "text/html; charset=utf-8")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        try:
            if self.path == "/api/link-token":
                # Your own id for the customer; here a fresh one per click.
                created = self.server.call(
                    "/v1/link-tokens",
                    {
                        "end_customer_id": f"customer-{uuid.uuid4().hex[:8]}",
                        "end_customer_name": str(body.get("end_customer_name") or "Customer"),
                    },
                )
                self._json(200, {"connect_url": created["connect_url"]})
            elif self.path == "/api/exchange":
                exchanged = self.server.call(
                    "/v1/link-tokens/exchange", {"public_token": body.get("public_token")}
                )
                connection = exchanged["connection"]
                self.server.connection_tokens[exchanged["connection_id"]] = exchanged[
                    "connection_token"
                ]
                self._json(
                    200,
                    {"connection_id": exchanged["connection_id"], "system": connection["system"]},
                )
            else:
                self._json(404, {"error": "not found"})
        except HTTPError as error:
            self._json(502, {"error": json.loads(error.read() or b"{}")})

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    backend = IntegratorBackend(
        ("127.0.0.1", args.port),
        os.environ.get("IRONBRIDGE_URL", "http://127.0.0.1:8080"),
        os.environ["IRONBRIDGE_ADMIN_KEY"],
    )
    print(f"Example integrator page: http://127.0.0.1:{args.port}")
    backend.serve_forever()


if __name__ == "__main__":
    main()
