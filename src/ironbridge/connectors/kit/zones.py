"""Systems that show times in a zone of their own, without saying which.

NetSuite shows and compares every date in the account's time zone; such a system's rows are
read through a `ZonedWire`, which gives a time without zone the system's zone, and its zone is
named as the system names it (`zone_of`: an IANA name or an offset such as `-08:00`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ironbridge.connectors.kit.wire import Wire

__all__ = ["ZonedWire", "zone_of"]

_OFFSET: Final = re.compile(r"([+-])(\d{1,2}):?(\d{2})")


def zone_of(name: str) -> tzinfo:
    """A time zone from an IANA name or a UTC offset (`-08:00`, `+0530`).

    Raises:
        ValueError: `name` is neither.
    """
    found = _OFFSET.fullmatch(name.strip())
    if found is not None:
        sign = -1 if found.group(1) == "-" else 1
        offset = timedelta(hours=int(found.group(2)), minutes=int(found.group(3)))
        return timezone(sign * offset)
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is no time zone") from None


class ZonedWire(Wire):
    """The plain JSON wire of a system whose times without zone are in `zone`."""

    def __init__(self, name: str, zone: tzinfo) -> None:
        self.name = name
        self.zone = zone

    def to_datetime(self, value: Any) -> datetime:
        """An instant, aware and in UTC; a time without zone is the system's local time."""
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(UTC)

    def with_offsets(self, row: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
        """`row` with the times under `names` written in ISO 8601 with their offset, so that a
        stored row reads the same through a wire that does not know the zone."""
        out = dict(row)
        for name in names:
            if out.get(name):
                out[name] = self.to_datetime(out[name]).isoformat()
        return out
