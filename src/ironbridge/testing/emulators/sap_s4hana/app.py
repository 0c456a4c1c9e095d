"""The emulator's HTTP face: SAP Gateway's OData V2 at `/sap/opu/odata/sap/<SERVICE>/`.

Per request, in the order SAP Gateway applies them: injected faults, Basic authentication or
a Bearer token from the OAuth token endpoint in `auth.py` (401), the service's existence (404)
and the user's authorisation for it (403), the CSRF token on modifying requests (403 with
`x-csrf-token: Required`), then the OData request itself.
Errors use SAP's JSON error body: `error.code`, `error.message.{lang,value}` and
`error.innererror` with `transactionid`, `timestamp` and `errordetails`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final
from urllib.parse import quote, urlencode
from xml.sax.saxutils import quoteattr

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ironbridge.testing.emulators.sap_s4hana import odata
from ironbridge.testing.emulators.sap_s4hana.auth import (
    TOKEN_PATH,
    basic_credentials,
    bearer_token,
    token_endpoint,
)
from ironbridge.testing.emulators.sap_s4hana.data import PLANTS, today_utc
from ironbridge.testing.emulators.sap_s4hana.emulator import SapS4HanaEmulator
from ironbridge.testing.emulators.sap_s4hana.schema import (
    SERVICES,
    EntityType,
    Service,
    entity_type,
    service_of,
)

__all__ = ["SERVICE_PREFIX", "create_app"]

#: Where SAP Gateway serves OData V2 services.
SERVICE_PREFIX: Final = "/sap/opu/odata/sap"
_REALM: Final = 'Basic realm="SAP NetWeaver Application Server [S4H/100]"'
_BEARER_REALM: Final = 'Bearer realm="SAP NetWeaver Application Server [S4H/100]"'
_JSON: Final = "application/json; charset=utf-8"
_MODIFYING: Final = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})
#: Sorted listings kept for server paging: a few clients paging at once each reuse theirs.
_LISTINGS_KEPT: Final = 16


class ODataError(Exception):
    """An answer in SAP's error format."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Sequence[tuple[str, str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        #: (code, message, target) per detail.
        self.details = list(details)
        self.headers = dict(headers or {})


def error_body(code: str, message: str, details: Sequence[tuple[str, str, str]] = ()) -> Any:
    """SAP Gateway's JSON error body."""
    now = datetime.now(UTC)
    return {
        "error": {
            "code": code,
            "message": {"lang": "en", "value": message},
            "innererror": {
                "transactionid": secrets.token_hex(16).upper(),
                "timestamp": now.strftime("%Y%m%d%H%M%S.") + f"{now.microsecond:06d}0",
                "Error_Resolution": {
                    "SAP_Transaction": "For backend administrators: use ADT feed reader",
                    "SAP_Note": "See SAP Note 1797736 for error analysis",
                },
                "errordetails": [
                    {
                        "code": detail_code,
                        "message": detail_message,
                        "propertyref": "",
                        "severity": "error",
                        "target": target,
                        "transition": False,
                    }
                    for detail_code, detail_message, target in details
                ],
            },
        }
    }


def _error_response(error: ODataError) -> Response:
    return JSONResponse(
        error_body(error.code, error.message, error.details),
        status_code=error.status,
        headers={"dataserviceversion": "1.0", **error.headers},
        media_type=_JSON,
    )


def _invalid(message: str, target: str = "") -> ODataError:
    return ODataError(
        400,
        "/IWBEP/CM_MGW_RT/021",
        message,
        details=[("/IWBEP/CX_MGW_BUSI_EXCEPTION", message, target)],
    )


# --- serialization --------------------------------------------------------------------------


def etag_of(kind: EntityType, row: Mapping[str, Any]) -> str | None:
    """The entity's weak ETag, derived from its change stamp as SAP does."""
    if kind.etag is None or row.get(kind.etag) is None:
        return None
    moment: datetime = row[kind.etag].astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond:06d}0Z"
    return f"W/\"datetimeoffset'{quote(text, safe='-.TZ')}'\""


def _key_literal(edm_type: str, value: Any) -> str:
    if edm_type in ("Edm.DateTime",):
        return f"datetime'{value.strftime('%Y-%m-%dT%H:%M:%S')}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def entity_path(kind: EntityType, row: Mapping[str, Any]) -> str:
    """`A_PurchaseOrder('4500000001')` or `Equipment(Equipment='…',ValidityEndDate=…)`."""
    if len(kind.keys) == 1:
        name = kind.keys[0]
        return f"{kind.entity_set}({_key_literal(kind.properties[name], row[name])})"
    parts = ",".join(
        f"{name}={_key_literal(kind.properties[name], row[name])}" for name in kind.keys
    )
    return f"{kind.entity_set}({parts})"


def _expand_tree(text: str | None, kind: EntityType) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in (text or "").split(","):
        if not path.strip():
            continue
        node = tree
        current = kind
        for step in path.strip().split("/"):
            if step not in current.navigations:
                raise _invalid(f"Navigation property {step} not found in {current.name}")
            node = node.setdefault(step, {})
            current = entity_type(current.navigations[step].target)
    return tree


class _Serializer:
    def __init__(self, app_root: str, emulator: SapS4HanaEmulator) -> None:
        self.app_root = app_root
        self.emulator = emulator

    def entity(
        self,
        entity_set: str,
        row: Mapping[str, Any],
        expand: Mapping[str, Any],
        select: set[str] | None = None,
    ) -> dict[str, Any]:
        kind = entity_type(entity_set)
        service = SERVICES[service_of(entity_set)]
        uri = f"{self.app_root}{SERVICE_PREFIX}/{service.name}/{entity_path(kind, row)}"
        metadata: dict[str, Any] = {
            "id": uri,
            "uri": uri,
            "type": f"{service.namespace}.{kind.name}",
        }
        etag = etag_of(kind, row)
        if etag is not None:
            metadata["etag"] = etag
        out: dict[str, Any] = {"__metadata": metadata}
        for name, edm_type in kind.properties.items():
            if select is None or name in select:
                out[name] = odata.encode_value(edm_type, row.get(name))
        for name, nav in kind.navigations.items():
            if name in expand:
                related = self.emulator.store.related(entity_set, row, name)
                related.sort(key=lambda target: self.emulator.store.key_of(nav.target, target))
                rendered = [self.entity(nav.target, target, expand[name]) for target in related]
                if nav.many:
                    out[name] = {"results": rendered}
                else:
                    out[name] = rendered[0] if rendered else None
            elif select is None or name in select:
                out[name] = {"__deferred": {"uri": f"{uri}/{name}"}}
        return out


# --- request handling ---------------------------------------------------------------------------


def _split_resource(rest: str) -> tuple[str, str | None, str | None]:
    """`Set`, `Set(key)`, `Set(key)/nav` → (set, key predicate, navigation)."""
    if "(" not in rest:
        if "/" in rest:
            raise _invalid(f"Resource {rest} not found")
        return rest, None, None
    name, _, remainder = rest.partition("(")
    depth_quoted = False
    for index, char in enumerate(remainder):
        if char == "'":
            depth_quoted = not depth_quoted
        elif char == ")" and not depth_quoted:
            predicate = "(" + remainder[:index] + ")"
            tail = remainder[index + 1 :]
            if tail and not tail.startswith("/"):
                raise _invalid(f"Resource {rest} not found")
            navigation = tail[1:] or None
            if navigation is not None and "/" in navigation:
                raise _invalid("Only one navigation step is supported")
            return name, predicate, navigation
    raise _invalid(f"Invalid key predicate in {rest}")


def _int_option(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise _invalid(f"System query option {name} must be a non-negative integer")
    return int(value)


class _Handler:
    def __init__(self, emulator: SapS4HanaEmulator) -> None:
        self.emulator = emulator
        # (path, $filter, $orderby) -> (store generation, rows): see `_listing`.
        self._listings: dict[tuple[str, str | None, str | None], tuple[int, list[Any]]] = {}

    async def handle(self, request: Request) -> Response:
        method = request.method.upper()
        if method == "POST" and request.headers.get("x-http-method"):
            method = request.headers["x-http-method"].upper()
        credentials = basic_credentials(request)
        bearer = bearer_token(request)
        # A Bearer token stands for the user (OAuth client) it was issued to.
        owner = self.emulator.token_owner(bearer) if bearer else None
        self.emulator.log(
            method,
            request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            credentials[0] if credentials else owner,
        )
        outcome = self.emulator.next_fault()
        if outcome.delay:
            await asyncio.sleep(outcome.delay)
        try:
            refusal = outcome.refusal
            if refusal is not None:
                message = (
                    "Rate limit exceeded; retry later"
                    if refusal.status == 429
                    else "Service temporarily unavailable"
                )
                raise ODataError(
                    refusal.status, "/IWFND/CM_BEC/026", message, headers=refusal.headers
                )
            if bearer is not None:
                if owner is None:
                    return Response(
                        "Logon failed: the access token is invalid or has expired.",
                        status_code=401,
                        headers={"WWW-Authenticate": f'{_BEARER_REALM}, error="invalid_token"'},
                        media_type="text/plain",
                    )
                username = owner
            elif credentials is None or not self.emulator.authenticate(*credentials):
                return Response(
                    "Logon failed: the user name or password is incorrect.",
                    status_code=401,
                    headers={"WWW-Authenticate": _REALM},
                    media_type="text/plain",
                )
            else:
                username = credentials[0]
            service = SERVICES.get(request.path_params["service"])
            if service is None or not self.emulator.offers(service.name):
                raise ODataError(
                    404,
                    "/IWFND/MED/170",
                    f"No service found for namespace '/SAP/', name "
                    f"'{request.path_params['service']}', version '0001'",
                )
            if not self.emulator.may_use(username, service.name):
                raise ODataError(
                    403,
                    "/IWFND/CM_CONSUMER/101",
                    f"User {username} is not authorized for service {service.name}; "
                    "a communication arrangement for it is missing",
                )
            extra: dict[str, str] = {}
            if request.headers.get("x-csrf-token", "").lower() == "fetch":
                extra["x-csrf-token"] = self.emulator.issue_csrf_token(username)
                extra["set-cookie"] = (
                    f"SAP_SESSIONID_S4H_100={secrets.token_urlsafe(16)}; path=/; HttpOnly"
                )
            elif method in _MODIFYING and not self.emulator.csrf_token_valid(
                username, request.headers.get("x-csrf-token")
            ):
                return Response(
                    "CSRF token validation failed",
                    status_code=403,
                    headers={"x-csrf-token": "Required"},
                    media_type="text/plain",
                )
            response = await self.dispatch(request, method, service, username)
            response.headers.update(extra)
            return response
        except ODataError as error:
            return _error_response(error)

    async def dispatch(
        self, request: Request, method: str, service: Service, username: str
    ) -> Response:
        rest = request.path_params.get("rest", "").strip("/")
        params = dict(request.query_params)
        if params.get("$format", "json") != "json":
            raise _invalid("The emulator answers $format=json only")
        root = str(request.base_url).rstrip("/")
        if rest == "":
            if method not in ("GET", "HEAD"):
                raise ODataError(405, "/IWBEP/CM_MGW_RT/005", "Method not allowed")
            sets = [kind.entity_set for kind in service.entity_types]
            return JSONResponse({"d": {"EntitySets": sets}}, media_type=_JSON)
        if rest == "$metadata":
            return Response(_metadata(service), media_type="application/xml")
        name, predicate, navigation = _split_resource(rest)
        kind = service.by_set(name)
        if kind is None:
            raise ODataError(
                404, "/IWBEP/CM_MGW_RT/020", f"Resource not found for segment '{name}'"
            )
        serializer = _Serializer(root, self.emulator)
        if predicate is None:
            if method in ("GET", "HEAD"):
                return self.collection(
                    request, kind, self.emulator.store.rows(kind.entity_set), params, serializer
                )
            if method == "POST":
                return await self.create(request, kind, serializer, username)
            raise ODataError(405, "/IWBEP/CM_MGW_RT/005", f"Method {method} not allowed on {name}")
        try:
            key_values = odata.parse_key_predicate(predicate, kind.keys)
        except odata.FilterError as exc:
            raise _invalid(str(exc)) from None
        key = tuple(key_values[k] for k in kind.keys)
        row = self.emulator.store.find(kind.entity_set, key)
        if row is None:
            raise ODataError(
                404, "/IWBEP/CM_MGW_RT/020", f"Resource not found for segment '{name}{predicate}'"
            )
        if navigation is not None:
            if method not in ("GET", "HEAD"):
                raise ODataError(405, "/IWBEP/CM_MGW_RT/005", "Method not allowed")
            if navigation not in kind.navigations:
                raise _invalid(f"Navigation property {navigation} not found in {kind.name}")
            nav = kind.navigations[navigation]
            related = self.emulator.store.related(kind.entity_set, row, navigation)
            target = entity_type(nav.target)
            if not nav.many:
                if not related:
                    raise ODataError(404, "/IWBEP/CM_MGW_RT/020", "Resource not found")
                return self.single(target, related[0], params, serializer)
            return self.collection(request, target, related, params, serializer)
        if method in ("GET", "HEAD"):
            return self.single(kind, row, params, serializer)
        if method in ("PATCH", "MERGE", "PUT"):
            return await self.update(request, kind, row, username)
        raise ODataError(405, "/IWBEP/CM_MGW_RT/005", f"Method {method} not allowed on {name}")

    # -- reads --------------------------------------------------------------------------------

    def single(
        self,
        kind: EntityType,
        row: Mapping[str, Any],
        params: Mapping[str, str],
        serializer: _Serializer,
    ) -> Response:
        expand = _expand_tree(params.get("$expand"), kind)
        select = _select(params.get("$select"), kind)
        with self.emulator.store.lock:
            body = serializer.entity(kind.entity_set, row, expand, select)
        headers = {"dataserviceversion": "2.0"}
        etag = etag_of(kind, row)
        if etag is not None:
            headers["ETag"] = etag
        return JSONResponse({"d": body}, headers=headers, media_type=_JSON)

    def collection(
        self,
        request: Request,
        kind: EntityType,
        rows: list[dict[str, Any]],
        params: Mapping[str, str],
        serializer: _Serializer,
    ) -> Response:
        expand = _expand_tree(params.get("$expand"), kind)
        select = _select(params.get("$select"), kind)
        rows = self._listing(request.url.path, kind, rows, params)
        count = len(rows)
        skip = _int_option(params, "$skip") or 0
        top = _int_option(params, "$top")
        rows = rows[skip:] if top is None else rows[skip : skip + top]
        token = params.get("$skiptoken")
        if token is not None and not token.isdigit():
            raise _invalid("Invalid $skiptoken")
        offset = int(token or 0)
        page_size = self.emulator.max_page_size
        page = rows[offset : offset + page_size]
        with self.emulator.store.lock:
            body: dict[str, Any] = {
                "results": [serializer.entity(kind.entity_set, row, expand, select) for row in page]
            }
        if params.get("$inlinecount") == "allpages":
            body["__count"] = str(count)
        if offset + page_size < len(rows):
            query = {name: value for name, value in params.items() if name != "$skiptoken"}
            query["$skiptoken"] = str(offset + page_size)
            body["__next"] = f"{str(request.url).split('?', 1)[0]}?{urlencode(query)}"
        return JSONResponse({"d": body}, headers={"dataserviceversion": "2.0"}, media_type=_JSON)

    def _listing(
        self,
        path: str,
        kind: EntityType,
        rows: list[dict[str, Any]],
        params: Mapping[str, str],
    ) -> list[dict[str, Any]]:
        """The rows a collection request selects, filtered and sorted.

        Server paging asks the same query again for every `$skiptoken`; the result is kept per
        path and query while the store is unchanged, so a listing of tens of thousands of rows
        is filtered and sorted once, not once per page of 100.
        """
        key = (path, params.get("$filter"), params.get("$orderby"))
        generation = self.emulator.store.generation
        cached = self._listings.get(key)
        if cached is not None and cached[0] == generation:
            return cached[1]
        try:
            if params.get("$filter"):
                predicate = odata.compile_filter(params["$filter"], kind.properties)
                rows = [row for row in rows if predicate(row)]
            order = (
                odata.parse_orderby(params["$orderby"], kind.properties)
                if params.get("$orderby")
                else []
            )
        except odata.FilterError as exc:
            raise _invalid(str(exc)) from None
        # Keys last, so equal sort values come back in a stable, documented order.
        order = [*order, *((k, False) for k in kind.keys if k not in dict(order))]
        listed: list[dict[str, Any]] = odata.sort_rows(rows, order)  # type: ignore[assignment]
        self._listings[key] = (generation, listed)
        while len(self._listings) > _LISTINGS_KEPT:
            self._listings.pop(next(iter(self._listings)))
        return listed

    # -- writes -------------------------------------------------------------------------------

    async def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            raise _invalid("The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise _invalid("The request body must be a JSON object")
        body.pop("__metadata", None)
        return body

    async def create(
        self, request: Request, kind: EntityType, serializer: _Serializer, username: str
    ) -> Response:
        if kind.entity_set != "A_PurchaseOrder":
            raise ODataError(
                405, "/IWBEP/CM_MGW_RT/005", f"The emulator does not create {kind.entity_set}"
            )
        body = await self._body(request)
        with self.emulator.store.lock:
            row = _create_purchase_order(self.emulator, body, username)
            result = serializer.entity(
                kind.entity_set, row, {"to_PurchaseOrderItem": {"to_ScheduleLine": {}}}
            )
        headers = {"Location": result["__metadata"]["uri"], "dataserviceversion": "2.0"}
        etag = etag_of(kind, row)
        if etag is not None:
            headers["ETag"] = etag
        return JSONResponse({"d": result}, status_code=201, headers=headers, media_type=_JSON)

    async def update(
        self, request: Request, kind: EntityType, row: dict[str, Any], username: str
    ) -> Response:
        if not kind.updatable or kind.entity_set != "A_PurchaseOrder":
            raise ODataError(
                405, "/IWBEP/CM_MGW_RT/005", f"The emulator does not update {kind.entity_set}"
            )
        body = await self._body(request)
        with self.emulator.store.lock:
            if self.emulator.take_concurrent_change():
                self.emulator.stamp(kind.entity_set, row, "OTHER_USER")
            expected = request.headers.get("if-match")
            if not expected:
                raise ODataError(
                    428,
                    "/IWBEP/CM_MGW_RT/045",
                    "Precondition required: send If-Match with the entity's ETag",
                )
            if expected != "*" and expected != etag_of(kind, row):
                raise ODataError(
                    412,
                    "/IWBEP/CM_MGW_RT/022",
                    "The entity was changed by another user; read it again and retry",
                )
            changes = _decode_properties(kind, body, allow_navigation=False)
            _check_purchase_order_change(self.emulator, row, changes)
            row.update(changes)
            self.emulator.stamp(kind.entity_set, row, username)
            etag = etag_of(kind, row) or ""
        return Response(status_code=204, headers={"ETag": etag, "dataserviceversion": "2.0"})


def _select(text: str | None, kind: EntityType) -> set[str] | None:
    if not text:
        return None
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = names - set(kind.properties) - set(kind.navigations)
    if unknown:
        raise _invalid(f"Property {sorted(unknown)[0]} not found in type {kind.name}")
    return names


def _decode_properties(
    kind: EntityType, body: Mapping[str, Any], *, allow_navigation: bool, creating: bool = False
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in body.items():
        if name in kind.navigations:
            if not allow_navigation:
                raise _invalid(f"Navigation property {name} cannot be changed here", name)
            continue
        if name not in kind.properties:
            raise _invalid(f"Property {name} is invalid for type {kind.name}", name)
        if name in kind.read_only:
            verb = "set on creation" if creating else "changed"
            raise _invalid(f"Property {name} cannot be {verb}", name)
        try:
            values[name] = odata.decode_value(kind.properties[name], value)
        except ValueError as exc:
            raise _invalid(f"Property {name} has an invalid value: {exc}", name) from None
    return values


def _supplier_problem(emulator: SapS4HanaEmulator, supplier: str) -> str | None:
    row = emulator.store.find("A_Supplier", (supplier,))
    if row is None:
        return f"Supplier {supplier} does not exist"
    if row["DeletionIndicator"]:
        return f"Supplier {supplier} is flagged for deletion"
    if row["PurchasingIsBlocked"]:
        return f"Supplier {supplier} is blocked for purchasing"
    return None


def _check_purchase_order_change(
    emulator: SapS4HanaEmulator, row: Mapping[str, Any], changes: Mapping[str, Any]
) -> None:
    if row["PurchasingDocumentDeletionCode"] == "L":
        raise ODataError(
            400,
            "06/029",
            f"Purchase order {row['PurchaseOrder']} is flagged for deletion; "
            "changes are not possible",
        )
    supplier = changes.get("Supplier")
    if supplier is not None and supplier != row["Supplier"]:
        problem = _supplier_problem(emulator, supplier)
        if problem:
            raise _invalid(problem, "Supplier")


def _create_purchase_order(
    emulator: SapS4HanaEmulator, body: dict[str, Any], username: str
) -> dict[str, Any]:
    header_type = entity_type("A_PurchaseOrder")
    item_type = entity_type("A_PurchaseOrderItem")
    line_type = entity_type("A_PurchaseOrderScheduleLine")
    # The Hub schema lists PurchaseOrder as required; with internal numbering it is sent empty.
    if body.pop("PurchaseOrder", ""):
        raise _invalid("Purchase order numbers are assigned internally", "PurchaseOrder")
    header = _decode_properties(header_type, body, allow_navigation=True, creating=True)
    problems: list[tuple[str, str, str]] = []
    for required in ("CompanyCode", "PurchasingOrganization", "PurchasingGroup", "Supplier"):
        if not header.get(required):
            problems.append(("ME/083", f"Enter {required}", required))
    org: Mapping[str, Any] = {}
    supplier = header.get("Supplier")
    if supplier:
        problem = _supplier_problem(emulator, supplier)
        if problem:
            problems.append(("06/321", problem, "Supplier"))
        org = (
            emulator.store.find(
                "A_SupplierPurchasingOrg", (supplier, header.get("PurchasingOrganization", ""))
            )
            or {}
        )
    items_body = body.get("to_PurchaseOrderItem")
    items = items_body.get("results") if isinstance(items_body, dict) else items_body
    if not isinstance(items, list) or not items:
        problems.append(
            ("06/201", "A purchase order needs at least one item", "to_PurchaseOrderItem")
        )
        items = []
    decoded_items: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for index, item in enumerate(items):
        number = item.get("PurchaseOrderItem") if isinstance(item, dict) else None
        target = f"to_PurchaseOrderItem(PurchaseOrderItem='{number or 10 * (index + 1)}')"
        if not isinstance(item, dict):
            raise _invalid("Each item must be an object", target)
        item = {k: v for k, v in item.items() if k not in ("__metadata", "PurchaseOrder")}
        values = _decode_properties(item_type, item, allow_navigation=True, creating=True)
        quantity = values.get("OrderQuantity")
        if quantity is None or quantity <= 0:
            problems.append(
                ("06/230", "Enter a quantity greater than zero", f"{target}/OrderQuantity")
            )
        plant = values.get("Plant", "")
        if plant not in PLANTS:
            problems.append(
                ("ME/064", f"Plant {plant or '(empty)'} does not exist", f"{target}/Plant")
            )
        elif values.get("StorageLocation") and values["StorageLocation"] not in PLANTS[plant]:
            problems.append(
                (
                    "M7/001",
                    f"Storage location {values['StorageLocation']} is not in plant {plant}",
                    f"{target}/StorageLocation",
                )
            )
        material = values.get("Material", "")
        stock = emulator.store.find("A_MaterialStock", (material,)) if material else None
        if material and stock is None:
            problems.append(("M3/305", f"Material {material} does not exist", f"{target}/Material"))
        if not material and not values.get("PurchaseOrderItemText"):
            problems.append(("06/114", "Enter a material or a short text", f"{target}/Material"))
        if not material and not values.get("PurchaseOrderQuantityUnit"):
            problems.append(
                ("06/117", "Enter an order unit", f"{target}/PurchaseOrderQuantityUnit")
            )
        lines_body = item.get("to_ScheduleLine")
        lines = lines_body.get("results") if isinstance(lines_body, dict) else lines_body
        decoded_lines = [
            _decode_properties(line_type, line, allow_navigation=False, creating=True)
            for line in (lines or [])
            if isinstance(line, dict)
        ]
        if stock is not None:
            values.setdefault("PurchaseOrderQuantityUnit", stock["MaterialBaseUnit"])
            values.setdefault("PurchaseOrderItemText", f"Spare part {material}")
        decoded_items.append((values, decoded_lines))
    if problems:
        raise ODataError(400, problems[0][0], problems[0][1], details=problems)
    now = emulator.now("A_PurchaseOrder")
    number = str(max(int(n) for n in emulator.purchase_order_ids()) + 1)
    currency = header.get("DocumentCurrency") or org.get("PurchaseOrderCurrency") or "USD"
    row = emulator.store.insert(
        "A_PurchaseOrder",
        {
            "PurchaseOrderType": "NB",
            "Language": "EN",
            "PaymentTerms": org.get("PaymentTerms", ""),
            "PurchaseOrderDate": today_utc(now),
            **header,
            "PurchaseOrder": number,
            "DocumentCurrency": currency,
            "PurchasingProcessingStatus": "02",
            "CreatedByUser": username[:12],
            "CreationDate": today_utc(now),
            "LastChangeDateTime": now,
        },
    )
    for index, (values, lines) in enumerate(decoded_items):
        item_number = values.get("PurchaseOrderItem") or str(10 * (index + 1))
        quantity = values["OrderQuantity"]
        emulator.store.insert(
            "A_PurchaseOrderItem",
            {
                "NetPriceAmount": Decimal("10.00"),
                "NetPriceQuantity": Decimal(1),
                "OrderPriceUnit": values.get("PurchaseOrderQuantityUnit", ""),
                "GoodsReceiptIsExpected": True,
                "InvoiceIsExpected": True,
                "PurchaseOrderItemCategory": "0",
                **values,
                "PurchaseOrder": number,
                "PurchaseOrderItem": item_number,
                "DocumentCurrency": currency,
            },
        )
        for line_index, line in enumerate(lines or [{}]):
            emulator.store.insert(
                "A_PurchaseOrderScheduleLine",
                {
                    "ScheduleLineDeliveryDate": today_utc(now + timedelta(days=14)),
                    "ScheduleLineOrderQuantity": quantity,
                    "DelivDateCategory": "1",
                    **line,
                    "PurchasingDocument": number,
                    "PurchasingDocumentItem": item_number,
                    "ScheduleLine": line.get("ScheduleLine") or str(line_index + 1),
                    "PurchaseOrderQuantityUnit": values.get("PurchaseOrderQuantityUnit", ""),
                },
            )
    return row


def _metadata(service: Service) -> str:
    """A `$metadata` document for the part of `service` the emulator serves."""
    namespace = service.namespace
    types: list[str] = []
    associations: list[str] = []
    sets: list[str] = []
    association_sets: list[str] = []
    for kind in service.entity_types:
        keys = "".join(f"<PropertyRef Name={quoteattr(key)}/>" for key in kind.keys)
        props = "".join(
            f"<Property Name={quoteattr(name)} Type={quoteattr(edm)}"
            + (' Nullable="false"' if name in kind.keys else "")
            + "/>"
            for name, edm in kind.properties.items()
        )
        navs = ""
        for name, nav in kind.navigations.items():
            association = f"assoc_{kind.entity_set}_{name}"
            target = entity_type(nav.target)
            multiplicity = "*" if nav.many else "0..1"
            navs += (
                f'<NavigationProperty Name="{name}" Relationship="{namespace}.{association}" '
                f'FromRole="FromRole_{association}" ToRole="ToRole_{association}"/>'
            )
            associations.append(
                f'<Association Name="{association}">'
                f'<End Type="{namespace}.{kind.name}" Multiplicity="1" '
                f'Role="FromRole_{association}"/>'
                f'<End Type="{namespace}.{target.name}" Multiplicity="{multiplicity}" '
                f'Role="ToRole_{association}"/></Association>'
            )
            association_sets.append(
                f'<AssociationSet Name="{association}_set" Association="{namespace}.{association}">'
                f'<End EntitySet="{kind.entity_set}" Role="FromRole_{association}"/>'
                f'<End EntitySet="{nav.target}" Role="ToRole_{association}"/></AssociationSet>'
            )
        types.append(f'<EntityType Name="{kind.name}"><Key>{keys}</Key>{props}{navs}</EntityType>')
        sets.append(f'<EntitySet Name="{kind.entity_set}" EntityType="{namespace}.{kind.name}"/>')
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" '
        'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">'
        '<edmx:DataServices m:DataServiceVersion="2.0">'
        f'<Schema Namespace="{namespace}" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">'
        + "".join(types)
        + "".join(associations)
        + f'<EntityContainer Name="{namespace}_Entities" m:IsDefaultEntityContainer="true">'
        + "".join(sets)
        + "".join(association_sets)
        + "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"
    )


def create_app(emulator: SapS4HanaEmulator) -> Starlette:
    """The Starlette application serving `emulator` under `SERVICE_PREFIX`."""
    handler = _Handler(emulator)
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "MERGE", "DELETE"]
    return Starlette(
        routes=[
            Route(f"{SERVICE_PREFIX}/{{service}}", handler.handle, methods=methods),
            Route(f"{SERVICE_PREFIX}/{{service}}/{{rest:path}}", handler.handle, methods=methods),
            Route(TOKEN_PATH, token_endpoint(emulator), methods=["POST"]),
        ]
    )
