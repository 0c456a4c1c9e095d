"""When syncs run: schedule presets or a cron expression, and retry backoff after failures."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["PRESETS", "next_run", "retry_delay", "validate_schedule"]

#: Named schedules and their interval.
PRESETS: dict[str, timedelta] = {
    "15m": timedelta(minutes=15),
    "hourly": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "daily": timedelta(days=1),
}

_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 6))
_MAX_SCAN = timedelta(days=366)


def _parse_field(text: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
            if step < 1:
                raise ValueError("step must be at least 1")
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = int(a), int(b)
        else:
            start = end = int(part)
        if not (low <= start <= end <= high):
            raise ValueError(f"{part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _cron(expression: str) -> list[frozenset[int]]:
    parts = expression.split()
    if len(parts) != 5:
        raise ValueError("a cron expression has five fields: minute hour day month weekday")
    return [_parse_field(p, low, high) for p, (_, low, high) in zip(parts, _FIELDS, strict=True)]


def validate_schedule(value: str) -> str:
    """`value` if it is a preset or a valid five-field cron expression (weekday 0 = Sunday)."""
    if value in PRESETS:
        return value
    try:
        _cron(value)
    except ValueError as exc:
        names = ", ".join(PRESETS)
        raise ValueError(f"use one of {names} or a cron expression ({exc})") from exc
    return value


def next_run(schedule: str, after: datetime) -> datetime:
    """The first time strictly after `after` at which `schedule` runs."""
    interval = PRESETS.get(schedule)
    if interval is not None:
        return after + interval
    minute, hour, day, month, weekday = _cron(schedule)
    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    limit = after + _MAX_SCAN
    while moment <= limit:
        if (
            moment.month in month
            and moment.day in day
            and (moment.isoweekday() % 7) in weekday
            and moment.hour in hour
            and moment.minute in minute
        ):
            return moment
        moment += timedelta(minutes=1)
    raise ValueError(f"{schedule!r} never runs")


def retry_delay(consecutive_failures: int, *, base: float = 60.0, cap: float = 3600.0) -> timedelta:
    """Back-off before retrying a failed sync: 1 min, 2, 4 … up to an hour."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, consecutive_failures - 1)))
