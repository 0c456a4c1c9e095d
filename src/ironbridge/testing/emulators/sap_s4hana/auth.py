"""How the emulator knows who calls: HTTP Basic, Bearer tokens, and SAP S/4HANA's own
OAuth 2.0 server as far as the client credentials grant goes.

`POST /sap/bc/sec/oauth2/token` with `grant_type=client_credentials` (RFC 6749 §4.4). The
client authenticates with HTTP Basic (id and secret form-encoded first, RFC 6749 §2.3.1) or
with `client_id` and `client_secret` in the form body. As in SAP S/4HANA Cloud, a client is a
communication user: its id is the user name, its secret the password. Answers follow RFC 6749
§5.1 (`access_token`, `token_type`, `expires_in`, `scope`) and §5.2 (`error`,
`error_description`). A requested scope must name a served service's OData scope
(`API_EQUIPMENT_0001`); tokens are not limited to it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Final
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ironbridge.testing.emulators.sap_s4hana.emulator import SapS4HanaEmulator
from ironbridge.testing.emulators.sap_s4hana.schema import SERVICES

__all__ = ["SCOPES", "TOKEN_PATH", "basic_credentials", "bearer_token", "token_endpoint"]

#: Where SAP S/4HANA serves its OAuth 2.0 token endpoint.
TOKEN_PATH: Final = "/sap/bc/sec/oauth2/token"  # noqa: S105, a path, not a secret
_REALM: Final = 'Basic realm="SAP NetWeaver Application Server [S4H/100]"'
#: The OData scopes a client may ask for: one per served service, as SAP names them.
SCOPES: Final = frozenset(f"{name}_0001" for name in SERVICES)
_NO_STORE: Final = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(status: int, code: str, description: str, **headers: str) -> Response:
    return JSONResponse(
        {"error": code, "error_description": description},
        status_code=status,
        headers={**_NO_STORE, **headers},
    )


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """(user, password) of a Basic `Authorization` header, or None."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon else None


def bearer_token(request: Request) -> str | None:
    """The token of a Bearer `Authorization` header, or None."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def _client(request: Request, form: dict[str, str]) -> tuple[str, str] | None:
    basic = basic_credentials(request)
    if basic is not None:
        return unquote(basic[0]), unquote(basic[1])
    if "client_id" in form and "client_secret" in form:
        return form["client_id"], form["client_secret"]
    return None


def token_endpoint(emulator: SapS4HanaEmulator) -> Callable[[Request], Awaitable[Response]]:
    """The token endpoint's handler for `emulator`."""

    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        client = _client(request, form)
        emulator.log("POST", TOKEN_PATH, client[0] if client else None)
        outcome = emulator.next_fault()
        if outcome.delay:
            await asyncio.sleep(outcome.delay)
        refusal = outcome.refusal
        if refusal is not None:
            headers = refusal.headers if refusal.retry_after else {}
            return _error(refusal.status, "temporarily_unavailable", "Try again later", **headers)
        if client is None or not emulator.authenticate(*client):
            return _error(
                401,
                "invalid_client",
                "Client authentication failed",
                **{"WWW-Authenticate": _REALM},
            )
        if form.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type", "Use grant_type=client_credentials")
        scopes = form.get("scope", "").split()
        unknown = [scope for scope in scopes if scope not in SCOPES]
        if unknown:
            return _error(400, "invalid_scope", f"Scope {unknown[0]} is not granted")
        access_token, lifetime = emulator.issue_access_token(client[0])
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": lifetime,
                "scope": " ".join(scopes or sorted(SCOPES)),
            },
            headers=_NO_STORE,
        )

    return token
