"""Serving a plain-Python JSON service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
import pytest

from ironbridge.testing.json_server import Answer, serve_json


@dataclass
class _Echo:
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
        self.seen.append((method, target, dict(headers), body))
        if method == "DELETE":
            return 204, {}, None
        return 200, {"ETag": 'W/"1"'}, {"method": method, "target": target}


def test_a_request_reaches_the_service_and_its_answer_the_client() -> None:
    service = _Echo()
    served = serve_json(service, name="echo")
    try:
        answer = httpx.post(
            f"{served.origin}/things?$top=2", content=b'{"a": 1}', headers={"X-Name": "v"}
        )
        gone = httpx.delete(f"{served.origin}/things(1)")
    finally:
        served.stop()
    assert answer.status_code == 200 and answer.headers["etag"] == 'W/"1"'
    assert answer.headers["content-type"] == "application/json; odata.metadata=minimal"
    assert answer.json() == {"method": "POST", "target": "/things?$top=2"}
    method, target, headers, body = service.seen[0]
    assert (method, target, body, headers["x-name"]) == ("POST", "/things?$top=2", b'{"a": 1}', "v")
    assert gone.status_code == 204 and gone.content == b""
    assert "content-type" not in gone.headers


@pytest.mark.parametrize(("keep_alive", "version"), [(True, "HTTP/1.1"), (False, "HTTP/1.0")])
def test_keep_alive_answers_as_http_1_1(keep_alive: bool, version: str) -> None:
    served = serve_json(_Echo(), name="echo", keep_alive=keep_alive)
    try:
        answer = httpx.get(f"{served.origin}/")
    finally:
        served.stop()
    assert answer.http_version == version


def test_a_stopped_server_refuses_connections_and_stops_again_quietly() -> None:
    served = serve_json(_Echo(), name="echo")
    served.stop()
    served.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{served.origin}/", timeout=2)
