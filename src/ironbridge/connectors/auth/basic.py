"""`basic`: a user name and password in HTTP Basic authentication (RFC 7617).

A system that reads the same `user:password` in base64 from a header of its own (Maximo's
native login, `maxauth`) says so in its offer's settings, `{"header": "maxauth"}`.
"""

from __future__ import annotations

import base64
from collections.abc import Generator, Mapping
from typing import Final

import httpx

from ironbridge.connectors.auth.method import AuthMethod, SignIn, SignInContext, required
from ironbridge.connectors.base import AuthField

__all__ = ["BASIC", "HeaderBasicAuth"]


class HeaderBasicAuth(httpx.Auth):
    """`base64(user:password)` in the header `header` on every request."""

    def __init__(self, username: str, password: str, header: str) -> None:
        self._header = header
        self._value = base64.b64encode(f"{username}:{password}".encode()).decode()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the header."""
        request.headers[self._header] = self._value
        yield request


def _build(values: Mapping[str, str], context: SignInContext) -> SignIn:
    username, password = required(values, "username"), required(values, "password")
    header = context.settings.get("header")
    if header is not None:
        return SignIn("basic", HeaderBasicAuth(username, password, header))
    return SignIn("basic", httpx.BasicAuth(username, password))


BASIC: Final = AuthMethod(
    name="basic",
    label="User name and password",
    summary="a user name and its password, sent with every request (HTTP Basic)",
    fields=(
        AuthField(
            name="username",
            label="User name",
            help="The user ironbridge signs in as; best a user made for ironbridge alone.",
            secret=False,
        ),
        AuthField(
            name="password",
            label="Password",
            help="The password of that user.",
            secret=True,
            kind="password",
        ),
    ),
    build=_build,
)
