"""The emulator's state: data, users, CSRF tokens, faults, and the API tests drive it with."""

from __future__ import annotations

import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from ironbridge.testing.emulators.sap_s4hana.data import (
    SAMPLE_PURCHASE_ORDERS,
    STAMP_RESOLUTION,
    Store,
    sample_store,
    today_utc,
)
from ironbridge.testing.emulators.sap_s4hana.schema import SERVICES, entity_type
from ironbridge.testing.faults import Refusal, RetryAfterFaults

__all__ = ["Faults", "SapS4HanaEmulator", "User"]


@dataclass
class Faults(RetryAfterFaults):
    """Failures the emulator injects, counted down as requests arrive.

    - `fail_requests`: answer the next N requests with `fail_status` (503 by default).
    - `rate_limit_requests`: answer the next N requests with 429 and `Retry-After: retry_after`.
    - `delay`: seconds to wait before answering every request (drives client timeouts).
    - `expire_credentials_after`: after N more requests, every password stops working (401),
      as when a communication user's password expires mid-sync; None never expires. OAuth
      clients are communication users, so their secrets stop working too, with every token.
    - `revoke_tokens_after`: after N more requests, every OAuth access token issued so far is
      revoked (401 on the next data call), as when SAP's token store is cleared; clients can
      fetch new ones. None never revokes.
    - `concurrent_change_writes`: the next N updates find the record changed by someone else
      just before they arrive, so their `If-Match` is stale (412).

    `Faults.parse("fail=3,status=503,rate_limit=2,retry_after=5,delay=0.2,expire_after=10,
    revoke_after=4")`
    reads the command-line form.
    """

    expire_credentials_after: int | None = None
    concurrent_change_writes: int = 0
    revoke_tokens_after: int | None = None

    NAMES: ClassVar[Mapping[str, str]] = {
        **RetryAfterFaults.NAMES,
        "expire_after": "expire_credentials_after",
        "conflict": "concurrent_change_writes",
        "revoke_after": "revoke_tokens_after",
    }


@dataclass
class User:
    """A communication user: password and the services its arrangements grant (None = all).

    As in SAP S/4HANA Cloud, the communication user is also the OAuth 2.0 client of its
    arrangements: client id = user name, client secret = password.
    """

    password: str
    services: frozenset[str] | None = None


@dataclass
class _Outcome:
    """What the fault layer decided for one request: refuse it (or serve it), after `delay`."""

    refusal: Refusal | None = None
    delay: float = 0.0


@dataclass
class SapS4HanaEmulator:
    """An SAP S/4HANA system in memory, to be served by `ironbridge.testing.emulators`.

    Tests change its data through `update`, `insert`, `delete` and the purchase order helpers,
    and its behaviour through `faults`, `add_user`, `expire_credentials`,
    `invalidate_csrf_tokens` and `disable_service` / `enable_service`. Every method is safe to
    call while the server runs.
    """

    users: dict[str, User] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    seed: int = 1710
    #: How many purchase orders the sample holds (300; more for volume tests and benchmarks).
    purchase_orders: int = SAMPLE_PURCHASE_ORDERS
    #: Rows per response before the server pages with `__next` (SAP Gateway's server paging).
    max_page_size: int = 100
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    #: Seconds an OAuth access token is valid (`expires_in`).
    token_lifetime: int = 3600
    #: The instant the sample's times count back from; the clock at creation by default, so
    #: the sample is always recent. Two emulators given the same anchor hold the same data.
    anchor: datetime | None = None
    store: Store = field(init=False)
    #: Services not activated on this system (/IWFND/MAINT_SERVICE): SAP Gateway answers 404
    #: for them, to every user, as for a service it does not know.
    disabled_services: set[str] = field(default_factory=set)
    #: The latest requests seen, as (method, path with query, user), for assertions; bounded
    #: so an emulator left running for days does not grow without end.
    requests: deque[tuple[str, str, str | None]] = field(
        default_factory=lambda: deque(maxlen=10_000), init=False
    )

    def __post_init__(self) -> None:
        unknown = set(self.disabled_services) - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown services {sorted(unknown)}")
        self.started_at = (self.anchor or self.clock()).astimezone(UTC).replace(microsecond=0)
        self.store = sample_store(self.seed, self.purchase_orders, anchor=self.started_at)
        self._lock = threading.Lock()
        self._tokens: dict[str, str] = {}
        # OAuth access token → (user it was issued to, when it expires).
        self._access_tokens: dict[str, tuple[str, datetime]] = {}
        self._credentials_expired = False
        self._last_stamp: dict[str, datetime] = {}

    # -- users and faults ---------------------------------------------------------------------

    def add_user(self, username: str, password: str, services: Iterable[str] | None = None) -> None:
        """Add (or replace) a communication user; `services` limits it to those services."""
        allowed = None if services is None else frozenset(services)
        unknown = (allowed or frozenset()) - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown services {sorted(unknown)}")
        with self._lock:
            self.users[username] = User(password, allowed)

    def disable_service(self, service: str) -> None:
        """Deactivate `service` system-wide, as if it had never been activated."""
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        with self._lock:
            self.disabled_services.add(service)

    def enable_service(self, service: str) -> None:
        """Activate `service` again."""
        with self._lock:
            self.disabled_services.discard(service)

    def offers(self, service: str) -> bool:
        """Whether `service` is activated on this system."""
        with self._lock:
            return service not in self.disabled_services

    def expire_credentials(self) -> None:
        """Make every password and client secret fail from now on (401), until
        `restore_credentials`; OAuth tokens issued so far are revoked."""
        with self._lock:
            self._credentials_expired = True
            self._access_tokens.clear()

    def revoke_tokens(self) -> None:
        """Revoke every OAuth access token issued so far; new ones can be fetched."""
        with self._lock:
            self._access_tokens.clear()

    def issue_access_token(self, username: str) -> tuple[str, int]:
        """A new access token for the user (an authenticated OAuth client) and its lifetime."""
        with self._lock:
            token = secrets.token_urlsafe(32)
            lifetime = self.token_lifetime
            self._access_tokens[token] = (username, self.clock() + timedelta(seconds=lifetime))
            return token, lifetime

    def token_owner(self, token: str) -> str | None:
        """The user an access token was issued to, or None when it is unknown, revoked or
        expired."""
        with self._lock:
            issued = self._access_tokens.get(token)
            if issued is None:
                return None
            owner, expires = issued
            if self.clock() >= expires:
                del self._access_tokens[token]
                return None
            return owner

    def restore_credentials(self) -> None:
        """Undo `expire_credentials`."""
        with self._lock:
            self._credentials_expired = False

    def invalidate_csrf_tokens(self) -> None:
        """Forget every CSRF token issued, as when the user's sessions time out."""
        with self._lock:
            self._tokens.clear()

    def authenticate(self, username: str, password: str) -> bool:
        """Whether the credentials are valid now."""
        with self._lock:
            user = self.users.get(username)
            return (
                not self._credentials_expired
                and user is not None
                and secrets.compare_digest(user.password, password)
            )

    def may_use(self, username: str, service: str) -> bool:
        """Whether the user's communication arrangements include `service`."""
        with self._lock:
            user = self.users.get(username)
            return user is not None and (user.services is None or service in user.services)

    def issue_csrf_token(self, username: str) -> str:
        """The user's CSRF token, issuing one when it has none."""
        with self._lock:
            token = self._tokens.get(username)
            if token is None:
                token = self._tokens[username] = secrets.token_urlsafe(24)
            return token

    def csrf_token_valid(self, username: str, token: str | None) -> bool:
        """Whether `token` is the token issued to the user."""
        with self._lock:
            issued = self._tokens.get(username)
            return (
                token is not None and issued is not None and secrets.compare_digest(issued, token)
            )

    def next_fault(self) -> _Outcome:
        """Count one request against the faults and say how to answer it."""
        with self._lock:
            faults = self.faults
            if faults.run_out("expire_credentials_after"):
                self._credentials_expired = True
                self._access_tokens.clear()
            if faults.run_out("revoke_tokens_after"):
                self._access_tokens.clear()
            return _Outcome(faults.refusal(), faults.delay)

    def take_concurrent_change(self) -> bool:
        """Whether the update now arriving should find its record changed by someone else."""
        with self._lock:
            return self.faults.take("concurrent_change_writes")

    def log(self, method: str, path: str, user: str | None) -> None:
        """Record a request."""
        with self._lock:
            self.requests.append((method, path, user))

    # -- change stamps --------------------------------------------------------------------------

    def now(self, entity_set: str) -> datetime:
        """A change stamp for `entity_set`: the clock at the set's resolution, never repeating
        backwards, so two quick changes of one record still order correctly."""
        resolution = STAMP_RESOLUTION.get(entity_set, timedelta(microseconds=1))
        moment = self.clock().astimezone(UTC)
        step = resolution // timedelta(microseconds=1)
        micros = moment.microsecond - moment.microsecond % step if step < 1_000_000 else 0
        moment = moment.replace(microsecond=micros)
        with self._lock:
            last = self._last_stamp.get(entity_set)
            if last is not None and moment < last:
                moment = last
            self._last_stamp[entity_set] = moment
        return moment

    def stamp(self, entity_set: str, row: dict[str, Any], user: str | None = None) -> datetime:
        """Set the change stamps of `row` to now and return the time used.

        Every change of a row in place ends here, so this also marks the store changed.
        """
        self.store.touch()
        moment = self.now(entity_set)
        stamps = entity_type(entity_set).change_stamps
        if stamps == ("LastChangeDate", "LastChangeTime"):
            row["LastChangeDate"] = today_utc(moment)
            row["LastChangeTime"] = time(moment.hour, moment.minute, moment.second)
            if user:
                row["LastChangedByUser"] = user[:12]
        elif stamps:
            row[stamps[0]] = moment
        return moment

    # -- data changes for tests -----------------------------------------------------------------

    def _key(
        self, entity_set: str, key: str | Sequence[Any] | Mapping[str, Any]
    ) -> tuple[Any, ...]:
        names = entity_type(entity_set).keys
        if isinstance(key, str):
            if len(names) != 1:
                raise ValueError(f"{entity_set} has the compound key {names}")
            return (key,)
        if isinstance(key, Mapping):
            return tuple(key[name] for name in names)
        return tuple(key)

    def get_row(
        self, entity_set: str, key: str | Sequence[Any] | Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """A copy of the row with `key`, or None."""
        row = self.store.find(entity_set, self._key(entity_set, key))
        return None if row is None else dict(row)

    def update(
        self, entity_set: str, key: str | Sequence[Any] | Mapping[str, Any], **changes: Any
    ) -> datetime:
        """Change properties of one row as a user in SAP would, stamping its change time.

        Returns the new change stamp. KeyError when there is no such row; ValueError for a
        property the entity type does not have.
        """
        kind = entity_type(entity_set)
        unknown = set(changes) - set(kind.properties)
        if unknown:
            raise ValueError(f"{entity_set} has no properties {sorted(unknown)}")
        with self.store.lock:
            row = self.store.find(entity_set, self._key(entity_set, key))
            if row is None:
                raise KeyError(key)
            row.update(changes)
            return self.stamp(entity_set, row, "TEST_USER")

    def insert(self, entity_set: str, row: Mapping[str, Any]) -> dict[str, Any]:
        """Add a row (stamped now when its type has change stamps) and return it."""
        stored = self.store.insert(entity_set, row)
        with self.store.lock:
            self.stamp(entity_set, stored, "TEST_USER")
        return dict(stored)

    def delete(self, entity_set: str, key: str | Sequence[Any] | Mapping[str, Any]) -> None:
        """Remove a row and the rows that hang below it (items, schedule lines)."""
        with self.store.lock:
            row = self.store.find(entity_set, self._key(entity_set, key))
            if row is None:
                raise KeyError(key)
            for navigation, nav in entity_type(entity_set).navigations.items():
                if nav.many and entity_set != "A_BusinessPartner":
                    for child in self.store.related(entity_set, row, navigation):
                        self.delete(nav.target, self.store.key_of(nav.target, child))
            self.store.delete(entity_set, self.store.key_of(entity_set, row))

    def purchase_order_ids(self) -> list[str]:
        """Every purchase order number, ascending."""
        return sorted(row["PurchaseOrder"] for row in self.store.rows("A_PurchaseOrder"))

    def change_purchase_order(self, number: str, **changes: Any) -> datetime:
        """Change a purchase order header (or only touch it) and return its new stamp."""
        return self.update("A_PurchaseOrder", number, **changes)

    def delete_purchase_order(self, number: str) -> None:
        """Remove a purchase order with its items, as an archiving run would."""
        self.delete("A_PurchaseOrder", number)

    def add_purchase_order(
        self,
        supplier: str,
        items: Sequence[Mapping[str, Any]],
        **header: Any,
    ) -> str:
        """Add a purchase order as if a buyer created it in SAP; returns its number.

        `items` are A_PurchaseOrderItem properties (`Material`, `OrderQuantity`, `Plant`, ...).
        """
        with self.store.lock:
            number = str(max(int(n) for n in self.purchase_order_ids()) + 1)
            now = self.now("A_PurchaseOrder")
            self.store.insert(
                "A_PurchaseOrder",
                {
                    "PurchaseOrder": number,
                    "CompanyCode": "1710",
                    "PurchaseOrderType": "NB",
                    "PurchasingProcessingStatus": "02",
                    "PurchasingOrganization": "1710",
                    "PurchasingGroup": "001",
                    "Supplier": supplier,
                    "DocumentCurrency": "USD",
                    "PaymentTerms": "0001",
                    "Language": "EN",
                    "CreatedByUser": "TEST_USER",
                    "CreationDate": today_utc(now),
                    "PurchaseOrderDate": today_utc(now),
                    "LastChangeDateTime": now,
                    **header,
                },
            )
            for index, item in enumerate(items):
                number_of_item = str(10 * (index + 1))
                row = {
                    "PurchaseOrder": number,
                    "PurchaseOrderItem": number_of_item,
                    "DocumentCurrency": header.get("DocumentCurrency", "USD"),
                    "NetPriceQuantity": Decimal(1),
                    "GoodsReceiptIsExpected": True,
                    "InvoiceIsExpected": True,
                    **item,
                }
                self.store.insert("A_PurchaseOrderItem", row)
                self.store.insert(
                    "A_PurchaseOrderScheduleLine",
                    {
                        "PurchasingDocument": number,
                        "PurchasingDocumentItem": number_of_item,
                        "ScheduleLine": "1",
                        "ScheduleLineDeliveryDate": today_utc(now + timedelta(days=14)),
                        "PurchaseOrderQuantityUnit": row.get("PurchaseOrderQuantityUnit", ""),
                        "ScheduleLineOrderQuantity": row.get("OrderQuantity"),
                    },
                )
        return number
