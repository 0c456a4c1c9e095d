"""What `ironbridge serve` writes to stderr: one JSON object per line, from our code and from
every library (uvicorn, huey, httpx), with no credential of a webhook URL in clear."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..waiting import wait_for
from .conftest import free_port


class _Hook(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return None


@pytest.fixture
def hook() -> Iterator[tuple[int, list[str]]]:
    received: list[str] = []
    handler = type("Hook", (_Hook,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


def _json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not a JSON log line: {line!r}") from None
    return lines


def test_served_process_logs_only_json_and_no_webhook_credentials(
    tmp_path: Path, hook: tuple[int, list[str]]
) -> None:
    hook_port, received = hook
    port = free_port()
    env = {
        **os.environ,
        "IRONBRIDGE_DATA_DIR": str(tmp_path),
        "IRONBRIDGE_PORT": str(port),
        "IRONBRIDGE_LOG_LEVEL": "DEBUG",
        "IRONBRIDGE_ALLOW_PRIVATE_URLS": "true",
    }
    cli = [sys.executable, "-m", "ironbridge"]
    created = subprocess.run(
        [*cli, "accounts", "create", "Acme", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    admin = {"Authorization": f"Bearer {json.loads(created.stdout)['admin_key']}"}
    log_file = tmp_path / "serve.log"
    with log_file.open("w") as stderr:
        proc = subprocess.Popen([*cli, "serve"], env=env, stdout=stderr, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up)
        url = f"http://hookuser:hookpass-9c1@127.0.0.1:{hook_port}/in?token=tok-5e7&plant=7"
        endpoint = httpx.post(f"{base}/v1/webhook-endpoints", headers=admin, json={"url": url})
        assert endpoint.status_code == 201, endpoint.text
        # A connection's first events are delivered by the embedded worker, off the request.
        connected = httpx.post(
            f"{base}/v1/connections",
            headers=admin,
            json={"system": "sandbox", "end_customer_id": "c1", "end_customer_name": "C One"},
            timeout=60,
        )
        assert connected.status_code == 201, connected.text
        wait_for(lambda: received)
        assert received[0] == "/in?token=tok-5e7&plant=7"  # the receiver did get its token
        wait_for(lambda: "HTTP Request: POST" in log_file.read_text())
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = created.stderr + log_file.read_text()
    lines = _json_lines(text)
    loggers = {line.get("logger") for line in lines}
    assert {"uvicorn.error", "huey", "httpx", "ironbridge.http"} <= loggers, loggers
    sent = [line["event"] for line in lines if line.get("logger") == "httpx"]
    assert f"POST http://127.0.0.1:{hook_port}/in?token=[redacted]&plant=7" in sent[0]
    for secret in ("hookuser", "hookpass-9c1", "tok-5e7"):
        assert secret not in text
