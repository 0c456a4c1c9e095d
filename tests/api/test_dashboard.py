"""The operators' dashboard over HTTP, without a browser: sign-in and sessions, CSRF, every page
and action scoped to the signed-in account, and actions taking effect through the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from ironbridge.accounts import purge_admin_sessions, revoke_admin_key
from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.connectors import Availability, EntityAvailability
from ironbridge.model import Entity
from ironbridge.store import utcnow
from ironbridge.store.webhooks import DeliveryRepository

from ..conftest import AccountFixture, ConnectionFixture, make_settings, new_account
from ..conftest import new_sandbox_connection as connect_sandbox


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    built = bootstrap(make_settings(tmp_path, allow_private_urls=True))
    yield built
    built.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    """Sign in with `key`; the CSRF token of the session's forms."""
    page = client.get("/dashboard/sign-in")
    response = client.post(
        "/dashboard/sign-in",
        data={"admin_key": key, "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return _csrf(client.get("/dashboard/").text)


def _failed_delivery(client: TestClient, container: Container, account: AccountFixture) -> str:
    """A delivery to an endpoint nobody listens on, given up on (as after 24 h of retries)."""
    created = client.post(
        "/v1/webhook-endpoints", headers=account.headers, json={"url": "http://127.0.0.1:9/hook"}
    )
    assert created.status_code == 201, created.text
    tested = client.post(
        f"/v1/webhook-endpoints/{created.json()['id']}/test", headers=account.headers
    )
    delivery_id: str = tested.json()["delivery_id"]
    with container.uow() as uow:
        DeliveryRepository(uow.connection, account.id).update(delivery_id, status="failed")
        uow.commit()
    return delivery_id


@pytest.fixture
def account(container: Container) -> AccountFixture:
    return new_account(container, "First Integrations")


@pytest.fixture
def sandbox(container: Container, account: AccountFixture) -> ConnectionFixture:
    return connect_sandbox(container, account, "plant-north")


def test_pages_need_a_session_and_send_the_operator_to_sign_in(client: TestClient) -> None:
    for path in [
        "/dashboard/",
        "/dashboard/connections",
        "/dashboard/webhooks",
        "/dashboard/events",
    ]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard/sign-in"


def test_signing_in_sets_an_http_only_same_site_cookie_without_the_key(
    client: TestClient, account: AccountFixture
) -> None:
    page = client.get("/dashboard/sign-in")
    response = client.post(
        "/dashboard/sign-in",
        data={"admin_key": account.admin_key, "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("ib_dashboard=")
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=28800" in cookie
    assert account.admin_key not in cookie
    assert account.admin_key not in response.headers.get("location", "")
    assert client.get("/dashboard/", follow_redirects=False).status_code == 200


def test_a_wrong_key_is_refused_with_the_form_again(client: TestClient) -> None:
    page = client.get("/dashboard/sign-in")
    response = client.post(
        "/dashboard/sign-in", data={"admin_key": "ib_admin_nope", "csrf": _csrf(page.text)}
    )
    assert response.status_code == 401
    assert "not valid" in response.text
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_sign_in_without_the_forms_token_is_refused(
    client: TestClient, account: AccountFixture
) -> None:
    client.get("/dashboard/sign-in")
    response = client.post("/dashboard/sign-in", data={"admin_key": account.admin_key})
    assert response.status_code == 403
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_actions_without_the_sessions_csrf_token_change_nothing(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    sign_in(client, account.admin_key)
    response = client.post(
        f"/dashboard/connections/{sandbox.id}/disconnect",
        data={"confirm": "yes", "csrf": "0" * 64},
    )
    assert response.status_code == 403
    assert client.get("/v1/connection", headers=sandbox.headers).json()["status"] != "disconnected"


def test_signing_out_ends_the_session_wherever_its_cookie_went(
    client: TestClient, account: AccountFixture
) -> None:
    csrf = sign_in(client, account.admin_key)
    copied = client.cookies["ib_dashboard"]
    response = client.post("/dashboard/sign-out", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303
    # A copy of the cookie (another tab, a stolen one) is no session either.
    client.cookies.set("ib_dashboard", copied, path="/dashboard")
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303
    # With that cookie the sign-in page is shown (not bounced back), and signing in opens a
    # new session; the old one stays ended.
    assert client.get("/dashboard/sign-in", follow_redirects=False).status_code == 200
    client.cookies.clear()
    sign_in(client, account.admin_key)
    assert client.get("/dashboard/", follow_redirects=False).status_code == 200
    client.cookies.clear()
    client.cookies.set("ib_dashboard", copied, path="/dashboard")
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_ended_and_expired_sessions_are_purged_a_day_after_expiry(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    sign_in(client, account.admin_key)
    with container.uow() as uow:
        assert purge_admin_sessions(uow, utcnow() + timedelta(hours=8)) == 0
        assert purge_admin_sessions(uow, utcnow() + timedelta(hours=33)) == 1
        uow.commit()
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_revoking_the_admin_key_ends_its_sessions(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    sign_in(client, account.admin_key)
    with container.uow() as uow:
        revoke_admin_key(uow, account.id, account.key_id)
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_a_forged_or_expired_cookie_is_no_session(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    sign_in(client, account.admin_key)
    value = client.cookies["ib_dashboard"]
    forged = value[:-2] + ("xx" if not value.endswith("xx") else "yy")
    # The jar holds one session cookie at a time, as a browser does for one name and path.
    client.cookies.clear()
    client.cookies.set("ib_dashboard", forged, path="/dashboard")
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303
    codec = client.app.routes[-1].app.state.sessions  # type: ignore[attr-defined]
    stale = codec.issue(account.id, account.key_id, utcnow() - timedelta(hours=9))
    client.cookies.clear()
    client.cookies.set("ib_dashboard", stale, path="/dashboard")
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_overview_counts_connections_and_lists_those_needing_attention(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    healthy = connect_sandbox(container, account, "plant-ok")
    broken = connect_sandbox(container, account, "plant-broken")
    with container.uow() as uow:
        uow.connections.update(account.id, broken.id, status="auth_required")
        uow.commit()
    delivery_id = _failed_delivery(client, container, account)
    sign_in(client, account.admin_key)
    page = client.get("/dashboard/").text
    attention = page.split('id="attention-title"')[1].split("</section>")[0]
    assert "plant-broken Inc." in attention and "Needs reauthorization" in attention
    assert "plant-ok Inc." not in attention
    assert f"/dashboard/deliveries/{delivery_id}" in page
    assert re.search(r'<span class="count">1</span>\s*<span class="count-label">Needs', page)
    assert healthy.id not in attention


def test_connections_table_searches_by_end_customer(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    connect_sandbox(container, account, "plant-north")
    connect_sandbox(container, account, "depot-south")
    sign_in(client, account.admin_key)
    page = client.get("/dashboard/connections", params={"q": "NORTH"}).text
    assert "plant-north Inc." in page and "depot-south Inc." not in page
    page = client.get("/dashboard/connections", params={"status": "active"}).text
    assert "purchase-orders: 250" in page  # records per entity


def test_connections_table_sorts_by_a_column_heading_and_keeps_the_filters(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    for customer in ("plant-b", "plant-c", "plant-a", "depot-z"):
        connect_sandbox(container, account, customer)
    sign_in(client, account.admin_key)
    page = client.get("/dashboard/connections", params={"q": "plant"}).text
    link = re.search(r'href="/dashboard/connections\?([^"]*sort=customer[^"]*)"', page)
    assert link, "the End customer heading sorts"
    query = link.group(1).replace("&amp;", "&")
    assert "q=plant" in query
    ascending = client.get(f"/dashboard/connections?{query}").text
    order = re.findall(r"(plant-[abc]) Inc\.</a>", ascending)
    assert order == ["plant-a", "plant-b", "plant-c"] and "depot-z" not in ascending
    assert 'aria-sort="ascending"' in ascending
    flip = re.search(r'href="/dashboard/connections\?([^"]*sort=customer[^"]*)"', ascending)
    assert flip and "order=desc" in flip.group(1)
    descending = client.get(f"/dashboard/connections?{flip.group(1).replace('&amp;', '&')}")
    assert re.findall(r"(plant-[abc]) Inc\.</a>", descending.text) == [
        "plant-c",
        "plant-b",
        "plant-a",
    ]
    assert 'aria-sort="descending"' in descending.text
    assert 'name="sort" value="customer"' in descending.text  # the filter form keeps the order
    refused = client.get("/dashboard/connections", params={"sort": "password"})
    assert "sort" in refused.text and "Problem" in refused.text


def test_sync_now_queues_a_run_seen_in_the_api(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    csrf = sign_in(client, account.admin_key)
    before = client.get(f"/v1/connections/{sandbox.id}/sync-runs", headers=account.headers)
    response = client.post(
        f"/dashboard/connections/{sandbox.id}/sync",
        data={"csrf": csrf, "entity": "vendors", "full": "1"},
    )
    assert response.status_code == 200
    assert "Full resync queued: vendors." in response.text
    after = client.get(f"/v1/connections/{sandbox.id}/sync-runs", headers=account.headers)
    new = [r for r in after.json()["data"] if r not in before.json()["data"]]
    assert [(r["entity"], r["mode"], r["trigger"]) for r in new] == [
        ("vendors", "full", "dashboard")
    ]


def test_an_entity_the_system_does_not_offer_shows_why_and_cannot_be_synced(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    missing = EntityAvailability(
        Entity.ASSETS,
        Availability.UNAVAILABLE,
        "The asset module is not installed.",
        "Install the asset module.",
    )
    with container.uow() as uow:
        uow.connections.update(account.id, sandbox.id, availability={"assets": missing.to_dict()})
        uow.commit()
    sign_in(client, account.admin_key)
    page = client.get(f"/dashboard/connections/{sandbox.id}").text
    row = re.search(r'<th scope="row">assets</th>(.*?)</tr>', page, re.S)
    assert row, page
    assert "Not offered" in row.group(1)
    assert "The asset module is not installed. To offer it: Install the asset module." in row.group(
        1
    )
    assert "Sync assets now" not in page and "Sync vendors now" in page


def test_settings_are_saved_and_a_bad_schedule_is_named(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    csrf = sign_in(client, account.admin_key)
    url = f"/dashboard/connections/{sandbox.id}/settings"
    response = client.post(
        url, data={"csrf": csrf, "sync_schedule": "6h", "event_types": ["sync.failed"]}
    )
    assert response.status_code == 200
    view = client.get(f"/v1/connections/{sandbox.id}", headers=account.headers).json()
    assert view["settings"]["sync_schedule"] == "6h"
    assert view["enabled_event_types"] == ["sync.failed"]
    response = client.post(url, data={"csrf": csrf, "sync_schedule": "0 0 31 2 *"})
    assert response.status_code == 400
    assert "sync_schedule" in response.text
    view = client.get(f"/v1/connections/{sandbox.id}", headers=account.headers).json()
    assert view["settings"]["sync_schedule"] == "6h"


def test_mapping_preview_changes_nothing_and_saving_reprojects(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    csrf = sign_in(client, account.admin_key)
    url = f"/dashboard/connections/{sandbox.id}/mappings"
    form = {
        "csrf": csrf,
        "entity": "vendors",
        "target": ["custom_fields.source_name", ""],
        "expression": ["VendorName", ""],
    }
    preview = client.post(url, data={**form, "action": "preview"})
    assert preview.status_code == 200
    assert "custom_fields.source_name" in preview.text and "After saving" in preview.text
    vendors = client.get("/v1/vendors", headers=sandbox.headers).json()["data"]
    assert "source_name" not in vendors[0]["custom_fields"]
    saved = client.post(url, data={**form, "action": "save"})
    assert saved.status_code == 200 and "re-projected" in saved.text
    vendors = client.get("/v1/vendors", headers=sandbox.headers).json()["data"]
    assert all(v["custom_fields"]["source_name"] == v["name"] for v in vendors)


def test_an_invalid_expression_is_marked_on_its_row_and_not_saved(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    csrf = sign_in(client, account.admin_key)
    response = client.post(
        f"/dashboard/connections/{sandbox.id}/mappings",
        data={
            "csrf": csrf,
            "entity": "vendors",
            "target": ["custom_fields.x"],
            "expression": ["name[["],
            "action": "save",
        },
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text and "not a valid JMESPath" in response.text
    view = client.get(f"/v1/connections/{sandbox.id}", headers=account.headers).json()
    assert view["settings"]["field_mappings"] == {}


def test_reconnect_link_opens_the_connect_flow_for_this_connection(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    csrf = sign_in(client, account.admin_key)
    response = client.post(
        f"/dashboard/connections/{sandbox.id}/reconnect-link",
        data={"csrf": csrf, "expires_in": "86400"},
    )
    assert response.status_code == 200
    url = re.search(r'id="notice-value" type="text" readonly value="([^"]+)"', response.text)
    assert url is not None
    flow = client.get(httpx.URL(url.group(1).replace("&amp;", "&")).raw_path.decode())
    assert flow.status_code in (200, 303)


def test_disconnect_needs_confirmation_then_revokes_the_token(
    client: TestClient, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    csrf = sign_in(client, account.admin_key)
    url = f"/dashboard/connections/{sandbox.id}/disconnect"
    assert client.post(url, data={"csrf": csrf}).status_code == 400
    assert client.get("/v1/connection", headers=sandbox.headers).status_code == 200
    response = client.post(url, data={"csrf": csrf, "confirm": "yes"})
    assert response.status_code == 200 and "Disconnected" in response.text
    assert client.get("/v1/connection", headers=sandbox.headers).status_code == 401
    deleted = client.post(
        f"/dashboard/connections/{sandbox.id}/delete-data", data={"csrf": csrf, "confirm": "yes"}
    )
    assert deleted.status_code == 200 and "Deleted" in deleted.text


def test_endpoint_actions_show_the_secret_once_and_the_test_attempt(
    client: TestClient, account: AccountFixture
) -> None:
    csrf = sign_in(client, account.admin_key)
    created = client.post(
        "/dashboard/webhooks/endpoints", data={"csrf": csrf, "url": "http://127.0.0.1:9/hook"}
    )
    assert created.status_code == 200 and "whsec_" in created.text
    endpoint_id = client.get("/v1/webhook-endpoints", headers=account.headers).json()["data"][0][
        "id"
    ]
    assert "whsec_" not in client.get("/dashboard/webhooks").text
    tested = client.post(f"/dashboard/webhooks/endpoints/{endpoint_id}/test", data={"csrf": csrf})
    assert "Test event failed" in tested.text
    disabled = client.post(
        f"/dashboard/webhooks/endpoints/{endpoint_id}", data={"csrf": csrf, "enabled": "false"}
    )
    assert "(disabled)" in disabled.text
    rotated = client.post(
        f"/dashboard/webhooks/endpoints/{endpoint_id}/rotate-secret", data={"csrf": csrf}
    )
    assert "whsec_" in rotated.text


def test_retry_all_failed_queues_the_filtered_failed_deliveries(
    client: TestClient, container: Container, account: AccountFixture
) -> None:
    delivery_id = _failed_delivery(client, container, account)
    csrf = sign_in(client, account.admin_key)
    page = client.get("/dashboard/webhooks", params={"status": "failed"})
    assert delivery_id in page.text
    response = client.post(
        "/dashboard/deliveries/retry", data={"csrf": csrf, "event_type": "webhook.test"}
    )
    assert "1 failed deliveries queued for retry." in response.text


def test_a_second_account_sees_and_changes_nothing_of_the_first(
    client: TestClient, container: Container, account: AccountFixture, sandbox: ConnectionFixture
) -> None:
    delivery_id = _failed_delivery(client, container, account)
    endpoint_id = client.get("/v1/webhook-endpoints", headers=account.headers).json()["data"][0][
        "id"
    ]
    other = new_account(container, "Second Integrations")
    csrf = sign_in(client, other.admin_key)
    secrets = [sandbox.id, "plant-north", delivery_id, endpoint_id, "127.0.0.1:9"]
    pages = [
        "/dashboard/",
        "/dashboard/connections",
        "/dashboard/connections?q=plant",
        "/dashboard/webhooks",
        "/dashboard/webhooks?status=failed",
        "/dashboard/events",
        f"/dashboard/connections/{sandbox.id}",
        f"/dashboard/deliveries/{delivery_id}",
        f"/dashboard/events?connection_id={sandbox.id}",
    ]
    for path in pages:
        body = client.get(path).text
        for secret in secrets:
            # The events filter shows the id it was given back in its field, and nothing else.
            echoed = body.replace(f"connection_id={sandbox.id}", "").replace(
                f'value="{sandbox.id}"', ""
            )
            assert secret not in echoed, (path, secret)
    base = f"/dashboard/connections/{sandbox.id}"
    actions = [
        (f"{base}/sync", {"entity": "all"}),
        (f"{base}/settings", {"sync_schedule": "daily"}),
        (f"{base}/mappings", {"entity": "vendors", "target": "x", "expression": "name"}),
        (f"{base}/reconnect-link", {"expires_in": "1800"}),
        (f"{base}/disconnect", {"confirm": "yes"}),
        (f"{base}/delete-data", {"confirm": "yes"}),
        (f"/dashboard/webhooks/endpoints/{endpoint_id}", {"enabled": "false"}),
        (f"/dashboard/webhooks/endpoints/{endpoint_id}/rotate-secret", {}),
        (f"/dashboard/webhooks/endpoints/{endpoint_id}/test", {}),
        (f"/dashboard/deliveries/{delivery_id}/retry", {}),
    ]
    for path, data in actions:
        response = client.post(path, data={"csrf": csrf, **data})
        assert response.status_code in (400, 404), (path, response.status_code)
        for secret in secrets:
            assert secret not in response.text.replace(path, ""), (path, secret)
    retried = client.post("/dashboard/deliveries/retry", data={"csrf": csrf})
    assert "0 failed deliveries queued" in retried.text
    view = client.get(f"/v1/connections/{sandbox.id}", headers=account.headers).json()
    assert view["status"] != "disconnected" and view["settings"]["sync_schedule"] != "daily"
    assert view["settings"]["field_mappings"] == {}
    endpoint = client.get(f"/v1/webhook-endpoints/{endpoint_id}", headers=account.headers).json()
    assert endpoint["enabled"] is True
    delivery = client.get(f"/v1/deliveries/{delivery_id}", headers=account.headers).json()
    assert delivery["status"] == "failed"
