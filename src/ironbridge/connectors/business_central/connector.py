"""The Business Central connector: API v2.0 entity sets (`resources.py`) mapped by `maps.py`.

A session signs in to Entra ID as the customer's app (client credentials), finds the company
the connection names, and leaves the rest to `odata_v4.ODataV4Session`: each entity set is read
through the family's change reader, so pages come in (modified_at, remote_id) order although
Business Central shows change times to the millisecond only, and writes go through the same
maps: a purchase order is created with its lines in one request (deep insert), and every
update or delete carries the ETag just read. New order lines replace the old in one `$batch`.
Vendors and items are pushed too: webhook subscriptions through the family's
`odata_v4.ODataV4PushSession`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final
from urllib.parse import quote

import httpx

from ironbridge import errors
from ironbridge.connectors.auth import SignInContext
from ironbridge.connectors.base import (
    CheckResult,
    CheckStage,
    Connector,
    IdFactory,
    RawRecord,
    SessionOptions,
)
from ironbridge.connectors.business_central.maps import MAPPER, STATUS_TABLES
from ironbridge.connectors.business_central.resources import CHANGE, KEY, RESOURCES
from ironbridge.connectors.business_central.spec import (
    CHECK_FIXES,
    DEFAULT_API_URL,
    DEFAULT_AUTHORITY,
    SCOPE,
    SIGN_IN,
    SPEC,
)
from ironbridge.connectors.protocols import http, odata_v4
from ironbridge.model import Entity

__all__ = ["BusinessCentral", "BusinessCentralSession"]

_SYSTEM: Final = "Business Central"
#: Operations Business Central takes in one `$batch` (its OData request limits).
_MAX_BATCH: Final = 100


def _changed(response: httpx.Response, message: str) -> errors.IronbridgeError:
    return errors.Conflict(
        "The record was changed in Business Central after ironbridge read it, so the change "
        f"was not applied; read the record again and retry ({message})."
    )


def _refused(response: httpx.Response, message: str) -> errors.IronbridgeError:
    # Business Central's TestField on a document status: the order is no longer a draft.
    if "Status must be equal to" in message:
        return errors.RecordLocked(f"Business Central refuses changes to this order ({message}).")
    return errors.ValidationFailed({"body": message}, message)


#: Business Central's error codes that decide the class whatever the status.
CODES: Final = {
    "Request_EntityChanged": _changed,
    "Application_FieldValidationException": _refused,
}


#: Source properties of a refused write → unified payload keys (lines: `lines.<n>.<key>`).
FIELD_NAMES: Final = {
    "vendorId": "vendor_remote_id",
    "itemId": "item_remote_id",
    "locationId": "location_remote_id",
    "directUnitCost": "unit_price",
}


#: How the first request's failure reads in the checks: (errors, failed stage, what to do).
_REFUSALS: Final = (
    (errors.ValidationFailed, CheckStage.REACH, CHECK_FIXES["address"]),
    (
        (errors.ConnectionReauthRequired, errors.PermissionDenied),
        CheckStage.AUTHENTICATE,
        CHECK_FIXES["sign_in"],
    ),
    (errors.IronbridgeError, CheckStage.REACH, CHECK_FIXES["environment"]),
)


class BusinessCentral(Connector):
    """Business Central through its standard API v2.0, signed in as `spec.SIGN_IN` offers."""

    spec = SPEC
    status_tables = STATUS_TABLES
    push = odata_v4.Webhooks(RESOURCES)

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> BusinessCentralSession:
        """A session for the tenant, environment, app and (optional) company and addresses."""
        return BusinessCentralSession(self.validate_credentials(credentials), options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        """Map a Business Central record through the tables in `maps.py`."""
        return MAPPER.to_unified(entity, raw, ids)


class BusinessCentralSession(odata_v4.ODataV4PushSession):
    """One authenticated conversation with one Business Central company."""

    resources = RESOURCES
    resource_root = "/api/v2.0/"
    key, key_type, change = KEY, "Edm.Guid", CHANGE
    source = _SYSTEM
    mapper = MAPPER
    all_readable = "The app may read every entity ironbridge reads."
    grant_fix = CHECK_FIXES["grant"]

    def __init__(
        self,
        values: Mapping[str, str],
        options: SessionOptions | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(SPEC, options)
        tenant = quote(values["tenant"].strip(), safe="")
        api = (values.get("api_url") or DEFAULT_API_URL).strip().rstrip("/")
        root = f"{api}/v2.0/{tenant}/{quote(values['environment'].strip(), safe='')}/api/v2.0/"
        self._signin = SIGN_IN.sign_in(
            {**values, "scope": values.get("scope") or SCOPE},
            SignInContext(
                options=self.options,
                system=_SYSTEM,
                token_url=DEFAULT_AUTHORITY.format(tenant=tenant),
                transport=transport,
            ),
        )
        self._http = http.make_client(
            root, auth=self._signin.around(), options=self.options, transport=transport
        )
        self.odata = odata_v4.ODataV4Client(self._http, codes=CODES)
        self._wanted = values.get("company", "").strip()
        self._company: str | None = None

    def close(self) -> None:
        """Close the HTTP clients and forget the token."""
        self._http.close()
        self._signin.close()

    # -- company --------------------------------------------------------------------------------

    def _choose(self, companies: list[dict[str, Any]]) -> str:
        wanted = self._wanted.casefold()
        for company in companies:
            names = {str(company.get(k, "")).casefold() for k in ("id", "name", "displayName")}
            if wanted in names or (not wanted and len(companies) == 1):
                return str(company["id"])
        listed = ", ".join(repr(c.get("name")) for c in companies) or "none"
        raise errors.ValidationFailed(
            {"company": f"Enter one of the companies the app can see: {listed}."},
            f"Business Central has no company {self._wanted!r} for this app; it sees {listed}."
            if wanted
            else f"The environment has several companies ({listed}); choose one.",
        )

    def base(self) -> str:
        """The chosen company's path, every entity set lives under it."""
        if self._company is None:
            self._company = self._choose(self.odata.query("companies"))
        return f"companies({self._company})/"

    # -- check ----------------------------------------------------------------------------------

    def check(self) -> Iterator[CheckResult]:
        """Reach the environment and sign in (listing companies), then read every entity set."""
        try:
            companies = self.odata.query("companies")
        except errors.IronbridgeError as exc:
            stage, fix = next((s, f) for kind, s, f in _REFUSALS if isinstance(exc, kind))
            if stage is CheckStage.AUTHENTICATE:
                yield CheckResult(CheckStage.REACH, True, "Business Central and Entra ID answer.")
            fields = exc.fields.values() if isinstance(exc, errors.ValidationFailed) else ()
            yield CheckResult(stage, False, "; ".join(fields) or exc.message, fix=fix)
            return
        yield CheckResult(CheckStage.REACH, True, "The Business Central environment answers.")
        yield CheckResult(CheckStage.AUTHENTICATE, True, "Entra ID and Business Central accept it.")
        try:
            self._company = self._choose(companies)
        except errors.ValidationFailed as exc:
            yield CheckResult(CheckStage.PERMISSIONS, False, exc.message, fix=exc.fields["company"])
            return
        yield self.check_permissions()

    # -- writes ---------------------------------------------------------------------------------

    def field_name(self, target: str) -> str:
        """`FIELD_NAMES`, and order lines' targets as `lines.<n>.<key>`."""
        head, _, prop = target.rpartition("/")
        name = FIELD_NAMES.get(prop, prop)
        return f"lines.{head[19:-1]}.{name}" if head.startswith("purchaseOrderLines(") else name

    def update(self, entity: Entity, remote_id: str, changes: dict[str, Any]) -> RawRecord:
        """Change a record with `If-Match` set to the ETag read just before. New order lines
        replace the old ones in one atomic `$batch`: the header, every old line removed with
        its own ETag, the new lines added; all or nothing."""
        if "lines" not in changes:
            return super().update(entity, remote_id, changes)
        path = self.path(self.resource(entity, "update"), remote_id)
        body = self.write_body(entity, changes)
        order, etag = self.odata.get(path, expand=("purchaseOrderLines",))
        lines, added = f"{path}/purchaseOrderLines", body.pop("purchaseOrderLines")
        batch = [odata_v4.BatchRequest("PATCH", path, body, etag)] if body else []
        batch += [
            odata_v4.BatchRequest("DELETE", f"{lines}({line[KEY]})", etag=line.get("@odata.etag"))
            for line in order["purchaseOrderLines"]
        ]
        batch += [odata_v4.BatchRequest("POST", lines, line) for line in added]
        if len(batch) > _MAX_BATCH:
            problem = f"{_SYSTEM} replaces at most {_MAX_BATCH} old and new lines in one change."
            raise errors.ValidationFailed({"lines": problem})
        for result in odata_v4.send_batch(self.odata, batch, atomic=True):
            if result.error is not None and result.status != 424:
                raise result.error
        return self.get(entity, remote_id)
