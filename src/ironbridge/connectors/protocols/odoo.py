"""Odoo's two external APIs as one `jsonrpc_models.ModelClient`: 17.0/18.0 `/jsonrpc` and
19.0's JSON-2.

- `/jsonrpc` (`object.execute_kw` after `common.login`, `jsonrpc_models.ODOO_MODELS`) is how
  17.0 and 18.0 are spoken. 19.0 still answers it but logs a deprecation warning per call.
- JSON-2 (19.0+): `POST /json/2/<model>/<method>` with the parameters by name (`ids`,
  `domain`, `vals_list`, `context`, ...), `Authorization: bearer <API key>` and
  `X-Odoo-Database`; each call is its own transaction, the body is the method's return value,
  and errors are real HTTP statuses with `{name, message, arguments, context, debug}`, which
  `Json2Client` reads through the same `OdooDialect` classification as `/jsonrpc` errors.

`OdooClient` picks the protocol by the server's version (`/web/version`, a JSON route every
version has), adds the chosen companies to the context (`allowed_company_ids`), and asks the
server's version and databases on JSON routes rather than `/jsonrpc`. `ODOO_WIRE` reads Odoo
rows for the kit's maps: a many2one `[id, "name"]` is its id at `field` and its name at
`field/name`, and Odoo's `false` for an empty field is no value.

Sources: Odoo's "External API" (17.0, 18.0) and "External JSON-2 API" (19.0) documentation.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import httpx

from ironbridge import errors
from ironbridge.connectors.base import SessionOptions
from ironbridge.connectors.kit import Wire
from ironbridge.connectors.protocols.http import error_for_response, map_transport_errors
from ironbridge.connectors.protocols.jsonrpc import ODOO, Domain, JsonRpcClient, Order
from ironbridge.connectors.protocols.jsonrpc_models import (
    ODOO_MODELS,
    ModelClient,
    Signature,
)

__all__ = [
    "JSON2_MODELS",
    "NEW_IN_19",
    "ODOO_WIRE",
    "RENAMED_IN_19",
    "RPC_MODELS",
    "Json2Client",
    "OdooClient",
    "OdooWire",
]

#: The first major version that speaks JSON-2.
JSON2_SINCE: Final = 19


class OdooWire(Wire):
    """Odoo rows: `field` of a many2one is its id, `field/name` its display name; `false` on
    a field that is not a boolean means empty, and clears a field when written."""

    name = "Odoo"
    blank_write = False
    #: A field is a key of the row; only a many2one pair (a list) reads otherwise.
    plain_keys = True

    def get(self, row: Mapping[str, Any] | None, path: str) -> Any:
        """The value at `path`; a many2one pair gives its id, or its name under `/name`."""
        field, _, part = path.partition("/")
        # Rows are decoded JSON: a dict is known before the (slow) ABC check.
        value = row.get(field) if type(row) is dict or isinstance(row, Mapping) else None
        if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
            return value[1] if part == "name" else value[0]
        if part:
            return super().get(value if isinstance(value, Mapping) else None, part)
        return value

    def is_empty(self, value: Any) -> bool:
        """None and Odoo's `false`."""
        return value is None or value is False

    def from_decimal(self, value: Decimal) -> Any:
        """Odoo keeps amounts and quantities as floats."""
        return float(value)

    def from_datetime(self, value: datetime) -> Any:
        """`YYYY-MM-DD HH:MM:SS` in UTC."""
        return ODOO.encode(value)

    def put(self, out: dict[str, Any], path: str, value: Any) -> None:
        """Set a field; a record id (a many2one, `*_id`) is written as a number."""
        if path.endswith("_id") and isinstance(value, str) and value.isdigit():
            value = int(value)
        out[path] = value


#: The wire Odoo maps read through.
ODOO_WIRE: Final = OdooWire()


def _json2_call(
    model: str,
    method: str,
    args: list[Any],
    keywords: Mapping[str, Any],
    context: Mapping[str, Any],
    signed: Sequence[Any],
) -> tuple[str, list[Any]]:
    return f"{model}/{method}", [{**keywords, "context": context}]


#: 17.0/18.0: `/jsonrpc` with Odoo rows read through `ODOO_WIRE`.
RPC_MODELS: Final = dataclasses.replace(ODOO_MODELS, paths=ODOO_WIRE)
_BY_NAME: Final = {"ids": "ids", "fields": "fields"}
#: 19.0+: JSON-2, every parameter by name.
JSON2_MODELS: Final = dataclasses.replace(
    RPC_MODELS,
    layout=_json2_call,
    rpc_path=lambda database: "json/2/",
    signatures={
        "search_read": Signature(
            (), {k: k for k in ("domain", "fields", "offset", "limit", "order")}
        ),
        "search": Signature((), {k: k for k in ("domain", "offset", "limit", "order")}),
        "read": Signature((), _BY_NAME),
        "create": Signature((), {"values": "vals_list"}),
        "write": Signature((), {"ids": "ids", "values": "vals"}),
        "delete": Signature((), {"ids": "ids"}),
        "press": Signature((), {"ids": "ids"}),
        "fields_get": Signature((), {"fields": "allfields"}),
    },
    login_method=None,
    passthrough_example="/object.execute_kw (17.0, 18.0) or /json/2/<model>/<method>",
)


class Json2Client(JsonRpcClient):
    """`/json/2/<model>/<method>` calls: `call("purchase.order/search_read", {...})`."""

    def __init__(self, http: httpx.Client, api_key: str, database: str) -> None:
        super().__init__(http, "json/2/", ODOO)
        self._headers = {"Authorization": f"bearer {api_key}", "X-Odoo-Database": database}

    def call(self, method: str, *params: Any) -> Any:
        """POST the named parameters of `method` (`<model>/<method>`); returns the body."""
        body = params[0] if params else {}
        url = self.http.base_url.join(f"json/2/{method}")
        with map_transport_errors(url):
            response = self.http.post(
                url, content=json.dumps(ODOO.encode(body)), headers=self._headers
            )
        if response.status_code == 401:
            raise errors.ConnectionReauthRequired(
                "Odoo refused the API key: it is wrong, revoked or expired. Create a new one."
            )
        if response.is_redirect:
            raise errors.UpstreamError("This Odoo server does not offer the JSON-2 API.")
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 400:
            if isinstance(answer, dict) and answer.get("name"):
                error = {"code": 200, "data": answer}
                raise ODOO.error_for(error, method=method)
            raise error_for_response(response, message=f"Odoo refused {method}.")
        return answer

    def send(self, method: str, params: Sequence[Any]) -> tuple[int, Any]:
        """A raw service call (passthrough) goes to `/jsonrpc`, which 19.0 still answers."""
        return JsonRpcClient(self.http, "jsonrpc", ODOO).send(method, params)


class _WebRoutes(JsonRpcClient):
    """The server's version and databases from its JSON routes; sign-in through `/jsonrpc`."""

    _ROUTES: Final = {"common.version": "web/version", "db.list": "web/database/list"}

    def call(self, method: str, *params: Any) -> Any:
        route = self._ROUTES.get(method)
        if route is None:
            return super().call(method, *params)
        envelope = {"jsonrpc": "2.0", "method": "call", "params": {}, "id": 0}
        with map_transport_errors(self.http.base_url.join(route)):
            response = self.http.send(
                self.http.build_request("POST", route, json=envelope), auth=None
            )
        if response.status_code != 200:
            raise error_for_response(response, message=f"Odoo answered {route} with an error.")
        try:
            return self.dialect.unwrap(response.json(), method=method)
        except ValueError:
            raise errors.UpstreamError(f"{route} did not answer as Odoo does.") from None


#: Fields 19.0 renamed, by (model, 18.0 name); a caller names fields as 18.0 does.
RENAMED_IN_19: Final = {
    ("purchase.order", "notes"): "note",
    ("purchase.order.line", "product_uom"): "product_uom_id",
}
#: Fields only 19.0 has, left out of reads from earlier versions.
NEW_IN_19: Final = frozenset({("purchase.order", "locked")})


class OdooClient(ModelClient):
    """One Odoo database over the protocol its version speaks, in the chosen companies.

    Fields are named as 18.0 names them: reads and writes ask 19.0 for its new names
    (`RENAMED_IN_19`), and leave out of earlier versions the fields they lack (`NEW_IN_19`).
    Rows come back as the server sends them.
    """

    def __init__(
        self,
        url: str,
        database: str,
        username: str,
        api_key: str,
        options: SessionOptions,
        *,
        companies: str = "",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Nothing is sent yet; the version is asked on first use (`connect`). `companies`
        are the connect form's company ids, separated by commas."""
        parts = [part.strip() for part in companies.split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise errors.ValidationFailed({"companies": "Give company ids separated by commas."})
        super().__init__(url, database, username, api_key, RPC_MODELS, options, transport=transport)
        self.server = _WebRoutes(self.http, "jsonrpc", ODOO, anonymous=True)
        self.companies = [int(part) for part in parts]
        self._api_key = api_key
        self.version: int | None = None

    @classmethod
    def of(
        cls,
        form: Mapping[str, str],
        options: SessionOptions,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> OdooClient:
        """A client from the connect form's `url`, `database`, `username`, `api_key` and
        optional `companies`."""
        return cls(form["url"], form["database"], form["username"], form["api_key"], options,
                   companies=form.get("companies", ""), transport=transport)  # fmt: skip

    def server_version(self) -> Any:
        """The server's version (`18.0`), asked without signing in."""
        return self.server.call("common.version").get("server_version")

    def sign_in(self) -> None:
        """Sign in now with the protocol the server's version speaks."""
        self.connect()
        super().sign_in()

    def connect(self) -> int:
        """Ask the server's major version once and speak its protocol; returns the version."""
        if self.version is None:
            info = self.server.call("common.version")
            try:
                self.version = int(info["server_version_info"][0])
            except (TypeError, KeyError, IndexError, ValueError, AttributeError):
                raise errors.UpstreamError("Odoo did not say its version.") from None
            if self.version >= JSON2_SINCE:
                self.dialect = JSON2_MODELS
                self.rpc = Json2Client(self.http, self._api_key, self.database)
        return self.version

    def _named(
        self,
        model: str,
        method: str,
        extra: Mapping[str, Any] | None,
        *,
        signature: str | None = None,
        **named: Any,
    ) -> Any:
        # The version decides how parameters are laid out, so it is known before.
        self.connect()
        return super()._named(model, method, extra, signature=signature, **named)

    def _send(
        self,
        model: str,
        method: str,
        args: list[Any],
        keywords: Mapping[str, Any],
        context: Mapping[str, Any],
    ) -> Any:
        self.connect()
        return super()._send(model, method, args, keywords, context)

    def field_names(self, model: str, names: Iterable[str]) -> list[str]:
        """`names` (as 18.0 has them) as this server's version has them."""
        if self.connect() >= JSON2_SINCE:
            return [RENAMED_IN_19.get((model, name), name) for name in names]
        return [name for name in names if (model, name) not in NEW_IN_19]

    def search_read(
        self,
        model: str,
        domain: Domain,
        fields: Sequence[str],
        *,
        order: Order | None = None,
        limit: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Rows of `model`, with `fields` named as 18.0 names them."""
        names = self.field_names(model, fields)
        return super().search_read(model, domain, names, order=order, limit=limit, extra=extra)

    def create(self, model: str, values: Sequence[Mapping[str, Any]]) -> list[int]:
        """Create records from values keyed as 18.0 names fields."""
        return super().create(model, [self._renamed(model, vals) for vals in values])

    def write(self, model: str, ids: Sequence[int], values: Mapping[str, Any]) -> None:
        """Write values keyed as 18.0 names fields."""
        super().write(model, ids, self._renamed(model, values))

    def _renamed(self, model: str, values: Mapping[str, Any]) -> dict[str, Any]:
        if self.connect() < JSON2_SINCE:
            return dict(values)
        return {RENAMED_IN_19.get((model, name), name): value for name, value in values.items()}

    def rows(
        self, model: str, fields: Iterable[str], order: str = "id", **equal: Any
    ) -> list[dict[str, Any]]:
        """Rows of `model` whose fields equal the values given (or are in a list given),
        ordered by `order` then id."""
        where = ODOO.all_of(*(ODOO.condition(name, "in" if isinstance(value, list) else "=", value)
                              for name, value in equal.items()))  # fmt: skip
        return self.search_read(
            model, where, ["id", *fields], order=((order, "ASC"), ("id", "ASC"))
        )

    def call_named(
        self, model: str, method: str, ids: Sequence[int], extra: Mapping[str, Any]
    ) -> Any:
        """A method of records `ids` (a button), with `extra` added to the context."""
        return self._named(model, method, extra, signature="press", ids=list(ids))

    def context(self) -> dict[str, Any]:
        """The user's context with the chosen companies (the user's default when none)."""
        context = super().context()
        if self.companies:
            context["allowed_company_ids"] = list(self.companies)
        return context
