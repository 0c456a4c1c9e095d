"""What an auth method is: its connect-form fields, and how it signs one session's requests.

An `AuthMethod` is a declaration (a name, a label, `AuthField`s) plus `build`, which turns the
fields an end customer entered into a `SignIn`: the `httpx.Auth` that puts the credentials on
each request, and the one renewal a 401 may earn (a new token, a new session). What a method
needs from the connector beyond the form (the system's address, a default token endpoint, the
family's login call) comes in a `SignInContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from ironbridge import errors
from ironbridge.connectors.auth.tokens import RenewOnUnauthorized, TokenAuth
from ironbridge.connectors.base import AuthField, SessionOptions

__all__ = ["AuthMethod", "Login", "SignIn", "SignInContext", "required"]

#: A protocol family's sign-in call: (user name, password) → the session token it then sends.
#: It raises `errors.ConnectionReauthRequired` when the source refuses the user.
Login = Callable[[str, str], str]


@dataclass(frozen=True)
class SignInContext:
    """What a method may need besides the form's values, given by the connector.

    `system` names the source in messages ("SAP"); `token_url` is where tokens come from
    when the form leaves it empty, and `token_params` go on every token request (SAP's
    `sap-client`); `login` is the family's sign-in call for `session_login`; `transport` is the
    transport under the SSRF guard (tests pass a mock); `wall_clock` dates signed assertions
    and signatures (epoch seconds, `time.time` when None), while `options.clock` times what
    is cached. `settings` are what the connector's offer fixes for the method (where
    `api_key` puts the key); the registry fills them in from the offer.
    """

    options: SessionOptions = field(default_factory=SessionOptions)
    system: str | None = None
    token_url: str | None = None
    token_params: Mapping[str, str] = field(default_factory=dict)
    login: Login | None = None
    transport: httpx.BaseTransport | None = None
    wall_clock: Callable[[], float] | None = None
    settings: Mapping[str, str] = field(default_factory=dict)


class SignIn:
    """One session's sign-in, built by a method from the form's values.

    `auth` puts the credentials on a request. `around(flow)` returns the auth a client uses
    when a protocol family adds a flow of its own (SAP's CSRF exchange): `flow` runs inside,
    and when the method renews (a token source) a 401 answer renews once and runs the whole
    flow again; a second 401 stands. `renews` says whether the method can renew at all.
    """

    def __init__(self, method: str, auth: httpx.Auth, tokens: TokenAuth | None = None) -> None:
        self.method = method
        self.auth = auth
        self._tokens = tokens

    @property
    def renews(self) -> bool:
        """Whether a 401 earns one renewal (a token or session that can be fetched anew)."""
        return self._tokens is not None

    def around(self, wrap: Callable[[httpx.Auth], httpx.Auth] | None = None) -> httpx.Auth:
        """The client's auth: `wrap(self.auth)`, inside one renewal on 401 where possible."""
        inner = self.auth if wrap is None else wrap(self.auth)
        return inner if self._tokens is None else RenewOnUnauthorized(inner, self._tokens)

    def renew(self) -> None:
        """Fetch a new token now (sign in again): a check of the credentials; nothing for a
        method without tokens."""
        if self._tokens is not None:
            self._tokens.source.forget()
            self._tokens.source.token()

    def headers(self) -> dict[str, str]:
        """The header carrying the token held now (empty when none is), for a call sent
        outside the renewal, such as a session's logout."""
        return {} if self._tokens is None else self._tokens.headers()

    def close(self) -> None:
        """Forget tokens and close what fetching them opened."""
        if self._tokens is not None:
            self._tokens.source.close()


@dataclass(frozen=True)
class AuthMethod:
    """An auth method as the registry holds it.

    `name` is what a connector offers and what the connect form's sign-in select stores;
    `label` is the option's text; `fields` are the method's own form fields, in form order,
    worded for an end customer (a connector may reword them, never rename them: stored
    credentials are keyed by these names). `build` makes a session's `SignIn` from the
    validated values; it raises `errors.ValidationFailed` naming the field at fault.
    """

    name: str
    label: str
    fields: tuple[AuthField, ...]
    build: Callable[[Mapping[str, str], SignInContext], SignIn]
    summary: str = ""


def required(values: Mapping[str, str], name: str) -> str:
    """The value of field `name`; `errors.ValidationFailed` naming it when it is empty.

    The connector's `validate_credentials` has already required what its form requires; this
    catches a form that made a field optional without giving the method another source for it.
    """
    value = values.get(name, "")
    if not value.strip():
        raise errors.ValidationFailed({name: "This field is required."})
    return value
