"""The SAP S/4HANA connector: OData V2 services declared in `resources.py`, mapped by `maps.py`.

Reads stream each entity set through the OData V2 family's keyset change reader, so pages
come in (modified_at, remote_id) order whatever SAP's timestamp precision. Writes create
purchase orders by deep insert and update them with `If-Match`, under SAP's CSRF protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

import httpx

from ironbridge import errors
from ironbridge.connectors.auth import SignInContext
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
from ironbridge.connectors.protocols import http, odata_v2
from ironbridge.connectors.sap_s4hana import mapping
from ironbridge.connectors.sap_s4hana.maps import STATUS_TABLES
from ironbridge.connectors.sap_s4hana.resources import (
    CREATED,
    CURRENT_VALIDITY_END,
    FUNCTIONAL_LOCATIONS,
    GATEWAY_ROOT,
    RESOURCES,
    Resource,
)
from ironbridge.connectors.sap_s4hana.spec import BASIC, SIGN_IN, SPEC, TOKEN_PATH
from ironbridge.model import CREATE_MODELS, UPDATE_MODELS, Entity, InputModel, parse_input

__all__ = ["SapS4Hana", "SapS4HanaSession"]

# Headers a passthrough caller may not set: the session owns authentication and sessions.
_BLOCKED_HEADERS: Final = frozenset(
    {"authorization", "cookie", "host", "x-csrf-token", "content-length", "transfer-encoding"}
)
_PASSTHROUGH_METHODS: Final = frozenset({"GET", "POST"})
# Rows per request when reading changes: big enough to page efficiently, small enough that
# one response stays well under SAP Gateway's limits.
_MIN_BATCH: Final = 50
_MAX_BATCH: Final = 1000
# Locations are found one distinct (plant, storage location) per request; a system with more
# places than this is not one ironbridge's location model was meant for.
_MAX_LOCATIONS: Final = 10_000


def _base_url(value: str) -> str:
    """The instance's root, tolerating a pasted Gateway path (`…/sap/opu/odata/sap/…`)."""
    text = value.strip()
    marker = "/" + GATEWAY_ROOT
    if marker in text:
        text = text[: text.index(marker)]
    return text.rstrip("/") + "/"


def _ensure_resolved(body: InputModel) -> None:
    """Refuse ironbridge ids: the service must resolve references to remote ids first."""
    for stem in body.references:
        if getattr(body, f"{stem}_id") is not None:
            raise ValueError(
                f"{stem}_id reached the SAP S/4HANA connector unresolved; pass "
                f"{stem}_remote_id (see ironbridge.model.resolve_references)"
            )
    for name in type(body).model_fields:
        value = getattr(body, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, InputModel):
                _ensure_resolved(item)


def _chunks(records: Iterable[RawRecord], page_size: int) -> Iterator[list[RawRecord]]:
    page: list[RawRecord] = []
    for record in records:
        page.append(record)
        if len(page) == page_size:
            yield page
            page = []
    if page:
        yield page


def _pages(rows: Iterable[odata_v2.ChangedRow], page_size: int) -> Iterator[list[RawRecord]]:
    page: list[RawRecord] = []
    for row in rows:
        page.append(RawRecord(row.remote_id, row.modified_at, row.data))
        if len(page) == page_size:
            yield page
            page = []
    if page:
        yield page


class SapS4Hana(Connector):
    """SAP S/4HANA through SAP Gateway's OData V2 APIs, signed in as `spec.SIGN_IN` offers."""

    spec = SPEC
    status_tables = STATUS_TABLES

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> SapS4HanaSession:
        """A session for `credentials`: base_url, optional sap_client, and by `auth_method`
        either username and password (the default) or client_id, client_secret and optional
        token_url and scope.

        Raises `errors.ValidationFailed` for missing fields or an address (system or token
        URL) that cannot be used (not http(s), or a private address where the deployment
        forbids those).
        """
        clean = self.validate_credentials(credentials)
        return SapS4HanaSession(
            base_url=clean["base_url"],
            signin=clean,
            sap_client=clean.get("sap_client"),
            options=options,
        )

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map an SAP record through the tables in `maps.py` and the rules in `mapping.py`."""
        return mapping.to_unified(entity, raw, ids)


class SapS4HanaSession(ConnectorSession):
    """One authenticated conversation with one SAP S/4HANA system."""

    def __init__(
        self,
        *,
        base_url: str,
        signin: Mapping[str, str],
        sap_client: str | None = None,
        options: SessionOptions | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(SPEC, options)
        root = _base_url(base_url)
        params = {"sap-client": sap_client.strip()} if sap_client else {}
        # `signin` holds the validated sign-in fields; the chosen method (see `SIGN_IN`) signs
        # every request, and SAP's CSRF exchange runs inside its renewal on 401.
        self._signin = SIGN_IN.sign_in(
            signin,
            SignInContext(
                options=self.options,
                system="SAP",
                token_url=root + TOKEN_PATH,
                # SAP's OAuth clients belong to one client of the system, like its users.
                token_params=params,
                transport=transport,
            ),
        )
        auth = self._signin.around(odata_v2.CsrfTokenAuth)
        self._http = http.make_client(root, auth=auth, options=self.options, transport=transport)
        if params:
            self._http.params = httpx.QueryParams(params)
        self._odata = odata_v2.ODataV2Client(self._http)
        # Services found refused or absent, by name (see `_offers`).
        self._offered: dict[str, bool] = {}

    def close(self) -> None:
        """Close the HTTP clients and forget any token."""
        self._http.close()
        self._signin.close()

    # -- check ----------------------------------------------------------------------------------

    def check(self) -> Iterator[CheckResult]:
        """Reach the Gateway, sign in, then read one record of every entity.

        The first request goes to the purchase order service's root: any SAP answer proves the
        address, a 401 disproves the credentials. A 403 there is a permissions matter, reported
        per entity in the third stage with the arrangement that grants it: an entity whose
        service is refused or absent is unavailable, and the stage still passes.
        """
        first = RESOURCES[Entity.PURCHASE_ORDERS]
        refused = (
            "SAP refused the user name or password."
            if self._signin.method == BASIC
            else "SAP refused the OAuth client or its token."
        )
        try:
            response = self._odata.send("GET", first.service_path)
        except errors.ValidationFailed as exc:
            token_url = exc.fields.get("token_url")
            yield CheckResult(
                CheckStage.REACH,
                False,
                token_url or exc.fields.get("base_url", exc.message),
                fix=(
                    "Enter the https address of your SAP Gateway server."
                    if token_url is None
                    else "Enter the https address of SAP's OAuth token endpoint, or leave it "
                    "empty for the system's own."
                ),
            )
            return
        except errors.ConnectionReauthRequired as exc:
            # Only the token endpoint raises this here: it answered, and refused the client.
            yield CheckResult(CheckStage.REACH, True, "SAP's OAuth server answers.")
            yield CheckResult(
                CheckStage.AUTHENTICATE,
                False,
                exc.message,
                fix="Check the client ID, its secret, the token URL and the scope, and that "
                "the communication arrangement allows OAuth 2.0 for this client.",
            )
            return
        except (errors.ConnectionUnavailable, errors.UpstreamTimeout, errors.UpstreamError) as exc:
            yield CheckResult(
                CheckStage.REACH,
                False,
                exc.message,
                fix="Check the address and port, and that ironbridge's network may reach it.",
            )
            return
        if response.status_code >= 500 or response.status_code == 429:
            yield CheckResult(
                CheckStage.REACH,
                False,
                f"The SAP system answered HTTP {response.status_code}; it is not available now.",
                fix="Try again later, or ask your SAP Basis team whether the system is up.",
            )
            return
        if response.status_code == 404 and not _is_sap_error(response):
            yield CheckResult(
                CheckStage.REACH,
                False,
                "No SAP Gateway answers at this address.",
                fix="Enter the address of the server that serves /sap/opu/odata/, with its port.",
            )
            return
        yield CheckResult(CheckStage.REACH, True, "The SAP system answers at this address.")
        if response.status_code == 401:
            yield CheckResult(
                CheckStage.AUTHENTICATE,
                False,
                refused,
                fix="Check the user and password (or OAuth client and secret), and that the "
                "user is not locked or expired.",
            )
            return
        yield CheckResult(CheckStage.AUTHENTICATE, True, "SAP accepted the credentials.")
        yield self._check_permissions()

    def _check_permissions(self) -> CheckResult:
        """Read one record of every entity; a service refused or absent makes it unavailable.

        Locations come from two services: without functional locations they are `limited`
        (plants and storage locations only); without stock, unavailable. Any other answer (a
        server error) fails the stage: it says nothing about what the system offers.
        """
        found: list[EntityAvailability] = []
        readable: list[str] = []
        for entity in self.spec.entities:
            probe = self._probe(entity, RESOURCES[entity])
            if isinstance(probe, CheckResult):
                return probe
            if probe is not None:
                reason, enable = probe
                found.append(EntityAvailability(entity, Availability.UNAVAILABLE, reason, enable))
                continue
            if entity is Entity.LOCATIONS:
                floc = self._probe(entity, FUNCTIONAL_LOCATIONS)
                if isinstance(floc, CheckResult):
                    return floc
                if floc is not None:
                    reason, enable = floc
                    found.append(
                        EntityAvailability(
                            entity,
                            Availability.LIMITED,
                            f"{reason} Plants and storage locations are read; functional "
                            "locations are not.",
                            enable,
                        )
                    )
            readable.append(entity.label)
        message = (
            f"The user may read {', '.join(readable)}."
            if readable
            else "The user may read none of the data ironbridge reads."
        )
        if found:
            missing = "; ".join(f"{item.entity.value}: {item.reason}" for item in found)
            message += f" Not fully available: {missing}"
        return CheckResult(CheckStage.PERMISSIONS, True, message, entities=tuple(found))

    def _probe(self, entity: Entity, resource: Resource) -> tuple[str, str] | CheckResult | None:
        """None when one record of `resource` can be read; (reason, what to enable) when SAP
        refuses the service or does not have it; a failed stage for any other answer."""
        params = {"$top": "1", "$format": "json"}
        if resource.filter:
            params["$filter"] = resource.filter
        try:
            response = self._odata.send("GET", resource.path, params=params)
        except errors.IronbridgeError as exc:
            return CheckResult(CheckStage.PERMISSIONS, False, exc.message)
        if response.status_code < 400:
            return None
        where = f"{entity.label}s ({resource.service})"
        if response.status_code in (401, 403):
            return (
                f"The user may not read {where}.",
                f"Add the communication arrangement {resource.arrangement} for this user.",
            )
        if response.status_code == 404:
            return (
                f"The service for {where} is not available on this system.",
                f"Activate {resource.service} (/IWFND/MAINT_SERVICE) or add "
                f"{resource.arrangement}.",
            )
        return CheckResult(
            CheckStage.PERMISSIONS, False, odata_v2.error_for_response(response).message
        )

    def _offers(self, resource: Resource) -> bool:
        """Whether the system lets this user read `resource`; asked once per session."""
        offered = self._offered.get(resource.service)
        if offered is None:
            probe = self._probe(Entity.LOCATIONS, resource)
            if isinstance(probe, CheckResult):
                raise errors.UpstreamError(probe.message)
            offered = self._offered[resource.service] = probe is None
        return offered

    # -- reads ----------------------------------------------------------------------------------

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        """Pages of records changed at or after `since`, in (modified_at, remote_id) order.

        Stock, plants and storage locations have no change time in SAP: every call returns all
        of them, without one (`modified_at` None), after the stamped records.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        if since is not None and since.utcoffset() is None:
            raise ValueError("since must carry a time zone")
        self.spec.ensure_supported(entity, "read")
        resource = RESOURCES[entity]
        batch = min(max(page_size, _MIN_BATCH), _MAX_BATCH)
        if entity is Entity.INVENTORY_ITEMS:
            yield from self._stock(resource, page_size)
        elif entity is Entity.LOCATIONS:
            yield from _chunks(self._locations(resource, since, batch), page_size)
        elif entity is Entity.VENDORS:
            yield from _pages(self._vendor_rows(resource, since, batch), page_size)
        else:
            if resource.change is None:
                raise AssertionError(f"{entity} is declared without a change field")
            reader = odata_v2.ChangeReader(
                self._odata,
                resource.path,
                resource.key,
                resource.change,
                filter=resource.filter,
                expand=resource.expand,
            )
            yield from _pages(reader.rows(since, batch=batch), page_size)

    def _vendor_rows(
        self, resource: Resource, since: datetime | None, batch: int
    ) -> Iterator[odata_v2.ChangedRow]:
        if resource.change is None:
            raise AssertionError("vendors are declared without a change field")
        # Partners never changed since creation have an empty LastChangeDate; they are read by
        # their creation time in a second, equally ordered stream, and the two are merged.
        changed = odata_v2.ChangeReader(
            self._odata,
            resource.path,
            resource.key,
            resource.change,
            filter=odata_v2.all_of(resource.filter, "LastChangeDate ne null"),
            expand=resource.expand,
        )
        created = odata_v2.ChangeReader(
            self._odata,
            resource.path,
            resource.key,
            CREATED,
            filter=odata_v2.all_of(resource.filter, "LastChangeDate eq null"),
            expand=resource.expand,
        )
        return odata_v2.merge_changes(
            changed.rows(since, batch=batch), created.rows(since, batch=batch)
        )

    def _stock(self, resource: Resource, page_size: int) -> Iterator[list[RawRecord]]:
        for rows in self._odata.iter_all(
            resource.path, key=[resource.key], page_size=page_size, expand=resource.expand
        ):
            yield [RawRecord(str(row[resource.key]), None, row) for row in rows]

    def _locations(
        self, resource: Resource, since: datetime | None, batch: int
    ) -> Iterator[RawRecord]:
        """Functional locations changed since `since`, then every plant and storage location.

        Plants and storage locations have no change time: they come last, without one, so the
        stream stays in (modified_at, remote_id) order. A system that does not let the user read
        functional locations (their service is not activated or granted) gives the places
        alone: locations are then `limited`, as the check reports.
        """
        floc = FUNCTIONAL_LOCATIONS
        if floc.change is None:
            raise AssertionError("functional locations are declared with a change field")
        if self._offers(floc):
            reader = odata_v2.ChangeReader(self._odata, floc.path, floc.key, floc.change)
            for row in reader.rows(since, batch=batch):
                yield RawRecord(
                    mapping.functional_location_id(row.remote_id), row.modified_at, row.data
                )
        yield from self._places(resource)

    def _places(self, resource: Resource) -> Iterator[RawRecord]:
        places: dict[str, dict[str, Any]] = {}
        columns = ("Plant", "StorageLocation")
        after: list[str] | None = None
        # One request per distinct place: ask for the first row after the last place seen.
        for _ in range(_MAX_LOCATIONS):
            rows = self._odata.query(
                resource.path,
                filter=None if after is None else odata_v2.keys_after(columns, after),
                orderby=columns,
                top=1,
                select=columns,
            )
            if not rows:
                break
            plant = str(rows[0].get("Plant") or "")
            storage_location = str(rows[0].get("StorageLocation") or "")
            if plant:
                places.setdefault(plant, {"Plant": plant, "StorageLocation": ""})
                if storage_location:
                    place = mapping.location_id(plant, storage_location)
                    places[place] = {"Plant": plant, "StorageLocation": storage_location}
            after = [plant, storage_location]
        for remote_id, data in sorted(places.items()):
            yield RawRecord(remote_id, None, data)

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        """The current SAP record `remote_id`; `errors.NotFound` when there is none."""
        self.spec.ensure_supported(entity, "read")
        if not remote_id:
            raise errors.NotFound(f"No {entity.label} has an empty id.")
        resource = RESOURCES[entity]
        try:
            return self._get(entity, resource, remote_id)
        except errors.NotFound:
            raise errors.NotFound(f"No {entity.label} {remote_id!r} exists in SAP.") from None

    def _get(self, entity: Entity, resource: Resource, remote_id: str) -> RawRecord:
        floc_key = mapping.functional_location_key(remote_id)
        if entity is Entity.LOCATIONS and floc_key is not None:
            floc = FUNCTIONAL_LOCATIONS
            if not floc_key or floc.change is None:
                raise errors.NotFound()
            data, _ = self._odata.get(floc.path + odata_v2.key_predicate({floc.key: floc_key}))
            return self._raw(floc, remote_id, floc.change.read(data), data)
        if entity is Entity.LOCATIONS:
            plant, storage_location = mapping.split_location(remote_id)
            condition = f"Plant eq {odata_v2.string_literal(plant)}"
            if storage_location:
                condition += f" and StorageLocation eq {odata_v2.string_literal(storage_location)}"
            rows = self._odata.query(resource.path, filter=condition, top=1, select=("Plant",))
            if not rows:
                raise errors.NotFound()
            data = {"Plant": plant, "StorageLocation": storage_location}
            return RawRecord(remote_id, None, data)
        if entity is Entity.VENDORS:
            rows = self._odata.query(
                resource.path,
                filter=f"Supplier eq {odata_v2.string_literal(remote_id)}",
                top=1,
                expand=resource.expand,
            )
            if not rows:
                raise errors.NotFound()
            if resource.change is None:
                raise AssertionError("vendors are declared without a change field")
            moment = resource.change.read(rows[0]) or CREATED.read(rows[0])
            return self._raw(resource, remote_id, moment, rows[0])
        keys = {resource.key: remote_id}
        if entity is Entity.ASSETS:
            keys["ValidityEndDate"] = CURRENT_VALIDITY_END
        path = resource.path + odata_v2.key_predicate(keys)
        data, _ = self._odata.get(path, expand=resource.expand)
        if resource.change is None:
            return RawRecord(remote_id, None, data)
        return self._raw(resource, remote_id, resource.change.read(data), data)

    @staticmethod
    def _raw(
        resource: Resource, remote_id: str, moment: datetime | None, data: dict[str, Any]
    ) -> RawRecord:
        if moment is None or resource.change is None:
            raise errors.UpstreamError(
                f"SAP sent {resource.entity_set} {remote_id} without a change time."
            )
        return RawRecord(remote_id, resource.change.floor(moment), data)

    # -- writes ---------------------------------------------------------------------------------

    def create(self, entity: Entity, payload: dict[str, Any]) -> RawRecord:
        """Create a purchase order by deep insert (header, items, schedule lines)."""
        self.spec.ensure_supported(entity, "create")
        body = parse_input(CREATE_MODELS[entity], payload)
        _ensure_resolved(body)
        sap_body = mapping.purchase_order_create_body(body.model_dump(exclude_unset=True))
        resource = RESOURCES[entity]
        created = self._odata.create(resource.path, sap_body, field_names=mapping.error_field)
        number = created.get(resource.key)
        if not isinstance(number, str) or not number:
            raise errors.UpstreamError("SAP created the purchase order but did not say its number.")
        return self.get(entity, number)

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Change a purchase order header with `If-Match` from a fresh read.

        Raises `errors.RecordLocked` for an order flagged for deletion, and when SAP reports
        the order changed between that read and the write (412): someone else's change is
        never overwritten.
        """
        self.spec.ensure_supported(entity, "update")
        body = parse_input(UPDATE_MODELS[entity], changes)
        _ensure_resolved(body)
        sap_body = mapping.purchase_order_update_body(body.model_dump(exclude_unset=True))
        resource = RESOURCES[entity]
        path = resource.path + odata_v2.key_predicate({resource.key: remote_id})
        try:
            current, etag = self._odata.get(path)
        except errors.NotFound:
            raise errors.NotFound(f"No purchase order {remote_id!r} exists in SAP.") from None
        if current.get("PurchasingDocumentDeletionCode") == "L":
            raise errors.RecordLocked(
                f"Purchase order {remote_id} is flagged for deletion in SAP and cannot be changed.",
                details={"status": "cancelled"},
            )
        if sap_body:
            self._odata.update(path, sap_body, etag=etag, field_names=mapping.error_field)
        return self.get(entity, remote_id)

    # -- passthrough ----------------------------------------------------------------------------

    def passthrough(self, request: PassthroughRequest) -> PassthroughResponse:
        """Send a GET or POST under the system's base URL with the session's credentials.

        POSTs carry a CSRF token like every other write. The answer comes back as SAP gave it,
        minus headers that carry session secrets (cookies, CSRF tokens).
        """
        if request.method not in _PASSTHROUGH_METHODS:
            raise errors.ValidationFailed(
                {"method": "The SAP S/4HANA passthrough sends GET and POST only."}
            )
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in _BLOCKED_HEADERS
        }
        response = self._odata.send(
            request.method,
            request.path.lstrip("/"),
            params=request.query,
            json=request.body if request.method == "POST" else None,
            headers=headers,
        )
        kept = {
            name: value
            for name, value in http.redact_headers(dict(response.headers)).items()
            if value != http.REDACTED
        }
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        return PassthroughResponse(status=response.status_code, headers=kept, body=body)


def _is_sap_error(response: httpx.Response) -> bool:
    try:
        payload = response.json()
    except ValueError:
        return False
    return isinstance(payload, dict) and isinstance(payload.get("error"), dict)
