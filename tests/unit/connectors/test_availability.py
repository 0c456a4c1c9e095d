"""Judging a check's per-entity availability against what a connection needs."""

from __future__ import annotations

from ironbridge.connectors import (
    Availability,
    CheckResult,
    CheckStage,
    EntityAvailability,
    availability_of,
    judge,
    load_availability,
)
from ironbridge.connectors.sap_s4hana.spec import SPEC
from ironbridge.model import Entity

NO_ASSETS = EntityAvailability(
    Entity.ASSETS, Availability.UNAVAILABLE, "API_EQUIPMENT is not active.", "Activate it."
)
FEW_LOCATIONS = EntityAvailability(
    Entity.LOCATIONS, Availability.LIMITED, "No functional locations.", "Add SAP_COM_0395."
)
PASSED = CheckResult(
    CheckStage.PERMISSIONS, True, "Read most.", entities=(NO_ASSETS, FEW_LOCATIONS)
)


def test_an_entity_the_check_does_not_name_is_available() -> None:
    found = availability_of([PASSED], SPEC)
    assert found is not None
    assert set(found) == set(SPEC.entities)
    assert found[Entity.PURCHASE_ORDERS].status is Availability.AVAILABLE
    assert found[Entity.ASSETS] == NO_ASSETS
    assert found[Entity.LOCATIONS].available


def test_a_check_that_stopped_before_permissions_tells_nothing() -> None:
    reach = CheckResult(CheckStage.REACH, False, "No answer.")
    assert availability_of([reach], SPEC) is None
    broken = CheckResult(CheckStage.PERMISSIONS, False, "HTTP 500.")
    assert availability_of([broken], SPEC) is None


def test_by_default_one_available_entity_is_enough() -> None:
    assert judge(PASSED, SPEC) is PASSED


def test_a_missing_required_entity_fails_the_stage_naming_it_and_the_fix() -> None:
    failed = judge(PASSED, SPEC, required=[Entity.PURCHASE_ORDERS, Entity.ASSETS])
    assert not failed.ok and failed.stage is CheckStage.PERMISSIONS
    assert "assets: API_EQUIPMENT is not active." in failed.message
    assert "purchase-orders" not in failed.message
    assert failed.fix == "Activate it."
    error = failed.to_error()
    assert error.code == "CONNECTION_CHECK_FAILED"
    assert error.details["stage"] == "permissions"
    assert error.details["entities"]["assets"]["status"] == "unavailable"


def test_a_limited_entity_meets_a_requirement() -> None:
    assert judge(PASSED, SPEC, required=[Entity.LOCATIONS]).ok


def test_nothing_wanted_available_fails_the_stage() -> None:
    failed = judge(PASSED, SPEC, wanted=[Entity.ASSETS])
    assert not failed.ok
    assert "none of the data" in failed.message


def test_other_stages_and_failures_pass_through_unjudged() -> None:
    reach = CheckResult(CheckStage.REACH, True, "Answers.")
    assert judge(reach, SPEC, required=[Entity.ASSETS]) is reach
    broken = CheckResult(CheckStage.PERMISSIONS, False, "HTTP 500.")
    assert judge(broken, SPEC, required=[Entity.ASSETS]) is broken


def test_stored_availability_reads_back_and_fills_unknown_entities() -> None:
    stored = {Entity.ASSETS.value: NO_ASSETS.to_dict(), "no-such-entity": {"status": "x"}}
    loaded = load_availability(stored, SPEC)
    assert loaded[Entity.ASSETS] == NO_ASSETS
    assert loaded[Entity.VENDORS].status is Availability.AVAILABLE
    assert set(loaded) == set(SPEC.entities)
