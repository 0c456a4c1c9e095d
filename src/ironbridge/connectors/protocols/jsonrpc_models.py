"""Model calls over JSON-RPC: how Tryton and Odoo sessions read, write and look up records.

`ModelClient` speaks one database's models through `jsonrpc.JsonRpcClient`s: `search_read`,
`search`, `read`, `create`, `write`, `delete`, `press` (a workflow button), `on_change`,
`fields_get`, `present` (which models the database has) and the lookups a write needs
(`existing`, `find`), each sent with the session's context. It also asks the server its version
and databases, signs in and out, and relays raw calls (`passthrough`).

What differs between systems is data, a `ModelDialect`: the value and domain dialect of
`protocols.jsonrpc`, where the endpoints are, the order in which each method takes its
parameters (Tryton passes all of them by position, the context last; Odoo's `execute_kw` the
first ones by position and the rest as keywords), where the user's preferences and the model
registry are, and which HTTP statuses mean what.

Sources: Tryton 8.2 `trytond/model/modelstorage.py` (method signatures),
`trytond/res/user.py` (`get_preferences`), `trytond/ir/model.py`; Odoo's "External API"
documentation (`execute_kw`, `search_read`, `ir.model`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final, Protocol
from urllib.parse import quote

import httpx

from ironbridge import errors
from ironbridge.connectors.base import PassthroughRequest, PassthroughResponse, SessionOptions
from ironbridge.connectors.kit import PLAIN, Wire
from ironbridge.connectors.protocols.http import ErrorFactory, make_client, map_transport_errors
from ironbridge.connectors.protocols.jsonrpc import (
    ODOO,
    TRYTON,
    Dialect,
    Domain,
    JsonRpcClient,
    Order,
    TrytonSessionAuth,
)
from ironbridge.connectors.protocols.jsonrpc_wire import TRYTON_WIRE

__all__ = [
    "ODOO_MODELS",
    "TRYTON_MODELS",
    "CallLayout",
    "ModelClient",
    "ModelDialect",
    "SessionSignIn",
    "Signature",
    "record_number",
]

#: Lays a model call out as the wire takes it: (model, method, arguments by position,
#: keyword arguments, context, sign-in values) → (JSON-RPC method, parameters).
CallLayout = Callable[
    [str, str, list[Any], Mapping[str, Any], Mapping[str, Any], Sequence[Any]],
    tuple[str, list[Any]],
]


def _tryton_call(
    model: str,
    method: str,
    args: list[Any],
    keywords: Mapping[str, Any],
    context: Mapping[str, Any],
    signed: Sequence[Any],
) -> tuple[str, list[Any]]:
    return f"model.{model}.{method}", [*args, *keywords.values(), context]


def _odoo_call(
    model: str,
    method: str,
    args: list[Any],
    keywords: Mapping[str, Any],
    context: Mapping[str, Any],
    signed: Sequence[Any],
) -> tuple[str, list[Any]]:
    return "object.execute_kw", [*signed, model, method, args, {**keywords, "context": context}]


@dataclass(frozen=True, slots=True)
class Signature:
    """How a system takes a method's parameters: these by position, in order, then keywords.

    `keywords` maps the client's name of a parameter to the system's keyword.
    """

    positional: tuple[str, ...]
    keywords: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelDialect:
    """What one JSON-RPC system's model calls look like, as data.

    `signatures` says how each method takes its parameters, which a client gives by name;
    `layout` puts them in the envelope. `preferences` is the
    (model, method, arguments) that returns the user's context, of which `context_keys` are
    kept; `language` is added so that error messages match the rules of
    `jsonrpc.Dialect.error_for`. A system signs in either with a session (`session_auth`, an
    `httpx.Auth` flow) or by sending `login_method`'s answer with every call (Odoo's database,
    user id and password before each `execute_kw`).
    """

    wire: Dialect
    layout: CallLayout
    rpc_path: Callable[[str], str]
    server_path: str
    signatures: Mapping[str, Signature]
    #: Methods whose wire name differs from the client's (Odoo deletes with `unlink`).
    method_names: Mapping[str, str]
    preferences: tuple[str, str, tuple[Any, ...]]
    context_keys: tuple[str, ...]
    language: Mapping[str, str]
    #: The model registry and the field holding a model's name.
    registry: tuple[str, str]
    version_method: str
    databases_method: str
    session_auth: Callable[[httpx.URL, str, str], TrytonSessionAuth] | None
    login_method: str | None
    logout_method: str | None
    #: RPC method names a raw call may name, and an example for the refusal message.
    passthrough: re.Pattern[str]
    passthrough_example: str
    #: The change time records are tracked by, and the fields every read asks for with it.
    change_field: str
    #: How finely the change field is sent: 0 when exactly as the source compares it.
    change_granularity: timedelta
    tracking_fields: tuple[str, ...]
    #: How dotted paths in a row are read (Tryton's nested `"name."` objects).
    paths: Wire
    #: The context that includes deactivated records in a read.
    all_records: Mapping[str, Any]
    status_errors: Mapping[int, ErrorFactory] = field(default_factory=dict)
    #: The (model, method) that answers a user's access rights to models by name, as
    #: `{model: {right: bool}}`; None when the system cannot say without a write.
    access_rights: tuple[str, str] | None = None
    #: Per write a connector offers (`create`, `update`, `delete`, `adjust`), the access right
    #: it needs and how the check names the write: (right, write).
    write_rights: Mapping[str, tuple[str, str]] = field(default_factory=dict)


#: Tryton (`trytond.protocols.jsonrpc`, `/<database>/rpc/`, sessions per `TrytonSessionAuth`).
TRYTON_MODELS: Final = ModelDialect(
    wire=TRYTON,
    layout=_tryton_call,
    rpc_path=lambda database: f"{quote(database, safe='')}/rpc/",
    server_path="rpc/",
    signatures={
        "search_read": Signature(("domain", "offset", "limit", "order", "fields")),
        "search": Signature(("domain", "offset", "limit", "order")),
        "read": Signature(("ids", "fields")),
        "create": Signature(("values",)),
        "write": Signature(("ids", "values")),
        "delete": Signature(("ids",)),
        "press": Signature(("ids",)),
        "on_change": Signature(("values", "fieldnames")),
        "fields_get": Signature(("fields",)),
    },
    method_names={},
    preferences=("res.user", "get_preferences", (True,)),
    context_keys=("company", "employee"),
    language={"language": "en"},
    registry=("ir.model", "name"),
    version_method="common.server.version",
    databases_method="common.db.list",
    session_auth=TrytonSessionAuth,
    login_method=None,
    logout_method="common.db.logout",
    passthrough=re.compile(r"(model|wizard|report)\.[A-Za-z0-9_.]+"),
    passthrough_example="/model.purchase.purchase.search_read",
    # `COALESCE(write_date, create_date)`: a Function field every `ModelSQL` has, which the
    # server both filters and sorts on, so records never edited are found by creation time.
    change_field="last_modified_at",
    change_granularity=timedelta(0),
    tracking_fields=("id", "create_date", "write_date"),
    paths=TRYTON_WIRE,
    all_records={"active_test": False},
    # HTTP statuses outside the error member: 400 and 422 mean a malformed call (ours to fix,
    # not the caller's input), and 404 after a successful sign-in means the database is gone.
    status_errors={
        400: lambda response, message: errors.UpstreamError(message),
        404: lambda response, message: errors.ConnectionReauthRequired(
            "The Tryton database is no longer there; check the database name."
        ),
        422: lambda response, message: errors.UpstreamError(message),
    },
    access_rights=("ir.model.access", "get_access"),
    # A stock adjustment creates a document (an inventory).
    write_rights={
        "create": ("create", "create"),
        "update": ("write", "write"),
        "delete": ("delete", "delete"),
        "adjust": ("create", "adjust"),
    },
)

#: Odoo (`/jsonrpc`, `object.execute_kw` after `common.login`).
ODOO_MODELS: Final = ModelDialect(
    wire=ODOO,
    layout=_odoo_call,
    rpc_path=lambda database: "jsonrpc",
    server_path="jsonrpc",
    signatures={
        "search_read": Signature(
            ("domain",),
            {"fields": "fields", "offset": "offset", "limit": "limit", "order": "order"},
        ),
        "search": Signature(("domain",), {"offset": "offset", "limit": "limit", "order": "order"}),
        "read": Signature(("ids",), {"fields": "fields"}),
        "create": Signature(("values",)),
        "write": Signature(("ids", "values")),
        "delete": Signature(("ids",)),
        "press": Signature(("ids",)),
        "on_change": Signature(("ids", "values", "fieldnames", "spec")),
        "fields_get": Signature((), {"fields": "allfields"}),
    },
    method_names={"delete": "unlink", "on_change": "onchange"},
    preferences=("res.users", "context_get", ()),
    context_keys=("lang", "tz", "uid", "allowed_company_ids"),
    language={"lang": "en_US"},
    registry=("ir.model", "model"),
    version_method="common.version",
    databases_method="db.list",
    session_auth=None,
    login_method="common.login",
    logout_method=None,
    passthrough=re.compile(r"(common|object|db)\.[A-Za-z0-9_]+"),
    passthrough_example="/object.execute_kw",
    change_field="write_date",
    # Odoo prints `write_date` to the second; it keeps microseconds.
    change_granularity=timedelta(seconds=1),
    tracking_fields=("id", "create_date"),
    paths=PLAIN,
    all_records={"active_test": False},
)


class SessionSignIn(Protocol):
    """A session sign-in made from the client's `login` call (`auth.session_login`'s `SignIn`):
    the auth every request goes through, a sign-in now, and the held session's header."""

    def around(self) -> httpx.Auth:
        """The auth that puts the session on each request and signs in again once on 401."""
        ...

    def renew(self) -> None:
        """Sign in now."""
        ...

    def headers(self) -> dict[str, str]:
        """The header of the session held now; empty when none is held."""
        ...

    def close(self) -> None:
        """Forget the session."""
        ...


#: Builds a session's sign-in from the client's login call: (user name, password) → token.
SignInFactory = Callable[[Callable[[str, str], str]], SessionSignIn]


#: The connect form's fields a client is made of, in the order it takes them.
_FORM: Final = ("url", "database", "username", "password")


def record_number(remote_id: str, what: str, system: str) -> int:
    """A record id from a remote id; anything else names no record (`errors.NotFound`)."""
    if not remote_id.isdigit() or int(remote_id) <= 0:
        raise errors.NotFound(f"No {system} {what} has the id {remote_id!r}.")
    return int(remote_id)


class ModelClient:
    """One database's models over JSON-RPC, with the signed-in user's context.

    Results are wire JSON (typed values as the dialect sends them); parameters are Python
    values, encoded on the way. Errors are the taxonomy's (see `jsonrpc.JsonRpcClient.call`).
    """

    def __init__(
        self,
        url: str,
        database: str,
        username: str,
        password: str,
        dialect: ModelDialect,
        options: SessionOptions,
        *,
        transport: httpx.BaseTransport | None = None,
        sign_in: SignInFactory | None = None,
    ) -> None:
        """Nothing is sent yet; `transport` replaces the network (tests pass a mock).

        `sign_in` makes the session's sign-in from this client's `login` (the connector builds
        it from its auth offer); without it a dialect with sessions signs in with its own
        `session_auth` flow.
        """
        self.dialect = dialect
        self.database = database
        self.username = username
        self._password = password
        base = url.strip().rstrip("/") + "/"
        rpc_path = dialect.rpc_path(database)
        self.auth: TrytonSessionAuth | None = None
        self.session: SessionSignIn | None = None
        client_auth: httpx.Auth | None = None
        if sign_in is not None:
            self.session = sign_in(self.login)
            client_auth = self.session.around()
        # The URL is the caller's input: its faults are reported against the `url` field.
        try:
            if self.session is None and dialect.session_auth is not None:
                login_url = httpx.URL(base).join(rpc_path)
                self.auth = client_auth = dialect.session_auth(login_url, username, password)
            self.http = make_client(base, auth=client_auth, options=options, transport=transport)
        except errors.ValidationFailed as exc:
            raise errors.ValidationFailed(
                {"url": next(iter(exc.fields.values()), "Not a valid URL.")}
            ) from None
        except httpx.InvalidURL:
            raise errors.ValidationFailed({"url": "Not a valid URL."}) from None
        self.rpc = JsonRpcClient(
            self.http, rpc_path, dialect.wire, status_errors=dialect.status_errors
        )
        self.server = JsonRpcClient(self.http, dialect.server_path, dialect.wire, anonymous=True)
        self._signed: list[Any] | None = None
        self._context: dict[str, Any] | None = None
        self._models: dict[str, bool] = {}

    @classmethod
    def from_form(
        cls,
        form: Mapping[str, str],
        dialect: ModelDialect,
        options: SessionOptions,
        *,
        sign_in: SignInFactory | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> ModelClient:
        """A client from the connect form's `url`, `database`, `username` and `password`."""
        url, database, user, password = (form[key] for key in _FORM)
        return cls(
            url, database, user, password, dialect, options, sign_in=sign_in, transport=transport
        )

    @property
    def name(self) -> str:
        """The system's name, for messages people read."""
        return self.dialect.wire.name

    # -- the session -----------------------------------------------------------------------------

    def login(self, username: str, password: str) -> str:
        """Sign in with the dialect's session login call; the session's token.

        Raises `errors.ConnectionReauthRequired` when the server refuses the user, and
        `errors.RateLimitExceeded` when it throttles sign-ins.
        """
        if self.dialect.session_auth is None:
            raise ValueError(f"{self.name} signs in without sessions")
        auth = self.dialect.session_auth(self.rpc.url, username, password)
        with map_transport_errors(self.rpc.url):
            response = self.http.send(auth.login_request(), auth=None)
        auth.accept_login(response)
        if auth.token is None:
            raise errors.ConnectionReauthRequired(f"{self.name} granted no session.")
        return auth.token

    def sign_in(self) -> None:
        """Sign in now (rather than on the first call); raises why the server refused."""
        if self.session is not None:
            self.session.renew()
        elif self.auth is not None:
            with map_transport_errors(self.rpc.url):
                response = self.http.send(self.auth.login_request(), auth=None)
            self.auth.accept_login(response)
        else:
            self._signed = None
            self._sign_in_values()

    def _sign_in_values(self) -> list[Any]:
        """What a dialect without sessions sends before each call: database, uid, password."""
        if self.dialect.login_method is None:
            return []
        if self._signed is None:
            uid = self.server.call(
                self.dialect.login_method, self.database, self.username, self._password
            )
            if not isinstance(uid, int) or isinstance(uid, bool):
                raise errors.ConnectionReauthRequired(
                    f"{self.name} refused the user name or password for {self.username!r}."
                )
            self._signed = [self.database, uid, self._password]
        return self._signed

    def close(self) -> None:
        """Log out (best effort: the session expires on the server anyway) and close."""
        held: dict[str, str] = {}
        if self.session is not None:
            held = self.session.headers()
        elif self.auth is not None:
            held = self.auth.session_header()
        try:
            if held and self.dialect.logout_method:
                # Sent without the auth flow, which would sign in again to log out an expired
                # session.
                request = self.http.build_request(
                    "POST",
                    self.rpc.path,
                    json=self.dialect.wire.envelope(0, self.dialect.logout_method, []),
                    headers=held,
                )
                with map_transport_errors(self.rpc.url):
                    self.http.send(request, auth=None)
        except errors.IronbridgeError:
            pass
        finally:
            if self.session is not None:
                self.session.close()
            if self.auth is not None:
                self.auth.forget()
            self._signed = None
            self.http.close()

    def context(self) -> dict[str, Any]:
        """The context every model call carries: the user's preferences and the language."""
        if self._context is None:
            model, method, args = self.dialect.preferences
            preferences = self._send(model, method, list(args), {}, {})
            context: dict[str, Any] = dict(self.dialect.language)
            for key in self.dialect.context_keys:
                # The language stays English, whatever the user's own.
                if key in context or not isinstance(preferences, dict):
                    continue
                if preferences.get(key) is not None:
                    context[key] = preferences[key]
            self._context = context
        return dict(self._context)

    def company(self, model: str, fields: Sequence[str]) -> dict[str, Any] | None:
        """The `fields` of the company the context names (`company`: the signed-in user's), a
        record of `model` (where the system keeps companies); None when it names none."""
        company = self.context().get("company")
        rows = [] if company is None else self.read(model, [company], fields)
        return rows[0] if rows else None

    def server_version(self) -> Any:
        """The server's version, asked without signing in."""
        return self.server.call(self.dialect.version_method)

    def databases(self) -> list[str] | None:
        """The server's databases, or None when it does not list them."""
        try:
            found = self.server.call(self.dialect.databases_method)
        except errors.IronbridgeError:
            return None
        return [str(name) for name in found] if isinstance(found, list) else None

    # -- model calls -----------------------------------------------------------------------------

    def call(
        self, model: str, method: str, *args: Any, extra: Mapping[str, Any] | None = None
    ) -> Any:
        """`method` of `model` with `args` by position, in the context plus `extra`."""
        return self._send(model, method, list(args), {}, {**self.context(), **(extra or {})})

    def _named(
        self,
        model: str,
        method: str,
        extra: Mapping[str, Any] | None,
        *,
        signature: str | None = None,
        **named: Any,
    ) -> Any:
        """`method` with its parameters given by name, laid out as the dialect takes them."""
        shape = self.dialect.signatures[signature or method]
        args = [named.get(name) for name in shape.positional]
        keywords = {wire: named.get(name) for name, wire in shape.keywords.items()}
        wire_method = self.dialect.method_names.get(method, method)
        return self._send(model, wire_method, args, keywords, {**self.context(), **(extra or {})})

    def _send(
        self,
        model: str,
        method: str,
        args: list[Any],
        keywords: Mapping[str, Any],
        context: Mapping[str, Any],
    ) -> Any:
        signed = self._sign_in_values()
        rpc_method, params = self.dialect.layout(model, method, args, keywords, context, signed)
        return self.rpc.call(rpc_method, *params)

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
        """Rows of `model` matching `domain`, with `fields` (dotted paths allowed in Tryton)."""
        wire_order = None if order is None else self.dialect.wire.order(order)
        rows = self._named(
            model,
            "search_read",
            extra,
            domain=domain,
            offset=0,
            limit=limit,
            order=wire_order,
            fields=list(fields),
        )
        if not isinstance(rows, list):
            raise errors.UpstreamError(f"{self.name} answered {model}.search_read with no list.")
        return rows

    def search(self, model: str, domain: Domain, *, limit: int | None = None) -> list[int]:
        """Ids of `model` records matching `domain`."""
        found = self._named(model, "search", None, domain=domain, offset=0, limit=limit)
        return [int(item) for item in found]

    def read(self, model: str, ids: Sequence[int], fields: Sequence[str]) -> list[dict[str, Any]]:
        """Rows of the records `ids` (an id that does not exist is an error)."""
        return list(self._named(model, "read", None, ids=list(ids), fields=list(fields)))

    def create(self, model: str, values: Sequence[Mapping[str, Any]]) -> list[int]:
        """Create one record per values; returns their ids."""
        return [int(item) for item in self._named(model, "create", None, values=list(values))]

    def write(self, model: str, ids: Sequence[int], values: Mapping[str, Any]) -> None:
        """Write `values` to the records `ids`."""
        self._named(model, "write", None, ids=list(ids), values=values)

    def delete(self, model: str, ids: Sequence[int]) -> None:
        """Delete the records `ids`."""
        self._named(model, "delete", None, ids=list(ids))

    def press(self, model: str, button: str, ids: Sequence[int]) -> None:
        """Press a workflow button (`confirm`, `cancel` ...) on the records `ids`."""
        self._named(model, button, None, signature="press", ids=list(ids))

    def on_change(
        self, model: str, values: Mapping[str, Any], fieldnames: Sequence[str]
    ) -> dict[str, Any]:
        """What the system's client fills in when `fieldnames` change in `values`."""
        changes = self._named(
            model, "on_change", None, ids=[], values=values, fieldnames=list(fieldnames)
        )
        return changes if isinstance(changes, dict) else {}

    def fields_get(self, model: str, fields: Sequence[str] = ()) -> dict[str, Any]:
        """The definitions of `fields` of `model` (all of them when none are named)."""
        found = self._named(model, "fields_get", None, fields=list(fields) or None)
        return found if isinstance(found, dict) else {}

    # -- what the database holds -----------------------------------------------------------------

    def present(self, model: str, optional: Sequence[str]) -> bool:
        """Whether the database has `model` (its module is activated).

        Asked once per session, for every one of the `optional` models at once, from the model
        registry, which every user may read. Should that be refused, the models are taken as
        there and their own reads tell.
        """
        if model not in optional:
            return True
        if model not in self._models:
            registry, name = self.dialect.registry
            asked = sorted(set(optional))
            try:
                rows = self.search_read(
                    registry, self.dialect.wire.condition(name, "in", asked), [name]
                )
                found = {str(row[name]) for row in rows}
            except errors.PermissionDenied:
                found = set(asked)
            self._models.update({candidate: candidate in found for candidate in asked})
        return self._models[model]

    def existing(self, model: str, remote_id: Any, field: str) -> int:
        """The id `remote_id` of `model`, checked to exist, or a ValidationFailed on `field`."""
        text = str(remote_id)
        record_id = int(text) if text.isdigit() else 0
        wire = self.dialect.wire
        if record_id and self.search(model, wire.condition("id", "=", record_id), limit=1):
            return record_id
        raise errors.ValidationFailed({field: f"{self.name} has no {model} with the id {text}."})

    def record(
        self, model: str, remote_id: Any, fields: Sequence[str], field: str, missing: str
    ) -> dict[str, Any]:
        """The `fields` of the `model` record `remote_id` names (an id, as text or a number),
        or a ValidationFailed on `field` saying `missing` (`{id}`: what `remote_id` reads as)."""
        text = str(remote_id)
        where = self.dialect.wire.condition("id", "=", int(text)) if text.isdigit() else None
        rows = self.search_read(model, where, fields, limit=1) if where else []
        if not rows:
            raise errors.ValidationFailed({field: missing.format(id=text)})
        return rows[0]

    def find(
        self, model: str, key: str, value: Any, field: str, domain: Domain | None = None
    ) -> int:
        """The id of the one `model` record whose `key` equals `value`, or a ValidationFailed."""
        wire = self.dialect.wire
        found = self.search(
            model, wire.all_of(domain or [], wire.condition(key, "=", value)), limit=2
        )
        if len(found) != 1:
            state = "no" if not found else "more than one"
            raise errors.ValidationFailed(
                {field: f"{self.name} has {state} {model} with {key} {value!r}."}
            )
        return found[0]

    # -- raw calls -------------------------------------------------------------------------------

    def passthrough(self, request: PassthroughRequest) -> PassthroughResponse:
        """Send one RPC method: `POST /<method>` with its parameters as a JSON array.

        The answer is the JSON-RPC object as it came, `error` member included.
        """
        if request.method != "POST":
            raise errors.MethodNotAllowed(f"{self.name}'s JSON-RPC takes POST requests only.")
        method = request.path.removeprefix("/")
        if not self.dialect.passthrough.fullmatch(method):
            raise errors.ValidationFailed(
                {"path": f"Give a {self.name} method, e.g. {self.dialect.passthrough_example}."}
            )
        if request.query:
            raise errors.ValidationFailed(
                {"query": f"{self.name} methods take no query parameters."}
            )
        params = [] if request.body is None else request.body
        if not isinstance(params, list):
            raise errors.ValidationFailed(
                {"body": "Send the method's parameters as a JSON array, context last."}
            )
        status, body = self.rpc.send(method, params)
        return PassthroughResponse(status, {"content-type": "application/json"}, body)
