"""`session_login`: a user name and password exchanged for a session token by a login call.

Systems such as Tryton and Odoo sign a user in with one call (`common.db.login`,
`/web/session/authenticate`) and then expect the session's token on every request. How the
call is made and how the token is sent are the protocol family's: it passes its login call in
`SignInContext.login` and, in the offer's settings, the header (`"header"`, default
`Authorization`) and the prefix before the token (`"prefix"`, e.g. `"Session "`). The
session is kept until the source refuses it with 401, then signed in again once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ironbridge.connectors.auth.method import AuthMethod, SignIn, SignInContext, required
from ironbridge.connectors.auth.tokens import CachedToken, TokenAuth
from ironbridge.connectors.base import AuthField

__all__ = ["SESSION_LOGIN"]


def _build(values: Mapping[str, str], context: SignInContext) -> SignIn:
    login = context.login
    if login is None:
        raise ValueError("session_login needs the protocol family's login call")
    username, password = required(values, "username"), required(values, "password")
    source = CachedToken(lambda: (login(username, password), None), clock=context.options.clock)
    tokens = TokenAuth(
        source,
        header=context.settings.get("header", "Authorization"),
        prefix=context.settings.get("prefix", ""),
    )
    return SignIn("session_login", tokens, tokens)


SESSION_LOGIN: Final = AuthMethod(
    name="session_login",
    label="User name and password",
    summary=(
        "a user name and password, exchanged for a session by the system's login call; the "
        "session is renewed once when the system ends it"
    ),
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
