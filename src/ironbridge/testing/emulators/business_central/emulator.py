"""A Business Central environment in memory: Entra ID's token endpoint, companies, faults.

Requests arrive as they would at the public cloud, on one origin:

- `POST /{tenant}/oauth2/v2.0/token`: Entra ID's client credentials grant (client id and
  secret in the form or as HTTP Basic, scope `https://api.businesscentral.dynamics.com/.default`);
  a wrong or expired secret is 401 `invalid_client` (AADSTS7000215, AADSTS7000222).
- `GET /v2.0/{tenant}/{environment}/api/v2.0/companies`: the companies the app may see.
- `/v2.0/{tenant}/{environment}/api/v2.0/companies({id})/<entity set>...`: one company's API
  (`service.CompanyService`), with a Bearer token.

Failures are injected through `Faults`, counted on API requests (not on token requests).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final
from urllib.parse import parse_qsl, unquote, urlsplit

from ironbridge.testing.emulators.business_central.data import seed_companies
from ironbridge.testing.emulators.business_central.service import CompanyService
from ironbridge.testing.emulators.business_central.subscriptions import Subscriptions
from ironbridge.testing.faults import RetryAfterFaults
from ironbridge.testing.json_server import Answer

__all__ = ["SCOPE", "BusinessCentralEmulator", "Faults"]

#: The scope an app asks Entra ID for to call Business Central.
SCOPE: Final = "https://api.businesscentral.dynamics.com/.default"
_TOKEN_PATH: Final = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token$")
_API_PATH: Final = re.compile(
    r"^/v2\.0/(?P<tenant>[^/]+)/(?P<environment>[^/]+)/api/v2\.0/"
    r"(?P<rest>companies(?:\((?P<company>[0-9a-fA-F-]{36})\))?(?P<tail>/.*)?)$"
)
_SUBSCRIPTIONS: Final = re.compile(
    r"^/v2\.0/(?P<tenant>[^/]+)/(?P<environment>[^/]+)/api/v2\.0/subscriptions"
    r"(?:\('(?P<key>[^']+)'\))?$"
)
_TOKEN_LIFE: Final = 3599


@dataclass
class Faults(RetryAfterFaults):
    """Failures the emulator injects, counted down as API requests arrive.

    - `fail_requests`: answer the next N requests with `fail_status` (503 by default).
    - `rate_limit_requests`: answer the next N with 429 `Application_TooManyRequests` and
      `Retry-After: retry_after` (Business Central's throttling, dynamics-rate-limits.md).
    - `delay`: seconds to wait before answering every request.
    - `expire_secret_after`: after N more requests the client secret expires (AADSTS7000222)
      and every token issued is revoked; None never.
    - `concurrent_change_writes`: the next N PATCH or DELETE requests find their record
      changed by another user just before, so their `If-Match` is stale.

    `Faults.parse("fail=3,status=503,rate_limit=2,retry_after=5,delay=0.2,expire_after=10,
    conflict=1")` reads the command-line form.
    """

    expire_secret_after: int | None = None
    concurrent_change_writes: int = 0

    NAMES: ClassVar[Mapping[str, str]] = {
        **RetryAfterFaults.NAMES,
        "expire_after": "expire_secret_after",
        "conflict": "concurrent_change_writes",
    }


def _error(status: int, code: str, message: str, **headers: str) -> Answer:
    correlation = secrets.token_hex(8)
    body = {"error": {"code": code, "message": f"{message}  CorrelationId:  {correlation}."}}
    return status, dict(headers), body


@dataclass
class BusinessCentralEmulator:
    """One tenant's environment: its app registration, companies and injected faults.

    Tests change data through `company(...)` (a `CompanyService`: `rows`, `row`, `touch`),
    and behaviour through `faults` and `expire_secret`.
    """

    tenant: str = "cronus-tenant"
    environment: str = "production"
    client_id: str = "5a1b2c3d-0000-4000-8000-00000000b2c0"
    client_secret: str = "Emulator-Secret~0"  # noqa: S105, a documented test default
    faults: Faults = field(default_factory=Faults)
    max_page_size: int = 20_000
    #: Purchase orders of the first company (their change times crowd closer with more).
    purchase_orders: int = 300
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    requests: list[tuple[str, str]] = field(default_factory=list)
    #: Entity sets the app's permission sets do not cover (403 for every request to them).
    denied: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp_lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._secret_expired = False
        self._last_stamp = datetime.min.replace(tzinfo=UTC)
        self.root = f"/v2.0/{self.tenant}/{self.environment}/api/v2.0/"
        self.subscriptions = Subscriptions(clock=self.clock)
        self.companies: dict[str, dict[str, Any]] = {}
        self.services: dict[str, CompanyService] = {}
        for seed in seed_companies(orders=self.purchase_orders):
            company_id = seed.company["id"]
            self.companies[company_id] = seed.company
            self.services[company_id] = CompanyService(
                f"{self.root}companies({company_id})/",
                seed.sets,
                max_page_size=self.max_page_size,
                clock=self._stamp,
                on_change=self._notifier(company_id),
            )

    def _notifier(self, company_id: str) -> Callable[[str, str, str], None]:
        def changed(entity_set: str, key: str, change: str) -> None:
            resource = f"/api/v2.0/companies({company_id})/{entity_set}"
            self.subscriptions.record(resource, key, change, self.clock())

        return changed

    # -- state for tests ------------------------------------------------------------------------

    @property
    def token_path(self) -> str:
        """Where Entra ID issues tokens for the tenant, relative to the origin."""
        return f"/{self.tenant}/oauth2/v2.0/token"

    def company(self, name: str = "CRONUS USA, Inc.") -> CompanyService:
        """A company's API by its name."""
        for company_id, company in self.companies.items():
            if company["name"] == name:
                return self.services[company_id]
        raise KeyError(name)

    def company_id(self, name: str = "CRONUS USA, Inc.") -> str:
        """A company's id by its name."""
        return next(cid for cid, company in self.companies.items() if company["name"] == name)

    def expire_secret(self) -> None:
        """The client secret expires and every token is revoked, as in Entra ID."""
        with self._lock:
            self._secret_expired = True
            self._tokens.clear()

    def _stamp(self) -> datetime:
        # Strictly increasing, as SQL Server's SystemModifiedAt is for successive writes.
        with self._stamp_lock:
            moment = max(self.clock(), self._last_stamp + timedelta(milliseconds=1))
            self._last_stamp = moment
            return moment

    # -- requests -------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
        """Answer one request: (status, headers, JSON body or None)."""
        path = unquote(urlsplit(target).path)
        self.requests.append((method, path))
        token = _TOKEN_PATH.match(path)
        if token is not None and method == "POST":
            return self._token(token.group("tenant"), headers, body)
        subscription = _SUBSCRIPTIONS.match(path)
        if subscription is not None and self._here(subscription):
            if not self._signed_in(headers):
                return _error(401, "Authentication_InvalidCredentials", "Sign in first.")
            payload = json.loads(body or b"{}") if method in ("POST", "PATCH") else {}
            return self.subscriptions.handle(method, subscription.group("key"), headers, payload)
        if path == f"{self.root}$batch" and method == "POST":
            return self._fault() or self._batch(headers, body)
        match = _API_PATH.match(path)
        if (
            match is None
            or match.group("tenant") != self.tenant
            or match.group("environment") != self.environment
        ):
            return _error(404, "BadRequest_ResourceNotFound", f"No resource at {path}.")
        fault = self._fault()
        if fault is not None:
            return fault
        if not self._signed_in(headers):
            return _error(
                401,
                "Authentication_InvalidCredentials",
                "The server has rejected the client credentials.",
                **{"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
            )
        company = match.group("company")
        if company is None:
            if method != "GET" or match.group("tail"):
                return _error(405, "BadRequest_MethodNotAllowed", "Companies are read-only here.")
            return 200, {}, {"value": [self._company_json(c) for c in self.companies.values()]}
        service = self.services.get(company.lower())
        if service is None:
            return _error(404, "Internal_CompanyNotFound", f"The company {company} does not exist.")
        if not match.group("tail") or match.group("tail") == "/":
            return 200, {}, self._company_json(self.companies[company.lower()])
        entity_set = re.match(r"/(\w+)", match.group("tail"))
        if entity_set is not None and entity_set.group(1) in self.denied:
            table = entity_set.group(1)
            message = f"You do not have the following permissions on TableData {table}: Read."
            return _error(403, "Authorization_InsufficientPermissions", message)
        if method in ("PATCH", "DELETE") and self._take_concurrent_change():
            self._change_behind(service, path)
        return service.handle(method, target, headers, body)

    def _batch(self, headers: Mapping[str, str], body: bytes) -> Answer:
        """A JSON `$batch` at the API root: its requests name their company; one company per
        batch here, whose service runs it (atomicity groups included)."""
        if not self._signed_in(headers):
            return _error(401, "Authentication_InvalidCredentials", "Sign in first.")
        requests = json.loads(body or b"{}").get("requests") or []
        if len(requests) > 100:
            return _error(400, "BadRequest", "A batch holds at most 100 operations.")
        companies = {
            re.match(r"companies\(([0-9a-fA-F-]{36})\)/", r.get("url", "")) for r in requests
        }
        found = {m.group(1).lower() for m in companies if m is not None}
        if len(found) != 1 or None in companies or next(iter(found)) not in self.services:
            return _error(400, "BadRequest", "Each request of a batch names the same company.")
        service = self.services[found.pop()]
        for request in requests:
            request["url"] = request["url"].split(")/", 1)[1]
        forwarded = json.dumps({"requests": requests}).encode()
        return service.handle("POST", f"{service.root}$batch", headers, forwarded)

    def _here(self, match: re.Match[str]) -> bool:
        return (
            match.group("tenant") == self.tenant and match.group("environment") == self.environment
        )

    def _company_json(self, company: Mapping[str, Any]) -> dict[str, Any]:
        return {
            key: value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            if isinstance(value, datetime)
            else value
            for key, value in company.items()
        }

    def _change_behind(self, service: CompanyService, path: str) -> None:
        found = re.search(r"/(\w+)\(([0-9a-fA-F-]{36})\)$", path)
        if found is not None:
            service.touch(found.group(1), found.group(2).lower())

    def _take_concurrent_change(self) -> bool:
        with self._lock:
            return self.faults.take("concurrent_change_writes")

    def _fault(self) -> Answer | None:
        faults = self.faults
        if faults.delay:
            time.sleep(faults.delay)
        with self._lock:
            if faults.run_out("expire_secret_after"):
                self._secret_expired = True
                self._tokens.clear()
            refusal = faults.refusal()
        if refusal is None:
            return None
        if refusal.rate_limited:
            return _error(
                429,
                "Application_TooManyRequests",
                "Too many requests reached. Actual (6001). Maximum (6000).",
                **refusal.headers,
            )
        return _error(
            refusal.status, "Internal_ServerError", "The service is unavailable.", **refusal.headers
        )

    def _signed_in(self, headers: Mapping[str, str]) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        with self._lock:
            expires = self._tokens.get(token) if scheme.lower() == "bearer" else None
            return expires is not None and expires > time.monotonic()

    def _token(self, tenant: str, headers: Mapping[str, str], body: bytes) -> Answer:
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(encoded).decode()
            except ValueError:
                decoded = ":"
            user, _, password = decoded.partition(":")
            client_id, secret = unquote(user), unquote(password)

        def refuse(status: int, error: str, description: str) -> Answer:
            return status, {}, {"error": error, "error_description": description}

        if tenant != self.tenant:
            return refuse(400, "invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return refuse(400, "unsupported_grant_type", "AADSTS70003: grant type not supported.")
        if client_id != self.client_id:
            return refuse(
                400, "unauthorized_client", f"AADSTS700016: Application '{client_id}' not found."
            )
        if not secrets.compare_digest(secret, self.client_secret):
            return refuse(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
        if self._secret_expired:
            return refuse(
                401, "invalid_client", "AADSTS7000222: The provided client secret keys are expired."
            )
        if form.get("scope") != SCOPE:
            return refuse(
                400, "invalid_scope", f"AADSTS70011: The scope '{form.get('scope')}' is not valid."
            )
        access = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access] = time.monotonic() + _TOKEN_LIFE
        return 200, {}, {"token_type": "Bearer", "expires_in": _TOKEN_LIFE, "access_token": access}
