"""The emulated server: its version, databases, users and API keys, and injectable faults.

    emulator = OdooEmulator(version=19)
    key = emulator.add_api_key("admin", expires_at=...)   # Preferences > Account Security
    emulator.change("purchase.order", 7, {"partner_ref": "X"})
    emulator.faults.fail_requests = 2

Sign-in as Odoo does it: on `/jsonrpc` a user signs in with the password or an API key (an API
key works as the password on both versions); on 19.0's JSON-2 API with an API key as bearer
token. An expired key signs in nowhere. The clock is injectable, so tests move time.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Final

from ironbridge.testing.emulators.odoo.data import DEFAULT_STAGES, ORDER_COUNT, seed
from ironbridge.testing.emulators.odoo.database import Database, OdooError
from ironbridge.testing.emulators.odoo.methods import Env
from ironbridge.testing.faults import Faults as BaseFaults

__all__ = ["DEFAULT_DATABASE", "VERSIONS", "ApiKey", "Faults", "OdooEmulator", "User"]

DEFAULT_DATABASE: Final = "ironworks"
#: The versions the emulator answers as, and their `server_version_info`.
VERSIONS: Final = {
    17: [17, 0, 0, "final", 0, ""],
    18: [18, 0, 0, "final", 0, ""],
    19: [19, 0, 0, "final", 0, ""],
}
ACCESS_DENIED: Final = "odoo.exceptions.AccessDenied"


@dataclass
class User:
    """A user who may sign in, and the companies it may work in (first: its default)."""

    uid: int
    login: str
    password: str
    companies: list[int]


@dataclass
class ApiKey:
    """An API key of a user; None `expires_at` never expires (only 17.0 allows that)."""

    key: str
    uid: int
    expires_at: datetime | None


@dataclass
class Faults(BaseFaults):
    """Failures to inject, counted down as requests arrive (`Faults.parse("fail=2")`).

    - `fail_requests`: the next N requests answer `fail_status` (503, as a proxy in front of
      a restarting server does).
    - `delay`: seconds every request takes.
    - `expire_keys_after`: after N more requests every API key has expired.
    """

    expire_keys_after: int | None = None

    NAMES: ClassVar[Mapping[str, str]] = {**BaseFaults.NAMES, "expire_after": "expire_keys_after"}


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class OdooEmulator:
    """An Odoo server of one `version` with its databases (each seeded on its own)."""

    version: int = 18
    clock: Callable[[], datetime] = _now
    databases: Iterable[str] = (DEFAULT_DATABASE,)
    #: Maintenance stages per database name (the default stages for others).
    stages: Mapping[str, Sequence[tuple[str, int, bool]]] = field(default_factory=dict)
    #: Whether `db.list` answers (a server with `list_db = False` refuses it).
    list_db: bool = True
    #: Models of apps not installed (`maintenance.request`, `maintenance.equipment`, ...).
    missing_models: Iterable[str] = ()
    #: How many purchase orders each database is seeded with.
    orders: int = ORDER_COUNT
    faults: Faults = field(default_factory=Faults)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        if self.version not in VERSIONS:
            raise ValueError(f"Odoo {self.version} is not emulated; use one of {sorted(VERSIONS)}")
        self.dbs: dict[str, Database] = {}
        for name in self.databases:
            db = Database(name, self.version, self.clock)
            db.missing.update(self.missing_models)
            seed(db, self.stages.get(name, DEFAULT_STAGES), orders=self.orders)
            self.dbs[name] = db
        self.users: dict[str, User] = {"admin": User(2, "admin", "admin", [1, 2])}
        self.keys: list[ApiKey] = []
        #: Deprecation warnings the server logged (19.0 warns on every `/jsonrpc` call).
        self.warnings: list[str] = []
        #: Every call received: (protocol, model, method).
        self.calls: list[tuple[str, str, str]] = []

    @property
    def server_version(self) -> str:
        """`18.0`, `19.0`, ..."""
        return f"{self.version}.0"

    def db(self, name: str | None = None) -> Database:
        """A database by name (the first one when None)."""
        return self.dbs[name or next(iter(self.dbs))]

    # -- users and keys ------------------------------------------------------------------------

    def add_user(self, login: str, password: str, companies: Sequence[int] = (1,)) -> User:
        """A user in every database (added as a `res.users` record in each)."""
        uid = 0
        for db in self.dbs.values():
            uid = db.insert(
                "res.users", {"name": login.title(), "login": login, "company_id": companies[0]}
            )
        user = User(uid, login, password, list(companies))
        self.users[login] = user
        return user

    def add_api_key(self, login: str = "admin", *, expires_at: datetime | None = None) -> str:
        """A new API key of `login`, as Preferences > Account Security > New API Key makes."""
        key = secrets.token_hex(20)
        self.keys.append(ApiKey(key, self.users[login].uid, expires_at))
        return key

    def expire_keys(self) -> None:
        """Every API key reaches its expiry now."""
        for key in self.keys:
            key.expires_at = self.clock()

    def _user(self, uid: int) -> User | None:
        return next((user for user in self.users.values() if user.uid == uid), None)

    def key_user(self, secret: str) -> User | None:
        """The user an unexpired API key belongs to."""
        for key in self.keys:
            if secrets.compare_digest(key.key, secret):
                if key.expires_at is not None and key.expires_at <= self.clock():
                    return None
                return self._user(key.uid)
        return None

    def login(self, login: str, secret: str) -> int | None:
        """The uid a login and password (or API key) sign in as, or None."""
        user = self.users.get(login)
        if user is None:
            return None
        if secrets.compare_digest(user.password, secret):
            return user.uid
        by_key = self.key_user(secret)
        return user.uid if by_key is not None and by_key.uid == user.uid else None

    def database(self, name: str) -> Database:
        """The database `name`; Odoo answers an unknown one with the driver's own error."""
        if name not in self.dbs:
            raise OdooError(
                "psycopg2.OperationalError",
                f'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
                f'FATAL:  database "{name}" does not exist\n',
            )
        return self.dbs[name]

    def env(self, database: str, uid: int, context: Mapping[str, Any] | None) -> Env:
        """The environment of one call by `uid`."""
        user = self._user(uid)
        if user is None:
            raise OdooError(ACCESS_DENIED, "Access Denied")
        return Env(self.database(database), uid, context, user.companies)

    # -- changes made in Odoo meanwhile ----------------------------------------------------------

    def change(
        self, model: str, record_id: int, values: Mapping[str, Any], *, database: str | None = None
    ) -> None:
        """Write stored values as a user in Odoo would, stamped with the clock."""
        with self.lock:
            self.db(database).touch(model, record_id, values)

    def delete(self, model: str, record_id: int, *, database: str | None = None) -> None:
        """Delete a record as a user in Odoo would."""
        with self.lock:
            self.db(database).remove(model, record_id)
