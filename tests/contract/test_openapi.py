"""schemathesis against our own /openapi.json: no 5xx, every status and response as documented,
every schema-valid request accepted, every schema-invalid one rejected."""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.core.parameters import ParameterLocation

from ironbridge.api import create_app
from ironbridge.bootstrap import bootstrap
from ironbridge.model import Entity

from ..conftest import make_settings, new_account, new_sandbox_connection

# schemathesis collects one test per operation at import time, so the app it exercises is
# built here, on its own store in a temporary folder removed at exit.
_TMP = Path(tempfile.mkdtemp(prefix="ib-openapi-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
# Every operation is also called without credentials: no budget may turn those into 429s.
# Private URLs allowed: whether a webhook host resolves to a public address depends on DNS,
# which no document can state, and the test must not depend on the network.
_CONTAINER = bootstrap(
    make_settings(
        _TMP,
        rate_limit_per_minute=10_000_000,
        auth_failure_limit_per_minute=10_000_000,
        allow_private_urls=True,
    )
)
_ACCOUNT = new_account(_CONTAINER)
_CONNECTION = new_sandbox_connection(_CONTAINER, _ACCOUNT)
_SYSTEM = "sandbox"


def _synced_records() -> dict[Entity, dict[str, str]]:
    """One synced record per entity: its ids stand for the ids schemathesis generates."""
    from fastapi.testclient import TestClient

    records: dict[Entity, dict[str, str]] = {}
    with TestClient(create_app(_CONTAINER)) as client:
        for entity in Entity:
            page = client.get(
                f"/v1/{entity.value}",
                params={"limit": 100},
                headers={"Authorization": f"Bearer {_CONNECTION.token}"},
            ).json()["data"]
            # A location that holds stock: the sandbox refuses an adjustment anywhere else.
            records[entity] = next(
                r for r in page if entity is not Entity.LOCATIONS or r["type"] == "warehouse"
            )
    return records


_RECORDS = _synced_records()
#: The entity a reference field names, by its stem (`vendor` of `vendor_id`); `parent` names
#: the entity of the path it is written to.
_REFERENCES = {
    "vendor": Entity.VENDORS,
    "item": Entity.INVENTORY_ITEMS,
    "location": Entity.LOCATIONS,
    "asset": Entity.ASSETS,
}
_REFERENCE = re.compile(r"^([a-z]+)_(id|remote_id)$")


def positive_data_acceptance(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """schemathesis's check, except for the one 400 the document announces per connection: an
    operation whose `x-supported-by` does not name the connection's system."""
    supported = case.operation.definition.raw.get("x-supported-by")
    if (
        supported is not None
        and _SYSTEM not in supported
        and response.status_code == 400
        and response.json()["error"]["code"] == "OPERATION_NOT_SUPPORTED"
    ):
        return None
    return checks.positive_data_acceptance(ctx, response, case)  # type: ignore[no-any-return]


# What the contract promises: no server errors; every response (status, headers, content type,
# body) as documented; a request the document allows is accepted and one it forbids rejected.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    positive_data_acceptance,
    checks.negative_data_rejection,
    checks.unsupported_method,
    checks.ignored_auth,
]

_APP = create_app(_CONTAINER)
_SCHEMAS = _APP.openapi()["components"]["schemas"]
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case) -> None:
    security = str(case.operation.definition.raw.get("security", ""))
    token = _CONNECTION.token if "ConnectionToken" in security else _ACCOUNT.admin_key
    if _is_positive(case):
        _with_issued_values(case)
    if _headers_are_negative(case):
        # The fault schemathesis planted is in the headers (e.g. no Authorization at all):
        # adding a valid token would turn it into a valid request it expects us to reject.
        case.call_and_validate(checks=CHECKS)
    else:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def _with_issued_values(case: schemathesis.Case) -> None:
    """What only the API or the source issues cannot be generated from its format, and is
    answered as unknown when it is merely well formed: a cursor (the `next_cursor` of a page), a
    reference to a record or a connection, a connector's credentials (checked by the live system, as the catalog
    describes them), a cron schedule or a JMESPath mapping (checked by their parsers, as the
    fields' descriptions say). A request meant to be valid gets real ones, or none."""
    if case.query:
        for name in ("cursor", "after"):
            case.query.pop(name, None)
    if not isinstance(case.body, dict):
        return
    path = case.operation.path
    entity = next((e for e in Entity if path.startswith(f"/v1/{e.value}")), None)
    _replace_references(case.body, entity)
    _put_in_order(case)
    if isinstance(case.body.get("connection_ids"), list):
        case.body["connection_ids"] = [_CONNECTION.id for _ in case.body["connection_ids"]]
    if path == "/v1/link-tokens" and isinstance(case.body.get("required_entities"), list):
        # Required entities must be read by every system the link offers: the catalog says
        # which, the schema cannot.
        offered = case.body.get("systems") or [c.spec.id for c in _CONTAINER.registry.all()]
        specs = [_CONTAINER.registry.get(system).spec for system in offered]
        kept = [
            entity
            for entity in dict.fromkeys(case.body["required_entities"])
            if all(spec.supports(Entity(entity), "read") for spec in specs)
        ]
        if kept:
            case.body["required_entities"] = kept
        else:
            case.body.pop("required_entities")
    if path == "/v1/connections" and case.method == "POST":
        case.body.update(system=_SYSTEM, credentials={})
        # Required entities must be among those the connection syncs: JSON Schema cannot
        # compare two fields (the field's description says so).
        chosen = (case.body.get("settings") or {}).get("entities")
        required = case.body.get("required_entities")
        if isinstance(required, list) and isinstance(chosen, list):
            kept = [entity for entity in required if entity in chosen]
            if kept:
                case.body["required_entities"] = kept
            else:
                case.body.pop("required_entities")
    if path.startswith("/v1/flows"):
        _valid_flow_parts(case.body)
    settings = case.body.get("settings") if path == "/v1/connections" else case.body
    if path.startswith("/v1/connections") and isinstance(settings, dict):
        if settings.get("sync_schedule") is not None:
            settings["sync_schedule"] = "hourly"
        if isinstance(settings.get("field_mappings"), dict):
            settings["field_mappings"] = {
                name: {field: "Name" for field in fields}
                for name, fields in settings["field_mappings"].items()
            }


def _valid_flow_parts(body: dict[str, Any]) -> None:
    """A flow's expressions (CEL, JMESPath) and cron are checked by their parsers, and its
    graph (unique step ids, jumps to later steps) and connection selector by rules JSON Schema
    cannot state; the descriptions say so. A valid request gets a valid graph."""
    if isinstance(body.get("steps"), list):
        body["steps"] = [{"id": "check", "type": "condition", "expression": "true"}]
    trigger = body.get("trigger")
    if isinstance(trigger, dict) and trigger.get("type") == "schedule":
        trigger["cron"] = "0 2 * * *"
    if isinstance(body.get("connections"), dict):
        body["connections"] = {"all": True}


def _put_in_order(case: schemathesis.Case) -> None:
    """Swap the times of a pair the body schema lists in `x-ordered-times` when the end was
    generated before the start: JSON Schema cannot compare two values."""
    body = case.body
    content = case.operation.definition.raw.get("requestBody", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    for start, end in _SCHEMAS.get(ref.rsplit("/", 1)[-1], {}).get("x-ordered-times", []):
        began, ended = body.get(start), body.get(end)
        if (
            isinstance(began, str)
            and isinstance(ended, str)
            and datetime.fromisoformat(ended) < datetime.fromisoformat(began)
        ):
            body[start], body[end] = ended, began


def _replace_references(body: dict[str, Any], entity: Entity | None) -> None:
    for name, value in body.items():
        if isinstance(value, dict):
            _replace_references(value, entity)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _replace_references(item, entity)
        elif isinstance(value, str) and (match := _REFERENCE.match(name)):
            stem, kind = match.groups()
            target = entity if stem == "parent" else _REFERENCES.get(stem)
            if target is not None:
                body[name] = _RECORDS[target]["id" if kind == "id" else "remote_id"]


def _is_positive(case: schemathesis.Case) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


def _headers_are_negative(case: schemathesis.Case) -> bool:
    meta = case.meta
    if meta is None:
        return False
    header = meta.components.get(ParameterLocation.HEADER)
    return header is not None and header.mode.is_negative
