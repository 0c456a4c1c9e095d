"""`basic`: a user name and password in HTTP Basic authentication (RFC 7617)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import httpx

from ironbridge.connectors.auth.method import AuthMethod, SignIn, SignInContext, required
from ironbridge.connectors.base import AuthField

__all__ = ["BASIC"]


def _build(values: Mapping[str, str], context: SignInContext) -> SignIn:
    auth = httpx.BasicAuth(required(values, "username"), required(values, "password"))
    return SignIn("basic", auth)


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
