"""The operators' dashboard in a real browser (Debian's chromium via Playwright) against a real
server, at a phone's width: an operator signs in, finds the connection needing reauthorization
and creates its reconnect link, retries a failed delivery with the keyboard alone once the
receiver (a real one on 127.0.0.1) is back, and edits a field mapping with a preview. Every page
passes axe-core without serious or critical findings. Screenshots of each page land in
`$IRONBRIDGE_TEST_ARTEFACTS/dashboard` when that is set, else in the test's tmp_path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from ironbridge.connectors import ConnectorRegistry
from ironbridge.connectors.sandbox import connector as sandbox_connector
from ironbridge.receiver import Inbox
from ironbridge.store.webhooks import DeliveryRepository

from ..conftest import ConnectionFixture, new_sandbox_connection
from ..waiting import wait_for
from .conftest import LiveServer, free_port, live_server

RECEIVER = Path(__file__).parent / "inbox_receiver.py"
#: axe-core impacts that fail the suite.
BLOCKING = {"serious", "critical"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    registry = ConnectorRegistry([sandbox_connector])
    with live_server(tmp_path, registry, allow_private_urls=True) as served:
        yield served


class PageShots:
    """Screenshots of each page, and the axe-core check of each."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.axe = Axe()
        self.count = 0

    def __call__(self, page: Page, name: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)
        results = self.axe.run(page)
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v.get("impact") in BLOCKING
        ]
        assert not blocking, f"{name}: {blocking}"
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert fits, f"{name} is wider than the screen"


@pytest.fixture
def shots(request: pytest.FixtureRequest, tmp_path: Path) -> PageShots:
    root = os.environ.get("IRONBRIDGE_TEST_ARTEFACTS")
    base = Path(root) / "dashboard" if root else tmp_path / "screenshots"
    return PageShots(base / request.node.name)


def sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/dashboard/")
    expect(page.get_by_role("heading", name="Sign in to the dashboard")).to_be_visible()
    page.get_by_label("Admin key").fill(server.account.admin_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()


def tab_to(page: Page, selector: str, limit: int = 150) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _connect(server: LiveServer, customer: str) -> ConnectionFixture:
    return new_sandbox_connection(server.container, server.account, customer)


def test_operator_finds_the_connection_needing_reauth_and_creates_its_reconnect_link(
    server: LiveServer, page: Page, shots: PageShots
) -> None:
    _connect(server, "plant-ok")
    broken = _connect(server, "plant-expired")
    with server.container.uow() as uow:
        uow.connections.update(server.account.id, broken.id, status="auth_required")
        uow.commit()
    page.goto(f"{server.url}/dashboard/")
    shots(page, "sign-in")
    sign_in(page, server)
    shots(page, "overview")
    attention = page.locator("section", has=page.get_by_role("heading", name="Needs attention"))
    expect(attention.get_by_text("Needs reauthorization")).to_be_visible()
    expect(attention.get_by_role("link", name="plant-ok Inc.")).to_have_count(0)
    attention.get_by_role("link", name="plant-expired Inc.").click()
    expect(page.get_by_role("heading", name="plant-expired Inc.")).to_be_visible()
    page.get_by_role("button", name="Create reconnect link").click()
    notice = page.locator("#notice-message")
    expect(notice).to_contain_text("Reconnect link created")
    expect(notice).to_be_focused()
    link = page.get_by_label("Value to copy").input_value()
    assert link.startswith(f"{server.url}/connect/")
    shots(page, "connection-reconnect-link")
    page.get_by_role("link", name="Connections", exact=True).click()
    expect(page.get_by_role("heading", name="Connections", exact=True)).to_be_visible()
    page.get_by_label("Status", exact=True).select_option("auth_required")
    page.get_by_role("button", name="Filter").click()
    table = page.locator("#connections-table")
    expect(table.locator("tbody").get_by_role("link")).to_have_count(1)
    expect(table).to_contain_text("plant-expired Inc.")
    shots(page, "connections")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sandbox")


def test_operator_retries_a_failed_delivery_with_the_keyboard_once_the_receiver_is_back(
    server: LiveServer, page: Page, shots: PageShots, tmp_path: Path
) -> None:
    port = free_port()
    created = server.admin(
        "POST", "/v1/webhook-endpoints", json={"url": f"http://127.0.0.1:{port}/webhooks"}
    )
    assert created.status_code == 201, created.text
    endpoint = created.json()
    # The receiver is down: the test event's attempt fails; after 24 h it would be given up.
    tested = server.admin("POST", f"/v1/webhook-endpoints/{endpoint['id']}/test").json()
    assert tested["attempt"]["status_code"] is None
    with server.container.uow() as uow:
        DeliveryRepository(uow.connection, server.account.id).update(
            tested["delivery_id"], status="failed"
        )
        uow.commit()
    inbox_db = tmp_path / "inbox.db"
    receiver = subprocess.Popen(
        [sys.executable, str(RECEIVER), str(port), str(inbox_db), endpoint["secret"]]
    )
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/webhooks"))
        page.goto(f"{server.url}/dashboard/sign-in")
        tab_to(page, "#admin-key")
        page.keyboard.type(server.account.admin_key)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
        tab_to(page, 'nav a[href$="/dashboard/webhooks"]')
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Deliveries")).to_be_visible()
        expect(page.locator("#deliveries-table")).to_contain_text("Failed")
        shots(page, "webhooks-failed")
        tab_to(page, "#deliveries-table button")
        page.keyboard.press("Enter")
        notice = page.locator("#notice-message")
        expect(notice).to_contain_text("Retry succeeded: HTTP 200")
        expect(notice).to_be_focused()
        expect(page.locator("#deliveries-table")).to_contain_text("Succeeded")
        shots(page, "webhooks-retried")
        with Inbox(f"sqlite:///{inbox_db}") as inbox:
            assert inbox.get(tested["event_id"]) is not None
        page.goto(f"{server.url}/dashboard/deliveries/{tested['delivery_id']}")
        expect(page.get_by_role("heading", name="Attempts")).to_be_visible()
        expect(page.locator("table")).to_contain_text("HTTP 200")
        expect(page.locator("pre").first).to_contain_text("v1,[redacted]")
        shots(page, "delivery")
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
    except httpx.HTTPError:
        return False
    return True


def test_operator_previews_and_saves_a_field_mapping_and_the_api_serves_it(
    server: LiveServer, page: Page, shots: PageShots
) -> None:
    connection = _connect(server, "plant-mapped")
    sign_in(page, server)
    page.goto(f"{server.url}/dashboard/connections/{connection.id}")
    page.get_by_label("Entity", exact=True).select_option("vendors")
    page.get_by_role("button", name="Edit this entity").click()
    expect(page).to_have_url(re.compile(r"entity=vendors"))
    expect(page.locator("#mapping-form input[name=entity]")).to_have_value("vendors")
    page.get_by_label("Unified field, row 1").fill("custom_fields.legal_name")
    page.get_by_label("Expression, row 1").fill("VendorName")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#mapping-preview")
    expect(preview).to_contain_text("custom_fields.legal_name")
    expect(preview.get_by_role("columnheader", name="After saving").first).to_be_visible()
    shots(page, "mapping-preview")
    before = _vendors(server, connection)
    assert all("legal_name" not in v["custom_fields"] for v in before)
    page.get_by_role("button", name="Save mappings").click()
    expect(page.locator("#notice-message")).to_contain_text("Field mappings saved")
    after = _vendors(server, connection)
    assert all(v["custom_fields"]["legal_name"] == v["name"] for v in after)
    page.get_by_label("Expression, row 1").fill("VendorName[[")
    page.get_by_role("button", name="Save mappings").click()
    expect(page.locator(".field-error").first).to_contain_text("not a valid JMESPath")
    expect(page.get_by_label("Expression, row 1")).to_have_attribute("aria-invalid", "true")
    shots(page, "mapping-invalid")
    page.get_by_role("link", name="Events").click()
    expect(page.get_by_role("heading", name="Events", exact=True)).to_be_visible()
    shots(page, "events")


def _vendors(server: LiveServer, connection: ConnectionFixture) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{server.url}/v1/vendors", headers=connection.headers, params={"limit": 500}
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_operator_finds_a_failed_flow_run_reads_its_steps_and_retries_it(
    server: LiveServer, page: Page, shots: PageShots
) -> None:
    _connect(server, "plant-flows")
    steps: list[dict[str, Any]] = [
        {"id": "first", "type": "emit", "name": "first"},
        {"id": "check", "type": "condition", "expression": "trigger.missing.value > 1"},
    ]
    flow = server.admin(
        "POST",
        "/v1/flows",
        json={
            "name": "Check and emit",
            "trigger": {"type": "manual"},
            "connections": {"all": True},
            "steps": steps,
            "sample": {"type": "manual"},
        },
    ).json()
    failed = server.admin("POST", f"/v1/flows/{flow['id']}/test", json={}).json()
    assert failed.get("status") == "failed", failed
    steps[1]["expression"] = "true"
    server.admin("PATCH", f"/v1/flows/{flow['id']}", json={"steps": steps})
    sign_in(page, server)
    page.get_by_role("link", name="Flows", exact=True).click()
    expect(page.get_by_role("heading", name="Flows", exact=True)).to_be_visible()
    shots(page, "flows")
    page.get_by_role("link", name="Check and emit").click()
    expect(page.get_by_role("heading", name="Check and emit")).to_be_visible()
    shots(page, "flow")
    page.get_by_role("link", name=failed["id"]).click()
    steps_table = page.locator("#steps-table")
    expect(steps_table).to_contain_text("VALIDATION_FAILED")
    shots(page, "flow-run-failed")
    page.get_by_label("the current version (v2)").check()
    page.get_by_role("button", name="Retry run").click()
    notice = page.locator("#notice-message")
    expect(notice).to_contain_text("Retry started as run")
    expect(notice).to_be_focused()
    new_id = re.search(r"run (frun_\w+)", notice.inner_text())
    assert new_id

    def succeeded() -> bool:
        run = server.admin("GET", f"/v1/flows/{flow['id']}/runs/{new_id.group(1)}").json()
        return bool(run["status"] == "succeeded")

    wait_for(succeeded)
    page.reload()
    expect(page.locator(".lead")).to_contain_text("Succeeded")
    shots(page, "flow-run-retried")
