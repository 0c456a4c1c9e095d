"""Sync schedules: presets, cron semantics (day of month OR day of week) and schedules that never
fire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ironbridge.schedule import next_run, validate_schedule

THURSDAY = datetime(2026, 12, 3, 7, 30, tzinfo=UTC)


def test_day_of_month_and_day_of_week_are_either_or() -> None:
    # "At midnight on the 1st and on Mondays", as cron reads it.
    assert next_run("0 0 1 * 1", THURSDAY) == datetime(2026, 12, 7, tzinfo=UTC)
    last_monday = datetime(2026, 12, 28, 0, 0, tzinfo=UTC)
    assert next_run("0 0 1 * 1", last_monday) == datetime(2027, 1, 1, tzinfo=UTC)  # a Friday


def test_a_star_in_one_day_field_leaves_the_other_alone() -> None:
    assert next_run("0 0 * * 1", THURSDAY) == datetime(2026, 12, 7, tzinfo=UTC)
    assert next_run("0 0 1 * *", THURSDAY) == datetime(2027, 1, 1, tzinfo=UTC)
    assert next_run("0 0 29 2 *", THURSDAY) == datetime(2028, 2, 29, tzinfo=UTC)


def test_presets_count_from_the_last_run() -> None:
    assert next_run("15m", THURSDAY) == THURSDAY + timedelta(minutes=15)
    assert next_run("6h", THURSDAY) == THURSDAY + timedelta(hours=6)


@pytest.mark.parametrize("schedule", ["0 0 31 2 *", "0 0 30 2 *", "0 12 31 4,6,9,11 *"])
def test_a_schedule_that_never_fires_is_refused_with_the_reason(schedule: str) -> None:
    with pytest.raises(ValueError, match="never fires"):
        validate_schedule(schedule)


@pytest.mark.parametrize(
    "schedule", ["every tuesday", "61 * * * *", "* * *", "0 0 0 * * *", "*/0 * * * *", ""]
)
def test_malformed_schedules_are_refused(schedule: str) -> None:
    with pytest.raises(ValueError, match=r"five fields|not a valid cron expression"):
        validate_schedule(schedule)


def test_a_stored_schedule_that_cannot_run_has_no_next_run() -> None:
    # Settings stored before schedules were checked must not break whoever asks.
    assert next_run("0 0 31 2 *", THURSDAY) is None
    assert next_run("every tuesday", THURSDAY) is None


_CRON_ALPHABET = "0123456789*/,-LW#? MONJAFEBSUTHRIDCGPVaz\t"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_CRON_ALPHABET, max_size=40))
def test_any_text_is_accepted_or_refused_with_a_reason(text: str) -> None:
    try:
        accepted = validate_schedule(text)
    except ValueError as exc:
        assert str(exc)
        assert next_run(text, THURSDAY) is None
    else:
        assert accepted == text
        found = next_run(text, THURSDAY)
        assert found is not None and found > THURSDAY
