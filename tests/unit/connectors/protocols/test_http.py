"""The HTTP protocol family: SSRF guard, status → error table, transport errors, redaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.protocols import http

PRIVATE = SessionOptions(allow_private_urls=True)
PUBLIC_ONLY = SessionOptions(allow_private_urls=False)


def _client(handler: httpx.MockTransport, options: SessionOptions = PRIVATE) -> httpx.Client:
    return http.make_client(
        "http://127.0.0.1:1/root/", auth=None, options=options, transport=handler
    )


def _answer(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, headers=headers))
    with _client(transport) as client:
        return client.get("items")


# --- SSRF guard ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://240.0.0.1/",
    ],
)
def test_private_and_reserved_addresses_are_refused(url: str) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        http.ensure_url_allowed(url, allow_private=False)
    assert "base_url" in caught.value.fields
    # The refusal says which setting allows it, in the message a CLI or log line shows.
    assert "IRONBRIDGE_ALLOW_PRIVATE_URLS=true" in caught.value.message


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.0.0.5/", "http://localhost/"])
def test_private_addresses_are_allowed_when_the_deployment_says_so(url: str) -> None:
    http.ensure_url_allowed(url, allow_private=True)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "file:///etc/passwd", "gopher://x/", "http:///nohost"]
)
def test_non_http_urls_are_refused_even_when_private_is_allowed(url: str) -> None:
    with pytest.raises(errors.ValidationFailed):
        http.ensure_url_allowed(url, allow_private=True)


def test_a_public_ip_literal_is_allowed_without_dns() -> None:
    http.ensure_url_allowed("https://93.184.216.34/sap", allow_private=False)


def test_an_unresolvable_host_is_unreachable_not_invalid() -> None:
    with pytest.raises(errors.ConnectionUnavailable):
        http.ensure_url_allowed("http://no-such-host.invalid/", allow_private=False)


def test_make_client_refuses_a_private_ip_literal_at_once() -> None:
    with pytest.raises(errors.ValidationFailed):
        http.make_client("http://10.0.0.1/", auth=None, options=PUBLIC_ONLY)


def test_every_request_is_checked_by_the_guard() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    client = http.make_client(
        "https://93.184.216.34/",
        auth=None,
        options=PUBLIC_ONLY,
        transport=httpx.MockTransport(handler),
    )
    with client, pytest.raises(errors.ValidationFailed):
        client.get("http://127.0.0.1/admin")
    assert sent == []


def test_client_has_explicit_timeouts_and_no_redirects() -> None:
    with http.make_client(
        "http://127.0.0.1/", auth=None, options=SessionOptions(timeout=7.5, allow_private_urls=True)
    ) as client:
        assert client.timeout.connect == http.CONNECT_TIMEOUT
        assert client.timeout.read == 7.5
        assert client.follow_redirects is False
        assert client.headers["Accept"] == "application/json"


# --- status → error table -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, errors.ValidationFailed),
        (401, errors.ConnectionReauthRequired),
        (403, errors.PermissionDenied),
        (404, errors.NotFound),
        (409, errors.Conflict),
        (412, errors.RecordLocked),
        (429, errors.RateLimitExceeded),
        (500, errors.UpstreamError),
        (502, errors.UpstreamError),
        (503, errors.ConnectionUnavailable),
        (504, errors.UpstreamTimeout),
        (418, errors.UpstreamError),
    ],
)
def test_status_maps_to_the_taxonomy(status: int, error: type[errors.IronbridgeError]) -> None:
    with pytest.raises(error):
        http.raise_for_status(_answer(status))


def test_success_is_not_an_error() -> None:
    http.raise_for_status(_answer(204))


def test_rate_limit_carries_retry_after_seconds() -> None:
    raised = http.error_for_response(_answer(429, {"Retry-After": "17"}))
    assert isinstance(raised, errors.RateLimitExceeded)
    assert raised.retry_after == 17.0


def test_rate_limit_reads_an_http_date() -> None:
    later = datetime.now(UTC) + timedelta(seconds=120)
    raised = http.error_for_response(
        _answer(429, {"Retry-After": format_datetime(later, usegmt=True)})
    )
    assert raised.retry_after is not None
    assert 100 <= raised.retry_after <= 121


def test_overrides_take_precedence_over_the_table() -> None:
    raised = http.error_for_response(
        _answer(409), overrides={409: lambda response, message: errors.RecordLocked(message)}
    )
    assert isinstance(raised, errors.RecordLocked)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("0", 0.0),
        ("120", 120.0),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert http.parse_retry_after(value) == expected


def test_parse_retry_after_counts_from_now() -> None:
    now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert http.parse_retry_after("Mon, 01 Jan 2024 12:00:30 GMT", now=now) == 30.0


def test_error_messages_never_quote_credentials_in_the_url() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(500))
    with _client(transport) as client:
        response = client.get("http://user:hunter2@127.0.0.1:1/x?access_token=abc123&top=1")
    message = http.error_for_response(response).message
    assert "hunter2" not in message
    assert "abc123" not in message
    assert "top=1" in message


# --- transport errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (httpx.ConnectError("refused"), errors.ConnectionUnavailable),
        (httpx.ConnectTimeout("slow"), errors.ConnectionUnavailable),
        (httpx.ReadTimeout("slow"), errors.UpstreamTimeout),
        (httpx.PoolTimeout("busy"), errors.UpstreamTimeout),
        (httpx.ReadError("reset"), errors.ConnectionUnavailable),
        (httpx.RemoteProtocolError("garbage"), errors.UpstreamError),
        (httpx.UnsupportedProtocol("ftp"), errors.ValidationFailed),
    ],
)
def test_transport_errors_map_to_the_taxonomy(
    raised: Exception, expected: type[errors.IronbridgeError]
) -> None:
    with pytest.raises(expected), http.map_transport_errors("http://u:pw@h/x"):
        raise raised


def test_a_refused_connection_is_unavailable() -> None:
    with (
        http.make_client("http://127.0.0.1:9/", auth=None, options=PRIVATE) as client,
        pytest.raises(errors.ConnectionUnavailable) as caught,
        http.map_transport_errors(client.base_url),
    ):
        client.get("x")
    assert caught.value.__cause__ is None


def test_transport_error_messages_are_sanitized() -> None:
    with (
        pytest.raises(errors.ConnectionUnavailable) as caught,
        http.map_transport_errors("http://user:s3cret@host/x?password=p4ss"),
    ):
        raise httpx.ConnectError("refused")
    assert "s3cret" not in caught.value.message
    assert "p4ss" not in caught.value.message


# --- redaction ----------------------------------------------------------------------------


def test_redact_headers_hides_credentials_only() -> None:
    redacted = http.redact_headers(
        {
            "Authorization": "Basic dXNlcjpwdw==",
            "Cookie": "SAP_SESSIONID=abc",
            "X-CSRF-Token": "tok",
            "X-Vendor-Session-Token": "v",
            "Accept": "application/json",
        }
    )
    assert redacted == {
        "Authorization": http.REDACTED,
        "Cookie": http.REDACTED,
        "X-CSRF-Token": http.REDACTED,
        "X-Vendor-Session-Token": http.REDACTED,
        "Accept": "application/json",
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pw@sap.example.com/sap/opu", "https://sap.example.com/sap/opu"),
        (
            "https://h/x?access_token=abc&$top=5",
            "https://h/x?access_token=***&$top=5",
        ),
        ("https://h:8443/x?sap-client=100", "https://h:8443/x?sap-client=100"),
        ("https://[::1]:8080/p", "https://[::1]:8080/p"),
        ("/relative/path?apikey=k", "/relative/path?apikey=***"),
    ],
)
def test_sanitize_url(url: str, expected: str) -> None:
    assert http.sanitize_url(url) == expected
