"""The sign-in-and-probe check: which stage a failure fails, and what a refused probe makes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ironbridge import errors
from ironbridge.connectors.base import Availability, CheckResult, CheckStage, EntityAvailability
from ironbridge.connectors.kit import SignInCheck
from ironbridge.model import Entity

CHECK = SignInCheck(
    reached="It answers.",
    signed_in="Signed in as {user}.",
    unreachable_fix="Check the address.",
    refused_fix="Check the key.",
    enable="Grant {name}.",
    summary="{readable} of {total} lists and {found} codes.",
    probe_fix="Grant the lists.",
)
NAMES = {Entity.VENDORS: "VENDOR", Entity.PURCHASE_ORDERS: "PO"}


def _run(
    sign_in: Callable[[], Mapping[str, Any]],
    probe: Callable[[Entity], object] = lambda entity: None,
    found: Callable[[], object] = lambda: 12,
) -> list[CheckResult]:
    return list(CHECK.run(sign_in, probe, NAMES, found))


def _refuse(error: Exception) -> Callable[..., Any]:
    def refused(*_args: object) -> Any:
        raise error

    return refused


def test_a_signed_in_user_passes_every_stage() -> None:
    results = _run(lambda: {"user": "ANNA"})
    assert [(r.stage, r.ok, r.message) for r in results] == [
        (CheckStage.REACH, True, "It answers."),
        (CheckStage.AUTHENTICATE, True, "Signed in as ANNA."),
        (CheckStage.PERMISSIONS, True, "2 of 2 lists and 12 codes."),
    ]


def test_a_member_the_sign_in_answer_lacks_reads_none() -> None:
    assert _run(lambda: {})[1].message == "Signed in as None."


def test_refused_credentials_fail_authenticate_and_no_answer_fails_reach() -> None:
    refused = _run(_refuse(errors.ConnectionReauthRequired("The key is wrong.")))
    assert [(r.stage, r.ok) for r in refused] == [
        (CheckStage.REACH, True),
        (CheckStage.AUTHENTICATE, False),
    ]
    assert refused[-1].fix == "Check the key."
    down = _run(_refuse(errors.ConnectionUnavailable("Nobody home.")))
    assert [(r.stage, r.ok, r.fix) for r in down] == [
        (CheckStage.REACH, False, "Check the address.")
    ]


def test_a_refused_probe_makes_its_entity_unavailable_and_the_stage_passes() -> None:
    def probe(entity: Entity) -> None:
        if entity is Entity.PURCHASE_ORDERS:
            raise errors.PermissionDenied("No orders for you.")

    result = _run(lambda: {"user": "ANNA"}, probe)[-1]
    assert (result.ok, result.message) == (True, "1 of 2 lists and 12 codes.")
    assert result.entities == (
        EntityAvailability(
            Entity.PURCHASE_ORDERS, Availability.UNAVAILABLE, "No orders for you.", "Grant PO."
        ),
    )


def test_a_failing_probe_or_last_read_fails_the_permissions_stage() -> None:
    for failing in (
        _run(lambda: {}, _refuse(errors.UpstreamError("Broken."))),
        _run(lambda: {}, found=_refuse(errors.PermissionDenied("No domains."))),
    ):
        assert [(r.stage, r.ok) for r in failing][-1] == (CheckStage.PERMISSIONS, False)
        assert failing[-1].fix == "Grant the lists."
