"""The emulated account: its tables, its time zone, who may sign in, and the Record API's
writes with NetSuite's rules (references must exist, closed and fully billed orders stay
closed, an idempotency key answers a repeated write as the first).

    emulator = NetSuiteEmulator(zone="America/Los_Angeles")
    emulator.change_line(1001, 1, at=...)     # a change made only on a line
    emulator.faults.rate_limit_requests = 2
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Final
from zoneinfo import ZoneInfo

from ironbridge.testing.emulators.netsuite.auth import Credentials
from ironbridge.testing.emulators.netsuite.data import PO_STATUSES, seed, stamp
from ironbridge.testing.emulators.netsuite.schema import ddl
from ironbridge.testing.emulators.netsuite.suiteql import run_suiteql
from ironbridge.testing.faults import RateLimitFaults

__all__ = ["ACCOUNT_ID", "Faults", "NetSuiteEmulator", "NsError"]

ACCOUNT_ID: Final = "1234567_SB1"
#: Statuses in which NetSuite keeps an order from being edited.
LOCKED_STATUSES: Final = frozenset({"G", "H"})
_PO_HEADER: Final = {"entity", "tranDate", "dueDate", "memo", "currency", "item"}
_PO_LINE: Final = {"item", "quantity", "rate", "description", "location", "expectedReceiptDate"}
_VENDOR: Final = {"companyName", "entityId", "email", "phone", "url", "isInactive", "currency"}
_CUSTOM: Final = ("custbody_", "custcol_", "custentity_")


class NsError(Exception):
    """An answer in NetSuite's `nsError` format."""

    def __init__(self, status: int, code: str, detail: str, path: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.path = status, code, detail, path


@dataclass
class Faults(RateLimitFaults):
    """Failures to inject, counted down as requests arrive (`Faults.parse("rate_limit=2")`).

    - `fail_requests`: the next N requests answer `fail_status` (503).
    - `rate_limit_requests`: the next N requests answer 429, as when the account's
      concurrency is used up by other integrations.
    - `delay`: seconds every request takes (drives timeouts and concurrency).
    - `expire_credentials_after`: after N more requests every token stops working (401).
    - `lose_answers`: the next N creates are applied, then answered 504 as if the answer
      were lost on the way back (a retry with the same idempotency key finds the record).
    """

    expire_credentials_after: int | None = None
    lose_answers: int = 0

    NAMES: ClassVar[Mapping[str, str]] = {
        **RateLimitFaults.NAMES,
        "expire_after": "expire_credentials_after",
        "lose": "lose_answers",
    }


def _ref(value: Any, path: str) -> int:
    if isinstance(value, Mapping) and str(value.get("id", "")).isdigit():
        return int(value["id"])
    raise NsError(400, "INVALID_KEY_OR_REF", f"Invalid {path} reference key.", path)


def _number(value: Any, path: str, *, positive: bool = False) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise NsError(400, "INVALID_CONTENT", f"{path} is not a number.", path) from None
    if positive and number <= 0:
        raise NsError(400, "INVALID_FLD_VALUE", f"{path} must be greater than 0.", path)
    return number


@dataclass
class NetSuiteEmulator:
    """One NetSuite account's state, shared by every request (guarded by one lock)."""

    zone: str = "America/Los_Angeles"
    account_id: str = ACCOUNT_ID
    orders: int = 300
    concurrency: int = 5
    #: When changes happen, for the data (sign-in checks use the wall clock).
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    faults: Faults = field(default_factory=Faults)
    #: SuiteQL tables and record types the role may not use.
    denied: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.executescript(ddl())
        self.db.execute("INSERT INTO dual VALUES (1)")
        seed(self.db, self.local_now().replace(microsecond=0), orders=self.orders)
        # Signatures and tokens are checked against the wall clock; `clock` dates the data.
        self.credentials = Credentials(self.account_id)
        self.idempotent: dict[str, str] = {}
        self.in_flight = 0

    # -- time ----------------------------------------------------------------------------

    def local_now(self) -> datetime:
        """The account's wall-clock time, as its tables store times."""
        return self.clock().astimezone(ZoneInfo(self.zone)).replace(tzinfo=None)

    def _stamp(self, at: datetime | None) -> str:
        moment = self.clock() if at is None else at
        return stamp(moment.astimezone(ZoneInfo(self.zone)))

    # -- SuiteQL -------------------------------------------------------------------------

    def query(self, statement: str, limit: int, offset: int) -> tuple[list[dict[str, str]], int]:
        """One page of a SuiteQL statement, and its row count."""
        with self.lock:
            try:
                return run_suiteql(
                    self.db,
                    statement,
                    zone=self.zone,
                    limit=limit,
                    offset=offset,
                    hidden=frozenset(self.denied),
                )
            except PermissionError as exc:
                raise NsError(
                    400,
                    "INSUFFICIENT_PERMISSION",
                    f"Your role lacks permission to read {exc.args[0]} records.",
                ) from None

    # -- changes tests make --------------------------------------------------------------

    def change_order(self, order_id: int, *, at: datetime | None = None, memo: str = "") -> None:
        """Change an order's header, stamped `at` (now by default)."""
        with self.lock:
            self.db.execute(
                'UPDATE "transaction" SET memo = ?, lastmodifieddate = ? WHERE id = ?',
                (memo or f"changed {self._stamp(at)}", self._stamp(at), order_id),
            )

    def change_line(self, order_id: int, line: int, *, at: datetime | None = None) -> None:
        """Change one line's quantity only: the header's stamp stays as it was."""
        with self.lock:
            self.db.execute(
                "UPDATE transactionline SET quantity = quantity + 1, linelastmodifieddate = ? "
                'WHERE "transaction" = ? AND id = ?',
                (self._stamp(at), order_id, line),
            )

    def status_of(self, order_id: int) -> str:
        """An order's status code."""
        with self.lock:
            row = self.db.execute(
                'SELECT status FROM "transaction" WHERE id = ?', (order_id,)
            ).fetchone()
        if row is None:
            raise KeyError(order_id)
        return str(row[0])

    def orders_in(self, status: str) -> list[int]:
        """The ids of the orders in `status`."""
        with self.lock:
            rows = self.db.execute(
                'SELECT id FROM "transaction" WHERE status = ? ORDER BY id', (status,)
            ).fetchall()
        return [int(row[0]) for row in rows]

    # -- Record API ----------------------------------------------------------------------

    def _exists(self, table: str, key: int, extra: str = "") -> bool:
        found = self.db.execute(f'SELECT 1 FROM "{table}" WHERE id = ? {extra}', (key,)).fetchone()  # noqa: S608, names come from the schema tables, values are bound
        return found is not None

    def _check_permission(self, record_type: str) -> None:
        if record_type.lower() in self.denied:
            raise NsError(
                403,
                "INSUFFICIENT_PERMISSION",
                f"Permission Violation: your role lacks the permission for {record_type}.",
            )

    def _unknown(self, body: Mapping[str, Any], known: set[str], prefix: str = "") -> None:
        for name in body:
            if name not in known and not name.startswith(_CUSTOM):
                path = f"{prefix}{name}"
                raise NsError(400, "INVALID_CONTENT", f"Unknown property {path}.", path)

    def purchase_order(self, order_id: int) -> dict[str, Any]:
        """An order as `GET record/v1/purchaseOrder/{id}?expandSubResources=true` shows it."""
        self._check_permission("purchaseOrder")
        with self.lock:
            cursor = self.db.execute(
                "SELECT * FROM \"transaction\" WHERE id = ? AND type = 'PurchOrd'", (order_id,)
            )
            row = cursor.fetchone()
            if row is None:
                raise NsError(404, "NONEXISTENT_ID", f"Record {order_id} was not found.")
            header = dict(zip([d[0] for d in cursor.description], row, strict=True))
            lines = self.db.execute(
                "SELECT id, item, quantity, rate, netamount, location, memo FROM transactionline "
                "WHERE \"transaction\" = ? AND mainline = 'F' ORDER BY linesequencenumber",
                (order_id,),
            ).fetchall()
        zone = ZoneInfo(self.zone)
        modified = datetime.fromisoformat(header["lastmodifieddate"]).replace(tzinfo=zone)
        return {
            "id": str(order_id),
            "tranId": header["transactionnumber"],
            "tranDate": header["trandate"],
            "entity": {"id": str(header["entity"])},
            "currency": {"id": str(header["currency"])},
            "status": {"id": header["status"], "refName": PO_STATUSES[header["status"]]},
            "memo": header["memo"],
            "lastModifiedDate": modified.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "item": {
                "items": [
                    {
                        "line": line[0],
                        "item": {"id": str(line[1])},
                        "quantity": float(line[2]),
                        "rate": float(line[3]),
                        "amount": float(line[4]),
                        "location": {"id": str(line[5])} if line[5] else None,
                        "description": line[6],
                    }
                    for line in lines
                ]
            },
        }

    def _lines(self, order_id: int, items: Any, now: str, start: int) -> None:
        rows = items.get("items") if isinstance(items, Mapping) else None
        if not isinstance(rows, list):
            raise NsError(400, "INVALID_CONTENT", "item must hold items.", "item")
        for index, line in enumerate(rows):
            where = f"item.items[{index}]"
            self._unknown(line, _PO_LINE, f"{where}.")
            item = _ref(line.get("item"), f"{where}.item")
            if not self._exists("item", item, "AND isinactive = 'F'"):
                raise NsError(
                    400,
                    "INVALID_KEY_OR_REF",
                    f"Invalid item reference key {item}.",
                    f"{where}.item",
                )
            quantity = _number(line.get("quantity"), f"{where}.quantity", positive=True)
            rate = _number(line.get("rate", 0), f"{where}.rate")
            location = None
            if line.get("location") is not None:
                location = _ref(line["location"], f"{where}.location")
                if not self._exists("location", location):
                    raise NsError(
                        400,
                        "INVALID_KEY_OR_REF",
                        "Invalid location reference key.",
                        f"{where}.location",
                    )
            number = start + index
            self.db.execute(
                'INSERT INTO transactionline (id, "transaction", linesequencenumber, mainline, '
                "item, memo, quantity, rate, netamount, location, quantityshiprecv, "
                "expectedreceiptdate, linelastmodifieddate, custcol_cost_center) "
                "VALUES (?, ?, ?, 'F', ?, ?, ?, ?, ?, ?, '0', ?, ?, ?)",
                (
                    number,
                    order_id,
                    number,
                    item,
                    line.get("description"),
                    str(quantity),
                    str(rate),
                    str(quantity * rate),
                    location,
                    line.get("expectedReceiptDate"),
                    now,
                    line.get("custcol_cost_center"),
                ),
            )

    def _header(self, body: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if "entity" in body:
            vendor = _ref(body["entity"], "entity")
            if not self._exists("vendor", vendor, "AND isinactive = 'F'"):
                raise NsError(
                    400, "INVALID_KEY_OR_REF", f"Invalid entity reference key {vendor}.", "entity"
                )
            values["entity"] = vendor
        if "currency" in body:
            values["currency"] = _ref(body["currency"], "currency")
        for source, column in (
            ("tranDate", "trandate"),
            ("dueDate", "duedate"),
            ("memo", "memo"),
            ("custbody_approval_ref", "custbody_approval_ref"),
        ):
            if source in body:
                values[column] = body[source]
        return values

    def create_purchase_order(self, body: Mapping[str, Any]) -> int:
        """`POST record/v1/purchaseOrder`: the new order's id."""
        self._check_permission("purchaseOrder")
        self._unknown(body, _PO_HEADER)
        if "entity" not in body:
            raise NsError(400, "USER_ERROR", "Please enter a value for Vendor.", "entity")
        with self.lock:
            values = self._header(body)
            order_id = int(self.db.execute('SELECT MAX(id) + 1 FROM "transaction"').fetchone()[0])
            now = self._stamp(None)
            values.setdefault("currency", 1)
            values.setdefault("trandate", self.local_now().date().isoformat())
            self.db.execute(
                'INSERT INTO "transaction" (id, transactionnumber, type, status, createddate, '
                "lastmodifieddate, entity, currency, trandate, duedate, memo, "
                "custbody_approval_ref) VALUES (?, ?, 'PurchOrd', 'B', ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    order_id,
                    f"PO{order_id:05d}",
                    now,
                    now,
                    values["entity"],
                    values["currency"],
                    values["trandate"],
                    values.get("duedate"),
                    values.get("memo"),
                    values.get("custbody_approval_ref"),
                ),
            )
            self.db.execute(
                'INSERT INTO transactionline (id, "transaction", linesequencenumber, mainline, '
                "linelastmodifieddate) VALUES (0, ?, 0, 'T', ?)",
                (order_id, now),
            )
            self._lines(order_id, body.get("item", {"items": []}), now, 1)
        return order_id

    def update_purchase_order(self, order_id: int, body: Mapping[str, Any], replace: str) -> None:
        """`PATCH record/v1/purchaseOrder/{id}[?replace=item]`."""
        self._check_permission("purchaseOrder")
        self._unknown(body, _PO_HEADER)
        with self.lock:
            status = self.status_of(order_id) if self._exists("transaction", order_id) else None
            if status is None:
                raise NsError(404, "NONEXISTENT_ID", f"Record {order_id} was not found.")
            if status in LOCKED_STATUSES:
                raise NsError(
                    400,
                    "USER_ERROR",
                    "You cannot edit a transaction that is closed or fully billed.",
                )
            values = self._header(body)
            now = self._stamp(None)
            values["lastmodifieddate"] = now
            assignments = ", ".join(f"{column} = ?" for column in values)
            self.db.execute(
                f'UPDATE "transaction" SET {assignments} WHERE id = ?',  # noqa: S608, column names from the schema
                (*values.values(), order_id),
            )
            if "item" in body:
                if replace.split(",").count("item"):
                    self.db.execute(
                        "DELETE FROM transactionline WHERE \"transaction\" = ? AND mainline = 'F'",
                        (order_id,),
                    )
                    self._lines(order_id, body["item"], now, 1)
                else:
                    last = self.db.execute(
                        'SELECT MAX(id) FROM transactionline WHERE "transaction" = ?', (order_id,)
                    ).fetchone()[0]
                    self._lines(order_id, body["item"], now, int(last) + 1)

    def _vendor_values(self, body: Mapping[str, Any]) -> dict[str, Any]:
        self._unknown(body, _VENDOR)
        columns = {
            "companyName": "companyname",
            "entityId": "entityid",
            "email": "email",
            "phone": "phone",
            "url": "url",
            "custentity_vendor_lead_time": "custentity_vendor_lead_time",
        }
        values = {column: body[name] for name, column in columns.items() if name in body}
        if "isInactive" in body:
            values["isinactive"] = "T" if body["isInactive"] else "F"
        if "currency" in body:
            values["currency"] = _ref(body["currency"], "currency")
        if "email" in body and body["email"] and "@" not in str(body["email"]):
            raise NsError(400, "INVALID_FLD_VALUE", "Enter a valid email address.", "email")
        return values

    def create_vendor(self, body: Mapping[str, Any]) -> int:
        """`POST record/v1/vendor`: the new vendor's id."""
        self._check_permission("vendor")
        if not body.get("companyName"):
            raise NsError(
                400, "USER_ERROR", "Please enter a value for Company Name.", "companyName"
            )
        with self.lock:
            values = self._vendor_values(body)
            vendor_id = int(self.db.execute("SELECT MAX(id) + 1 FROM vendor").fetchone()[0])
            now = self._stamp(None)
            values.update(id=vendor_id, datecreated=now, lastmodifieddate=now)
            values.setdefault("entityid", f"V{vendor_id}")
            values.setdefault("isinactive", "F")
            values.setdefault("currency", 1)
            names = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            self.db.execute(
                f"INSERT INTO vendor ({names}) VALUES ({marks})",  # noqa: S608, column names from the schema
                tuple(values.values()),
            )
        return vendor_id

    def update_vendor(self, vendor_id: int, body: Mapping[str, Any]) -> None:
        """`PATCH record/v1/vendor/{id}`."""
        self._check_permission("vendor")
        with self.lock:
            if not self._exists("vendor", vendor_id):
                raise NsError(404, "NONEXISTENT_ID", f"Record {vendor_id} was not found.")
            values = self._vendor_values(body)
            values["lastmodifieddate"] = self._stamp(None)
            assignments = ", ".join(f"{column} = ?" for column in values)
            self.db.execute(
                f"UPDATE vendor SET {assignments} WHERE id = ?",  # noqa: S608, column names from the schema
                (*values.values(), vendor_id),
            )

    def vendor(self, vendor_id: int) -> dict[str, Any]:
        """A vendor as `GET record/v1/vendor/{id}` shows it."""
        self._check_permission("vendor")
        with self.lock:
            cursor = self.db.execute("SELECT * FROM vendor WHERE id = ?", (vendor_id,))
            row = cursor.fetchone()
            if row is None:
                raise NsError(404, "NONEXISTENT_ID", f"Record {vendor_id} was not found.")
            data = dict(zip([d[0] for d in cursor.description], row, strict=True))
        return {
            "id": str(vendor_id),
            "entityId": data["entityid"],
            "companyName": data["companyname"],
            "email": data["email"],
            "phone": data["phone"],
            "url": data["url"],
            "isInactive": data["isinactive"] == "T",
            "currency": {"id": str(data["currency"])},
        }

    def later(self, seconds: float) -> datetime:
        """The clock's time `seconds` on (for tests that stamp changes)."""
        return self.clock() + timedelta(seconds=seconds)
