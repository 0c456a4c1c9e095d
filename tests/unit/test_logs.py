from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from ironbridge.logs import configure_logging, get_logger, redact, redact_text


@pytest.fixture(autouse=True)
def _logging_as_the_suite_has_it() -> Iterator[None]:
    yield
    configure_logging("WARNING")  # the streams these tests log to are gone afterwards


def test_secrets_are_redacted_by_key_and_by_token_shape() -> None:
    cleaned = redact(
        {
            "password": "hunter2",
            "headers": {"Authorization": "Bearer x", "Accept": "json"},
            "note": "used ib_conn_AbC123-_x to call",
            "credentials": {"user": "u"},
        }
    )
    assert cleaned["password"] == "[redacted]"
    assert cleaned["headers"] == {"Authorization": "[redacted]", "Accept": "json"}
    assert cleaned["note"] == "used [redacted] to call"
    assert cleaned["credentials"] == "[redacted]"


def test_log_lines_are_json_with_context_and_no_secrets() -> None:
    import structlog

    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    structlog.contextvars.bind_contextvars(request_id="req_1", account_id="acc_1")
    try:
        get_logger("t").info("called", token="ib_admin_zzz", password="p", count=3)
    finally:
        structlog.contextvars.clear_contextvars()
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["event"] == "called"
    assert line["request_id"] == "req_1" and line["account_id"] == "acc_1"
    assert line["token"] == "[redacted]" and line["password"] == "[redacted]"
    assert line["count"] == 3
    assert "ib_admin_zzz" not in stream.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'HTTP Request: POST https://user:pw@hooks.example/h?token=abc&plant=7 "HTTP/1.1 200 OK"',
            'HTTP Request: POST https://hooks.example/h?token=[redacted]&plant=7 "HTTP/1.1 200 OK"',
        ),
        ("GET /connect?link_token=lt_1&step=2", "GET /connect?link_token=[redacted]&step=2"),
        (
            "https://h/x?X-Amz-Signature=s&X-Amz-Credential=c&sap-client=100",
            "https://h/x?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]&sap-client=100",
        ),
        ("redis://:hunter2@cache:6379/0 is down", "redis://cache:6379/0 is down"),
        ("plain words, a=b and ?code= left empty", "plain words, a=b and ?code= left empty"),
    ],
)
def test_urls_in_free_text_lose_user_info_and_secret_query_values(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_standard_library_loggers_write_the_same_redacted_json() -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    hook = "https://hookuser:hookpass@hooks.example/in?token=tok-123&plant=7"
    logging.getLogger("httpx").info('HTTP Request: %s %s "%s"', "POST", hook, "HTTP/1.1 200 OK")
    logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "http://127.0.0.1:8080")
    try:
        raise ConnectionError(f"cannot reach {hook}")
    except ConnectionError:
        logging.getLogger("huey.consumer").exception("Unhandled error during execution")
    get_logger("ironbridge.webhooks").info("sent", url=hook)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["logger"] for line in lines] == [
        "httpx",
        "uvicorn.error",
        "huey.consumer",
        "ironbridge.webhooks",
    ]
    assert all({"event", "level", "timestamp"} <= set(line) for line in lines)
    assert lines[0]["event"] == (
        'HTTP Request: POST https://hooks.example/in?token=[redacted]&plant=7 "HTTP/1.1 200 OK"'
    )
    assert lines[2]["level"] == "error" and "ConnectionError" in lines[2]["exception"]
    assert lines[3]["url"] == "https://hooks.example/in?token=[redacted]&plant=7"
    for secret in ("hookuser", "hookpass", "tok-123"):
        assert secret not in stream.getvalue()
