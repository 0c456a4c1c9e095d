"""What the browser tests share: a live ironbridge server on loopback, headless Chromium
(Debian's, driven by Playwright) at a phone's width, and screenshots of each step."""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.connectors import ConnectorRegistry

from ..conftest import AccountFixture, make_settings, new_account

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclasses.dataclass
class LiveServer:
    url: str
    container: Container
    account: AccountFixture

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(
            method, f"{self.url}{path}", headers=self.account.headers, timeout=30, **kwargs
        )

    def link(self, **body: Any) -> dict[str, Any]:
        payload = {"end_customer_id": "plant-7", "end_customer_name": "Plant Seven", **body}
        response = self.admin("POST", "/v1/link-tokens", json=payload)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def exchange(self, public_token: str) -> dict[str, Any]:
        response = self.admin(
            "POST", "/v1/link-tokens/exchange", json={"public_token": public_token}
        )
        assert response.status_code == 200, response.text
        exchanged: dict[str, Any] = response.json()
        return exchanged

    def as_connection(self, token: str) -> httpx.Response:
        return httpx.get(
            f"{self.url}/v1/connection", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def live_server(
    data: Path, registry: ConnectorRegistry, **settings: object
) -> Iterator[LiveServer]:
    """ironbridge on a free loopback port, served by uvicorn in a thread, for `registry`."""
    sock = _listening_socket()
    port = sock.getsockname()[1]
    configured = make_settings(data, port=port, **settings)
    container = bootstrap(configured, registry=registry)
    config = uvicorn.Config(
        create_app(container), log_level="warning", access_log=False, lifespan="off"
    )
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uvicorn_server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield LiveServer(
            configured.base_url, container, new_account(container, "Acme Integrations")
        )
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        container.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


class Screenshots:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, page: Page, name: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


@pytest.fixture
def shot(tmp_path: Path) -> Screenshots:
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return Screenshots(folder)


# -- the command line, as users run it ---------------------------------------------------------


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's shell: only the data directory (and `extra`) set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRONBRIDGE_")}
    return {**env, "IRONBRIDGE_DATA_DIR": str(data_dir), "IRONBRIDGE_LOG_LEVEL": "WARNING", **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclasses.dataclass
class Served:
    base: str
    proc: subprocess.Popen[str]
    admin_key: str
    token: str
    #: What it printed before serving: keys, and the `export` line the README tour starts with.
    printed: str


@contextmanager
def serving(data_dir: Path) -> Iterator[Served]:
    """`ironbridge serve --demo` (what `make run` runs) on a free port; its printed keys."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ironbridge", "serve", "--demo"],
        env=cli_env(data_dir, IRONBRIDGE_PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        printed = ""
        while "export ADMIN=" not in printed:
            line = proc.stdout.readline()
            assert line, f"serve exited: {printed}"
            printed += line
        values = dict(
            line.split(":", 1) for line in printed.splitlines() if ":" in line and "ib_" in line
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline, "the server did not answer /healthz"
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield Served(
            base, proc, values["admin key"].strip(), values["connection token"].strip(), printed
        )
    finally:
        proc.terminate()
        proc.wait(timeout=20)
