"""Page cursors: what is encoded decodes to the same key; anything else is a 400 on its name."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ironbridge.errors import ValidationFailed
from ironbridge.store.pagination import (
    MAX_POSITION,
    decode_keyset,
    decode_position,
    encode_keyset,
    encode_position,
)


def test_keyset_cursors_round_trip_with_their_zone() -> None:
    at = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert decode_keyset(encode_keyset(at, "conn_01ABC")) == (at, "conn_01ABC")


def test_cursors_issued_before_the_codec_still_decode() -> None:
    # The wire format is unchanged: base64url JSON without padding.
    old = base64.urlsafe_b64encode(b'["2026-03-01T12:00:00+00:00","run_01X"]').decode()
    assert decode_keyset(old.rstrip("=")) == (datetime(2026, 3, 1, 12, tzinfo=UTC), "run_01X")
    assert decode_position(base64.urlsafe_b64encode(b"[42]").decode().rstrip("=")) == 42


@pytest.mark.parametrize("position", [0, 1, MAX_POSITION])
def test_positions_round_trip_across_the_64_bit_range(position: int) -> None:
    assert decode_position(encode_position(position)) == position


@pytest.mark.parametrize("value", [MAX_POSITION + 1, -1, True, 1.0, "1", None])
def test_positions_out_of_range_or_of_another_type_name_the_parameter(value: object) -> None:
    forged = encode_position(value)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as caught:
        decode_position(forged, param="after")
    assert list(caught.value.details["fields"]) == ["after"]


def test_a_garbled_cursor_names_the_parameter() -> None:
    for garbled in ["", "a+b/", "=" * 4, "!!", "eyJ"]:
        with pytest.raises(ValidationFailed) as caught:
            decode_keyset(garbled, param="cursor")
        assert list(caught.value.details["fields"]) == ["cursor"]
