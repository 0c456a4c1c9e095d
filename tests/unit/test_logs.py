from __future__ import annotations

import io
import json

from ironbridge.logs import configure_logging, get_logger, redact


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
