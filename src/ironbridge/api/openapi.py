"""The OpenAPI document: FastAPI's, with the error contract in place of its 422.

FastAPI documents a 422 with its own body on every operation that takes input, while the error
handlers answer 400 with `{"error": {...}}`. Here each operation instead documents the error
statuses it can answer, all with `ErrorBody`:

* every operation: 400 (unknown or repeated query parameters, invalid input) and 500;
* with a credential: 401 and 429 (the rate limit is per credential);
* with a path parameter: 404 (no such resource);
* with a request body: 413 (the body limit);
* and what a route declares itself with `responses=error_responses(...)` (403, 409, 410, 5xx...).

A connector id in a body (`ConnectorId`) is listed as an `enum` of the registered connectors.

A unified write declares the connector capability it needs (`openapi_extra=capability(...)`);
the document lists the connectors that offer it (`x-supported-by`): on a connection to any other
system the operation answers 400 `OPERATION_NOT_SUPPORTED`.

Descriptions name the codes of the error taxonomy (`ironbridge.errors`) that have the status, and
429 and 503 carry their `Retry-After` header; every response carries `X-Request-ID`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from fastapi import FastAPI

from ..connections import CONNECTOR_ID_MARK
from ..connectors import ConnectorRegistry
from ..model import Entity
from .errors import ERROR_CODES, ErrorBody

__all__ = ["capability", "document_errors", "error_responses", "install_openapi", "required_body"]

_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


_MEANING: Final[Mapping[int, str]] = MappingProxyType(
    {
        400: "The request is invalid as sent; `details.fields` names each invalid field.",
        401: (
            "Missing, unknown or revoked credential, or one of the wrong kind "
            "(`details.given` and `details.expected` then name both)."
        ),
        403: "The credential may not touch this resource.",
        404: "No such resource.",
        409: "The request conflicts with the current state of the resource.",
        410: "The connection has been disconnected.",
        413: "The request body is too large.",
        429: "Rate limit reached; retry after `Retry-After` seconds.",
        500: "Unexpected failure; logged with its request id.",
        502: "The source system answered with something unusable.",
        503: "Temporarily unavailable (e.g. the source's circuit is open); see `Retry-After`.",
        504: "The source system did not answer in time.",
    }
)

_REQUEST_ID: Final = {
    "description": "The request id, also in error bodies; quote it to support.",
    "required": True,
    "schema": {"type": "string"},
}
_RETRY_AFTER: Final = {
    "description": "Seconds to wait before retrying.",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
#: Error statuses whose every answer carries `Retry-After`.
_RETRY_STATUSES: Final = frozenset({"429", "503"})


def error_responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that can answer `statuses` with the error body, beyond those
    every operation documents; `descriptions` (`_409="..."`) says when, for one status."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        if status not in ERROR_CODES:
            raise ValueError(f"no error of the taxonomy has the status {status}")
        said = descriptions.get(f"_{status}")
        responses[status] = {"model": ErrorBody, "description": said or _description(status)}
    return responses


def required_body() -> dict[str, Any]:
    """`openapi_extra=` of a route whose body parameter is optional in code only so that its
    absence is refused with a message of the route's own (naming the field that is missing):
    the document says the body is required and not null, as the server enforces."""
    return {_BODY_REQUIRED: True}


_BODY_REQUIRED: Final = "x-body-required"


def _document_body(operation: dict[str, Any]) -> None:
    if not operation.pop(_BODY_REQUIRED, False):
        return
    body = operation["requestBody"]
    body["required"] = True
    schema = body["content"]["application/json"]["schema"]
    branches = [branch for branch in schema.get("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1:
        del schema["anyOf"]
        schema.update(branches[0])


def capability(entity: str, operation: str) -> dict[str, Any]:
    """`openapi_extra=` of a route that needs the connector to offer `operation` on `entity`
    (as the catalog's capability matrix names them; `passthrough` for the passthrough)."""
    return {_CAPABILITY: {"entity": entity, "operation": operation}}


_CAPABILITY: Final = "x-capability"


def _supported_by(registry: ConnectorRegistry, needed: Mapping[str, str]) -> list[str]:
    specs = [connector.spec for connector in registry.all()]
    if needed["operation"] == "passthrough":
        return [spec.id for spec in specs if spec.passthrough]
    entity, operation = Entity(needed["entity"]), needed["operation"]
    return [spec.id for spec in specs if spec.supports(entity, operation)]  # type: ignore[arg-type]


def _document_capability(operation: dict[str, Any], registry: ConnectorRegistry) -> None:
    needed = operation.get(_CAPABILITY)
    if needed is None or "x-supported-by" in operation:
        return
    supported = _supported_by(registry, needed)
    operation["x-supported-by"] = supported
    if supported:
        names = ", ".join(f"`{connector_id}`" for connector_id in supported)
        said = f"Offered by {names}; a connection to another system answers 400 "
    else:
        said = "No connector offers this yet: every connection answers 400 "
    said += "`OPERATION_NOT_SUPPORTED`."
    operation["description"] = (
        f"{operation['description']}\n\n{said}" if operation.get("description") else said
    )


def _description(status: int) -> str:
    codes = ", ".join(f"`{code}`" for code in ERROR_CODES[status])
    return f"{_MEANING.get(status, 'Error.')} Codes: {codes}."


def _implied_statuses(operation: Mapping[str, Any]) -> list[int]:
    statuses = [400, 500]
    if operation.get("security"):
        statuses += [401, 429]
    if any(param.get("in") == "path" for param in operation.get("parameters", [])):
        statuses.append(404)
    if "requestBody" in operation:
        statuses.append(413)
    return statuses


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _description(status),
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}},
        },
    }
    return response


def _is_error_body(response: Mapping[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/ErrorBody"))


def _not_nullable(parameter: dict[str, Any]) -> None:
    """A parameter is absent or has a value: FastAPI's null branch of `str | None` is dropped."""
    schema = parameter.get("schema", {})
    branches = [branch for branch in schema.get("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1 and len(schema["anyOf"]) == 2:
        del schema["anyOf"]
        schema.update(branches[0])


def _document_errors(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        _not_nullable(parameter)
    responses: dict[str, Any] = operation["responses"]
    # FastAPI's validation error is answered by our handler as a 400 with the error body.
    responses.pop("422", None)
    for implied in _implied_statuses(operation):
        responses.setdefault(str(implied), _error_response(implied))
    for status, response in responses.items():
        headers = response.setdefault("headers", {})
        headers.setdefault("X-Request-ID", _REQUEST_ID)
        if status in _RETRY_STATUSES and _is_error_body(response):
            headers.setdefault("Retry-After", _RETRY_AFTER)
    operation["responses"] = dict(sorted(responses.items()))


def document_errors(document: dict[str, Any], registry: ConnectorRegistry) -> dict[str, Any]:
    """Replace FastAPI's 422 in `document` by the error statuses each operation can answer, and
    name the connectors that offer each unified write."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorBody" not in components:
        schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components["ErrorBody"] = schema
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in _METHODS:
                _document_body(operation)
                _document_errors(operation)
                _document_capability(operation, registry)
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    _list_connectors(components, [connector.spec.id for connector in registry.all()])
    return document


def _list_connectors(schema: Any, ids: list[str]) -> None:
    if isinstance(schema, dict):
        if schema.get(CONNECTOR_ID_MARK):
            schema["enum"] = ids
        for value in schema.values():
            _list_connectors(value, ids)
    elif isinstance(schema, list):
        for item in schema:
            _list_connectors(item, ids)


def install_openapi(app: FastAPI, registry: ConnectorRegistry) -> None:
    """Serve FastAPI's document of `app` with `document_errors` applied."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        # FastAPI caches its document until the routes change; rewriting it is idempotent.
        return document_errors(generate(), registry)

    app.openapi = openapi  # type: ignore[method-assign]
