"""The registry by name, and a connector's offer turned into connect-form fields."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import httpx
import pytest

from ironbridge import errors
from ironbridge.connectors.auth import (
    AUTH_METHODS,
    SignInContext,
    SignInMethods,
    auth_method,
    offer,
    register_auth_method,
)
from ironbridge.connectors.base import AuthField, ConnectorSpec, SessionOptions
from ironbridge.connectors.sap_s4hana import connector as sap

#: Each method, and the fields that are secrets (stored encrypted, never shown again).
SECRETS = {
    "basic": {"password"},
    "api_key": {"api_key"},
    "bearer": {"token"},
    "oauth2_client_credentials": {"client_secret"},
    "oauth2_jwt_bearer": {"private_key"},
    "oauth1_hmac_sha256": {"consumer_key", "consumer_secret", "token_id", "token_secret"},
    "session_login": {"password"},
}


def test_every_method_is_registered_by_its_name_with_worded_fields() -> None:
    assert list(AUTH_METHODS) == list(SECRETS)
    for name, method in AUTH_METHODS.items():
        assert method.name == name and method.label and method.summary
        for field in method.fields:
            assert field.label and len(field.help) > 15, (name, field.name)
        assert {field.name for field in method.fields if field.secret} == SECRETS[name]
        assert all(field.kind == "password" for field in method.fields if field.secret)


def test_an_unknown_name_lists_the_known_ones_and_a_taken_name_is_refused() -> None:
    with pytest.raises(KeyError, match="oauth2_client_credentials"):
        auth_method("x509")
    with pytest.raises(ValueError, match="already registered"):
        register_auth_method(dataclasses.replace(AUTH_METHODS["basic"]))


TWO_WAYS = SignInMethods(
    offers=(
        offer("api_key", settings={"header": "apikey"}),
        offer("oauth2_client_credentials", label="OAuth", token_url={"required": False}),
    ),
    help="Pick one.",
)


def test_an_offer_of_several_methods_is_a_select_then_each_methods_fields() -> None:
    fields = TWO_WAYS.auth_fields
    select = fields[0]
    assert (select.name, select.kind, select.help) == ("auth_method", "select", "Pick one.")
    assert select.options == (("api_key", "API key"), ("oauth2_client_credentials", "OAuth"))
    assert [(f.name, f.applies_when) for f in fields[1:]] == [
        ("api_key", ("auth_method", "api_key")),
        ("client_id", ("auth_method", "oauth2_client_credentials")),
        ("client_secret", ("auth_method", "oauth2_client_credentials")),
        ("token_url", ("auth_method", "oauth2_client_credentials")),
        ("scope", ("auth_method", "oauth2_client_credentials")),
    ]
    token_url = next(f for f in fields if f.name == "token_url")
    assert token_url.required is False and token_url.label == "Token URL"
    # The generated fields make a valid spec: every applies_when names an option.
    ConnectorSpec(
        id="two_ways",
        name="Two ways",
        category="erp",
        logo="",
        description="",
        auth_fields=fields,
        setup_guide=(),
        capabilities={},
        change_field="",
        passthrough=False,
    )


def test_an_offer_of_one_method_has_no_select() -> None:
    only = SignInMethods(offers=(offer("bearer"),))
    assert [(f.name, f.applies_when) for f in only.auth_fields] == [("token", None)]


def test_an_offer_cannot_reword_a_field_the_method_does_not_have() -> None:
    with pytest.raises(ValueError, match="no field"):
        offer("basic", user={"label": "User"})
    with pytest.raises(ValueError, match="twice"):
        SignInMethods(offers=(offer("basic"), offer("basic")))


def test_the_choice_picks_the_method_and_an_empty_choice_the_first() -> None:
    assert TWO_WAYS.chosen({}).method == "api_key"
    assert TWO_WAYS.chosen({"auth_method": "oauth2_client_credentials"}).method == (
        "oauth2_client_credentials"
    )
    seen: list[httpx.Request] = []
    signin = TWO_WAYS.sign_in({"api_key": "k-1"}, SignInContext())
    transport = httpx.MockTransport(lambda request: seen.append(request) or httpx.Response(204))
    with httpx.Client(auth=signin.around(), transport=transport) as client:
        client.get("https://example.com/items")
    # The offer's settings put the key where this system expects it.
    assert seen[0].headers["apikey"] == "k-1"
    assert not signin.renews


def test_an_optional_token_url_without_a_default_is_named() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        TWO_WAYS.sign_in(
            {"auth_method": "oauth2_client_credentials", "client_id": "c", "client_secret": "s"},
            SignInContext(),
        )
    assert set(caught.value.fields) == {"token_url"}


def test_sap_offers_basic_and_client_credentials_under_the_names_it_always_stored() -> None:
    fields = {f.name: f for f in sap.spec.auth_fields}
    assert [value for value, _ in fields["auth_method"].options] == [
        "basic",
        "oauth2_client_credentials",
    ]
    expected = {
        "username": "basic",
        "password": "basic",
        "client_id": "oauth2_client_credentials",
        "client_secret": "oauth2_client_credentials",
        "token_url": "oauth2_client_credentials",
        "scope": "oauth2_client_credentials",
    }
    assert {
        name: field.applies_when[1] for name, field in fields.items() if field.applies_when
    } == expected
    assert fields["username"].label == "Communication user"
    assert isinstance(fields["base_url"], AuthField) and fields["base_url"].applies_when is None


def test_the_sign_in_methods_page_lists_every_method_with_its_fields_and_secrets() -> None:
    page = (Path(__file__).resolve().parents[4] / "docs" / "connectors" / "README.md").read_text()
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^\| `([a-z0-9_]+)` \| ([^|]+) \|", page, re.M)
    }
    assert list(rows) == list(AUTH_METHODS)
    for name, method in AUTH_METHODS.items():
        for field in method.fields:
            shown = f"**`{field.name}`**" if field.secret else f"`{field.name}`"
            assert shown in rows[name], (name, field.name)


def test_signing_in_builds_the_sign_in_around_the_clients_login_call() -> None:
    methods = SignInMethods(offers=(offer("session_login", settings={"prefix": "Session "}),))
    logins: list[tuple[str, str]] = []

    def login(username: str, password: str) -> str:
        logins.append((username, password))
        return "token-1"

    build = methods.signing_in({"username": "ib", "password": "pw"}, SessionOptions(), "Acme")
    signin = build(login)
    request = httpx.Request("GET", "https://acme.test/")
    flow = signin.around().auth_flow(request)
    assert next(flow).headers["Authorization"] == "Session token-1"
    assert logins == [("ib", "pw")]
