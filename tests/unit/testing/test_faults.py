"""The faults every emulator injects: their command-line form and counting them down."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import pytest

from ironbridge.testing.emulators import business_central, maximo, netsuite, odoo, sap_s4hana
from ironbridge.testing.faults import Faults, RateLimitFaults, Refusal, RetryAfterFaults


@dataclass
class _Vendor(RateLimitFaults):
    expire_after: int | None = None
    lost: int = 0
    pause: float = 0.0

    NAMES: ClassVar = {
        **RateLimitFaults.NAMES,
        "expire_after": "expire_after",
        "lose": "lost",
        "pause": "pause",
    }


# -- the command-line form -------------------------------------------------------------------


def test_parse_reads_every_declared_name_into_its_attribute() -> None:
    faults = _Vendor.parse("fail=3, status=500,rate_limit=2,delay=0.25,expire_after=9,lose=1")
    assert (faults.fail_requests, faults.fail_status, faults.rate_limit_requests) == (3, 500, 2)
    assert (faults.delay, faults.expire_after, faults.lost) == (0.25, 9, 1)


def test_a_float_attribute_reads_a_float_and_the_others_integers() -> None:
    faults = _Vendor.parse("delay=1,pause=2")
    assert (faults.delay, faults.pause) == (1.0, 2.0)
    assert isinstance(faults.delay, float) and isinstance(faults.pause, float)
    with pytest.raises(ValueError, match="invalid literal"):
        _Vendor.parse("fail=0.5")


@pytest.mark.parametrize("text", [None, "", " , ,"])
def test_no_text_is_no_faults(text: str | None) -> None:
    assert _Vendor.parse(text) == _Vendor()


def test_an_unknown_name_is_refused_with_the_names_known() -> None:
    with pytest.raises(ValueError) as caught:
        Faults.parse("fail=1,rate_limit=2")
    assert str(caught.value) == "unknown fault 'rate_limit'; use one of delay, fail, status"


def test_parse_makes_the_class_it_is_called_on() -> None:
    assert type(RetryAfterFaults.parse("retry_after=5")) is RetryAfterFaults
    assert RetryAfterFaults.parse("retry_after=5").retry_after == 5
    with pytest.raises(ValueError, match="unknown fault 'retry_after'"):
        RateLimitFaults.parse("retry_after=5")


def test_from_option_takes_faults_as_they_are_or_their_text_form() -> None:
    given = _Vendor(fail_requests=2)
    assert _Vendor.from_option(given) is given
    assert _Vendor.from_option("lose=4") == _Vendor(lost=4)


@pytest.mark.parametrize(
    "kind",
    [
        business_central.Faults,
        maximo.Faults,
        netsuite.Faults,
        odoo.Faults,
        sap_s4hana.Faults,
    ],
)
def test_every_emulators_names_lead_to_its_faults(kind: type[Faults]) -> None:
    names = {field.name for field in fields(kind)}
    assert set(kind.NAMES.values()) <= names
    assert {"fail", "status", "delay", "expire_after"} <= set(kind.NAMES)


# -- counting down ---------------------------------------------------------------------------


def test_take_spends_a_budget_until_it_is_gone() -> None:
    faults = _Vendor(lost=2)
    assert [faults.take("lost") for _ in range(4)] == [True, True, False, False]
    assert faults.lost == 0


def test_run_out_fires_once_for_the_request_after_the_count() -> None:
    faults = _Vendor(expire_after=2)
    assert [faults.run_out("expire_after") for _ in range(5)] == [False, False, True, False, False]
    assert faults.expire_after is None


def test_a_countdown_of_none_never_runs_out() -> None:
    faults = _Vendor()
    assert not any(faults.run_out("expire_after") for _ in range(3))


def test_failures_come_first_then_rate_limits_then_service() -> None:
    faults = RateLimitFaults(fail_requests=1, fail_status=500, rate_limit_requests=1)
    assert [faults.refusal() for _ in range(3)] == [
        Refusal(500),
        Refusal(429, rate_limited=True),
        None,
    ]


def test_a_failure_status_of_429_is_not_a_rate_limit() -> None:
    refused = RateLimitFaults(fail_requests=1, fail_status=429).refusal()
    assert refused == Refusal(429) and not refused.rate_limited


def test_plain_faults_know_failures_only() -> None:
    faults = Faults(fail_requests=1)
    assert faults.refusal() == Refusal(503)
    assert faults.refusal() is None


@pytest.mark.parametrize(
    ("faults", "headers"),
    [
        (RetryAfterFaults(fail_requests=1, retry_after=7), {"Retry-After": "7"}),
        (RetryAfterFaults(fail_requests=1, fail_status=500, retry_after=7), {}),
        (RetryAfterFaults(rate_limit_requests=1, retry_after=7), {"Retry-After": "7"}),
        (RateLimitFaults(rate_limit_requests=1), {}),
        (RateLimitFaults(fail_requests=1), {}),
    ],
)
def test_retry_after_goes_with_a_429_or_a_503_where_declared(
    faults: RateLimitFaults, headers: dict[str, str]
) -> None:
    refused = faults.refusal()
    assert refused is not None and refused.headers == headers
