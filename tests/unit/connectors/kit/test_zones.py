"""Times of systems that show them in a zone of their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ironbridge.connectors.kit import ZonedWire, zone_of


@pytest.mark.parametrize(
    ("name", "offset"),
    [("America/Los_Angeles", timedelta(hours=-8)), ("-08:00", timedelta(hours=-8)),
     ("+0530", timedelta(hours=5, minutes=30)), ("UTC", timedelta(0))],
)  # fmt: skip
def test_time_zones_are_read_as_names_or_offsets(name: str, offset: timedelta) -> None:
    assert zone_of(name).utcoffset(datetime(2026, 1, 15)) == offset


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        zone_of("Mars/Olympus")


def test_local_times_are_read_back_to_utc_across_midnight() -> None:
    wire = ZonedWire("NetSuite", zone_of("America/Los_Angeles"))
    assert wire.to_datetime("2026-12-02 23:59:50") == datetime(2026, 12, 3, 7, 59, 50, tzinfo=UTC)
    assert wire.to_datetime("2026-12-02T23:59:50+00:00") == datetime(
        2026, 12, 2, 23, 59, 50, tzinfo=UTC
    )


def test_stored_rows_carry_their_offset_and_read_the_same_without_the_zone() -> None:
    wire = ZonedWire("NetSuite", zone_of("America/Los_Angeles"))
    row = wire.with_offsets(
        {"modified": "2026-07-01 08:00:00", "created": None, "id": "7"}, ("modified", "created")
    )
    assert row == {"modified": "2026-07-01T15:00:00+00:00", "created": None, "id": "7"}
    assert ZonedWire("NetSuite", UTC).to_datetime(row["modified"]) == wire.to_datetime(
        "2026-07-01 08:00:00"
    )
