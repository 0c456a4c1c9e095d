"""Opaque keyset cursors: (sort value, id) of the last row of a page, base64url JSON."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..errors import ValidationFailed

__all__ = ["CURSOR_PATTERN", "decode_cursor", "encode_cursor"]

#: What every cursor `encode_cursor` makes looks like (unpadded base64url), for the API document.
CURSOR_PATTERN = "^[A-Za-z0-9_-]+$"


def encode_cursor(*values: Any) -> str:
    """An opaque cursor holding `values` (strings or ISO times)."""
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """The values of a cursor made by `encode_cursor`; a bad cursor is a 400 on `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed({"cursor": "not a cursor returned by this API"}) from exc
    if not isinstance(values, list) or len(values) != arity:
        raise ValidationFailed({"cursor": "not a cursor returned by this API"})
    return values
