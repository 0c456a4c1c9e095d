"""The Tryton connector: a session over Tryton's JSON-RPC, filled in from the tables beside it.

A session signs in with `common.db.login` on first use (`protocols.jsonrpc.TrytonSessionAuth`),
asks for the user's preferences once to learn its company, and always sends `language: "en"` in
the context, so Tryton's error messages match the rules that classify them. It logs out when
closed.

Passthrough: `POST /<method>` where `<method>` is a Tryton RPC method name
(`/model.purchase.purchase.search_read`, `/model.res.user.get_preferences`, `/wizard.…`,
`/report.…`) and the body is the JSON array of its parameters exactly as Tryton takes them
(typed values as `{"__class__": ...}` objects, the context as the last parameter). The answer is
Tryton's JSON-RPC object as it came: `{"id": ..., "result": ...}` or `{"id": ..., "error": ...}`.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final
from urllib.parse import quote

import httpx

from ironbridge import errors
from ironbridge.connectors.base import (
    Availability,
    CheckResult,
    CheckStage,
    Connector,
    ConnectorSession,
    EntityAvailability,
    IdFactory,
    PassthroughRequest,
    PassthroughResponse,
    RawRecord,
    SessionOptions,
)
from ironbridge.connectors.protocols.http import make_client, map_transport_errors
from ironbridge.connectors.protocols.jsonrpc import (
    TRYTON,
    Domain,
    JsonRpcClient,
    Order,
    TrytonSessionAuth,
    keyset_pages,
)
from ironbridge.connectors.tryton import adjustments, mapping
from ironbridge.connectors.tryton.maps import STATUS_TABLES, lookup
from ironbridge.connectors.tryton.resources import (
    AMOUNT_FIELDS,
    CHANGE_FIELD,
    RESOURCES,
    STOCK_FIELDS,
    Resource,
)
from ironbridge.connectors.tryton.spec import (
    PURCHASE_CUSTOM_FIELDS,
    SPEC,
    VENDOR_UPDATABLE_FIELDS,
    VENDOR_WRITABLE_FIELDS,
)
from ironbridge.model import (
    CREATE_MODELS,
    UPDATE_MODELS,
    Entity,
    InventoryAdjustment,
    PurchaseOrderStatus,
    VendorStatus,
    parse_input,
)

__all__ = ["Tryton", "TrytonSession"]

# Tryton's HTTP statuses outside the error member: 400 and 422 mean a malformed call (ours to
# fix, not the caller's input), and 404 after a successful sign-in means the database is gone.
_STATUS_ERRORS: Final = {
    400: lambda response, message: errors.UpstreamError(message),
    404: lambda response, message: errors.ConnectionReauthRequired(
        "The Tryton database is no longer there; check the database name."
    ),
    422: lambda response, message: errors.UpstreamError(message),
}
_PASSTHROUGH_METHOD: Final = re.compile(r"(model|wizard|report)\.[A-Za-z0-9_.]+")
# Buttons that move a purchase towards each status a caller may set, from each Tryton state.
_TRANSITIONS: Final[Mapping[PurchaseOrderStatus, Mapping[str, tuple[str, ...]]]] = {
    PurchaseOrderStatus.DRAFT: {"quotation": ("draft",), "cancelled": ("draft",)},
    PurchaseOrderStatus.PENDING_APPROVAL: {"draft": ("quote",)},
    PurchaseOrderStatus.APPROVED: {"draft": ("quote", "confirm"), "quotation": ("confirm",)},
    PurchaseOrderStatus.CANCELLED: {"draft": ("cancel",), "quotation": ("cancel",)},
}
# The Tryton states already at (or past) each settable status: no button is pressed.
_REACHED: Final[Mapping[PurchaseOrderStatus, frozenset[str]]] = {
    PurchaseOrderStatus.DRAFT: frozenset({"draft"}),
    PurchaseOrderStatus.PENDING_APPROVAL: frozenset({"quotation"}),
    PurchaseOrderStatus.APPROVED: frozenset({"confirmed", "processing"}),
    PurchaseOrderStatus.CANCELLED: frozenset({"cancelled"}),
}
_WRITABLE_PURCHASE: Final = frozenset(
    {
        "vendor_remote_id",
        "status",
        "order_date",
        "expected_delivery_date",
        "currency",
        "payment_terms",
        "notes",
        "lines",
        "custom_fields",
    }
)
# Per Tryton model the offered writes need: (access right, the operation it allows) pairs.
# An adjustment is a stock inventory created and confirmed (see `stock_adjustment.py`).
_WRITE_ACCESS: Final[Mapping[str, tuple[Entity, tuple[tuple[str, str], ...]]]] = {
    "purchase.purchase": (
        Entity.PURCHASE_ORDERS,
        (("create", "create"), ("write", "write"), ("delete", "delete")),
    ),
    "party.party": (Entity.VENDORS, (("create", "create"), ("write", "write"))),
    "stock.inventory": (Entity.INVENTORY_ITEMS, (("create", "adjust"),)),
}
# The line values `purchase.line.on_change` needs besides the product to price a line.
_LINE_ON_CHANGE_DEFAULTS: Final[Mapping[str, Any]] = {
    "type": "line",
    "taxes": [],
    "description": None,
    "product_supplier": None,
    "unit_price": None,
    "unit": None,
    "purchase": None,
    "id": -1,
}


class Tryton(Connector):
    """Tryton over JSON-RPC: purchase orders, production works as work orders, parties as
    vendors, products with stock (adjustable), locations."""

    spec = SPEC
    status_tables = STATUS_TABLES

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> TrytonSession:
        """A session for `url`, `database`, `username` and `password`; nothing is sent yet."""
        clean = self.validate_credentials(credentials)
        return TrytonSession(
            clean["url"], clean["database"], clean["username"], clean["password"], options
        )

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map a Tryton record through `maps.py` and `mapping.py`."""
        return mapping.to_unified(entity, raw, ids)


def _remote_int(remote_id: str, what: str) -> int:
    """A Tryton id from a remote id; anything else names no Tryton record."""
    if not remote_id.isdigit() or int(remote_id) <= 0:
        raise errors.NotFound(f"No Tryton {what} has the id {remote_id!r}.")
    return int(remote_id)


# The references a write body may hold as ironbridge ids; `tax_id` is a value, not one.
_REFERENCE_IDS: Final = frozenset({"vendor_id", "item_id", "location_id", "asset_id"})


def _ensure_resolved(payload: Mapping[str, Any], path: str = "") -> None:
    """Refuse ironbridge ids: the service resolves references to remote ids first."""
    for key, value in payload.items():
        if key in _REFERENCE_IDS and value is not None:
            raise ValueError(
                f"{path}{key} reached the Tryton connector unresolved; pass "
                f"{key.removesuffix('_id')}_remote_id (see ironbridge.model.resolve_references)"
            )
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    _ensure_resolved(item, f"{path}{key}.{index}.")


class TrytonSession(ConnectorSession):
    """One signed-in conversation with one Tryton database."""

    def __init__(
        self,
        url: str,
        database: str,
        username: str,
        password: str,
        options: SessionOptions | None = None,
    ) -> None:
        super().__init__(SPEC, options)
        self.database = database
        base = url.strip().rstrip("/") + "/"
        rpc_path = f"{quote(database, safe='')}/rpc/"
        try:
            login_url = httpx.URL(base).join(rpc_path)
            self._auth = TrytonSessionAuth(login_url, username, password)
            self._http = make_client(base, auth=self._auth, options=self.options)
        except errors.ValidationFailed as exc:
            raise errors.ValidationFailed(
                {"url": next(iter(exc.fields.values()), "Not a valid URL.")}
            ) from None
        except httpx.InvalidURL:
            raise errors.ValidationFailed({"url": "Not a valid URL."}) from None
        self._rpc = JsonRpcClient(self._http, rpc_path, TRYTON, status_errors=_STATUS_ERRORS)
        self._server = JsonRpcClient(self._http, "rpc/", TRYTON, anonymous=True)
        self._context: dict[str, Any] | None = None
        self._warehouses: list[dict[str, Any]] | None = None
        self._company_currency: str | None = None
        self._models: frozenset[str] | None = None
        self._closed = False

    # -- plumbing ------------------------------------------------------------------------------

    def close(self) -> None:
        """Log out (best effort) and close the HTTP client; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._auth.signed_in:
                # Sent without the auth flow, which would sign in again to log out an expired
                # session.
                request = self._http.build_request(
                    "POST",
                    self._rpc.path,
                    json=TRYTON.envelope(0, "common.db.logout", []),
                    headers=self._auth.session_header(),
                )
                with map_transport_errors(self._rpc.url):
                    self._http.send(request, auth=None)
        except errors.IronbridgeError:
            pass  # the session expires on the server anyway
        finally:
            self._auth.forget()
            self._http.close()

    def context(self) -> dict[str, Any]:
        """The context sent with every model call: the user's company and English messages."""
        if self._context is None:
            preferences = self._rpc.call("model.res.user.get_preferences", True, {})
            context: dict[str, Any] = {"language": "en"}
            for key in ("company", "employee"):
                if isinstance(preferences, dict) and preferences.get(key) is not None:
                    context[key] = preferences[key]
            self._context = context
        return dict(self._context)

    def _call(
        self, model: str, method: str, *params: Any, extra: Mapping[str, Any] | None = None
    ) -> Any:
        context = self.context()
        context.update(extra or {})
        return self._rpc.call(f"model.{model}.{method}", *params, context)

    def _search_read(
        self,
        model: str,
        domain: Domain,
        fields: Sequence[str],
        *,
        order: Order | None = None,
        limit: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        rows = self._call(
            model,
            "search_read",
            domain,
            0,
            limit,
            None if order is None else TRYTON.order(order),
            list(fields),
            extra=extra,
        )
        if not isinstance(rows, list):
            raise errors.UpstreamError(f"Tryton answered {model}.search_read with no list.")
        return rows

    def _search_ids(self, model: str, domain: Domain, *, limit: int | None = None) -> list[int]:
        found = self._call(model, "search", domain, 0, limit, None)
        return [int(item) for item in found]

    def _available(self, resource: Resource) -> bool:
        """Whether the database has the resource's model (its optional module is activated).

        Asked once per session, for every optional model at once, from `ir.model`, which every
        user may read. Should that be refused, the model is taken as there and its own read
        tells.
        """
        if resource.module is None:
            return True
        if self._models is None:
            optional = sorted(r.model for r in RESOURCES.values() if r.module is not None)
            try:
                rows = self._search_read(
                    "ir.model", TRYTON.condition("name", "in", optional), ["name"]
                )
            except errors.PermissionDenied:
                rows = [{"name": model} for model in optional]
            self._models = frozenset(str(row["name"]) for row in rows)
        return resource.model in self._models

    def _unavailable(self, resource: Resource) -> errors.EntityUnavailable:
        """The error for reading an entity whose Tryton module this database lacks."""
        return errors.EntityUnavailable(
            self.spec.id,
            resource.entity.value,
            "read",
            reason=f"The Tryton module {resource.module} is not activated in database "
            f"{self.database!r}, so it holds no {resource.entity.value}.",
            enable=f"Activate the Tryton module {resource.module} (and the modules it needs) "
            "in this database.",
        )

    # -- reads ---------------------------------------------------------------------------------

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Records changed at or after `since`, in (modified_at, Tryton id) order.

        The main stream pages `last_modified_at` with a keyset domain (see
        `protocols.jsonrpc.keyset_pages`). With a `since`, rows of the resource's dependents
        changed since then (lines, addresses, templates, stock moves) re-emit their records at
        the later of the two times, merged into the same order. Within one time, records come
        in Tryton's numeric id order.

        An entity whose optional Tryton module is not activated (work orders without
        `production_work`) has no records: nothing is yielded, so its syncs succeed empty.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        if since is not None and since.utcoffset() is None:
            raise ValueError("since must carry a time zone")
        self.spec.ensure_supported(entity, "read")
        resource = RESOURCES[entity]
        if not self._available(resource):
            return
        extra = self._dependent_changes(resource, since) if since is not None else {}

        def query(domain: Domain, order: Order, limit: int) -> list[dict[str, Any]]:
            return self._search_read(
                resource.model,
                domain,
                resource.read_fields,
                order=order,
                limit=limit,
                extra=resource.context,
            )

        main = (
            (TRYTON.decode(row[CHANGE_FIELD]), int(row["id"]), row)
            for rows in keyset_pages(
                query,
                TRYTON,
                change_field=CHANGE_FIELD,
                since=since,
                page_size=page_size,
                domain=self._domain(resource),
            )
            for row in rows
            if int(row["id"]) not in extra
        )
        later: Iterator[tuple[datetime, int, dict[str, Any] | None]] = (
            (at, record_id, None) for record_id, at in sorted(extra.items(), key=_by_time)
        )
        merged = heapq.merge(main, later, key=lambda item: (item[0], item[1]))
        page: list[tuple[datetime, int, dict[str, Any] | None]] = []
        for item in merged:
            page.append(item)
            if len(page) == page_size:
                yield self._page(resource, page)
                page = []
        if page:
            yield self._page(resource, page)

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The current Tryton record; `errors.NotFound` when there is none (or it is filtered).

        Raises `errors.OperationNotSupported` (with `details.reason`) for an entity whose
        optional Tryton module is not activated.
        """
        self.spec.ensure_supported(entity, "read")
        resource = RESOURCES[entity]
        if not self._available(resource):
            raise self._unavailable(resource)
        record_id = _remote_int(remote_id, entity.label)
        rows = self._rows(resource, [record_id])
        if not rows:
            raise errors.NotFound(f"No Tryton {entity.label} has the id {remote_id}.")
        row = rows[0]
        modified = TRYTON.decode(row[CHANGE_FIELD])
        for dependent in resource.dependents:
            domain = TRYTON.condition(dependent.parent, "=", record_id)
            order: Order | None = None
            if dependent.parent != "id":
                order = ((dependent.change, "DESC"), ("id", "DESC"))
            latest = self._search_read(
                dependent.model,
                domain,
                [dependent.change],
                order=order,
                limit=1,
                extra={"active_test": False},
            )
            if latest and lookup(latest[0], dependent.change) is not None:
                modified = max(modified, TRYTON.decode(lookup(latest[0], dependent.change)))
        self._enrich(resource, [row])
        return RawRecord(str(record_id), modified, row)

    def _domain(self, resource: Resource) -> Domain:
        return TRYTON.all_of(*(TRYTON.condition(*clause) for clause in resource.domain))

    def _rows(self, resource: Resource, ids: Sequence[int]) -> list[dict[str, Any]]:
        """The resource's rows for `ids` (those still matching its domain), in any order."""
        domain = TRYTON.all_of(self._domain(resource), TRYTON.condition("id", "in", list(ids)))
        return self._search_read(
            resource.model, domain, resource.read_fields, extra=resource.context
        )

    def _dependent_changes(self, resource: Resource, since: datetime) -> dict[int, datetime]:
        """Record id → the latest change time of its dependents at or after `since`, where that
        is later than the record's own change time."""
        latest: dict[int, datetime] = {}
        for dependent in resource.dependents:
            rows = self._search_read(
                dependent.model,
                TRYTON.changed_since(dependent.change, since),
                ["id", dependent.parent, dependent.change],
                extra={"active_test": False},
            )
            for row in rows:
                parent, at = lookup(row, dependent.parent), lookup(row, dependent.change)
                if parent is None or at is None:
                    continue
                when = TRYTON.decode(at)
                key = int(parent)
                if key not in latest or when > latest[key]:
                    latest[key] = when
        if not latest:
            return {}
        own = self._search_read(
            resource.model,
            TRYTON.all_of(self._domain(resource), TRYTON.condition("id", "in", sorted(latest))),
            ["id", CHANGE_FIELD],
            extra=resource.context,
        )
        return {
            int(row["id"]): latest[int(row["id"])]
            for row in own
            if latest[int(row["id"])] > TRYTON.decode(row[CHANGE_FIELD])
        }

    def _page(
        self, resource: Resource, items: list[tuple[datetime, int, dict[str, Any] | None]]
    ) -> list[RawRecord]:
        missing = [record_id for _, record_id, row in items if row is None]
        fetched = {int(row["id"]): row for row in self._rows(resource, missing)} if missing else {}
        rows: list[tuple[datetime, int, dict[str, Any]]] = []
        for at, record_id, row in items:
            found = row if row is not None else fetched.get(record_id)
            if found is not None:  # a record deleted meanwhile is left to the next full sync
                rows.append((at, record_id, found))
        self._enrich(resource, [row for _, _, row in rows])
        return [RawRecord(str(record_id), at, row) for at, record_id, row in rows]

    def _enrich(self, resource: Resource, rows: list[dict[str, Any]]) -> None:
        """Add what one read cannot give: computed totals of drafts, stock per warehouse."""
        if not rows:
            return
        if resource.entity is Entity.PURCHASE_ORDERS:
            self._add_amounts(rows)
        elif resource.entity is Entity.INVENTORY_ITEMS:
            self._add_stock(resource, rows)

    def _add_amounts(self, rows: list[dict[str, Any]]) -> None:
        pending = [int(row["id"]) for row in rows if row.get("total_amount_cache") is None]
        if not pending:
            return
        amounts = self._call("purchase.purchase", "read", pending, list(AMOUNT_FIELDS))
        by_id = {int(item["id"]): item for item in amounts}
        for row in rows:
            computed = by_id.get(int(row["id"]))
            if computed is not None:
                row.update({name: computed.get(name) for name in AMOUNT_FIELDS})

    def _add_stock(self, resource: Resource, rows: list[dict[str, Any]]) -> None:
        ids = [int(row["id"]) for row in rows]
        levels: dict[int, list[dict[str, Any]]] = {record_id: [] for record_id in ids}
        for warehouse in self._warehouse_list():
            stock_context = {
                **resource.context,
                "locations": [warehouse["id"]],
                "with_childs": True,
            }
            on_hand = self._quantities(ids, stock_context)
            # With `stock_assign`, moves assigned out of the warehouse count as gone: what is
            # left is what can still be used (trytond stock `Move.compute_quantities_query`).
            assignable = self._quantities(ids, {**stock_context, "stock_assign": True})
            for record_id in ids:
                here, free = on_hand.get(record_id, {}), assignable.get(record_id, {})
                levels[record_id].append(
                    {
                        "id": warehouse["id"],
                        "code": warehouse.get("code"),
                        "name": warehouse.get("name"),
                        "quantity": here.get("quantity"),
                        "forecast_quantity": here.get("forecast_quantity"),
                        "assignable_quantity": free.get("quantity"),
                    }
                )
        currency = self._currency_of_company()
        for row in rows:
            row[mapping.WAREHOUSES] = levels[int(row["id"])]
            row[mapping.COMPANY_CURRENCY] = currency

    def _quantities(self, ids: list[int], context: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
        rows = self._search_read(
            "product.product",
            TRYTON.condition("id", "in", ids),
            list(STOCK_FIELDS),
            extra=context,
        )
        return {int(row["id"]): row for row in rows}

    def _warehouse_list(self) -> list[dict[str, Any]]:
        if self._warehouses is None:
            self._warehouses = self._search_read(
                "stock.location",
                TRYTON.condition("type", "=", "warehouse"),
                ["id", "code", "name"],
                order=(("id", "ASC"),),
            )
        return self._warehouses

    def _currency_of_company(self) -> str | None:
        if self._company_currency is None:
            company = self.context().get("company")
            if company is None:
                return None
            rows = self._call("company.company", "read", [company], ["currency.code"])
            self._company_currency = lookup(rows[0], "currency.code") if rows else None
        return self._company_currency

    # -- check ---------------------------------------------------------------------------------

    def check(self) -> Iterator[CheckResult]:
        """Reach (server answers, database exists) → authenticate (sign in) → permissions.

        Permissions reads one record of each entity; an entity whose module is not activated
        or whose read is refused is reported unavailable, with what to enable. Writes the user
        may not make do not fail it either: the stage passes and its message lists the writes
        Tryton will refuse.
        """
        reach = self._check_reach()
        yield reach
        if not reach.ok:
            return
        authenticate = self._check_authenticate()
        yield authenticate
        if not authenticate.ok:
            return
        yield self._check_permissions()

    def _check_reach(self) -> CheckResult:
        where = self._http.base_url
        try:
            version = self._server.call("common.server.version")
        except (errors.ConnectionUnavailable, errors.UpstreamTimeout) as exc:
            return CheckResult(
                CheckStage.REACH,
                False,
                exc.message,
                fix="Check the server URL and port, and that the Tryton server is running "
                "and reachable from ironbridge.",
            )
        except errors.ValidationFailed as exc:
            return CheckResult(
                CheckStage.REACH,
                False,
                next(iter(exc.fields.values()), exc.message),
                fix="Enter the http:// or https:// address of the Tryton server.",
            )
        except errors.IronbridgeError:
            return CheckResult(
                CheckStage.REACH,
                False,
                f"{where} answers, but not as a Tryton JSON-RPC server.",
                fix="Enter the address the Tryton client connects to, with its port (often "
                ":8000), not the address of a web page.",
            )
        try:
            databases = self._server.call("common.db.list")
        except errors.IronbridgeError:
            databases = None  # listing is switched off on this server: checked at sign-in
        if isinstance(databases, list) and self.database not in databases:
            return CheckResult(
                CheckStage.REACH,
                False,
                f"Tryton {version} answers at {where}, but it has no database "
                f"named {self.database!r}.",
                fix="Check the database name; it is the one chosen in the Tryton client's "
                "login dialog.",
            )
        found = "" if databases is None else f" and database {self.database!r} exists"
        return CheckResult(CheckStage.REACH, True, f"Tryton {version} answers at {where}{found}.")

    def _check_authenticate(self) -> CheckResult:
        try:
            with map_transport_errors(self._rpc.url):
                response = self._http.send(self._auth.login_request(), auth=None)
            self._auth.accept_login(response)
            context = self.context()
        except errors.RateLimitExceeded as exc:
            return CheckResult(
                CheckStage.AUTHENTICATE,
                False,
                exc.message,
                fix="Wait a few minutes, then check the password and connect again.",
            )
        except errors.ConnectionReauthRequired as exc:
            return CheckResult(
                CheckStage.AUTHENTICATE,
                False,
                exc.message,
                fix="Check the user name and password; the user must be active in Tryton.",
            )
        except errors.IronbridgeError as exc:
            return CheckResult(CheckStage.AUTHENTICATE, False, exc.message)
        if context.get("company") is None:
            return CheckResult(
                CheckStage.AUTHENTICATE,
                False,
                f"Signed in as {self._auth.username!r}, but the user has no company.",
                fix="In Tryton, set the user's Company and Current Company.",
            )
        return CheckResult(
            CheckStage.AUTHENTICATE,
            True,
            f"Signed in to {self.database!r} as {self._auth.username!r}.",
        )

    def _check_permissions(self) -> CheckResult:
        readable: list[str] = []
        found: list[EntityAvailability] = []
        for entity in self.spec.entities:
            resource = RESOURCES[entity]
            if not self._available(resource):
                # Optional: a database that does not manufacture is a normal customer.
                error = self._unavailable(resource)
                found.append(
                    EntityAvailability(
                        entity,
                        Availability.UNAVAILABLE,
                        error.details["reason"],
                        error.details["enable"],
                    )
                )
                continue
            try:
                self._search_read(
                    resource.model,
                    self._domain(resource),
                    resource.read_fields,
                    limit=1,
                    extra=resource.context,
                )
            except errors.PermissionDenied as exc:
                found.append(
                    EntityAvailability(
                        entity,
                        Availability.UNAVAILABLE,
                        f"The user may not read {entity.value}: {exc.message}",
                        "Give the Tryton user the groups Purchase and Stock.",
                    )
                )
                continue
            except errors.UpstreamError as exc:
                return CheckResult(
                    CheckStage.PERMISSIONS,
                    False,
                    f"Reading {entity.value} failed: {exc.message}",
                    fix="Activate the Tryton modules purchase and stock in this database.",
                )
            readable.append(entity.value)
        refused = self._refused_writes()
        message = f"Read access to {', '.join(readable) or 'nothing ironbridge reads'}"
        if refused:
            message += f". Tryton will refuse: {'; '.join(refused)}."
        else:
            message += ", and write access."
        if found:
            missing = "; ".join(f"{item.entity.value}: {item.reason}" for item in found)
            message += f" Unavailable in this database: {missing}"
        return CheckResult(CheckStage.PERMISSIONS, True, message, entities=tuple(found))

    def _refused_writes(self) -> list[str]:
        """The offered writes the user's access rights refuse, in words."""
        try:
            access = self._call("ir.model.access", "get_access", list(_WRITE_ACCESS))
        except errors.IronbridgeError:
            return []  # no way to ask without writing: writes will tell
        refused: list[str] = []
        for model, (entity, operations) in _WRITE_ACCESS.items():
            rights = access.get(model, {}) if isinstance(access, dict) else {}
            denied = [operation for right, operation in operations if not rights.get(right)]
            if denied:
                refused.append(f"{'/'.join(denied)} {entity.value}")
        return refused

    # -- writes --------------------------------------------------------------------------------

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """Create a draft purchase order (with lines) or a party; returns it as Tryton has it."""
        self.spec.ensure_supported(entity, "create")
        _ensure_resolved(payload)
        body = parse_input(CREATE_MODELS[entity], payload)
        values = body.model_dump(exclude_unset=True)
        if entity is Entity.PURCHASE_ORDERS:
            created = self._call("purchase.purchase", "create", [self._purchase_values(values)])
        else:
            created = self._call("party.party", "create", [self._vendor_values(values)])
        return self.get(entity, str(created[0]))

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Change a purchase order (`status` presses Tryton's workflow buttons) or a party.

        Raises `errors.RecordLocked` when Tryton refuses the change in the order's state.
        """
        self.spec.ensure_supported(entity, "update")
        _ensure_resolved(changes)
        record_id = _remote_int(remote_id, entity.label)
        body = parse_input(UPDATE_MODELS[entity], changes)
        values = body.model_dump(exclude_unset=True)
        if entity is Entity.VENDORS:
            self._update_vendor(record_id, values)
            return self.get(entity, remote_id)
        current = self._call("purchase.purchase", "read", [record_id], ["state", "lines", "party"])
        if not current:
            raise errors.NotFound(f"No Tryton purchase order has the id {remote_id}.")
        state = current[0]["state"]
        target: PurchaseOrderStatus | None = values.pop("status", None)
        if target is not None and target not in _TRANSITIONS:
            raise errors.ValidationFailed(
                {
                    "status": "Set draft, pending_approval, approved or cancelled; Tryton moves "
                    "an order on to sent, received and closed itself."
                }
            )
        buttons: tuple[str, ...] = ()
        if target is not None and state not in _REACHED[target]:
            buttons = _TRANSITIONS[target].get(state, ())
            if not buttons:
                raise errors.RecordLocked(
                    f"Tryton cannot take a purchase order in state {state!r} to {target.value}.",
                    details={"state": state},
                )
        # Returning to draft first, so that the changes below are allowed.
        if buttons == ("draft",):
            self._call("purchase.purchase", "draft", [record_id])
            buttons = ()
        if values:
            party = values.get("vendor_remote_id", current[0]["party"])
            written = self._purchase_values(values, existing_lines=current[0]["lines"], party=party)
            self._call("purchase.purchase", "write", [record_id], written)
        for button in buttons:
            self._call("purchase.purchase", button, [record_id])
        return self.get(entity, remote_id)

    def delete(self, entity: Entity, remote_id: str) -> None:
        """Delete a draft (or cancelled) purchase order; Tryton refuses others (RecordLocked)."""
        self.spec.ensure_supported(entity, "delete")
        record_id = _remote_int(remote_id, entity.label)
        if not self._search_ids("purchase.purchase", TRYTON.condition("id", "=", record_id)):
            raise errors.NotFound(f"No Tryton purchase order has the id {remote_id}.")
        self._call("purchase.purchase", "delete", [record_id])

    def adjust_inventory(self, remote_id: str, adjustment: dict[str, Any]) -> RawRecord:
        """Correct a product's stock with a confirmed Tryton inventory (see `adjustments.py`).

        The location may be a warehouse (its storage zone is counted) or a storage location;
        quantities are in the product's unit. Returns the item with its stock as it now is.
        """
        entity = Entity.INVENTORY_ITEMS
        self.spec.ensure_supported(entity, "adjust")
        _ensure_resolved(adjustment)
        body = parse_input(InventoryAdjustment, adjustment)
        product = _remote_int(remote_id, entity.label)
        rows = self._search_read(
            "product.product",
            TRYTON.all_of(self._domain(RESOURCES[entity]), TRYTON.condition("id", "=", product)),
            ["type"],
            extra={"active_test": False},
        )
        if not rows:
            raise errors.NotFound(f"No Tryton inventory item has the id {remote_id}.")
        if rows[0]["type"] != "goods":
            # Tryton's inventories drop lines of other products without a word.
            raise errors.ValidationFailed(
                {"item_id": "Tryton counts stock of goods only; this product is not goods."}
            )
        location = adjustments.counted_location(self._call, body.location_remote_id)
        adjustments.adjust_stock(
            self._call,
            product,
            location,
            delta=body.quantity_delta,
            count=body.new_count,
            reason=body.reason,
        )
        return self.get(entity, remote_id)

    def passthrough(self, request: PassthroughRequest) -> PassthroughResponse:
        """Call one Tryton RPC method; see the module docstring for the format."""
        if request.method != "POST":
            raise errors.MethodNotAllowed("Tryton's JSON-RPC takes POST requests only.")
        method = request.path.removeprefix("/")
        if not _PASSTHROUGH_METHOD.fullmatch(method):
            raise errors.ValidationFailed(
                {"path": "Give a Tryton method, e.g. /model.purchase.purchase.search_read."}
            )
        if request.query:
            raise errors.ValidationFailed({"query": "Tryton methods take no query parameters."})
        params = [] if request.body is None else request.body
        if not isinstance(params, list):
            raise errors.ValidationFailed(
                {"body": "Send the method's parameters as a JSON array, context last."}
            )
        status, body = self._rpc.send(method, params)
        return PassthroughResponse(status, {"content-type": "application/json"}, body)

    # -- write values --------------------------------------------------------------------------

    def _purchase_values(
        self,
        values: dict[str, Any],
        *,
        existing_lines: Sequence[int] = (),
        party: Any = None,
    ) -> dict[str, Any]:
        """Unified purchase order fields → Tryton `purchase.purchase` values."""
        problems = {
            name: "Tryton's purchase orders cannot be given this field through ironbridge."
            for name in values
            if name not in _WRITABLE_PURCHASE
        }
        custom = values.get("custom_fields") or {}
        problems.update(
            {
                f"custom_fields.{name}": "Only reference, comment and invoice_method can be set."
                for name in custom
                if name not in PURCHASE_CUSTOM_FIELDS
            }
        )
        if problems:
            raise errors.ValidationFailed(problems)
        out: dict[str, Any] = {}
        if "vendor_remote_id" in values:
            out["party"] = self._existing("party.party", values["vendor_remote_id"], "vendor_id")
            out.update(self._party_defaults(out["party"]))
        party_id = out.get("party", party)
        for unified, tryton in (
            ("order_date", "purchase_date"),
            ("expected_delivery_date", "delivery_date"),
            ("notes", "description"),
        ):
            if unified in values:
                out[tryton] = values[unified]
        if "currency" in values:
            out["currency"] = self._find(
                "currency.currency", "code", values["currency"], "currency"
            )
        if "payment_terms" in values:
            out["payment_term"] = self._find(
                "account.invoice.payment_term", "name", values["payment_terms"], "payment_terms"
            )
        out.update(custom)
        if "lines" in values:
            lines, warehouse = self._line_values(values["lines"], party_id, out)
            actions: list[Any] = []
            if existing_lines:
                actions.append(["delete", list(existing_lines)])
            actions.append(["create", lines])
            out["lines"] = actions
            if warehouse is not None:
                out["warehouse"] = warehouse
        return out

    def _party_defaults(self, party: int) -> dict[str, Any]:
        """What the Tryton client fills in when a supplier is chosen (`on_change` of party):
        invoice address, payment term, currency, invoice method."""
        changes = self._call(
            "purchase.purchase",
            "on_change",
            {
                "party": party,
                "company": self.context().get("company"),
                "invoice_party": None,
                "payment_term": None,
                "lines": [],
                "id": -1,
            },
            ["party"],
        )
        if not isinstance(changes, dict):
            return {}
        return {key: value for key, value in changes.items() if not key.endswith(".")}

    def _line_values(
        self, lines: Iterable[Mapping[str, Any]], party: Any, header: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], int | None]:
        lines = list(lines)
        warehouses = {
            line["location_remote_id"] for line in lines if line.get("location_remote_id")
        }
        if len(warehouses) > 1:
            raise errors.ValidationFailed(
                {"lines": "Tryton delivers a purchase to one warehouse; give one location."}
            )
        warehouse = None
        if warehouses:
            warehouse = self._existing("stock.location", warehouses.pop(), "lines.0.location_id")
        out: list[dict[str, Any]] = []
        for index, line in enumerate(lines):
            values: dict[str, Any] = {"type": "line", "quantity": float(line["quantity"])}
            if line.get("item_remote_id") is not None:
                values["product"] = self._existing(
                    "product.product", line["item_remote_id"], f"lines.{index}.item_id"
                )
            if line.get("description") is not None:
                values["description"] = line["description"]
            if line.get("unit_of_measure") is not None:
                values["unit"] = self._find(
                    "product.uom",
                    "symbol",
                    line["unit_of_measure"],
                    f"lines.{index}.unit_of_measure",
                )
            if line.get("unit_price") is not None:
                values["unit_price"] = Decimal(line["unit_price"])
            if line.get("required_date") is not None:
                values["delivery_date"] = line["required_date"]
            if "product" in values and ("unit" not in values or "unit_price" not in values):
                values.update(self._line_defaults(values, party, header, warehouse))
            out.append(values)
        return out, warehouse

    def _line_defaults(
        self, line: Mapping[str, Any], party: Any, header: Mapping[str, Any], warehouse: Any
    ) -> dict[str, Any]:
        """The unit and supplier price Tryton proposes for a product, as its client does."""
        context = self.context()
        changes = self._call(
            "purchase.line",
            "on_change",
            {
                **_LINE_ON_CHANGE_DEFAULTS,
                "product": line["product"],
                "quantity": line["quantity"],
                "unit": line.get("unit"),
                "_parent_purchase.party": party,
                "_parent_purchase.currency": header.get("currency"),
                "_parent_purchase.company": context.get("company"),
                "_parent_purchase.purchase_date": header.get("purchase_date"),
                "_parent_purchase.warehouse": warehouse,
                "_parent_purchase.invoice_party": None,
            },
            ["product"],
        )
        if not isinstance(changes, dict):
            return {}
        proposed = {key: changes[key] for key in ("unit", "product_supplier") if key in changes}
        if "unit" in line:
            proposed.pop("unit", None)
        if "unit_price" not in line and changes.get("unit_price") is not None:
            proposed["unit_price"] = changes["unit_price"]
        return proposed

    def _vendor_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """Unified vendor fields → Tryton `party.party` values (contacts and address nested)."""
        problems = {
            name: "Tryton parties cannot be given this field through ironbridge."
            for name in values
            if name not in VENDOR_WRITABLE_FIELDS
        }
        if problems:
            raise errors.ValidationFailed(problems)
        out: dict[str, Any] = {"name": values["name"]}
        if values.get("code") is not None:
            out["code"] = values["code"]
        contacts = [
            {"type": kind, "value": values[kind]}
            for kind in ("email", "phone", "website")
            if values.get(kind) is not None
        ]
        if contacts:
            out["contact_mechanisms"] = [["create", contacts]]
        if values.get("currency") is not None:
            out["supplier_currency"] = self._find(
                "currency.currency", "code", values["currency"], "currency"
            )
        if values.get("payment_terms") is not None:
            out["supplier_payment_term"] = self._find(
                "account.invoice.payment_term", "name", values["payment_terms"], "payment_terms"
            )
        address = values.get("address")
        if address is not None:
            out["addresses"] = [["create", [self._address_values(address)]]]
        return out

    def _address_values(self, address: Mapping[str, Any]) -> dict[str, Any]:
        """A unified address → `party.address` values; the country and region must exist."""
        # Tryton's street is multi-line text: the first line is the street, the rest details.
        street = "\n".join(part for part in (address.get("line1"), address.get("line2")) if part)
        entry: dict[str, Any] = {
            "street": street or None,
            "city": address.get("city"),
            "postal_code": address.get("postal_code"),
            "country": None,
            "subdivision": None,
        }
        if address.get("country"):
            entry["country"] = self._find(
                "country.country", "code", address["country"], "address.country"
            )
            if address.get("region"):
                entry["subdivision"] = self._find(
                    "country.subdivision",
                    "name",
                    address["region"],
                    "address.region",
                    TRYTON.condition("country", "=", entry["country"]),
                )
        return entry

    def _update_vendor(self, record_id: int, values: dict[str, Any]) -> None:
        """Write unified vendor changes to `party.party` in one call (one Tryton transaction).

        Contacts and the address are the party's first of each kind, which is what Tryton's
        `email`, `phone` and `website` fields and the mapped address show.
        """
        problems = {
            name: "Tryton parties cannot be given this field through ironbridge."
            for name in values
            if name not in VENDOR_UPDATABLE_FIELDS
        }
        if values.get("status") == VendorStatus.BLOCKED:
            problems["status"] = "Tryton has no blocked parties; set inactive to deactivate one."
        if "address" in values and values["address"] is None:
            problems["address"] = "Tryton parties keep their address; give a new one instead."
        if problems:
            raise errors.ValidationFailed(problems)
        rows = self._search_read(
            "party.party",
            TRYTON.condition("id", "=", record_id),
            ["addresses", "contact_mechanisms.type"],
            extra={"active_test": False},
        )
        if not rows:
            raise errors.NotFound(f"No Tryton vendor has the id {record_id}.")
        out: dict[str, Any] = {}
        if "name" in values:
            out["name"] = values["name"]
        if "status" in values:
            out["active"] = values["status"] == VendorStatus.ACTIVE
        if "currency" in values:
            out["supplier_currency"] = (
                None
                if values["currency"] is None
                else self._find("currency.currency", "code", values["currency"], "currency")
            )
        if "payment_terms" in values:
            out["supplier_payment_term"] = (
                None
                if values["payment_terms"] is None
                else self._find(
                    "account.invoice.payment_term",
                    "name",
                    values["payment_terms"],
                    "payment_terms",
                )
            )
        contacts = self._contact_actions(rows[0].get("contact_mechanisms.") or [], values)
        if contacts:
            out["contact_mechanisms"] = contacts
        if values.get("address") is not None:
            entry = self._address_values(values["address"])
            addresses = rows[0].get("addresses") or []
            out["addresses"] = (
                [["write", [addresses[0]], entry]] if addresses else [["create", [entry]]]
            )
        if out:
            self._call("party.party", "write", [record_id], out)

    @staticmethod
    def _contact_actions(
        mechanisms: Sequence[Mapping[str, Any]], values: Mapping[str, Any]
    ) -> list[Any]:
        """One2Many actions that set the first e-mail, phone and website of a party."""
        actions: list[Any] = []
        for kind in ("email", "phone", "website"):
            if kind not in values:
                continue
            existing = [int(row["id"]) for row in mechanisms if row.get("type") == kind]
            if values[kind] is None:
                if existing:
                    actions.append(["delete", existing])
            elif existing:
                actions.append(["write", existing[:1], {"value": values[kind]}])
            else:
                actions.append(["create", [{"type": kind, "value": values[kind]}]])
        return actions

    def _existing(self, model: str, remote_id: Any, field: str) -> int:
        """The Tryton id `remote_id` of `model`, checked to exist, or a ValidationFailed."""
        text = str(remote_id)
        record_id = int(text) if text.isdigit() else 0
        if record_id and self._search_ids(model, TRYTON.condition("id", "=", record_id), limit=1):
            return record_id
        raise errors.ValidationFailed({field: f"Tryton has no {model} with the id {text}."})

    def _find(
        self, model: str, key: str, value: Any, field: str, domain: Domain | None = None
    ) -> int:
        """The id of the one `model` record whose `key` equals `value`, or a ValidationFailed."""
        found = self._search_ids(
            model, TRYTON.all_of(domain or [], TRYTON.condition(key, "=", value)), limit=2
        )
        if len(found) != 1:
            state = "no" if not found else "more than one"
            raise errors.ValidationFailed(
                {field: f"Tryton has {state} {model} with {key} {value!r}."}
            )
        return found[0]


def _by_time(item: tuple[int, datetime]) -> tuple[datetime, int]:
    return (item[1], item[0])
