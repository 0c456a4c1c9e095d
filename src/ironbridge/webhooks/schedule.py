"""The retry schedule of webhook deliveries, as data: 30 s doubling with jitter, for 24 hours."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

__all__ = ["FIRST_DELAY", "GIVE_UP_AFTER", "MAX_DELAY", "next_attempt"]

FIRST_DELAY = timedelta(seconds=30)
#: No single wait is longer than this, so a receiver that recovers hears from us within hours.
MAX_DELAY = timedelta(hours=6)
#: A delivery still failing this long after its first attempt is given up as `failed`.
GIVE_UP_AFTER = timedelta(hours=24)
JITTER = 0.2


def next_attempt(
    attempts: int,
    first_attempt_at: datetime,
    now: datetime,
    *,
    scale: float = 1.0,
    rng: random.Random | None = None,
) -> datetime | None:
    """When to try again after `attempts` failed attempts, or None once the 24 h are spent.

    `scale` shrinks every interval (and the 24 h window) alike, so tests can run the real
    schedule in seconds.
    """
    base = min(FIRST_DELAY * (2 ** max(0, attempts - 1)), MAX_DELAY)
    # Jitter spreads retries of many deliveries that failed together.
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    candidate: datetime = now + base * factor * scale
    if candidate > first_attempt_at + GIVE_UP_AFTER * scale:
        return None
    return candidate
