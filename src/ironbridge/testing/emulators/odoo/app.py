"""The emulator's HTTP face: `/jsonrpc`, `/web/version` and (19.0) `/json/2/<model>/<method>`.

`/jsonrpc` answers HTTP 200 whatever happens: a result (no `result` member at all when the
method returned None) or an `error` member `{code, message, data: {name, debug, message,
arguments, context}}`; `AccessDenied` has code 200 and a traceback on 18.0, code 0 and none on
19.0, which also logs a deprecation warning per call. JSON-2 answers the method's return value
as the body, or a real HTTP error with `{name, message, arguments, context, debug}`: 401 with
`WWW-Authenticate: Bearer` for a missing, wrong or expired key, 404 for an unknown model or
method, 422 for a `UserError`, a `ValidationError` or an unknown argument, 500 otherwise. On
18.0 `/json/2/...` does not exist and redirects to the login page (303).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ironbridge.testing.emulators.odoo.database import OdooError
from ironbridge.testing.emulators.odoo.emulator import ACCESS_DENIED, VERSIONS, OdooEmulator

__all__ = ["create_app"]

_JSON2_STATUS: Final = {
    "odoo.exceptions.UserError": 422,
    "odoo.exceptions.ValidationError": 422,
    "builtins.TypeError": 422,
    "odoo.exceptions.AccessError": 403,
    "odoo.exceptions.MissingError": 404,
    "builtins.KeyError": 404,
    "builtins.AttributeError": 404,
    ACCESS_DENIED: 401,
}
_TRACEBACK: Final = 'Traceback (most recent call last):\n  File "odoo/http.py", line 2138\n'
Handler = Callable[[Request, OdooEmulator], Awaitable[Response]]


def _guarded(handler: Handler, emulator: OdooEmulator) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        faults = emulator.faults
        with emulator.lock:
            refusal = faults.refusal()
            if refusal is not None:
                return HTMLResponse("<h1>Service Unavailable</h1>", refusal.status)
            if faults.run_out("expire_keys_after"):
                emulator.expire_keys()
        if faults.delay:
            await asyncio.sleep(faults.delay)
        return await handler(request, emulator)

    return endpoint


def _rpc_error(emulator: OdooEmulator, call_id: Any, error: OdooError) -> dict[str, Any]:
    denied = error.name == ACCESS_DENIED
    data = {
        "name": error.name,
        "debug": "" if denied and emulator.version >= 19 else _TRACEBACK + error.message,
        "message": error.message,
        "arguments": [error.message],
        "context": {},
    }
    code = 0 if denied and emulator.version >= 19 else 200
    message = "Odoo Server Error" if code else "Access Denied"
    return {
        "jsonrpc": "2.0",
        "id": call_id,
        "error": {"code": code, "message": message, "data": data},
    }


def _answer(call_id: Any, result: Any) -> dict[str, Any]:
    # Odoo's JSON-RPC leaves `result` out when the method returned None.
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": call_id}
    if result is not None:
        body["result"] = result
    return body


async def _body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        return None


async def jsonrpc(request: Request, emulator: OdooEmulator) -> Response:
    """`/jsonrpc`: the `common`, `db` and `object` services."""
    body = await _body(request)
    if not isinstance(body, dict) or not isinstance(body.get("params"), dict):
        return JSONResponse(
            {
                "jsonrpc": "2.0",
                "id": None,
                "error": {
                    "code": 400,
                    "message": "Odoo Server Error",
                    "data": {
                        "name": "werkzeug.exceptions.BadRequest",
                        "message": "Invalid JSON-RPC",
                    },
                },
            }
        )
    call_id, params = body.get("id"), body["params"]
    if emulator.version >= 19:
        emulator.warnings.append("The /jsonrpc endpoint is deprecated; use /json/2.")
    service, method = params.get("service"), params.get("method")
    args = list(params.get("args") or [])
    with emulator.lock:
        emulator.calls.append(("jsonrpc", str(service), str(method)))
        try:
            result = _service(emulator, str(service), str(method), args)
        except OdooError as error:
            return JSONResponse(_rpc_error(emulator, call_id, error))
    return JSONResponse(_answer(call_id, result))


def _service(emulator: OdooEmulator, service: str, method: str, args: list[Any]) -> Any:
    if service == "common" and method == "version":
        return _version(emulator)
    if service == "common" and method in ("login", "authenticate"):
        database, login, secret = [*args, None, None, None][:3]
        emulator.database(str(database))
        return emulator.login(str(login), str(secret)) or False
    if service == "db" and method == "list":
        if not emulator.list_db:
            raise OdooError(ACCESS_DENIED, "Access Denied")
        return sorted(emulator.dbs)
    if service == "object" and method == "execute_kw":
        if len(args) < 5:
            raise OdooError("builtins.TypeError", "execute_kw() missing required arguments")
        database, uid, secret, model, name = args[:5]
        positional = list(args[5]) if len(args) > 5 else []
        keywords = dict(args[6]) if len(args) > 6 and args[6] else {}
        emulator.database(str(database))
        user = next((u for u in emulator.users.values() if u.uid == uid), None)
        if user is None or emulator.login(user.login, str(secret)) != uid:
            raise OdooError(ACCESS_DENIED, "Access Denied")
        env = emulator.env(str(database), int(uid), keywords.pop("context", None))
        emulator.calls.append(("jsonrpc", str(model), str(name)))
        return env.call(str(model), str(name), positional, keywords)
    raise OdooError("builtins.AttributeError", f"Method not available {service}.{method}")


def _version(emulator: OdooEmulator) -> dict[str, Any]:
    return {
        "server_version": emulator.server_version,
        "server_version_info": VERSIONS[emulator.version],
        "server_serie": emulator.server_version,
        "protocol_version": 1,
    }


async def web_version(request: Request, emulator: OdooEmulator) -> Response:
    """`/web/version`: a JSON route, called with a JSON-RPC envelope."""
    body = await _body(request)
    call_id = body.get("id") if isinstance(body, dict) else None
    return JSONResponse(_answer(call_id, _version(emulator)))


async def database_list(request: Request, emulator: OdooEmulator) -> Response:
    """`/web/database/list`: the databases, unless listing is switched off."""
    body = await _body(request)
    call_id = body.get("id") if isinstance(body, dict) else None
    if not emulator.list_db:
        error = OdooError(ACCESS_DENIED, "Access Denied")
        return JSONResponse(_rpc_error(emulator, call_id, error))
    return JSONResponse(_answer(call_id, sorted(emulator.dbs)))


def _json2_error(status: int, error: OdooError) -> Response:
    body = {
        "name": error.name,
        "message": error.message,
        "arguments": [error.message],
        "context": {},
        "debug": "",
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status, headers=headers)


async def json2(request: Request, emulator: OdooEmulator) -> Response:
    """`/json/2/<model>/<method>` (19.0): named arguments, bearer API key."""
    if emulator.version < 19:
        return RedirectResponse("/web/login?redirect=" + request.url.path, 303)
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    with emulator.lock:
        user = emulator.key_user(secret.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return _json2_error(401, OdooError(ACCESS_DENIED, "Invalid apikey"))
        body = await _body(request)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            return _json2_error(
                400, OdooError("werkzeug.exceptions.BadRequest", "The body must be a JSON object.")
            )
        model, method = request.path_params["model"], request.path_params["method"]
        emulator.calls.append(("json2", model, method))
        database = request.headers.get("X-Odoo-Database") or next(iter(emulator.dbs))
        try:
            env = emulator.env(database, user.uid, body.pop("context", None))
            result = env.call(model, method, [], body)
        except OdooError as error:
            return _json2_error(_JSON2_STATUS.get(error.name, 500), error)
    return Response(json.dumps(result), 200, media_type="application/json")


async def login_page(request: Request, emulator: OdooEmulator) -> Response:
    """The page 18.0 redirects unknown routes to."""
    return HTMLResponse("<html><body><form action='/web/login'>Log in</form></body></html>")


def create_app(emulator: OdooEmulator) -> Starlette:
    """The emulator's ASGI application."""
    routes = [
        Route("/jsonrpc", _guarded(jsonrpc, emulator), methods=["POST"]),
        Route("/web/version", _guarded(web_version, emulator), methods=["POST"]),
        Route("/web/database/list", _guarded(database_list, emulator), methods=["POST"]),
        Route("/web/login", _guarded(login_page, emulator), methods=["GET"]),
        Route("/json/2/{model}/{method}", _guarded(json2, emulator), methods=["POST"]),
    ]
    return Starlette(routes=routes)
