"""The connect flow in a real browser for SAP S/4HANA, against its emulator: the customer picks
how ironbridge signs in, sees only that way's fields, and connects with OAuth 2.0."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from ironbridge.connectors import ConnectorRegistry
from ironbridge.connectors.sap_s4hana import connector as sap_connector
from ironbridge.testing.emulators.sap import RunningEmulator, running_emulator

from .conftest import LiveServer, Screenshots, live_server


@pytest.fixture(scope="module")
def sap() -> Iterator[RunningEmulator]:
    with running_emulator() as running:
        yield running


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # The emulator listens on loopback, as an on-premises system on a private address would.
    # The initial sync is queued, not run inside the request (no worker consumes it here).
    with live_server(
        tmp_path_factory.mktemp("connect-sap"),
        ConnectorRegistry([sap_connector]),
        allow_private_urls=True,
        queue_immediate=False,
    ) as running:
        yield running


def test_the_customer_chooses_oauth_and_connects_sap(
    server: LiveServer, sap: RunningEmulator, page: Page, shot: Screenshots
) -> None:
    link = server.link(systems=["sap_s4hana"])
    page.goto(link["connect_url"])
    expect(page.get_by_role("heading", name="Connect SAP S/4HANA")).to_be_visible()
    method = page.get_by_label("Sign-in method")
    user = page.get_by_label("Communication user")
    client_id = page.get_by_label("OAuth client ID")
    # Basic is the default: only its fields show, and they are required.
    expect(user).to_be_visible()
    expect(user).to_have_attribute("required", "")
    expect(client_id).to_be_hidden()
    shot(page, "sap-basic")

    method.select_option("oauth2_client_credentials")
    expect(user).to_be_hidden()
    expect(client_id).to_be_visible()
    expect(client_id).to_have_attribute("aria-required", "true")
    expect(page.get_by_label("OAuth client secret")).to_be_visible()
    shot(page, "sap-oauth")

    page.get_by_label("System address").fill(sap.base_url)
    client_id.fill(sap.username)
    page.get_by_label("OAuth client secret").fill(sap.password)
    before = len(sap.emulator.requests)
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_role("heading", name="Connected")).to_be_visible(timeout=30_000)
    shot(page, "sap-connected")

    # The check signed in through SAP's OAuth server and called the services with its token.
    paths = [path for _method, path, _user in list(sap.emulator.requests)[before:]]
    assert any(path.endswith("/sap/bc/sec/oauth2/token") for path in paths), paths
    public_token = page.locator("[data-public-token]").get_attribute("data-public-token")
    assert public_token
    exchanged = server.exchange(public_token)
    me = server.as_connection(exchanged["connection_token"])
    assert me.status_code == 200 and me.json()["system"] == "sap_s4hana"
    assert me.json()["status"] in ("active", "syncing")


def test_a_system_without_equipment_connects_and_the_result_lists_what_is_missing(
    server: LiveServer, sap: RunningEmulator, page: Page, shot: Screenshots
) -> None:
    sap.emulator.disable_service("API_EQUIPMENT")
    try:
        link = server.link(systems=["sap_s4hana"])
        page.goto(link["connect_url"])
        page.get_by_label("System address").fill(sap.base_url)
        page.get_by_label("Communication user").fill(sap.username)
        page.get_by_label("Password", exact=True).fill(sap.password)
        page.get_by_role("button", name="Connect", exact=True).click()
        expect(page.get_by_role("heading", name="Connected")).to_be_visible(timeout=30_000)
        missing = page.locator('#availability li[data-entity="assets"]')
        expect(missing).to_have_attribute("data-status", "unavailable")
        expect(missing).to_contain_text("API_EQUIPMENT")
        expect(missing).to_contain_text("SAP_COM_0395")
        shot(page, "sap-connected-without-equipment")
        public_token = page.locator("[data-public-token]").get_attribute("data-public-token")
        assert public_token
        exchanged = server.exchange(public_token)
        assert exchanged["connection"]["availability"]["assets"]["status"] == "unavailable"
    finally:
        sap.emulator.enable_service("API_EQUIPMENT")


def test_the_setup_guide_is_folded_so_the_form_shows_on_a_phone(
    server: LiveServer, page: Page, shot: Screenshots
) -> None:
    link = server.link(systems=["sap_s4hana"])
    page.goto(link["connect_url"])
    steps = page.locator(".guide li")
    expect(steps).to_have_count(len(sap_connector.spec.setup_guide))
    expect(steps.first).to_be_hidden()
    # The first field is on the first screen of a phone, without scrolling.
    address = page.get_by_label("System address")
    box = address.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["y"] + box["height"] <= viewport["height"], (box, viewport)
    shot(page, "sap-guide-folded")

    # The guide opens on demand, with the keyboard too.
    summary = page.locator(".guide summary")
    expect(summary).to_contain_text("Before you start")
    summary.focus()
    page.keyboard.press("Enter")
    expect(steps.first).to_be_visible()
    expect(steps.last).to_be_visible()
    shot(page, "sap-guide-open")
