"""`verify` accepts what a Standard Webhooks sender signs, and names each way a request fails."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from standardwebhooks import Webhook

from ironbridge.receiver import (
    InvalidPayload,
    InvalidSignature,
    InvalidTimestamp,
    MissingHeaders,
    TimestampTooNew,
    TimestampTooOld,
    WebhookVerificationError,
    parse_event,
    verify,
)

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"o" * 32).decode()
EVENT = {
    "id": "evt_01",
    "type": "purchase_order.updated",
    "created_at": "2024-05-01T10:00:00Z",
    "connection_id": "conn_1",
    "sequence": 42,
    "data": {"id": "po_1", "status": "approved"},
}
BODY = json.dumps(EVENT).encode()


def sign_headers(
    body: bytes = BODY,
    secret: str = SECRET,
    *,
    msg_id: str = "evt_01",
    timestamp: int | None = None,
) -> dict[str, str]:
    """Headers as the reference library signs them: the sender side, independent of ours."""
    sent_at = int(time.time()) if timestamp is None else timestamp
    signature = Webhook(secret).sign(msg_id, datetime.fromtimestamp(sent_at, UTC), body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(sent_at),
        "webhook-signature": signature,
    }


def hmac_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    """Headers signed straight from the scheme's definition, for bodies that are not text."""
    sent_at = str(int(time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"evt_01.{sent_at}.".encode() + body, hashlib.sha256).digest()
    signature = "v1," + base64.b64encode(digest).decode()
    return {"webhook-id": "evt_01", "webhook-timestamp": sent_at, "webhook-signature": signature}


def test_scheme_signature_equals_the_reference_library_signature() -> None:
    headers = hmac_headers(BODY)
    assert headers == sign_headers(timestamp=int(headers["webhook-timestamp"]))


def test_signed_event_is_returned() -> None:
    assert verify(BODY, sign_headers(), SECRET) == EVENT


def test_header_names_are_matched_whatever_their_case() -> None:
    headers = {name.upper(): value for name, value in sign_headers().items()}
    assert verify(BODY, headers, SECRET)["id"] == "evt_01"


def test_tampered_body_is_an_invalid_signature() -> None:
    with pytest.raises(InvalidSignature):
        verify(BODY.replace(b"approved", b"cancelled"), sign_headers(), SECRET)


def test_changed_message_id_is_an_invalid_signature() -> None:
    headers = sign_headers() | {"webhook-id": "evt_02"}
    with pytest.raises(InvalidSignature):
        verify(BODY, headers, SECRET)


def test_wrong_secret_is_an_invalid_signature() -> None:
    with pytest.raises(InvalidSignature):
        verify(BODY, sign_headers(secret=OTHER_SECRET), SECRET)


def test_any_of_several_secrets_verifies_during_a_rotation() -> None:
    assert verify(BODY, sign_headers(secret=OTHER_SECRET), [SECRET, OTHER_SECRET]) == EVENT


def test_any_of_several_signatures_verifies_during_a_rotation() -> None:
    old, new = sign_headers(secret=OTHER_SECRET), sign_headers()
    headers = old | {"webhook-signature": f"{old['webhook-signature']} {new['webhook-signature']}"}
    assert verify(BODY, headers, SECRET) == EVENT


def test_unknown_versions_and_garbage_signatures_are_passed_over() -> None:
    good = sign_headers()
    noise = "v1a,c2lnbmVk v1,@@@not-base64@@@ v2,abc v1, nonsense"
    headers = good | {"webhook-signature": f"{noise} {good['webhook-signature']}"}
    assert verify(BODY, headers, SECRET) == EVENT


def test_only_foreign_signature_versions_are_an_invalid_signature() -> None:
    signature = sign_headers()["webhook-signature"].replace("v1,", "v1a,")
    with pytest.raises(InvalidSignature):
        verify(BODY, sign_headers() | {"webhook-signature": signature}, SECRET)


def test_signatures_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    verify(BODY, sign_headers(), SECRET)
    assert calls


def test_old_timestamp_is_too_old() -> None:
    with pytest.raises(TimestampTooOld):
        verify(BODY, sign_headers(timestamp=int(time.time()) - 301), SECRET)


def test_future_timestamp_is_too_new() -> None:
    with pytest.raises(TimestampTooNew):
        verify(BODY, sign_headers(timestamp=int(time.time()) + 301), SECRET)


def test_tolerance_is_configurable() -> None:
    headers = sign_headers(timestamp=int(time.time()) - 100)
    assert verify(BODY, headers, SECRET, tolerance=200) == EVENT
    with pytest.raises(TimestampTooOld):
        verify(BODY, headers, SECRET, tolerance=50)


@pytest.mark.parametrize("timestamp", ["soon", "1.5e9", "-5", "\u0661\u0667\u0660\u0660"])
def test_timestamp_that_is_not_unix_seconds_is_invalid(timestamp: str) -> None:
    with pytest.raises(InvalidTimestamp) as caught:
        verify(BODY, sign_headers() | {"webhook-timestamp": timestamp}, SECRET)
    assert type(caught.value) is InvalidTimestamp


@pytest.mark.parametrize("header", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_missing_headers(header: str) -> None:
    headers = sign_headers()
    del headers[header]
    with pytest.raises(MissingHeaders, match=header):
        verify(BODY, headers, SECRET)


def test_empty_header_is_missing_headers() -> None:
    with pytest.raises(MissingHeaders):
        verify(BODY, sign_headers() | {"webhook-signature": ""}, SECRET)


# Bodies that are signed correctly but are not events, with what makes each wrong.
NOT_EVENTS = [
    (b"not json", "UTF-8 JSON"),
    (b"\xff\xfe{}", "UTF-8 JSON"),
    (b"[1, 2]", "JSON object"),
    (json.dumps({**EVENT, "id": ""}).encode(), "'id'"),
    (json.dumps({k: v for k, v in EVENT.items() if k != "type"}).encode(), "'type'"),
    (json.dumps({**EVENT, "data": [1]}).encode(), "'data'"),
    (json.dumps({**EVENT, "sequence": "42"}).encode(), "'sequence'"),
    (json.dumps({**EVENT, "sequence": True}).encode(), "'sequence'"),
    (json.dumps({**EVENT, "connection_id": 7}).encode(), "'connection_id'"),
]


@pytest.mark.parametrize(("body", "reason"), NOT_EVENTS)
def test_signed_body_that_is_not_an_event_is_an_invalid_payload(body: bytes, reason: str) -> None:
    with pytest.raises(InvalidPayload, match=reason):
        verify(body, hmac_headers(body), SECRET)


def test_system_event_without_connection_or_sequence_reads_as_nulls() -> None:
    body = json.dumps({"id": "evt_9", "type": "system.error", "data": {}}).encode()
    event = verify(body, sign_headers(body), SECRET)
    assert event["connection_id"] is None and event["sequence"] is None
    assert event["created_at"] is None


def test_unknown_fields_are_kept_for_forward_compatibility() -> None:
    body = json.dumps({**EVENT, "api_version": "2025-01"}).encode()
    assert verify(body, sign_headers(body), SECRET)["api_version"] == "2025-01"


def test_every_failure_is_a_webhook_verification_error() -> None:
    for error in (
        MissingHeaders,
        InvalidTimestamp,
        TimestampTooOld,
        TimestampTooNew,
        InvalidSignature,
        InvalidPayload,
    ):
        assert issubclass(error, WebhookVerificationError)
        assert error.code != WebhookVerificationError.code


@pytest.mark.parametrize("secrets", [[], "whsec_", "whsec_%%%"])
def test_missing_or_malformed_secret_is_a_configuration_error(secrets: Any) -> None:
    with pytest.raises(ValueError):
        verify(BODY, sign_headers(), secrets)


def test_parse_event_checks_shape_without_a_signature() -> None:
    assert parse_event(BODY) == EVENT
    with pytest.raises(InvalidPayload):
        parse_event(b"{}")
