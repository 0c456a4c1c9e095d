"""When syncs run: schedule presets or a cron expression, and retry backoff after failures.

Cron expressions are read by `cronsim` (the cron semantics of Debian's cron, in UTC): in
particular a day of month and a day of week both restricted match either (`0 0 1 * 1` is the 1st
and every Monday), and names (`MON`, `JAN`), `L` and `#` work as there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cronsim import CronSim, CronSimError

__all__ = ["PRESETS", "next_run", "retry_delay", "validate_schedule"]

#: Named schedules and their interval.
PRESETS: dict[str, timedelta] = {
    "15m": timedelta(minutes=15),
    "hourly": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "daily": timedelta(days=1),
}

#: A cron expression here has no seconds field.
_CRON_FIELDS = 5
_MONTH = 3


def _first_run(expression: str, after: datetime) -> datetime:
    """The first time strictly after `after` at which the cron expression fires.

    Raises ValueError saying why when it is not a cron expression or never fires.
    """
    fields = expression.split()
    if len(fields) != _CRON_FIELDS:
        raise ValueError("a cron expression has five fields: minute hour day month weekday")
    try:
        found = next(CronSim(expression, after.astimezone(UTC)), None)
    except CronSimError as exc:
        # cronsim refuses days of month that none of the expression's months has (the 31st of
        # February) with the same error as a malformed field: valid in any month, it is the
        # former.
        any_month = [*fields[:_MONTH], "*", *fields[_MONTH + 1 :]]
        try:
            CronSim(" ".join(any_month), after)
        except CronSimError:
            raise ValueError(f"not a valid cron expression ({exc})") from exc
        raise ValueError("never fires: none of its months has that day") from exc
    if found is None:
        raise ValueError("never fires")
    return found


def validate_schedule(value: str) -> str:
    """`value` if it is a preset or a five-field cron expression that fires; otherwise a
    ValueError saying why."""
    if value in PRESETS:
        return value
    try:
        _first_run(value, datetime.now(UTC))
    except ValueError as exc:
        names = ", ".join(PRESETS)
        raise ValueError(f"use one of {names} or a cron expression in UTC: {exc}") from exc
    return value


def next_run(schedule: str, after: datetime) -> datetime | None:
    """The first time strictly after `after` at which `schedule` runs; None when it never does
    (a stored schedule that was never checked must not break whoever asks)."""
    interval = PRESETS.get(schedule)
    if interval is not None:
        return after + interval
    try:
        return _first_run(schedule, after)
    except ValueError:
        return None


def retry_delay(consecutive_failures: int, *, base: float = 60.0, cap: float = 3600.0) -> timedelta:
    """Back-off before retrying a failed sync: 1 min, 2, 4 … up to an hour."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, consecutive_failures - 1)))
