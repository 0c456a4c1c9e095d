"""The README's five-minute tour, run as a reader runs it, so it cannot drift from the product.

`ironbridge serve --demo` (what `make run` runs) starts with its own data directory; its printed
`export` line is pasted into one bash session, then every ```sh block of the tour is run in that
session, verbatim and in order, the way a reader pastes them into a terminal (variables carry
over). The browser step between the link token and the exchange is done in Chromium. A curl
wrapper defined before the tour records each request's HTTP status, and each block's statuses
must be what its comments say: 2xx everywhere, except where a comment names the status.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from ironbridge.receiver import verify

from .conftest import serving

README = Path(__file__).resolve().parents[2] / "README.md"
#: Records every curl request's status on the session's stderr (a log file), out of the way of
#: what the commands print.
CURL_WRAPPER = (
    "curl() { command curl -w '%{stderr}\\n@@HTTP %{http_code} %{method} %{url_effective}\\n'"
    ' "$@"; }\n'
)


def tour_blocks() -> list[str]:
    """The ```sh blocks of the README's tour section, in order."""
    text = README.read_text(encoding="utf-8")
    start = text.index("## A five-minute tour")
    end = text.index("\n## ", start + 1)
    return re.findall(r"^```sh\n(.*?)^```", text[start:end], flags=re.MULTILINE | re.DOTALL)


def documented_statuses(block: str) -> list[int]:
    """The HTTP statuses a block's comments promise, e.g. `# 409 RECORD_LOCKED`."""
    found = []
    for line in block.splitlines():
        comment = line.partition("#")[2] if not line.lstrip().startswith("#") else line
        found += [int(code) for code in re.findall(r"(?:^|[\s#/.])([1-5]\d\d)\b", comment)]
    return found


@dataclass
class Receiver:
    """A webhook receiver on loopback that keeps what it is sent and answers 200."""

    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            got.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_port}/webhooks", got)
    finally:
        server.shutdown()
        server.server_close()


class Shell:
    """One bash session fed like a reader's terminal; stderr goes to a log file."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.log = cwd / "stderr.log"
        self.proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log.open("w"),
            text=True,
            cwd=cwd,
            env=env,
        )
        self._logged = 0
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put("")

    def run(self, commands: str, timeout: float = 120) -> tuple[int, str, str]:
        """Run `commands`; their exit status, what they printed, what went to stderr."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(commands.rstrip("\n") + "\nprintf '\\n@@END %s\\n' $?\n")
        self.proc.stdin.flush()
        out: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                raise AssertionError(f"no end within {timeout} s: {''.join(out)}") from None
            assert line, f"bash exited: {''.join(out)}"
            if line.startswith("@@END "):
                status = int(line.split()[1])
                break
            out.append(line)
        err = self.log.read_text()[self._logged :]
        self._logged += len(err)
        return status, "".join(out), err

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


def statuses(err: str) -> list[tuple[int, str, str]]:
    return [
        (int(code), method, url)
        for code, method, url in re.findall(r"^@@HTTP (\d{3}) (\S+) (\S+)$", err, re.MULTILINE)
    ]


def wait_until_synced(base: str, token: str) -> None:
    # The demo's first sync runs in the server's worker; the tour reads its records.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        freshness = httpx.get(f"{base}/v1/sync", headers={"Authorization": f"Bearer {token}"})
        if all(entity["ready"] for entity in freshness.json()["data"]):
            return
        time.sleep(0.2)
    raise AssertionError("the demo connection did not finish its first sync")


def connect_in_the_browser(page: Page, connect_url: str) -> str:
    """Walk the connect flow as the end customer; the public token the redirect carries."""

    def integrator_app(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body="<h1>Back in the app</h1>")

    page.route("https://app.example.com/**", integrator_app)
    page.goto(connect_url)
    page.get_by_role("link", name=re.compile("Sandbox")).click()
    page.get_by_label("Sandbox name").fill("Plant Eight")
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_role("heading", name="Connected")).to_be_visible()
    page.wait_for_url(re.compile(r"^https://app\.example\.com/connected\?public_token="))
    token = parse_qs(urlsplit(page.url).query)["public_token"][0]
    assert token.startswith("ib_pub_")
    return token


def test_the_readme_tour_runs_as_written(tmp_path: Path, receiver: Receiver, page: Page) -> None:
    blocks = tour_blocks()
    assert len(blocks) >= 10, "the tour lost its commands"
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRONBRIDGE_")}
    env.update({"RECEIVER": receiver.url, "LC_ALL": "C.UTF-8"})
    for name in ("ADMIN", "TOKEN", "API", "PUBLIC_TOKEN"):
        env.pop(name, None)

    with serving(data_dir) as served:
        export = next(
            line.strip() for line in served.printed.splitlines() if line.startswith("export ")
        )
        wait_until_synced(served.base, served.token)
        shell = Shell(tmp_path, env)
        try:
            status, _, err = shell.run(CURL_WRAPPER + export)
            assert status == 0, err
            seen: dict[str, str] = {}
            for block in blocks:
                if "$PUBLIC_TOKEN" in block:
                    connect_url = json.loads(seen["link-tokens"])["connect_url"]
                    public_token = connect_in_the_browser(page, connect_url)
                    shell.run(f"PUBLIC_TOKEN={public_token}")

                status, out, err = shell.run(block)
                calls = statuses(err)
                where = f"\n--- block ---\n{block}\n--- out ---\n{out}\n--- err ---\n{err}"
                assert status == 0, where
                assert calls, "a tour block made no request" + where
                assert "Traceback" not in err and "curl: (" not in err, where
                promised = documented_statuses(block)
                failed = [code for code, _, _ in calls if not 200 <= code < 300]
                assert failed == [code for code in promised if not 200 <= code < 300], where
                observed = [code for code, _, _ in calls]
                assert all(code in observed for code in promised), where
                for code, method, url in calls:
                    seen[urlsplit(url).path.rsplit("/", 1)[-1]] = out
                    if method == "POST" and urlsplit(url).path == "/v1/purchase-orders":
                        assert code == 201, where  # the tour's write goes through
        finally:
            shell.close()

        # The exchange answered the new connection's token, and it works.
        exchanged = json.loads(seen["exchange"])
        assert exchanged["connection"]["end_customer_id"] == "cust-8"
        me = httpx.get(
            f"{served.base}/v1/connection",
            headers={"Authorization": f"Bearer {exchanged['connection_token']}"},
        )
        assert me.status_code == 200 and me.json()["id"] == exchanged["connection_id"]

    # The signed test event reached the receiver, verifiable with the secret the tour showed.
    secret = json.loads(seen["webhook-endpoints"].splitlines()[0])["secret"]
    tests = [
        verify(body, headers, secrets=[secret])
        for headers, body in receiver.received
        if json.loads(body)["type"] == "webhook.test"
    ]
    assert len(tests) == 1
