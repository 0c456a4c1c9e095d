"""Plain HTTP for every connector: one client factory, one error table, one redaction policy.

- `make_client` builds the `httpx.Client` a session talks through: explicit timeouts, no
  redirects, no environment proxies or `.netrc`, and an SSRF guard on every request.
- `ensure_url_allowed` is the guard itself: it refuses non-http(s) URLs and hosts that resolve to
  private, loopback, link-local, multicast or reserved addresses, unless the session's
  `SessionOptions.allow_private_urls` says the deployment reaches on-premises systems.
- `error_for_response` / `raise_for_status` turn an HTTP answer into the taxonomy of
  `ironbridge.errors` through `STATUS_ERRORS`; a protocol family passes its own parsed message
  and overrides (OData V2 decides what 412 means, for instance).
- `map_transport_errors` translates httpx's exceptions (DNS, connect, timeouts, broken
  connections) at one border, the way httpx maps httpcore's.
- `redact_headers` and `sanitize_url` keep credentials out of logs and error messages: every
  message built here names the URL only through `sanitize_url`.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from ironbridge import __version__, errors
from ironbridge.connectors.base import SessionOptions
from ironbridge.logs import SECRET_QUERY_PARAMS, is_secret_param

__all__ = [
    "CONNECT_TIMEOUT",
    "CREDENTIALED_URL_PATTERN",
    "REDACTED",
    "SENSITIVE_HEADERS",
    "SENSITIVE_PARAMS",
    "STATUS_ERRORS",
    "WEB_URL_PATTERN",
    "ErrorFactory",
    "GuardedTransport",
    "ensure_url_allowed",
    "error_for_response",
    "is_public_address",
    "make_client",
    "map_transport_errors",
    "parse_retry_after",
    "raise_for_status",
    "redact_headers",
    "sanitize_url",
    "source_transport",
]

_PORT: Final = r"([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_HOST_PORT_PATH: Final = rf"[A-Za-z0-9._~%!$&'()*+,;=-]+(:{_PORT})?([/?#][^\x00-\x20]*)?$"
#: An absolute http(s) URL with an ASCII host name (IDN in punycode) or IPv4 address, an optional
#: valid port, no user name: what `ensure_url_allowed` can parse, for the API document. ASCII
#: classes only: regex engines disagree on which other characters are spaces, and `urlsplit`
#: refuses hosts that normalise to a delimiter.
WEB_URL_PATTERN: Final = r"^[Hh][Tt][Tt][Pp][Ss]?://" + _HOST_PORT_PATH
#: The same with optional user info: a webhook receiver's basic-auth credentials (redacted
#: wherever the URL is logged or shown in an event).
CREDENTIALED_URL_PATTERN: Final = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9._~%!$&'()*+,;=:-]*@)?" + _HOST_PORT_PATH
)

#: Seconds allowed to open a TCP (and TLS) connection; reads use `SessionOptions.timeout`.
CONNECT_TIMEOUT: Final = 10.0
#: What a secret value is replaced with in logs and messages.
REDACTED: Final = "***"

#: Header names whose values are credentials (compared lower-case).
SENSITIVE_HEADERS: Final = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-csrf-token",
        "apikey",
        "x-api-key",
        "maxauth",
        "x-auth-token",
    }
)
# Any header whose name merely contains one of these words is treated as secret too, so a
# vendor's own `X-Foo-Session-Token` is covered without listing it.
_SENSITIVE_HEADER_WORDS: Final = re.compile(r"auth|token|secret|password|cookie|session|key", re.I)

#: Query parameter names whose values are credentials (compared lower-case); the one list the
#: log redaction uses too, so a URL is cleaned the same way in messages and in log lines.
SENSITIVE_PARAMS: Final = SECRET_QUERY_PARAMS

_ALLOWED_SCHEMES: Final = frozenset({"http", "https"})


# --- redaction ---------------------------------------------------------------------------------


def _is_sensitive_header(name: str) -> bool:
    lowered = name.lower()
    return lowered in SENSITIVE_HEADERS or bool(_SENSITIVE_HEADER_WORDS.search(lowered))


def redact_headers(headers: Mapping[str, str] | httpx.Headers) -> dict[str, str]:
    """A copy of `headers` fit for a log line: credential values become `REDACTED`.

    Args:
        headers: request or response headers, in any mapping form httpx accepts.

    Returns:
        A plain dict with the same names; values of `SENSITIVE_HEADERS` and of any header whose
        name mentions auth, token, secret, password, cookie, session or key are replaced.
    """
    return {
        name: (REDACTED if _is_sensitive_header(name) else value) for name, value in headers.items()
    }


def sanitize_url(url: str | httpx.URL) -> str:
    """`url` without credentials: user info is dropped and secret query values are redacted.

    Args:
        url: an absolute or relative URL.

    Returns:
        The URL as text, safe to log or to put in an error message. A value that cannot be
        parsed as a URL at all is replaced by `REDACTED`, since it may be a secret itself.
    """
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return REDACTED
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(name, REDACTED if is_secret_param(name) else value) for name, value in pairs]
        query = urlencode(kept, safe="*$'(),:/ ")
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


# --- SSRF guard --------------------------------------------------------------------------------


def is_public_address(address: str) -> bool:
    """Whether the IP `address` is a public, routable unicast address.

    Private (RFC 1918, unique-local), loopback, link-local (which holds the cloud metadata
    endpoint 169.254.169.254), multicast, reserved, unspecified and shared (CGNAT) ranges are
    not; an IPv4-mapped IPv6 address is judged by the IPv4 address it carries.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise errors.ConnectionUnavailable(
            f"The host {host} cannot be resolved; check the address.",
            retry_after=60.0,
        ) from None
    return sorted({str(info[4][0]) for info in infos})


#: How an operator lets a deployment reach private addresses: the one setting, by its name, so
#: whoever reads a refusal (API error, sync run, CLI) knows what to change.
_PRIVATE_URLS_HINT = "set IRONBRIDGE_ALLOW_PRIVATE_URLS=true to reach on-premises systems"


def ensure_url_allowed(url: str | httpx.URL, *, allow_private: bool, resolve: bool = True) -> None:
    """Refuse a URL a connector must not call.

    Args:
        url: the absolute URL about to be requested.
        allow_private: True when the deployment may reach private and loopback addresses
            (`SessionOptions.allow_private_urls`, for on-premises systems).
        resolve: False checks only the scheme, the host's presence and an IP-literal host,
            without DNS (used when a client is built, before any request).

    Raises:
        errors.ValidationFailed: `{"base_url": ...}` for a non-http(s) scheme, a missing host, or
            a host with any resolved address that is not public while private ones are refused.
            Every resolved address is checked, so one public record cannot smuggle in a private.
        errors.ConnectionUnavailable: the host name does not resolve.
    """
    try:
        parts = urlsplit(str(url))
        host = parts.hostname
        port = parts.port
    except ValueError:
        raise errors.ValidationFailed({"base_url": "Not a valid URL."}) from None
    if parts.scheme.lower() not in _ALLOWED_SCHEMES:
        raise errors.ValidationFailed({"base_url": "Use an http:// or https:// address."})
    if not host:
        raise errors.ValidationFailed({"base_url": "The address has no host name."})
    if allow_private:
        return
    try:
        addresses = [str(ipaddress.ip_address(host.split("%", 1)[0]))]
    except ValueError:
        if not resolve:
            return
        default_port = 443 if parts.scheme.lower() == "https" else 80
        addresses = _resolve(host, port or default_port)
    refused = [address for address in addresses if not is_public_address(address)]
    if refused:
        problem = (
            f"{host} resolves to a private or reserved address ({', '.join(refused)}); "
            f"this deployment only connects to public addresses ({_PRIVATE_URLS_HINT})."
        )
        raise errors.ValidationFailed({"base_url": problem}, message=problem)


class GuardedTransport(httpx.BaseTransport):
    """An `httpx.HTTPTransport` that checks every request's URL with `ensure_url_allowed` first.

    Checking per request, not once per client, also covers passthrough paths and a host whose
    DNS answer changes between requests. Resolution happens again inside the connect, so a DNS
    server that answers differently within milliseconds is not covered; the guard is meant
    against user-supplied addresses, and the deployment's egress firewall remains the last line.
    """

    def __init__(self, *, allow_private: bool, inner: httpx.BaseTransport | None = None) -> None:
        self._allow_private = allow_private
        # No environment proxies: a proxy would make the resolved address meaningless.
        self._inner = inner or source_transport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Check the URL, then send the request through the wrapped transport."""
        ensure_url_allowed(request.url, allow_private=self._allow_private)
        return self._inner.handle_request(request)

    def close(self) -> None:
        """Close the wrapped transport's connections."""
        self._inner.close()


@functools.cache
def _tls() -> ssl.SSLContext:
    # Loading the CA bundle costs tens of milliseconds: once per process, not per session
    # (a context is safe to share between connections and threads).
    return httpx.create_ssl_context(trust_env=False)


def source_transport() -> httpx.HTTPTransport:
    """A transport to a source: verified TLS with the shared context, no environment proxies."""
    return httpx.HTTPTransport(verify=_tls(), trust_env=False)


def make_client(
    base_url: str,
    *,
    auth: httpx.Auth | None,
    options: SessionOptions,
    headers: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """The `httpx.Client` a connector session talks to its source through.

    Args:
        base_url: the instance's address; paths of later requests are relative to it.
        auth: how each request authenticates (`httpx.BasicAuth`, a CSRF flow, ...), or None.
        options: the session's options: `timeout` bounds every read, write and pool wait;
            `allow_private_urls` switches the SSRF guard off for on-premises deployments.
        headers: extra default headers; `Accept: application/json` and a `User-Agent` are set.
        transport: the transport under the SSRF guard (tests pass `httpx.MockTransport`).

    Returns:
        A client with connect timeout `CONNECT_TIMEOUT`, no redirects (a redirect could carry the
        credentials to another host) and no environment proxies or `.netrc`.

    Raises:
        errors.ValidationFailed: `{"base_url": ...}` for a malformed, non-http(s) URL or an
            IP-literal private host; host names are resolved and checked on each request.
    """
    ensure_url_allowed(base_url, allow_private=options.allow_private_urls, resolve=False)
    default_headers = {"Accept": "application/json", "User-Agent": f"ironbridge/{__version__}"}
    default_headers.update(headers or {})
    inner = transport or source_transport()
    return httpx.Client(
        base_url=base_url,
        auth=auth,
        headers=default_headers,
        timeout=httpx.Timeout(options.timeout, connect=CONNECT_TIMEOUT),
        follow_redirects=False,
        trust_env=False,
        transport=GuardedTransport(allow_private=options.allow_private_urls, inner=inner),
    )


# --- status → error table -------------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP-date (RFC 9110 10.2.3).

    Returns None when the header is absent or unreadable; a date in the past gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 dates are always GMT; the parser leaves "-0000" naive.
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


#: Builds the error for one response, given the message the protocol family extracted.
ErrorFactory = Callable[[httpx.Response, str], errors.IronbridgeError]


def _reauth(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.ConnectionReauthRequired(message)


def _forbidden(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.PermissionDenied(message)


def _not_found(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.NotFound(message)


def _conflict(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.Conflict(message)


def _locked(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.RecordLocked(message)


def _invalid(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.ValidationFailed({"body": message}, message)


def _rate_limited(response: httpx.Response, message: str) -> errors.IronbridgeError:
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    wait = 1.0 if retry_after is None else retry_after
    return errors.RateLimitExceeded(message, retry_after=wait)


def _unavailable(response: httpx.Response, message: str) -> errors.IronbridgeError:
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    return errors.ConnectionUnavailable(
        message, retry_after=30.0 if retry_after is None else retry_after
    )


def _gateway_timeout(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.UpstreamTimeout(message)


def _upstream(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.UpstreamError(message)


#: The default meaning of each HTTP status; any other 4xx/5xx is `errors.UpstreamError`.
#: 409 and 412 are plain conflicts here; a protocol whose 412 means "stale ETag" overrides it.
#: 503 is the source saying it is unavailable (maintenance, overload), so it is retried after
#: its `Retry-After`; other 5xx answers are the source failing, retried with backoff.
STATUS_ERRORS: Final[Mapping[int, ErrorFactory]] = {
    400: _invalid,
    401: _reauth,
    403: _forbidden,
    404: _not_found,
    409: _conflict,
    410: _not_found,
    412: _locked,
    422: _invalid,
    423: _locked,
    429: _rate_limited,
    503: _unavailable,
    504: _gateway_timeout,
}


def _describe(response: httpx.Response) -> str:
    try:
        request = response.request
    except RuntimeError:
        return f"The source answered HTTP {response.status_code}."
    return f"{request.method} {sanitize_url(request.url)} answered HTTP {response.status_code}."


def error_for_response(
    response: httpx.Response,
    *,
    message: str | None = None,
    overrides: Mapping[int, ErrorFactory] | None = None,
) -> errors.IronbridgeError:
    """The taxonomy error for a failed (4xx/5xx) `response`.

    Args:
        response: the source's answer.
        message: the source's own explanation, already parsed by the protocol family; when None
            the message names the method, the sanitized URL and the status.
        overrides: per-status factories that take precedence over `STATUS_ERRORS`.

    Returns:
        The error to raise; never a secret in its message unless the source put one in its text.
    """
    text = message or _describe(response)
    status = response.status_code
    factory = (overrides or {}).get(status) or STATUS_ERRORS.get(status) or _upstream
    return factory(response, text)


def raise_for_status(
    response: httpx.Response,
    *,
    message: str | None = None,
    overrides: Mapping[int, ErrorFactory] | None = None,
) -> None:
    """Raise `error_for_response(response, ...)` when the status is 4xx or 5xx."""
    if response.status_code >= 400:
        raise error_for_response(response, message=message, overrides=overrides)


# --- transport errors --------------------------------------------------------------------------


@contextmanager
def map_transport_errors(target: str | httpx.URL | None = None) -> Iterator[None]:
    """Translate httpx's transport exceptions raised inside the block into the taxonomy.

    Args:
        target: the URL (or base URL) being called, named in messages through `sanitize_url`.

    Raises:
        errors.ConnectionUnavailable: DNS failure, refused connection, connect timeout, TLS
            failure, or the connection dropping before an answer.
        errors.UpstreamTimeout: the source accepted the connection but did not answer in time.
        errors.UpstreamError: the source answered something that is not valid HTTP, or with
            too many redirects or an undecodable body.
        errors.ValidationFailed: the URL itself cannot be requested.

    The original exception is not chained: httpx's messages may quote the full URL.
    """
    where = f" ({sanitize_url(target)})" if target is not None else ""
    try:
        yield
    except httpx.ConnectTimeout:
        raise errors.ConnectionUnavailable(
            f"Timed out connecting to the source{where}.", retry_after=60.0
        ) from None
    except httpx.TimeoutException:
        raise errors.UpstreamTimeout(f"The source did not answer in time{where}.") from None
    except httpx.ConnectError:
        raise errors.ConnectionUnavailable(
            f"Cannot connect to the source{where}; check the address and that it is online.",
            retry_after=60.0,
        ) from None
    except httpx.RemoteProtocolError:
        raise errors.UpstreamError(f"The source broke the HTTP protocol{where}.") from None
    except httpx.NetworkError:
        raise errors.ConnectionUnavailable(
            f"The connection to the source failed{where}.", retry_after=30.0
        ) from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        raise errors.ValidationFailed({"base_url": "Use an http:// or https:// address."}) from None
    except httpx.ProxyError:
        raise errors.ConnectionUnavailable(f"The proxy refused the request{where}.") from None
    except (httpx.TooManyRedirects, httpx.DecodingError):
        raise errors.UpstreamError(
            f"The source answered with an unusable response{where}."
        ) from None
    except httpx.TransportError:
        raise errors.ConnectionUnavailable(f"The source cannot be reached{where}.") from None
