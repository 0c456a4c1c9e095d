"""The emulator's HTTP face: Maximo's JSON API under `/maximo/api/` (MAS) and `/maximo/oslc/`
(7.6).

Per request, in the order Maximo applies them: injected faults, then sign-in (an `apikey`
header, a `maxauth` header holding base64 `user:password`, or HTTP Basic for LDAP), then the
call. `POST` to a member is an update when `x-method-override: PATCH` is sent (`patchtype:
MERGE` merges child arrays) and an action when `?action=wsmethod:<name>` is; `properties: *`
makes a write answer with the record. Failures answer Maximo's error body.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ironbridge.testing.emulators.maximo.emulator import MaximoEmulator, MaximoError

__all__ = ["create_app", "error_response"]

_ROOTS: Final = ("api", "oslc")
Handler = Callable[[Request, MaximoEmulator, str], Awaitable[Response]]


def error_response(status: int, code: str, message: str, base: str = "") -> Response:
    """Maximo's error body; the message starts with its code, as Maximo's do."""
    if not message.startswith(code):
        message = f"{code} - {message}"
    body = {
        "Error": {
            "extendedError": {"moreInfo": {"href": f"{base}/error/messages/{code}"}},
            "reasonCode": code,
            "message": message,
            "statusCode": str(status),
        }
    }
    headers = {"Retry-After": "1"} if status == 429 else None
    return JSONResponse(body, status, headers=headers)


def _lean(payload: Any, lean: bool) -> Any:
    """Without `lean=1` Maximo names attributes `spi:` and links `rdf:about`."""
    if lean:
        return payload
    if isinstance(payload, list):
        return [_lean(item, lean) for item in payload]
    if not isinstance(payload, dict):
        return payload
    names = {"href": "rdf:about", "member": "rdfs:member", "responseInfo": "oslc:responseInfo"}
    return {names.get(key, f"spi:{key}"): _lean(value, lean) for key, value in payload.items()}


def _credentials(request: Request) -> tuple[str | None, str | None, str | None]:
    api_key = request.headers.get("apikey")
    if api_key is not None:
        return api_key, None, None
    encoded = request.headers.get("maxauth")
    header = request.headers.get("authorization", "")
    if encoded is None and header.lower().startswith("basic "):
        encoded = header[6:]
    if encoded is None:
        return None, None, None
    try:
        user, _, password = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None, None
    return None, user, password


def _guarded(
    handler: Handler, emulator: MaximoEmulator
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        root = request.path_params["root"]
        base = f"{str(request.base_url).rstrip('/')}/maximo/{root}"
        if root not in _ROOTS:
            return error_response(404, "BMXAA8714E", "Not found.", base)
        faults = emulator.faults
        with emulator.lock:
            refusal = faults.refusal()
            if refusal is not None and refusal.rate_limited:
                return error_response(
                    429, "BMXAA9549E", "Too many requests; try again later.", base
                )
            if refusal is not None:
                return error_response(
                    refusal.status,
                    "BMXAA6713E",
                    "The MBO fetch operation failed in the mboset.",
                    base,
                )
            if faults.run_out("expire_credentials_after"):
                emulator.expired = True
        if faults.delay:
            await asyncio.sleep(faults.delay)
        with emulator.lock:
            user = emulator.signed_in(*_credentials(request))
        if user is None:
            return error_response(
                401,
                "BMXAA7901E",
                "You cannot log in at this time. Contact the system administrator.",
                base,
            )
        try:
            return await handler(request, emulator, base)
        except MaximoError as exc:
            return error_response(exc.status, exc.code, exc.message, base)

    return endpoint


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise MaximoError(400, "BMXAA8728E", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise MaximoError(400, "BMXAA8728E", "The request body must be a JSON object.")
    # Namespaced bodies (`spi:wonum`) mean the same as lean ones.
    return {str(key).removeprefix("spi:"): value for key, value in body.items()}


def _lean_wanted(request: Request) -> bool:
    return request.query_params.get("lean") == "1"


async def _whoami(request: Request, emulator: MaximoEmulator, base: str) -> Response:
    with emulator.lock:
        user = emulator.signed_in(*_credentials(request)) or ""
        return JSONResponse(emulator.whoami(user))


async def _collection(request: Request, emulator: MaximoEmulator, base: str) -> Response:
    name = request.path_params["structure"]
    params = dict(request.query_params)
    if request.method == "GET":
        url = str(request.url)
        payload = emulator.collection(name, params, base, url)
        return JSONResponse(_lean(payload, _lean_wanted(request)))
    body = await _body(request)
    member = emulator.create(name, body)
    location = f"{base}/os/{name.lower()}/{member}"
    if request.headers.get("properties"):
        record = emulator.member(name, member, {"oslc.select": request.headers["properties"]}, base)
        return JSONResponse(
            _lean(record, _lean_wanted(request)), 201, headers={"Location": location}
        )
    return Response(status_code=201, headers={"Location": location})


async def _member(request: Request, emulator: MaximoEmulator, base: str) -> Response:
    name, member = request.path_params["structure"], request.path_params["member"]
    params = dict(request.query_params)
    if request.method == "GET":
        record = emulator.member(name, member, params, base)
        return JSONResponse(
            _lean(record, _lean_wanted(request)), headers={"ETag": record["_rowstamp"]}
        )
    body = await _body(request)
    action = params.get("action", "")
    override = request.headers.get("x-method-override", "").upper()
    if action == "wsmethod:changeStatus":
        emulator.change_status(name, member, body)
    elif action == "wsmethod:adjustCurrentBalance":
        emulator.adjust_balance(name, member, body)
    elif action:
        raise MaximoError(400, "BMXAA8731E", f"The action {action} is not known.")
    elif override == "PATCH":
        merge = request.headers.get("patchtype", "").upper() == "MERGE"
        emulator.update(name, member, body, merge=merge, if_match=request.headers.get("if-match"))
    else:
        raise MaximoError(405, "BMXAA8730E", "POST to a member needs x-method-override or action.")
    if request.headers.get("properties"):
        record = emulator.member(name, member, {"oslc.select": request.headers["properties"]}, base)
        return JSONResponse(_lean(record, _lean_wanted(request)))
    return Response(status_code=204)


def create_app(emulator: MaximoEmulator) -> Starlette:
    """The ASGI app serving `emulator`."""
    return Starlette(
        routes=[
            Route("/maximo/{root}/whoami", _guarded(_whoami, emulator), methods=["GET"]),
            Route(
                "/maximo/{root}/os/{structure}",
                _guarded(_collection, emulator),
                methods=["GET", "POST"],
            ),
            Route(
                "/maximo/{root}/os/{structure}/{member}",
                _guarded(_member, emulator),
                methods=["GET", "POST"],
            ),
        ]
    )
