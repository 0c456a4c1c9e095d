"""OAuth 1.0a signing: the base string and key against published examples, HMAC-SHA256 on top."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import unquote

import httpx
from authlib.oauth1.rfc5849 import signature as reference

from ironbridge.connectors.auth.oauth1_hmac_sha256 import (
    OAuth1Signer,
    _request_parameters,
    base_string,
    netsuite_realm,
    sign,
)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_the_base_string_is_rfc_5849s_example() -> None:
    # RFC 5849 §3.4.1.1: query and form parameters, encoded twice, sorted by name then value.
    request = httpx.Request(
        "POST",
        "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
        content=b"c2&a3=2+q",
        headers=FORM,
    )
    protocol = {
        "oauth_consumer_key": "9djdj82h48djs9d2",
        "oauth_token": "kkk9d7dh3k39sjv7",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "137131201",
        "oauth_nonce": "7d8f3e4a",
    }
    text = base_string("post", request.url, [*_request_parameters(request), *protocol.items()])
    assert text == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D"
        "%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce"
        "%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26"
        "oauth_token%3Dkkk9d7dh3k39sjv7"
    )


def test_the_signature_key_and_base_string_give_oauth_cores_published_signature() -> None:
    # OAuth Core 1.0, appendix A.5: the photos.example.net request, signed with HMAC-SHA1.
    url = httpx.URL("http://photos.example.net/photos?file=vacation.jpg&size=original")
    protocol = {
        "oauth_consumer_key": "dpf43f3p2l4k3l03",
        "oauth_token": "nnch734d00sl2jdk",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "1191242096",
        "oauth_nonce": "kllo9940pd9333jh",
        "oauth_version": "1.0",
    }
    text = base_string(
        "GET", url, [("file", "vacation.jpg"), ("size", "original"), *protocol.items()]
    )
    assert text == (
        "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key"
        "%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-"
        "SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version"
        "%3D1.0%26size%3Doriginal"
    )
    assert sign(text, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00", digest="sha1") == (
        "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
    )


def header_parameters(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    pairs = (item.split("=", 1) for item in header.removeprefix("OAuth ").split(","))
    return {name: unquote(value.strip('"')) for name, value in pairs}


def test_a_signed_request_verifies_with_the_reference_base_string_and_sha256() -> None:
    signer = OAuth1Signer(
        "consumer key",
        "consumer&secret",
        "token-id",
        "token secret~",
        realm=netsuite_realm("1234567-sb1"),
        wall_clock=lambda: 1_700_000_000.9,
        nonce=lambda: "n0nce42",
    )
    request = httpx.Request(
        "POST",
        "https://1234567-sb1.restlets.api.netsuite.com/app/site/hosting/restlet.nl?script=12&deploy=1",
        content=b"memo=caf%C3%A9+au+lait&amount=12.50",
        headers=FORM,
    )
    flow = signer.sync_auth_flow(request)
    signed = next(flow)
    sent = header_parameters(signed.headers["Authorization"])
    assert sent["realm"] == "1234567_SB1"
    assert sent["oauth_signature_method"] == "HMAC-SHA256"
    assert sent["oauth_timestamp"] == "1700000000"
    assert sent["oauth_nonce"] == "n0nce42"
    assert sent["oauth_version"] == "1.0"
    # authlib's RFC 5849 base string, hashed with SHA-256 by the standard library.
    params = [
        ("script", "12"),
        ("deploy", "1"),
        ("memo", "café au lait"),
        ("amount", "12.50"),
        *(
            (name, value)
            for name, value in sent.items()
            if name not in ("realm", "oauth_signature")
        ),
    ]
    expected_text = reference.construct_base_string("POST", str(request.url), params)
    key = b"consumer%26secret&token%20secret~"
    expected = base64.b64encode(hmac.new(key, expected_text.encode(), hashlib.sha256).digest())
    assert sent["oauth_signature"] == expected.decode()


def test_each_request_gets_its_own_nonce_and_a_json_body_is_not_signed_as_parameters() -> None:
    signer = OAuth1Signer("ck", "cs", "ti", "ts", realm="1")
    first = httpx.Request("POST", "https://example.com/r", json={"memo": "x"})
    second = httpx.Request("POST", "https://example.com/r", json={"memo": "y"})
    a = header_parameters(next(signer.sync_auth_flow(first)).headers["Authorization"])
    b = header_parameters(next(signer.sync_auth_flow(second)).headers["Authorization"])
    assert a["oauth_nonce"] != b["oauth_nonce"]
    # The bodies differ, but JSON is not part of an OAuth 1.0a signature: only time and nonce do.
    params = [(n, v) for n, v in a.items() if n not in ("realm", "oauth_signature")]
    text = reference.construct_base_string("POST", "https://example.com/r", params)
    assert sign(text, "cs", "ts") == a["oauth_signature"]


def test_the_netsuite_realm_is_the_account_id_in_upper_case_with_underscores() -> None:
    assert netsuite_realm(" 1234567-sb1 ") == "1234567_SB1"
    assert netsuite_realm("TSTDRV123") == "TSTDRV123"
