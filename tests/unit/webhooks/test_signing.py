"""Outbound signatures verify with the reference Standard Webhooks library, and only when intact."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from ironbridge.webhooks import signing

BODY = b'{"id":"evt_1","type":"purchase_order.updated","sequence":7,"data":{"id":"po_1"}}'
MSG_ID = "evt_1"
SECRET = signing.generate_secret()


def signed(secrets: str | list[str], body: bytes = BODY, timestamp: int | None = None) -> dict:
    return signing.headers(secrets, MSG_ID, body, timestamp=timestamp)


def test_generated_secret_is_whsec_and_32_random_bytes() -> None:
    secret = signing.generate_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert secret != signing.generate_secret()


def test_signed_request_verifies_with_the_reference_library() -> None:
    secret = signing.generate_secret()
    assert Webhook(secret).verify(BODY, signed(secret)) == json.loads(BODY)


def test_signature_equals_the_reference_library_signature() -> None:
    secret = signing.generate_secret()
    timestamp = int(time.time())
    theirs = Webhook(secret).sign(MSG_ID, datetime.fromtimestamp(timestamp, UTC), BODY.decode())
    assert signing.sign(secret, MSG_ID, timestamp, BODY) == theirs


def test_headers_carry_the_event_id_and_the_current_time() -> None:
    headers = signed(signing.generate_secret())
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-id"] == MSG_ID
    assert abs(int(headers["webhook-timestamp"]) - time.time()) <= 2
    assert headers["webhook-signature"].startswith("v1,")


def test_tampered_body_fails_verification() -> None:
    secret = signing.generate_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"7", b"8"), signed(secret))


def test_wrong_secret_fails_verification() -> None:
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.generate_secret()).verify(BODY, signed(signing.generate_secret()))


def test_old_timestamp_fails_verification() -> None:
    secret = signing.generate_secret()
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(BODY, signed(secret, timestamp=int(time.time()) - 600))


def test_future_timestamp_fails_verification() -> None:
    secret = signing.generate_secret()
    with pytest.raises(WebhookVerificationError, match="too new"):
        Webhook(secret).verify(BODY, signed(secret, timestamp=int(time.time()) + 600))


@pytest.mark.parametrize("header", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_fails_verification(header: str) -> None:
    secret = signing.generate_secret()
    headers = signed(secret)
    del headers[header]
    with pytest.raises(WebhookVerificationError, match="Missing required headers"):
        Webhook(secret).verify(BODY, headers)


def test_rotated_secrets_both_verify_and_others_do_not() -> None:
    old, new = signing.generate_secret(), signing.generate_secret()
    headers = signed([old, new])
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(BODY, headers)
    Webhook(new).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.generate_secret()).verify(BODY, headers)


def test_repeated_secret_signs_once() -> None:
    secret = signing.generate_secret()
    assert signing.signature_header([secret, secret], MSG_ID, 1, BODY) == signing.sign(
        secret, MSG_ID, 1, BODY
    )


def test_unpadded_secret_signs_like_the_padded_one() -> None:
    secret = signing.generate_secret()
    assert signing.sign(secret.rstrip("="), MSG_ID, 1, BODY) == signing.sign(
        secret, MSG_ID, 1, BODY
    )


@pytest.mark.parametrize("secret", ["whsec_", "whsec_not base64!", ""])
def test_malformed_secret_cannot_sign(secret: str) -> None:
    with pytest.raises(ValueError):
        signing.sign(secret, MSG_ID, 1, BODY)


def test_signing_without_a_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        signing.signature_header([], MSG_ID, 1, BODY)


@given(msg_id=st.text(min_size=1).filter(str.isprintable), body=st.text())
def test_any_id_and_body_verify_with_the_reference_library(msg_id: str, body: str) -> None:
    headers = signing.headers(SECRET, msg_id, body.encode())
    Webhook(SECRET).verify(body.encode(), headers, json_parse=False)
