"""The emulator's HTTP face: NetSuite's REST web services under `/services/rest/`.

Per request, in the order NetSuite applies them: injected faults, the account's concurrency
limit (429 beyond it), the signature or access token (401), then the call itself. Errors use
the `nsError` body: `type`, `title`, `status` and `o:errorDetails[{detail, o:errorCode,
o:errorPath}]`, with the media type `application/vnd.oracle.resource+json; type=error`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ironbridge.testing.emulators.netsuite.auth import TOKEN_LIFETIME, TOKEN_PATH, AuthError
from ironbridge.testing.emulators.netsuite.emulator import NetSuiteEmulator, NsError
from ironbridge.testing.emulators.netsuite.suiteql import MAX_RESULTS, SuiteQLError

__all__ = ["REST_ROOT", "create_app"]

REST_ROOT: Final = "/services/rest"
_ERROR_TYPE: Final = "application/vnd.oracle.resource+json; type=error"
_TITLES: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    503: "Service Unavailable",
}
_MAX_PAGE: Final = 1000
_RFC9110: Final = "https://www.rfc-editor.org/rfc/rfc9110.html"
Handler = Callable[[Request, NetSuiteEmulator], Awaitable[Response]]


def ns_error(status: int, code: str, detail: str, path: str | None = None) -> Response:
    """An `nsError` answer."""
    entry: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    if path is not None:
        entry["o:errorPath"] = path
    body = {
        "type": f"{_RFC9110}#section-15.{5 if status < 500 else 6}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "o:errorDetails": [entry],
    }
    return Response(json.dumps(body), status, media_type=_ERROR_TYPE)


def _guarded(
    handler: Handler, emulator: NetSuiteEmulator
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        faults = emulator.faults
        with emulator.lock:
            refusal = faults.refusal()
            if refusal is not None and refusal.rate_limited:
                return ns_error(429, "CONCURRENCY_LIMIT_EXCEEDED", "Request limit exceeded.")
            if refusal is not None:
                return ns_error(refusal.status, "UNEXPECTED_ERROR", "Service unavailable.")
            if faults.run_out("expire_credentials_after"):
                emulator.credentials.expired = True
            if emulator.in_flight >= emulator.concurrency:
                return ns_error(
                    429,
                    "CONCURRENCY_LIMIT_EXCEEDED",
                    "Concurrent request limit exceeded. Request blocked.",
                )
            emulator.in_flight += 1
        try:
            if faults.delay:
                await asyncio.sleep(faults.delay)
            body = await request.body()
            header = request.headers.get("authorization", "")
            try:
                with emulator.lock:
                    if header.startswith("Bearer "):
                        emulator.credentials.check_bearer(header)
                    else:
                        form = (
                            body.decode()
                            if request.headers.get("content-type", "").startswith(
                                "application/x-www-form-urlencoded"
                            )
                            else None
                        )
                        emulator.credentials.check_oauth1(
                            request.method, str(request.url), header, form
                        )
            except AuthError as exc:
                return ns_error(401, exc.code, str(exc))
            try:
                return await handler(request, emulator)
            except NsError as exc:
                return ns_error(exc.status, exc.code, exc.detail, exc.path)
        finally:
            with emulator.lock:
                emulator.in_flight -= 1

    return endpoint


async def _token(request: Request, emulator: NetSuiteEmulator) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items()}
    token_url = str(request.url.replace(query=""))
    with emulator.lock:
        try:
            token = emulator.credentials.issue_token(form, token_url)
        except AuthError as exc:
            status = 401 if exc.code == "invalid_client" else 400
            return JSONResponse({"error": exc.code, "error_description": str(exc)}, status)
    return JSONResponse(
        {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME}
    )


def _window(request: Request) -> tuple[int, int]:
    try:
        limit = int(request.query_params.get("limit", str(_MAX_PAGE)))
        offset = int(request.query_params.get("offset", "0"))
    except ValueError:
        raise NsError(400, "INVALID_PARAMETER", "limit and offset are numbers.") from None
    if not 1 <= limit <= _MAX_PAGE or offset < 0:
        raise NsError(400, "INVALID_PARAMETER", f"limit must be 1 to {_MAX_PAGE}.", None)
    if offset >= MAX_RESULTS:
        raise NsError(400, "INVALID_PARAMETER", f"offset must be below {MAX_RESULTS}.", None)
    return limit, offset


async def _suiteql(request: Request, emulator: NetSuiteEmulator) -> Response:
    if request.headers.get("prefer", "").lower() != "transient":
        raise NsError(400, "INVALID_PARAMETER", "SuiteQL requests need Prefer: transient.")
    limit, offset = _window(request)
    try:
        statement = json.loads(await request.body())["q"]
    except (ValueError, KeyError, TypeError):
        raise NsError(400, "INVALID_CONTENT", 'The body must be {"q": statement}.', "q") from None
    try:
        rows, total = emulator.query(str(statement), limit, offset)
    except SuiteQLError as exc:
        raise NsError(400, "INVALID_PARAMETER", str(exc), "q") from None
    has_more = offset + len(rows) < total
    return JSONResponse(
        {
            "links": [{"rel": "self", "href": str(request.url)}],
            "count": len(rows),
            "hasMore": has_more,
            "offset": offset,
            "totalResults": total,
            "items": [{"links": [], **row} for row in rows],
        }
    )


def _record_id(request: Request) -> int:
    raw = request.path_params["id"]
    if not raw.isdigit():
        raise NsError(404, "NONEXISTENT_ID", f"Record {raw} was not found.")
    return int(raw)


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise NsError(400, "INVALID_CONTENT", "The body is not JSON.") from None
    if not isinstance(body, dict):
        raise NsError(400, "INVALID_CONTENT", "The body must be an object.")
    return body


async def _collection(request: Request, emulator: NetSuiteEmulator) -> Response:
    kind = request.path_params["type"]
    if kind not in ("purchaseOrder", "vendor") or request.method != "POST":
        raise NsError(
            405 if kind in ("purchaseOrder", "vendor") else 404,
            "INVALID_REQUEST",
            f"{request.method} {kind} is not served here.",
        )
    key = request.headers.get("x-netsuite-idempotency-key")
    with emulator.lock:
        if key and key in emulator.idempotent:
            return Response(status_code=204, headers={"Location": emulator.idempotent[key]})
        body = await _json(request)
        created = (
            emulator.create_purchase_order(body)
            if kind == "purchaseOrder"
            else emulator.create_vendor(body)
        )
        location = f"{request.url.replace(query='')}/{created}"
        if key:
            emulator.idempotent[key] = location
        if emulator.faults.take("lose_answers"):
            return ns_error(504, "UNEXPECTED_ERROR", "The answer was lost on the way.")
    return Response(status_code=204, headers={"Location": location})


async def _record(request: Request, emulator: NetSuiteEmulator) -> Response:
    kind = request.path_params["type"]
    record_id = _record_id(request)
    if kind not in ("purchaseOrder", "vendor"):
        raise NsError(404, "INVALID_REQUEST", f"Record type {kind} is not served here.")
    if request.method == "GET":
        record = (
            emulator.purchase_order(record_id)
            if kind == "purchaseOrder"
            else emulator.vendor(record_id)
        )
        return JSONResponse(record)
    body = await _json(request)
    if kind == "purchaseOrder":
        emulator.update_purchase_order(record_id, body, request.query_params.get("replace", ""))
    else:
        emulator.update_vendor(record_id, body)
    return Response(status_code=204)


def create_app(emulator: NetSuiteEmulator) -> Starlette:
    """The ASGI app serving `emulator`."""

    async def token(request: Request) -> Response:
        return await _token(request, emulator)

    return Starlette(
        routes=[
            Route(TOKEN_PATH, token, methods=["POST"]),
            Route(f"{REST_ROOT}/query/v1/suiteql", _guarded(_suiteql, emulator), methods=["POST"]),
            Route(
                f"{REST_ROOT}/record/v1/{{type}}",
                _guarded(_collection, emulator),
                methods=["GET", "POST"],
            ),
            Route(
                f"{REST_ROOT}/record/v1/{{type}}/{{id}}",
                _guarded(_record, emulator),
                methods=["GET", "PATCH"],
            ),
        ]
    )
