"""schemathesis against our own /openapi.json: no 5xx, every response matches the document."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.core.parameters import ParameterLocation

from ironbridge.api import create_app
from ironbridge.bootstrap import bootstrap

from ..conftest import make_settings, new_account, new_sandbox_connection

# schemathesis collects one test per operation at import time, so the app it exercises is
# built here, on its own store in a temporary folder removed at exit.
_TMP = Path(tempfile.mkdtemp(prefix="ib-openapi-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
# Every operation is also called without credentials: no budget may turn those into 429s.
_CONTAINER = bootstrap(
    make_settings(_TMP, rate_limit_per_minute=10_000_000, auth_failure_limit_per_minute=10_000_000)
)
_ACCOUNT = new_account(_CONTAINER)
_CONNECTION = new_sandbox_connection(_CONTAINER, _ACCOUNT)

# What the contract promises: no server errors, and every response (status, headers, content
# type, body) as documented. Rejecting a schema-valid request is allowed: business rules such
# as an unknown cursor or reference are checked beyond the schema and answered with 400.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.unsupported_method,
    checks.ignored_auth,
]

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_CONTAINER))


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case) -> None:
    security = str(case.operation.definition.raw.get("security", ""))
    token = _CONNECTION.token if "ConnectionToken" in security else _ACCOUNT.admin_key
    if _headers_are_negative(case):
        # The fault schemathesis planted is in the headers (e.g. no Authorization at all):
        # adding a valid token would turn it into a valid request it expects us to reject.
        case.call_and_validate(checks=CHECKS)
    else:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def _headers_are_negative(case: schemathesis.Case) -> bool:
    meta = case.meta
    if meta is None:
        return False
    header = meta.components.get(ParameterLocation.HEADER)
    return header is not None and header.mode.is_negative
