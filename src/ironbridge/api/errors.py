"""The error contract at the HTTP edge: every failure becomes `{"error": {...}}`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..errors import (
    AuthenticationFailed,
    InvalidRequest,
    IronbridgeError,
    MethodNotAllowed,
    NotFound,
    RequestTooLarge,
    ValidationFailed,
)

__all__ = ["ERROR_RESPONSES", "ErrorBody", "error_response", "install_error_handlers"]


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable identifier, e.g. `RATE_LIMIT_EXCEEDED`.")
    type: str = Field(description="Error family, e.g. `rate_limit_error`.")
    message: str = Field(description="For people; may change.")
    request_id: str = Field(description="Also in the `X-Request-ID` header; quote it to support.")
    details: dict[str, Any] = Field(description="Machine-readable specifics (fields, stage…).")


class ErrorBody(BaseModel):
    error: ErrorDetail


def _doc(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


#: Responses every route may give, for the OpenAPI document.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _doc("Invalid request (`INVALID_REQUEST`, `VALIDATION_FAILED` with `details.fields`)."),
    401: _doc(
        "Missing, unknown or revoked credential, or one of the wrong kind "
        "(`AUTHENTICATION_FAILED`; `details.given` and `details.expected` then name both)."
    ),
    403: _doc("The credential may not touch this resource (`PERMISSION_DENIED`)."),
    404: _doc("No such resource (`NOT_FOUND`)."),
    405: _doc("Method not allowed on this path (`METHOD_NOT_ALLOWED`)."),
    413: _doc("Request body too large (`REQUEST_TOO_LARGE`)."),
    429: _doc("Rate limit reached (`RATE_LIMIT_EXCEEDED`); see `Retry-After`."),
    500: _doc("Unexpected failure (`INTERNAL_ERROR`); logged with its request id."),
}


def request_id_of(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or "req_unknown"


def error_response(
    exc: IronbridgeError, request_id: str, extra_headers: dict[str, str] | None = None
) -> JSONResponse:
    headers: dict[str, str] = dict(extra_headers or {})
    if exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    if isinstance(exc, AuthenticationFailed):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"error": exc.to_dict(request_id)}, status_code=exc.status, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    return ".".join(parts) or "body"


def _validation(exc: RequestValidationError) -> IronbridgeError:
    fields: dict[str, str] = {}
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            return InvalidRequest("The request body is not valid JSON.")
        loc = tuple(error.get("loc", ()))
        context = error.get("ctx") or {}
        if "field" in context:  # cross-field rules name the field they concern
            loc = (*loc, context["field"])
        path = _field_path(loc)
        fields.setdefault(path, str(error.get("msg", "invalid")))
    return ValidationFailed(fields)


_HTTP_STATUS_ERRORS: dict[int, type[IronbridgeError]] = {
    404: NotFound,
    405: MethodNotAllowed,
    413: RequestTooLarge,
}


#: The methods a path of ours may be served by.
_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """The methods the request's path is served by, for the `Allow` of a 405.

    Starlette names only the first route that matched the path, but a path is often served by
    several routes, one per method (`GET` and `POST /v1/connections`); each method is tried
    against the whole routing table.
    """
    allowed = []
    for method in _METHODS:
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def install_error_handlers(app: FastAPI) -> None:
    """Render our taxonomy, FastAPI's validation errors and Starlette's HTTP errors alike."""

    async def on_ironbridge(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, IronbridgeError)
        return error_response(exc, request_id_of(request))

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(_validation(exc), request_id_of(request))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        kind = _HTTP_STATUS_ERRORS.get(exc.status_code)
        error: IronbridgeError
        if kind is not None:
            error = kind()
        else:
            error = InvalidRequest(str(exc.detail))
            error.status = exc.status_code  # type: ignore[misc]
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
        return error_response(error, request_id_of(request), headers)

    app.add_exception_handler(IronbridgeError, on_ironbridge)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
