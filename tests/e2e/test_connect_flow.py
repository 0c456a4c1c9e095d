"""The connect flow in a real browser (Debian's chromium via Playwright) against a real server.

A uvicorn server runs the app in a background thread; the browser walks the flow as an end
customer would: full page and embedded with connect.js, against the sandbox and against a test
connector whose check fails at the stage its credentials say. Screenshots of each step land in
each test's tmp_path.
"""

from __future__ import annotations

import base64
import dataclasses
import importlib.util
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ironbridge.connectors import (
    AuthField,
    CheckResult,
    CheckStage,
    ConnectorRegistry,
    SessionOptions,
)
from ironbridge.connectors.sandbox import connector as sandbox_connector
from ironbridge.connectors.sandbox.connector import SandboxConnector, SandboxSession
from ironbridge.connectors.sandbox.spec import SPEC as SANDBOX_SPEC

from ..conftest import new_sandbox_connection
from .conftest import LiveServer, Screenshots, live_server

EXAMPLE_SERVER = Path(__file__).resolve().parents[2] / "examples" / "connect" / "server.py"
#: Each stage of the test connector's check takes this long, so progress can be watched.
STAGE_DELAY = 0.4

# -- a connector whose check fails where its credentials say -----------------------------------

ACME_SPEC = dataclasses.replace(
    SANDBOX_SPEC,
    id="acme_erp",
    name="Acme ERP",
    description="A test ERP whose connection check fails at the stage its credentials name.",
    auth_fields=(
        AuthField(
            name="base_url",
            label="Instance URL",
            help="The address you open Acme ERP at, e.g. https://erp.example.com.",
            secret=False,
            kind="url",
            placeholder="https://erp.example.com",
        ),
        AuthField(
            name="username",
            label="Username",
            help="The Acme ERP user ironbridge signs in as.",
            secret=False,
        ),
        AuthField(name="password", label="Password", help="That user's password.", secret=True),
    ),
    setup_guide=(
        "In Acme ERP, open Settings → Users and create a user named 'integration'.",
        "Give that user the role 'Purchasing (read)'.",
        "Enter the instance URL and that user's credentials below.",
    ),
)


class AcmeSession(SandboxSession):
    """Fails reach for an 'unreachable' URL, authentication for a password other than
    's3cret', and permissions for the user 'readonly'; serves the sandbox's data otherwise."""

    def __init__(self, options: SessionOptions | None, credentials: Mapping[str, str]) -> None:
        super().__init__(options, tenant="acme")
        self.credentials = dict(credentials)

    def check(self) -> Iterator[CheckResult]:
        url = self.credentials["base_url"]
        time.sleep(STAGE_DELAY)
        if "unreachable" in url:
            yield CheckResult(CheckStage.REACH, False, f"No answer from {url} within 10 seconds.")
            return
        yield CheckResult(CheckStage.REACH, True, f"{url} answered.")
        time.sleep(STAGE_DELAY)
        if self.credentials["password"] != "s3cret":
            yield CheckResult(
                CheckStage.AUTHENTICATE, False, "Acme ERP rejected the username or password."
            )
            return
        yield CheckResult(CheckStage.AUTHENTICATE, True, "Signed in.")
        time.sleep(STAGE_DELAY)
        if self.credentials["username"] == "readonly":
            yield CheckResult(
                CheckStage.PERMISSIONS,
                False,
                "The user may not read purchase orders or vendors.",
                fix="In Acme ERP, give the user the role 'Purchasing (read)', then try again.",
            )
            return
        yield CheckResult(CheckStage.PERMISSIONS, True, "Read access to all entities.")


class AcmeConnector(SandboxConnector):
    spec = ACME_SPEC

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> AcmeSession:
        return AcmeSession(options, self.validate_credentials(credentials))


# -- a live server, an admin, a browser --------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    registry = ConnectorRegistry([sandbox_connector, AcmeConnector()])
    with live_server(tmp_path_factory.mktemp("connect-flow"), registry) as running:
        yield running


def stage(page: Page, name: str) -> Any:
    return page.locator(f'.stage[data-stage="{name}"]')


# Records every stage state the page shows, with the time, so a test can tell a live stream
# (states arriving one by one, a stage's duration apart) from a result delivered all at once.
RECORD_STAGES = """() => {
  window.stageLog = [];
  const observer = new MutationObserver((mutations) => {
    for (const m of mutations) {
      window.stageLog.push([m.target.dataset.stage, m.target.dataset.state, performance.now()]);
    }
  });
  for (const item of document.querySelectorAll('.stage')) {
    observer.observe(item, { attributes: true, attributeFilter: ['data-state'] });
  }
}"""


def wait_for_state(page: Page, name: str, state: str) -> None:
    """Wait until the page has shown `state` for stage `name` (it may have moved on since)."""
    page.wait_for_function(
        "([name, state]) => window.stageLog.some((e) => e[0] === name && e[1] === state)",
        arg=[name, state],
    )


def stage_log(page: Page) -> list[tuple[str, str, float]]:
    """The states shown since the last attempt started (the page resets all to pending)."""
    log = [tuple(entry) for entry in page.evaluate("window.stageLog")]
    page.evaluate("window.stageLog = []")
    return [entry for entry in log if entry[1] != "pending"]  # type: ignore[misc]


# -- the walks ---------------------------------------------------------------------------------


def test_full_page_flow_with_the_sandbox(server: LiveServer, page: Page, shot: Screenshots) -> None:
    link = server.link(metadata={"crm": "0007"})
    page.goto(link["connect_url"])
    expect(page.get_by_role("heading", name="Connect your system")).to_be_visible()
    expect(page.locator("#system-list > li")).to_have_count(2)
    shot(page, "catalog")

    search = page.get_by_label("Search systems")
    search.fill("sand")
    expect(page.locator("#system-list > li", has_text="Acme ERP")).to_be_hidden()
    expect(page.get_by_role("status")).to_have_text("1 system matches “sand”.")
    search.fill("no such system")
    expect(page.locator("#no-match")).to_be_visible()
    search.fill("SANDBOX")
    shot(page, "catalog-filtered")
    search.press("Enter")  # one match left: Enter opens it, no mouse needed

    expect(page.get_by_role("heading", name="Connect Sandbox")).to_be_visible()
    expect(page.locator(".guide li")).to_have_count(3)
    name = page.get_by_label("Sandbox name")
    expect(name).to_have_attribute("aria-describedby", re.compile("f-tenant-help"))
    name.fill("Plant 7")
    shot(page, "form")
    name.press("Enter")

    expect(page.get_by_role("heading", name="Connected")).to_be_visible()
    expect(page.get_by_text("Your Sandbox is now connected to Acme Integrations.")).to_be_visible()
    shot(page, "connected")
    public_token = page.locator("[data-public-token]").get_attribute("data-public-token")
    assert public_token and public_token.startswith("ib_pub_")

    exchanged = server.exchange(public_token)
    assert exchanged["connection"]["system"] == "sandbox"
    assert exchanged["connection"]["metadata"] == {"crm": "0007"}
    me = server.as_connection(exchanged["connection_token"])
    assert me.status_code == 200
    assert me.json()["id"] == exchanged["connection_id"]

    # The link worked once; opening it again says so, in words.
    page.goto(link["connect_url"])
    expect(page.get_by_role("heading", name="This link has already been used")).to_be_visible()
    expect(page.get_by_text("ask Acme Integrations for a new link")).to_be_visible()
    shot(page, "replayed-link")


def test_each_failing_stage_says_what_to_do_and_the_link_survives(
    server: LiveServer, page: Page, shot: Screenshots
) -> None:
    link = server.link(systems=["acme_erp"])
    page.goto(link["connect_url"])  # one system: straight to its form
    expect(page.get_by_role("heading", name="Connect Acme ERP")).to_be_visible()
    expect(page.locator(".guide li").first).to_contain_text("Settings → Users")
    expect(page.get_by_label("Password")).to_have_attribute("type", "password")
    expect(page.get_by_label("Instance URL")).to_have_attribute("type", "url")
    shot(page, "form")

    alert = page.get_by_role("alert")
    button = page.locator("#connect-submit")
    page.evaluate(RECORD_STAGES)

    page.get_by_label("Instance URL").fill("https://unreachable.example.test")
    page.get_by_label("Username").fill("integration")
    page.get_by_label("Password").fill("s3cret")
    button.click()
    wait_for_state(page, "reach", "running")
    expect(button).to_be_disabled()
    shot(page, "checking")
    wait_for_state(page, "reach", "failed")
    expect(alert).to_contain_text("We couldn't reach Acme ERP")
    expect(alert).to_contain_text("No answer from https://unreachable.example.test")
    expect(alert).to_contain_text("Check the address (URL) of your Acme ERP")
    expect(stage(page, "reach")).to_have_attribute("data-state", "failed")
    expect(stage(page, "reach").locator(".stage-state")).to_have_text("Failed")
    expect(stage(page, "authenticate")).to_have_attribute("data-state", "pending")
    expect(alert).to_be_focused()
    shot(page, "reach-failed")
    assert [entry[:2] for entry in stage_log(page)] == [("reach", "running"), ("reach", "failed")]

    page.get_by_label("Instance URL").fill("https://erp.example.test")
    page.get_by_label("Password").fill("wrong")
    button.click()
    wait_for_state(page, "authenticate", "running")
    shot(page, "signing-in")
    wait_for_state(page, "authenticate", "failed")
    expect(alert).to_contain_text("Acme ERP did not accept the sign-in")
    expect(alert).to_contain_text("rejected the username or password")
    expect(alert).to_contain_text("Check the username and password")
    expect(stage(page, "reach")).to_have_attribute("data-state", "ok")
    expect(stage(page, "authenticate")).to_have_attribute("data-state", "failed")
    shot(page, "authenticate-failed")
    log = stage_log(page)
    assert [entry[:2] for entry in log] == [
        ("reach", "running"),
        ("reach", "ok"),
        ("authenticate", "running"),
        ("authenticate", "failed"),
    ]
    # Streamed live: the sign-in result came a stage's duration after the reach result.
    assert log[3][2] - log[1][2] > STAGE_DELAY * 1000 * 0.75

    page.get_by_label("Username").fill("readonly")
    page.get_by_label("Password").fill("s3cret")
    button.click()
    wait_for_state(page, "permissions", "failed")
    expect(alert).to_contain_text("The account is missing permissions")
    expect(alert).to_contain_text("may not read purchase orders or vendors")
    expect(alert).to_contain_text("give the user the role 'Purchasing (read)'")
    expect(stage(page, "permissions")).to_have_attribute("data-state", "failed")
    expect(stage(page, "authenticate")).to_have_attribute("data-state", "ok")
    assert "Traceback" not in page.content()
    shot(page, "permissions-failed")

    # Corrected, with the same link: failures did not use it up.
    page.get_by_label("Username").fill("integration")
    expect(button).to_have_text("Try again")
    button.click()
    page.wait_for_function("() => document.querySelector('[data-public-token]') !== null")
    expect(page.get_by_role("heading", name="Connected")).to_be_visible()
    shot(page, "connected")
    public_token = page.locator("[data-public-token]").get_attribute("data-public-token")
    assert public_token
    exchanged = server.exchange(public_token)
    assert exchanged["connection"]["system"] == "acme_erp"
    assert [c["ok"] for c in exchanged["connection"]["health"]["checks"]] == [True] * 3


def _example_backend(module: ModuleType, server: LiveServer) -> Any:
    backend = module.IntegratorBackend(("127.0.0.1", 0), server.url, server.account.admin_key)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    return backend


def test_embedded_flow_hands_the_public_token_to_the_host_page(
    server: LiveServer, page: Page, shot: Screenshots
) -> None:
    spec = importlib.util.spec_from_file_location("example_connect_server", EXAMPLE_SERVER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    backend = _example_backend(module, server)
    host = f"http://127.0.0.1:{backend.server_port}"
    try:
        page.goto(host)
        status = page.locator("#status")

        # Closing the dialog resolves with no token and calls onExit.
        page.get_by_role("button", name="Connect your system").click()
        flow = page.frame_locator("iframe[title='Connect your system']")
        expect(flow.get_by_role("heading", name="Connect your system")).to_be_visible()
        # Keyboard focus stays in the dialog: tabbing never reaches the page behind it.
        where = (
            "() => { const a = document.activeElement;"
            " return a && a.closest('[data-ironbridge-connect]') ? 'dialog' : String(a && a.tagName); }"
        )
        for _ in range(15):
            page.keyboard.press("Tab")
            assert page.evaluate(where) == "dialog"
        page.get_by_role("button", name="Close").click()
        expect(status).to_have_text("Closed without connecting.")
        expect(page.locator("iframe")).to_have_count(0)

        page.get_by_role("button", name="Connect your system").click()
        expect(flow.get_by_role("heading", name="Connect your system")).to_be_visible()
        shot(page, "embedded-catalog")
        flow.get_by_role("link", name=re.compile("Sandbox")).click()
        flow.get_by_label("Sandbox name").fill("Embedded plant")
        shot(page, "embedded-form")
        flow.get_by_role("button", name="Connect", exact=True).click()
        expect(flow.get_by_role("heading", name="Connected")).to_be_visible()
        shot(page, "embedded-connected")

        expect(status).to_have_text(re.compile(r"^Connected: sandbox \(conn_\w+\)$"))
        expect(page.locator("iframe")).to_have_count(0)
        shot(page, "host-page-done")
        connection_id = re.search(r"conn_\w+", status.inner_text())
        assert connection_id is not None
        token = backend.connection_tokens[connection_id.group(0)]
        assert server.as_connection(token).json()["id"] == connection_id.group(0)
    finally:
        backend.shutdown()
        backend.server_close()


@contextmanager
def example_host(server: LiveServer) -> Iterator[str]:
    """The example integrator page (examples/connect), served against `server`; its URL."""
    spec = importlib.util.spec_from_file_location("example_connect_server", EXAMPLE_SERVER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    backend = _example_backend(module, server)
    try:
        yield f"http://127.0.0.1:{backend.server_port}"
    finally:
        backend.shutdown()
        backend.server_close()


#: The bounding box of the dark pixels ("ink") of a PNG, decoded by the browser itself.
INK_BOX = """async (png) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height).data;
  let box = null;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = (y * image.width + x) * 4;
      const light = 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2];
      if (light > 128) continue;
      box = box ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x + 1),
                   Math.max(box[3], y + 1)] : [x, y, x + 1, y + 1];
    }
  }
  return { box, width: image.width, height: image.height };
}"""


def test_escape_inside_the_embedded_flow_closes_it_and_the_cross_is_centred(
    server: LiveServer, page: Page, shot: Screenshots
) -> None:
    with example_host(server) as host:
        page.goto(host)
        status = page.locator("#status")
        page.get_by_role("button", name="Connect your system").click()
        flow = page.frame_locator("iframe[title='Connect your system']")
        search = flow.get_by_label("Search systems")
        expect(search).to_be_visible()

        # The close cross is drawn in the middle of its round button (to a pixel), whatever the font.
        close = page.get_by_role("button", name="Close")
        shot(page, "embedded-open")
        drawn = page.evaluate(INK_BOX, base64.b64encode(close.screenshot()).decode())
        assert drawn["box"] is not None, "nothing drawn in the close button"
        left, top, right, bottom = drawn["box"]
        assert abs((left + right) / 2 - drawn["width"] / 2) <= 1, drawn
        assert abs((top + bottom) / 2 - drawn["height"] / 2) <= 1, drawn

        # Focus inside the flow: the key press happens in the iframe's document.
        search.click()
        search.press("Escape")
        expect(status).to_have_text("Closed without connecting.")
        expect(page.locator("iframe")).to_have_count(0)

        # From the form too, and focus goes back where it was.
        page.get_by_role("button", name="Connect your system").click()
        flow.get_by_role("link", name=re.compile("Sandbox")).click()
        flow.get_by_label("Sandbox name").press("Escape")
        expect(page.locator("iframe")).to_have_count(0)
        expect(page.get_by_role("button", name="Connect your system")).to_be_focused()

        # Closed while "Connected" shows: the connection was made, so its token is handed over.
        page.get_by_role("button", name="Connect your system").click()
        flow.get_by_role("link", name=re.compile("Sandbox")).click()
        flow.get_by_label("Sandbox name").fill("Escaped plant")
        flow.get_by_role("button", name="Connect", exact=True).click()
        flow.get_by_role("heading", name="Connected").press("Escape")
        expect(status).to_have_text(re.compile(r"^Connected: sandbox \(conn_\w+\)$"))


def test_reconnect_issues_a_new_token_and_revokes_the_old(
    server: LiveServer, page: Page, shot: Screenshots
) -> None:
    existing = new_sandbox_connection(server.container, server.account, "plant-reconnect")
    with server.container.uow() as uow:
        uow.connections.update(server.account.id, existing.id, status="auth_required")
        uow.commit()
    link = server.link(end_customer_id="plant-reconnect", connection_id=existing.id)

    page.goto(link["connect_url"])
    expect(page.get_by_role("heading", name="Reconnect Sandbox")).to_be_visible()
    expect(page.get_by_text("needs to be renewed")).to_be_visible()
    expect(page.get_by_role("link", name="All systems")).to_have_count(0)
    shot(page, "reconnect-form")
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_role("heading", name="Connected")).to_be_visible()
    expect(page.get_by_text("has been renewed")).to_be_visible()
    shot(page, "reconnected")

    assert server.as_connection(existing.token).status_code == 401
    public_token = page.locator("[data-public-token]").get_attribute("data-public-token")
    assert public_token
    exchanged = server.exchange(public_token)
    assert exchanged["connection_id"] == existing.id
    me = server.as_connection(exchanged["connection_token"])
    assert me.status_code == 200
    assert me.json()["status"] == "active"
