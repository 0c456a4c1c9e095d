"""An SAP system without some services connects, says what is missing, and syncs the rest.

The emulator runs without API_EQUIPMENT and API_FUNCTIONALLOCATION (not activated, as on many
systems that do no plant maintenance): ironbridge connects through `POST /v1/connections` and
through the connect flow, records per entity what is available, why not and what to enable,
shows it on the connection and the catalog, syncs only what is there, answers reads of assets
with a clear error, and picks the services up once they are activated and the connection is
checked again or reconnected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.health import check_connection
from ironbridge.model import Entity
from ironbridge.store import utcnow
from ironbridge.store.sync import SyncRepository
from ironbridge.sync.service import due_entities
from ironbridge.testing.emulators.sap import RunningEmulator, running_emulator

from ...api.test_error_contract import assert_error
from ...conftest import AccountFixture, make_settings, new_account

MISSING = ("API_EQUIPMENT", "API_FUNCTIONALLOCATION")


@pytest.fixture
def sap() -> Iterator[RunningEmulator]:
    with running_emulator(disabled_services=MISSING) as running:
        yield running


@pytest.fixture(params=["sqlite", "postgresql"])
def container(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    database: dict[str, object] = {}
    if request.param == "postgresql":
        database["database_url"] = request.getfixturevalue("postgres_url")
    built = bootstrap(
        make_settings(tmp_path, allow_private_urls=True, sync_page_size=100, **database)
    )
    yield built
    built.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container)) as test_client:
        yield test_client


@pytest.fixture
def account(container: Container) -> AccountFixture:
    return new_account(container)


def credentials(sap: RunningEmulator) -> dict[str, str]:
    return {"base_url": sap.base_url, "username": sap.username, "password": sap.password}


def connect(client: TestClient, account: AccountFixture, sap: RunningEmulator, **extra: Any) -> Any:
    body = {
        "system": "sap_s4hana",
        "end_customer_id": "plant-9",
        "end_customer_name": "Plant Nine",
        "credentials": credentials(sap),
        **extra,
    }
    return client.post("/v1/connections", json=body, headers=account.headers)


def connected(client: TestClient, account: AccountFixture, sap: RunningEmulator) -> dict[str, Any]:
    response = connect(client, account, sap)
    assert response.status_code == 201, response.text
    payload: dict[str, Any] = response.json()
    return payload


def assert_assets_unavailable(availability: dict[str, Any]) -> None:
    assets = availability["assets"]
    assert assets["status"] == "unavailable" and assets["available"] is False
    assert "API_EQUIPMENT" in assets["reason"]
    assert "API_EQUIPMENT" in assets["enable"] and "SAP_COM_0395" in assets["enable"]
    locations = availability["locations"]
    assert locations["status"] == "limited" and locations["available"] is True
    assert "API_FUNCTIONALLOCATION" in locations["reason"]
    for entity in ("purchase-orders", "vendors", "work-orders", "inventory-items"):
        assert availability[entity] == {
            "status": "available",
            "available": True,
            "reason": None,
            "enable": None,
        }


def test_a_system_without_equipment_connects_and_shows_what_is_missing(
    client: TestClient, account: AccountFixture, sap: RunningEmulator
) -> None:
    created = connected(client, account, sap)
    assert created["status"] == "active"
    assert created["required_entities"] is None
    assert_assets_unavailable(created["availability"])

    one = client.get(f"/v1/connections/{created['id']}", headers=account.headers).json()
    assert_assets_unavailable(one["availability"])
    (listed,) = client.get("/v1/connections", headers=account.headers).json()["data"]
    assert_assets_unavailable(listed["availability"])
    me = client.get("/v1/connection", headers={"Authorization": f"Bearer {created['token']}"})
    assert_assets_unavailable(me.json()["availability"])


def test_the_issue_case_four_entities_connects_too(
    client: TestClient, account: AccountFixture, sap: RunningEmulator
) -> None:
    chosen = ["purchase-orders", "vendors", "inventory-items", "work-orders"]
    response = connect(client, account, sap, settings={"entities": chosen})
    assert response.status_code == 201, response.text
    assert response.json()["settings"]["entities"] == chosen


def test_a_required_entity_the_system_lacks_fails_the_check_naming_it(
    client: TestClient, account: AccountFixture, sap: RunningEmulator
) -> None:
    response = connect(client, account, sap, required_entities=["purchase-orders", "assets"])
    error = assert_error(response, 400, "CONNECTION_CHECK_FAILED", "invalid_request_error")
    assert error["details"]["stage"] == "permissions"
    assert "assets" in error["message"] and "API_EQUIPMENT" in error["message"]
    assert "purchase-orders" not in error["message"]
    assert "SAP_COM_0395" in error["details"]["fix"]
    assert error["details"]["entities"]["assets"]["status"] == "unavailable"
    assert client.get("/v1/connections", headers=account.headers).json()["data"] == []

    # Required entities the system has are fine, and are kept on the connection.
    kept = connect(client, account, sap, required_entities=["purchase-orders", "work-orders"])
    assert kept.status_code == 201, kept.text
    assert kept.json()["required_entities"] == ["purchase-orders", "work-orders"]
    # Settings cannot stop syncing what the connection requires.
    narrowed = client.patch(
        f"/v1/connections/{kept.json()['id']}",
        json={"entities": ["purchase-orders"]},
        headers=account.headers,
    )
    error = assert_error(narrowed, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "work-orders" in error["details"]["fields"]["entities"]


def test_required_entities_are_validated(
    client: TestClient, account: AccountFixture, sap: RunningEmulator
) -> None:
    unsynced = connect(
        client,
        account,
        sap,
        settings={"entities": ["purchase-orders"]},
        required_entities=["vendors"],
    )
    error = assert_error(unsynced, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "vendors" in error["details"]["fields"]["required_entities"]
    unknown = connect(client, account, sap, required_entities=["spaceships"])
    assert_error(unknown, 400, "VALIDATION_FAILED", "invalid_request_error")
    empty = connect(client, account, sap, required_entities=[])
    assert_error(empty, 400, "VALIDATION_FAILED", "invalid_request_error")


def test_when_nothing_is_available_the_connection_is_refused(
    client: TestClient, account: AccountFixture, sap: RunningEmulator
) -> None:
    sap.emulator.add_user("EQUIPMENT_ONLY", "equip-pass-123", services=["API_EQUIPMENT"])
    body = {
        **credentials(sap),
        "username": "EQUIPMENT_ONLY",
        "password": "equip-pass-123",
    }
    response = client.post(
        "/v1/connections",
        json={
            "system": "sap_s4hana",
            "end_customer_id": "plant-9",
            "end_customer_name": "Plant Nine",
            "credentials": body,
        },
        headers=account.headers,
    )
    error = assert_error(response, 400, "CONNECTION_CHECK_FAILED", "invalid_request_error")
    assert error["details"]["stage"] == "permissions"
    assert "none of the data" in error["message"]


def test_unavailable_entities_are_not_synced_and_reads_say_why(
    client: TestClient, container: Container, account: AccountFixture, sap: RunningEmulator
) -> None:
    created = connected(client, account, sap)
    token = {"Authorization": f"Bearer {created['token']}"}
    views = container.worker.start_sync(created["id"], None, trigger="api")
    synced = {view.entity for view in views}
    assert Entity.ASSETS not in synced
    assert synced == {
        Entity.PURCHASE_ORDERS,
        Entity.VENDORS,
        Entity.WORK_ORDERS,
        Entity.INVENTORY_ITEMS,
        Entity.LOCATIONS,
    }
    with container.uow(readonly=True) as uow:
        runs = SyncRepository(uow.connection, created["id"])
        finished = {view.entity: runs.run(view.id) for view in views}
    assert all(run is not None and run.status == "succeeded" for run in finished.values())
    # Locations come without functional locations: three plants and six storage locations.
    locations = client.get("/v1/locations?limit=500", headers=token).json()["data"]
    assert len(locations) == 9
    assert not any(item["remote_id"].startswith("FL:") for item in locations)

    listed = client.get("/v1/assets", headers=token)
    error = assert_error(listed, 400, "OPERATION_NOT_SUPPORTED", "invalid_request_error")
    assert error["details"]["entity"] == "assets"
    assert error["details"]["availability"] == "unavailable"
    assert "API_EQUIPMENT" in error["details"]["reason"]
    assert "SAP_COM_0395" in error["details"]["enable"]
    assert "API_EQUIPMENT" in error["message"]
    one = client.get("/v1/assets/ast_0000000000000000000000000000", headers=token)
    assert_error(one, 400, "OPERATION_NOT_SUPPORTED", "invalid_request_error")
    asked = client.post("/v1/sync", json={"entities": ["assets"]}, headers=token)
    assert assert_error(asked, 400, "OPERATION_NOT_SUPPORTED", "invalid_request_error")["details"][
        "reason"
    ]
    # Listed with the others, saying it is not synced, why, and what to enable.
    status = {item["entity"]: item for item in client.get("/v1/sync", headers=token).json()["data"]}
    assert set(status) == {entity.value for entity in Entity}
    assets = status["assets"]
    assert assets["status"] == "unavailable"
    assert not assets["ready"] and assets["records"] == 0 and assets["next_run_at"] is None
    assert assets["availability"] == created["availability"]["assets"]
    assert status["locations"]["availability"] == created["availability"]["locations"]
    for entity in synced:
        assert status[entity.value]["status"] == "idle" and status[entity.value]["ready"]


def _sync_status(client: TestClient, token: dict[str, str], entity: Entity) -> dict[str, Any]:
    """`GET /v1/sync`'s entry for `entity`."""
    data = client.get("/v1/sync", headers=token).json()["data"]
    found: dict[str, Any] = next(item for item in data if item["entity"] == entity.value)
    return found


def due(container: Container, connection_id: str) -> list[Entity]:
    """The entities the scheduler's tick would queue now."""
    with container.uow(readonly=True) as uow:
        row = uow.connections.get_for_token(connection_id)
        assert row is not None
        return due_entities(uow, row, container.registry, utcnow())


def test_a_service_activated_later_is_picked_up_by_the_next_check(
    client: TestClient, container: Container, account: AccountFixture, sap: RunningEmulator
) -> None:
    created = connected(client, account, sap)
    token = {"Authorization": f"Bearer {created['token']}"}
    assert Entity.ASSETS not in due(container, created["id"])
    assert _sync_status(client, token, Entity.ASSETS)["status"] == "unavailable"
    for service in MISSING:
        sap.emulator.enable_service(service)
    outcome = check_connection(container.worker.health_context, created["id"], force=True)
    assert outcome.checked and outcome.error is None
    # The scheduler's next tick finds the never-synced entity due.
    assert Entity.ASSETS in due(container, created["id"])
    me = client.get("/v1/connection", headers=token).json()
    assert me["availability"]["assets"]["status"] == "available"
    assert me["availability"]["locations"]["status"] == "available"
    offered = _sync_status(client, token, Entity.ASSETS)
    assert offered["status"] == "idle" and offered["next_run_at"] is not None
    assert offered["availability"]["status"] == "available"

    views = container.worker.start_sync(created["id"], [Entity.ASSETS], trigger="api")
    assert [view.entity for view in views] == [Entity.ASSETS]
    with container.uow(readonly=True) as uow:
        run = SyncRepository(uow.connection, created["id"]).run(views[0].id)
    assert run is not None and run.status == "succeeded" and run.created > 0
    assets = client.get("/v1/assets?limit=500", headers=token)
    assert assets.status_code == 200, assets.text
    assert len(assets.json()["data"]) == run.created

    # Withdrawn again: the next check records it, and assets are no longer read.
    sap.emulator.disable_service("API_EQUIPMENT")
    check_connection(container.worker.health_context, created["id"], force=True)
    refused = client.get("/v1/assets", headers=token)
    assert_error(refused, 400, "OPERATION_NOT_SUPPORTED", "invalid_request_error")


def test_a_check_that_finds_a_required_entity_gone_records_it_without_changing_status(
    client: TestClient, container: Container, account: AccountFixture, sap: RunningEmulator
) -> None:
    response = connect(client, account, sap, required_entities=["work-orders"])
    assert response.status_code == 201, response.text
    created = response.json()
    sap.emulator.disable_service("API_MAINTENANCEORDER")
    outcome = check_connection(container.worker.health_context, created["id"], force=True)
    assert outcome.error is not None and outcome.error["details"]["stage"] == "permissions"
    assert outcome.status == "active"
    one = client.get(f"/v1/connections/{created['id']}", headers=account.headers).json()
    assert one["availability"]["work-orders"]["status"] == "unavailable"
    assert one["health"]["last_error"]["details"]["stage"] == "permissions"


# === the connect flow =============================================================================


def create_link(client: TestClient, account: AccountFixture, **body: Any) -> dict[str, Any]:
    payload = {"end_customer_id": "plant-9", "end_customer_name": "Plant Nine", **body}
    response = client.post("/v1/link-tokens", json=payload, headers=account.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def connect_in_flow(client: TestClient, link_token: str, sap: RunningEmulator) -> Any:
    """Open the SAP form and post it as a browser without JavaScript would."""
    page = client.get("/connect/sap_s4hana", params={"token": link_token})
    assert page.status_code == 200, page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    data = {"token": link_token, "csrf": csrf.group(1)}
    data.update({f"c.{name}": value for name, value in credentials(sap).items()})
    return client.post("/connect/sap_s4hana", data=data)


def exchange(client: TestClient, account: AccountFixture, page_html: str) -> dict[str, Any]:
    found = re.search(r'data-public-token="(ib_pub_[^"]+)"', page_html)
    assert found is not None, page_html
    response = client.post(
        "/v1/link-tokens/exchange",
        json={"public_token": found.group(1)},
        headers=account.headers,
    )
    assert response.status_code == 200, response.text
    exchanged: dict[str, Any] = response.json()
    return exchanged


def test_the_flow_connects_and_its_result_says_what_is_missing(
    client: TestClient, account: AccountFixture, sap: RunningEmulator
) -> None:
    link = create_link(client, account, systems=["sap_s4hana"])
    page = connect_in_flow(client, link["link_token"], sap)
    assert page.status_code == 200, page.text
    assert "Connected" in page.text
    assert 'data-entity="assets" data-status="unavailable"' in page.text
    assert 'data-entity="locations" data-status="limited"' in page.text
    assert "API_EQUIPMENT" in page.text
    exchanged = exchange(client, account, page.text)
    assert_assets_unavailable(exchanged["connection"]["availability"])


def test_a_flow_requiring_assets_fails_at_permissions_naming_them(
    client: TestClient, account: AccountFixture, sap: RunningEmulator
) -> None:
    link = create_link(client, account, systems=["sap_s4hana"], required_entities=["assets"])
    page = connect_in_flow(client, link["link_token"], sap)
    assert page.status_code == 400
    assert "Connected" not in page.text
    assert "assets" in page.text and "API_EQUIPMENT" in page.text
    assert client.get("/v1/connections", headers=account.headers).json()["data"] == []


def test_link_tokens_validate_required_entities(
    client: TestClient, account: AccountFixture
) -> None:
    body = {"end_customer_id": "plant-9", "end_customer_name": "Plant Nine"}
    bad = client.post(
        "/v1/link-tokens",
        json={**body, "systems": ["tryton"], "required_entities": ["assets"]},
        headers=account.headers,
    )
    error = assert_error(bad, 400, "VALIDATION_FAILED", "invalid_request_error")
    assert "tryton" in error["details"]["fields"]["required_entities"]
    unknown = client.post(
        "/v1/link-tokens",
        json={**body, "required_entities": ["spaceships"]},
        headers=account.headers,
    )
    assert_error(unknown, 400, "VALIDATION_FAILED", "invalid_request_error")


def test_reconnecting_after_activating_the_services_makes_them_available(
    client: TestClient, account: AccountFixture, sap: RunningEmulator
) -> None:
    created = connected(client, account, sap)
    for service in MISSING:
        sap.emulator.enable_service(service)
    link = create_link(client, account, connection_id=created["id"])
    page = connect_in_flow(client, link["link_token"], sap)
    assert page.status_code == 200, page.text
    assert 'id="availability"' not in page.text
    one = client.get(f"/v1/connections/{created['id']}", headers=account.headers).json()
    assert {item["status"] for item in one["availability"].values()} == {"available"}


def test_the_catalog_says_what_each_entity_needs(
    client: TestClient, account: AccountFixture
) -> None:
    catalog = client.get("/v1/connectors", headers=account.headers).json()
    sap = next(item for item in catalog["data"] if item["id"] == "sap_s4hana")
    assets = sap["capabilities"]["assets"]["requires"]
    assert any("API_EQUIPMENT" in need and "SAP_COM_0395" in need for need in assets)
    locations = sap["capabilities"]["locations"]["requires"]
    assert any("API_FUNCTIONALLOCATION" in need for need in locations)
    tryton = next(item for item in catalog["data"] if item["id"] == "tryton")
    assert any(
        "production_work" in need for need in tryton["capabilities"]["work-orders"]["requires"]
    )
