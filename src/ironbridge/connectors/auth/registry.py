"""Auth methods by name, and a connector's offer of them as connect-form fields.

`AUTH_METHODS` maps each registry name to its `AuthMethod`, as dlt's `AUTH_MAP` does;
`register_auth_method` adds one. A connector declares what it offers with `SignInMethods`
(its `offers`, in the order the form lists them): that declaration generates the form's
sign-in `select` and each method's fields marked `applies_when` that option, and at session
time picks the chosen method and builds its `SignIn`. An `Offer` may reword a method's fields
for its system (labels, help, placeholder, whether required) and fix its settings, but never
rename a field: stored credentials are keyed by the names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, TypedDict

from ironbridge.connectors.auth.api_key import API_KEY
from ironbridge.connectors.auth.basic import BASIC
from ironbridge.connectors.auth.bearer import BEARER
from ironbridge.connectors.auth.method import AuthMethod, Login, SignIn, SignInContext
from ironbridge.connectors.auth.oauth1_hmac_sha256 import OAUTH1_HMAC_SHA256
from ironbridge.connectors.auth.oauth2_client_credentials import OAUTH2_CLIENT_CREDENTIALS
from ironbridge.connectors.auth.oauth2_jwt_bearer import OAUTH2_JWT_BEARER
from ironbridge.connectors.auth.session_login import SESSION_LOGIN
from ironbridge.connectors.base import AuthField, SessionOptions

__all__ = [
    "AUTH_METHODS",
    "FieldWording",
    "Offer",
    "SignInMethods",
    "auth_method",
    "offer",
    "register_auth_method",
]

#: Every auth method by its registry name.
AUTH_METHODS: Final[dict[str, AuthMethod]] = {
    method.name: method
    for method in (
        BASIC,
        API_KEY,
        BEARER,
        OAUTH2_CLIENT_CREDENTIALS,
        OAUTH2_JWT_BEARER,
        OAUTH1_HMAC_SHA256,
        SESSION_LOGIN,
    )
}


def register_auth_method(method: AuthMethod) -> None:
    """Add `method` to the registry; a name already taken is refused."""
    if method.name in AUTH_METHODS:
        raise ValueError(f"auth method {method.name!r} is already registered")
    AUTH_METHODS[method.name] = method


def auth_method(name: str) -> AuthMethod:
    """The registered method `name`; `KeyError` naming the known ones when there is none."""
    try:
        return AUTH_METHODS[name]
    except KeyError:
        raise KeyError(f"no auth method {name!r}; known: {', '.join(AUTH_METHODS)}") from None


class FieldWording(TypedDict, total=False):
    """What an offer may change in one of a method's fields."""

    label: str
    help: str
    placeholder: str
    required: bool


@dataclass(frozen=True)
class Offer:
    """One method a connector offers: its registry name, and the system's wording and settings.

    `label` replaces the method's option text; `fields` rewords fields by name; `settings`
    are what the system fixes for the method (`api_key`'s header, the JWT algorithm), handed
    to the method in `SignInContext.settings`.
    """

    method: str
    label: str | None = None
    fields: Mapping[str, FieldWording] = field(default_factory=dict, hash=False)
    settings: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        known = {item.name for item in auth_method(self.method).fields}
        unknown = set(self.fields) - known
        if unknown:
            raise ValueError(f"auth method {self.method!r} has no field {sorted(unknown)}")

    @property
    def option(self) -> tuple[str, str]:
        """The sign-in select's (value, label) for this method."""
        return (self.method, self.label or auth_method(self.method).label)

    def auth_fields(self, applies_when: tuple[str, str] | None) -> tuple[AuthField, ...]:
        """The method's fields as this connector words them."""
        return tuple(
            dataclasses.replace(item, **self.fields.get(item.name, {}), applies_when=applies_when)
            for item in auth_method(self.method).fields
        )


def offer(
    method: str,
    *,
    label: str | None = None,
    settings: Mapping[str, str] | None = None,
    **fields: FieldWording,
) -> Offer:
    """`Offer(method, label, fields, settings)`, with the rewordings as keyword arguments."""
    return Offer(method, label, fields, settings or {})


@dataclass(frozen=True)
class SignInMethods:
    """The methods a connector offers, as form fields and as the session's sign-in.

    With one offer the form shows that method's fields; with several, a `select` named
    `field` (labelled `label`, explained by `help`) comes first, then each method's fields,
    shown and required only when it is chosen. An empty choice is the first offer, so
    credentials stored before a system offered a choice keep meaning what they meant.
    """

    offers: tuple[Offer, ...]
    help: str = "How ironbridge signs in to your system."
    field: str = "auth_method"
    label: str = "Sign-in method"

    def __post_init__(self) -> None:
        if not self.offers:
            raise ValueError("a connector offers at least one auth method")
        names = self.methods
        if len(names) != len(set(names)):
            raise ValueError(f"auth methods offered twice: {names}")

    @property
    def methods(self) -> tuple[str, ...]:
        """The offered registry names, in form order."""
        return tuple(item.method for item in self.offers)

    @property
    def auth_fields(self) -> tuple[AuthField, ...]:
        """The connect form's sign-in fields: the select (when there is a choice), then each
        method's own."""
        if len(self.offers) == 1:
            return self.offers[0].auth_fields(None)
        select = AuthField(
            name=self.field,
            label=self.label,
            help=self.help,
            secret=False,
            kind="select",
            options=tuple(item.option for item in self.offers),
        )
        return (
            select,
            *(
                auth_field
                for item in self.offers
                for auth_field in item.auth_fields((self.field, item.method))
            ),
        )

    def chosen(self, credentials: Mapping[str, str]) -> Offer:
        """The offer `credentials` choose (validated ones: an empty choice is the first)."""
        name = credentials.get(self.field, "").strip()
        for item in self.offers:
            if item.method == name:
                return item
        return self.offers[0]

    def sign_in(self, credentials: Mapping[str, str], context: SignInContext) -> SignIn:
        """Build the chosen method's `SignIn` from validated `credentials`.

        Raises `errors.ValidationFailed` naming a field the method cannot use.
        """
        item = self.chosen(credentials)
        context = dataclasses.replace(context, settings={**item.settings, **context.settings})
        return auth_method(item.method).build(credentials, context)

    def signing_in(
        self, credentials: Mapping[str, str], options: SessionOptions, system: str
    ) -> Callable[[Login], SignIn]:
        """What a protocol client that signs in with a login call of its own (`session_login`)
        is handed: the `SignIn` of validated `credentials` for `system`, built around the
        client's `login` (see `sign_in`)."""

        def build(login: Login) -> SignIn:
            return self.sign_in(credentials, SignInContext(options, system, login=login))

        return build
