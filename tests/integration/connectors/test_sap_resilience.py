"""The platform's resilience against the SAP emulator's faults: SAP's own 429 with Retry-After,
a burst of 503s that opens the connection's circuit, and the recovery after it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ironbridge.api import create_app
from ironbridge.bootstrap import Container, bootstrap
from ironbridge.model import Entity
from ironbridge.store import utcnow
from ironbridge.store.sync import SyncRepository
from ironbridge.testing.emulators.sap import RunningEmulator

from ...conftest import StepClock, make_settings
from .linking import link
from .test_connector_sync import sap_credentials

PURCHASE_ORDERS = Entity.PURCHASE_ORDERS
PING = {"method": "GET", "path": "/sap/opu/odata/sap/API_EQUIPMENT/Equipment?$top=1"}


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    built = bootstrap(
        make_settings(
            tmp_path,
            allow_private_urls=True,
            sync_page_size=100,
            breaker_fail_max=3,
            breaker_reset_seconds=1,
        )
    )
    built.breakers.clock = StepClock.ahead(hours=1)  # the circuit half-opens when the test says
    yield built
    built.close()


def test_sap_429_ends_the_run_partial_and_the_next_run_waits_for_retry_after(
    container: Container, sap: RunningEmulator
) -> None:
    linked = link(container, "sap_s4hana", sap_credentials(sap))
    sap.emulator.faults.rate_limit_requests = 1
    sap.emulator.faults.retry_after = 120
    before = utcnow()
    (limited,) = linked.sync(PURCHASE_ORDERS)
    assert limited.status == "partial" and limited.error is not None
    assert limited.error["code"] == "RATE_LIMIT_EXCEEDED"
    with container.uow(readonly=True) as uow:
        state = SyncRepository(uow.connection, linked.id).state(PURCHASE_ORDERS.value)
    assert state is not None and state.next_run_at is not None
    # SAP asked for two minutes: the engine does not come back sooner.
    assert state.next_run_at >= before + timedelta(seconds=119)
    assert linked.status() == "active", "a rate limit is not an outage"

    (resumed,) = linked.sync(PURCHASE_ORDERS)
    assert resumed.status == "succeeded", resumed.error
    assert len(linked.stored(PURCHASE_ORDERS)) == resumed.created > 0


def test_a_burst_of_sap_503s_opens_the_circuit_and_sap_recovering_closes_it(
    container: Container, sap: RunningEmulator
) -> None:
    linked = link(container, "sap_s4hana", sap_credentials(sap))
    sap.emulator.faults.fail_requests = 1000
    sap.emulator.faults.fail_status = 503
    failed = [run for _ in range(3) for run in linked.sync(PURCHASE_ORDERS)]
    assert [run.status for run in failed] == ["failed"] * 3
    assert {run.error["code"] for run in failed if run.error} == {"CONNECTION_UNAVAILABLE"}
    assert linked.status() == "offline"
    reached = len(sap.emulator.requests)

    with TestClient(create_app(container)) as client:
        # While the circuit is open, calls fail fast and say when to come back.
        fast = client.post("/v1/passthrough", json=PING, headers=linked.headers)
        assert fast.status_code == 503
        assert fast.json()["error"]["details"] == {"breaker": "open"}
        assert fast.headers["Retry-After"] == "1"
    (postponed,) = linked.sync(PURCHASE_ORDERS)
    assert postponed.status == "queued" and postponed.error is None, "it waits for the circuit"
    assert len(sap.emulator.requests) == reached, "nothing reached SAP while open"

    sap.emulator.faults.fail_requests = 0
    clock = container.breakers.clock
    assert isinstance(clock, StepClock)
    clock.advance(seconds=1.1)
    (recovered,) = linked.sync(PURCHASE_ORDERS)
    assert recovered.status == "succeeded", recovered.error
    assert recovered.created == len(linked.stored(PURCHASE_ORDERS)) > 0
    assert linked.status() == "active"
    assert linked.event_types()["connection.status_changed"] == 2
