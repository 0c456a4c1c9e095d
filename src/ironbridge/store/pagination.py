"""Opaque page cursors, encoded and decoded in one place for every list.

A cursor is the base64url JSON of the last row's key: `[sort time, id]` for keyset pages,
`[position]` for the events feed. Clients may send anything back, so decoding checks every
value's type and range before it can reach a query: a forged or garbled cursor is a 400
`VALIDATION_FAILED` naming the parameter it came in (`cursor`, or an alias such as `after`),
never a database error.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from typing import Any

from ..errors import ValidationFailed

__all__ = [
    "CURSOR_PATTERN",
    "MAX_POSITION",
    "decode_keyset",
    "decode_position",
    "decode_sorted",
    "encode_keyset",
    "encode_position",
    "encode_sorted",
]

#: The largest position a cursor may carry: a signed 64-bit integer, as the column stores.
MAX_POSITION = 2**63 - 1
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")
#: Ids are ours (`conn_01…`, `run_01…`) or record ids; printable ASCII, as stored.
_ID = re.compile(r"^[\x21-\x7e]{1,255}$")
_INVALID = "not a cursor returned by this API"
#: What every cursor looks like (unpadded base64url), for the API document.
CURSOR_PATTERN = "^[A-Za-z0-9_-]+$"


def encode_keyset(at: datetime, row_id: str) -> str:
    """The cursor after a row sorted by (`at`, `row_id`); `at` must carry its zone."""
    return _encode([at.isoformat(), row_id])


def decode_keyset(cursor: str, *, param: str = "cursor") -> tuple[datetime, str]:
    """The (time, id) key of a cursor made by `encode_keyset`."""
    at, row_id = _decode(cursor, 2, param)
    if not isinstance(at, str) or not isinstance(row_id, str) or not _ID.match(row_id):
        raise ValidationFailed({param: _INVALID})
    try:
        time = datetime.fromisoformat(at)
    except ValueError as exc:
        raise ValidationFailed({param: _INVALID}) from exc
    if time.utcoffset() is None:
        raise ValidationFailed({param: _INVALID})
    return time, row_id


def encode_sorted(order: str, value: str, row_id: str) -> str:
    """The cursor after a row sorted by the text `value` (a time as ISO text) under the sort
    order named `order`, then by `row_id`."""
    return _encode([order, value, row_id])


def decode_sorted(cursor: str, order: str, *, param: str = "cursor") -> tuple[str, str]:
    """The (value, id) key of a cursor made by `encode_sorted` under the same `order`: a cursor
    of another order would seek in the wrong column, so it is refused."""
    named, value, row_id = _decode(cursor, 3, param)
    valid = isinstance(value, str) and isinstance(row_id, str) and bool(_ID.match(row_id))
    if named != order or not valid or len(value) > 1000:
        raise ValidationFailed({param: _INVALID})
    return value, row_id


def encode_position(position: int) -> str:
    """The cursor after the row at `position` of an ordered feed."""
    return _encode([position])


def decode_position(cursor: str, *, param: str = "cursor") -> int:
    """The position of a cursor made by `encode_position`."""
    (position,) = _decode(cursor, 1, param)
    # bool is an int to Python but never a position; the range is the column's.
    if type(position) is not int or not 0 <= position <= MAX_POSITION:
        raise ValidationFailed({param: _INVALID})
    return position


def _encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, arity: int, param: str) -> list[Any]:
    if not cursor or not _BASE64URL.match(cursor):
        raise ValidationFailed({param: _INVALID})
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, RecursionError) as exc:
        raise ValidationFailed({param: _INVALID}) from exc
    if not isinstance(values, list) or len(values) != arity:
        raise ValidationFailed({param: _INVALID})
    return values
