"""Prefixed, time-sortable identifiers (`conn_01JD…`) for ironbridge's own objects."""

from __future__ import annotations

import os
import time

__all__ = ["new_id"]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
#: Every 10-bit value as its two base32 digits: an id is 13 lookups (it is made per request
#: and per event, and digit by digit it cost more than the random bytes).
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
_SHIFTS = range(120, -1, -10)


def new_id(prefix: str) -> str:
    """A ULID-shaped id: 48 bits of milliseconds then 80 random bits, so ids sort by creation."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return prefix + "_" + "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])
