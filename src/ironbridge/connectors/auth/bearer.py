"""`bearer`: a fixed access token the customer copies from their system (RFC 6750)."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Final

import httpx

from ironbridge.connectors.auth.method import AuthMethod, SignIn, SignInContext, required
from ironbridge.connectors.base import AuthField

__all__ = ["BEARER", "StaticBearer"]


class StaticBearer(httpx.Auth):
    """`Authorization: Bearer <token>` on every request; a 401 stands (nothing to renew)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the token."""
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


def _build(values: Mapping[str, str], context: SignInContext) -> SignIn:
    return SignIn("bearer", StaticBearer(required(values, "token").strip()))


BEARER: Final = AuthMethod(
    name="bearer",
    label="Access token",
    summary="an access token that does not expire by itself, sent as `Authorization: Bearer`",
    fields=(
        AuthField(
            name="token",
            label="Access token",
            help=(
                "A token your system issued for ironbridge (often under API access, personal "
                "access tokens or integrations). Copy it whole; it is stored encrypted."
            ),
            secret=True,
            kind="password",
        ),
    ),
    build=_build,
)
