"""Sums over nested rows, JSON-number bodies, and a status a source has no code for."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ironbridge import errors
from ironbridge.connectors.auth.throttle import throttled
from ironbridge.connectors.kit import (
    JSON_NUMBERS,
    PLAIN,
    Code,
    MapContext,
    Number,
    NumberWire,
    Sum,
    write_fields,
)
from ironbridge.model import VendorStatus


def test_a_sum_adds_a_column_over_nested_rows_and_skips_empty_ones() -> None:
    row = {"lines": [{"amount": "1.10"}, {"amount": 2}, {"memo": "no amount"}]}
    ctx = MapContext(PLAIN, lambda entity, remote_id: remote_id)
    assert Sum("lines", "amount").read(row, ctx) == Decimal("3.10")
    assert Sum("lines", "amount").read({}, ctx) == Decimal(0)


def test_numbers_are_written_as_json_numbers() -> None:
    fields = {"quantity": Number("quantity"), "rate": Number("rate")}
    body = write_fields(
        fields, {"quantity": Decimal("3.000"), "rate": Decimal("12.5")}, JSON_NUMBERS
    )
    assert body == {"quantity": 3, "rate": 12.5}
    assert write_fields(fields, {"quantity": Decimal(2)}, PLAIN) == {"quantity": "2"}


def test_a_status_the_source_has_no_code_for_is_refused_on_its_field() -> None:
    fields = {"status": Code("isInactive", table={False: VendorStatus.ACTIVE})}
    with pytest.raises(errors.ValidationFailed) as caught:
        write_fields(fields, {"status": VendorStatus.BLOCKED}, NumberWire("NetSuite"))
    assert caught.value.fields == {"status": "NetSuite has no blocked."}


@pytest.mark.parametrize("setting", ["0", "two", "-1"])
def test_a_concurrency_setting_must_be_a_whole_number_from_one(setting: str) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        throttled(object(), "ACME", setting, default=2, sleep=lambda _: None)  # type: ignore[arg-type]
    assert set(caught.value.fields) == {"concurrency"}


def test_an_empty_concurrency_setting_takes_the_default() -> None:
    throttle = throttled(object(), "ACME-DEFAULT", " ", default=3, sleep=lambda _: None)  # type: ignore[arg-type]
    taken = [throttle.slots.acquire(blocking=False) for _ in range(4)]
    for _ in range(taken.count(True)):
        throttle.slots.release()
    assert taken == [True, True, True, False]
