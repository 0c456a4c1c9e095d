"""`/docs` in a real browser on a network with no way out: everything comes from ironbridge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Route, expect

import ironbridge.api
from ironbridge.connectors import ConnectorRegistry
from ironbridge.connectors.sandbox import connector as sandbox_connector

from .conftest import LiveServer, Screenshots, live_server

SHIPPED = Path(ironbridge.api.__file__).parent / "static" / "swagger-ui"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    registry = ConnectorRegistry([sandbox_connector])
    with live_server(tmp_path_factory.mktemp("docs"), registry) as running:
        yield running


def test_docs_render_every_operation_without_the_internet(
    server: LiveServer, browser: Browser, shot: Screenshots
) -> None:
    ours = urlsplit(server.url).netloc
    elsewhere: list[str] = []

    def offline(route: Route) -> None:
        # A plant network: only ironbridge itself answers; anything else is cut off.
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    try:
        context.route("**/*", offline)
        page = context.new_page()
        page.goto(f"{server.url}/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("ironbridge")
        operations = page.locator(".opblock")
        expect(operations.first).to_be_visible()
        expect(
            page.locator(".opblock-summary-path", has_text="/v1/purchase-orders").first
        ).to_be_visible()
        document = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
        expected = {
            (method.upper(), path)
            for path, item in document["paths"].items()
            for method in item
            if method in {"get", "post", "put", "patch", "delete"}
        }
        rendered = page.eval_on_selector_all(
            ".opblock",
            """blocks => blocks.map(b => [
                b.querySelector('.opblock-summary-method').textContent.trim(),
                b.querySelector('.opblock-summary-path').getAttribute('data-path'),
            ])""",
        )
        assert {(method, path) for method, path in rendered} == expected
        shot(page, "docs")
    finally:
        context.close()
    assert elsewhere == []


def test_the_docs_assets_are_served_by_ironbridge_itself(server: LiveServer) -> None:
    page = httpx.get(f"{server.url}/docs", timeout=30)
    assert page.status_code == 200
    assert "cdn." not in page.text and "https://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        served = httpx.get(f"{server.url}/docs/assets/{asset}", timeout=30)
        assert served.status_code == 200, asset
        assert served.content == (SHIPPED / asset).read_bytes()
