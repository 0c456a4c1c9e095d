"""The emulated Maximo: its records, who may sign in, and its business rules.

- Reads: `oslc.where`/`oslc.select`/`oslc.orderBy` (see `query.py`), `oslc.pageSize` with
  `pageno` and `responseInfo.nextPage.href`, `stablepaging=1` (a fixed result set read
  forward), `collectioncount=1`, `lean=1` (without it, `spi:`/`rdf:` names).
- Every write moves the record's `_rowstamp` on, from one counter; work orders, assets,
  locations, companies and purchase orders also get a new `changedate`. Inventory has no
  change date: an adjustment moves its rowstamp only.
- Work-order status changes follow Maximo's transition table on the internal values
  (`TRANSITIONS`): a closed or cancelled order is read only (BMXAA0031E), a change the table
  does not allow is BMXAA4590E. Status values are the site's synonyms of the WOSTATUS domain.
- Updates merge child arrays with `patchtype: MERGE` and replace them without (IBM Maximo REST
  client README, 3.3); `If-Match` with a stale rowstamp is refused (BMXAA8229W, 412).

Error codes BMXAA8727E (not found), BMXAA7901E (sign-in), BMXAA0031E (read only),
BMXAA4590E/BMXAA0032E (status) follow published Maximo answers; the others are authored in
the same form.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Final
from urllib.parse import quote
from zoneinfo import ZoneInfo

from ironbridge.testing.emulators.maximo.data import ORG, SITES, STATUS_DOMAINS, seed
from ironbridge.testing.emulators.maximo.query import (
    QueryError,
    Selection,
    order_rows,
    parse_order,
    parse_select,
    parse_where,
)
from ironbridge.testing.emulators.maximo.structures import STRUCTURES, Structure, member_id
from ironbridge.testing.faults import RateLimitFaults

__all__ = ["TRANSITIONS", "Faults", "MaximoEmulator", "MaximoError"]

#: Work-order status changes Maximo allows, on internal values (WOStatusHandler's table as
#: IBM support describes it); CLOSE and CAN allow none.
TRANSITIONS: Final = {
    "WAPPR": {"APPR", "WSCH", "WMATL", "WPCOND", "INPRG", "COMP", "CLOSE", "CAN"},
    "APPR": {"WAPPR", "WSCH", "WMATL", "WPCOND", "INPRG", "COMP", "CLOSE", "CAN"},
    "WSCH": {"WAPPR", "APPR", "WMATL", "WPCOND", "INPRG", "COMP", "CLOSE", "CAN"},
    "WMATL": {"WAPPR", "APPR", "WSCH", "WPCOND", "INPRG", "COMP", "CLOSE", "CAN"},
    "WPCOND": {"WAPPR", "APPR", "WSCH", "WMATL", "INPRG", "COMP", "CLOSE", "CAN"},
    "INPRG": {"WAPPR", "WMATL", "COMP", "CLOSE"},
    "COMP": {"CLOSE"},
    "CLOSE": set(),
    "CAN": set(),
}
_FINAL: Final = frozenset({"CLOSE", "CAN"})
_DATES: Final = frozenset(
    {
        "schedstart",
        "schedfinish",
        "targcompdate",
        "actstart",
        "actfinish",
        "reportdate",
        "orderdate",
        "statusdate",
    }
)
_WRITABLE: Final = {
    "mxapiwodetail": frozenset(
        {
            "siteid",
            "wonum",
            "description",
            "description_longdescription",
            "worktype",
            "wopriority",
            "assetnum",
            "location",
            "lead",
            "reportedby",
            "schedstart",
            "schedfinish",
            "targcompdate",
            "actstart",
            "actfinish",
            "estdur",
            "actlabhrs",
            "status",
            "woactivity",
            "crewid",
        }
    ),
    "mxapipo": frozenset(
        {
            "siteid",
            "ponum",
            "description",
            "vendor",
            "orderdate",
            "requireddate",
            "vendeliverydate",
            "currencycode",
            "purchaseagent",
            "paymentterms",
            "poline",
        }
    ),
}
_PO_LINE: Final = frozenset(
    {
        "polinenum",
        "itemnum",
        "description",
        "orderqty",
        "orderunit",
        "unitcost",
        "storeloc",
        "reqdeliverydate",
        "linetype",
    }
)
_TASK: Final = frozenset({"taskid", "description", "status", "estdur"})
#: Stable result sets kept at once.
_STABLE_SETS: Final = 64


class MaximoError(Exception):
    """An answer in Maximo's error body: `{"Error": {"reasonCode", "message", "statusCode"}}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, f"{code} - {message}"


def not_found(structure: str, member: str) -> MaximoError:
    """BMXAA8727E: no such member."""
    return MaximoError(
        404,
        "BMXAA8727E",
        f"The OSLC resource {structure.upper()} with the ID {member} was "
        "not found as it does not exist in the system. In the database, verify whether the "
        "resource for the ID exists.",
    )


def _invalid(text: str) -> MaximoError:
    return MaximoError(400, "BMXAA4153E", text)


def _required(attribute: str, mbo: str) -> MaximoError:
    return MaximoError(
        400, "BMXAA4195E", f"A value is required for the {attribute} field on the {mbo} object."
    )


@dataclass
class Faults(RateLimitFaults):
    """Failures to inject, counted down as requests arrive (`Faults.parse("fail=3,delay=0.2")`).

    - `fail_requests`: the next N requests answer `fail_status` (503).
    - `rate_limit_requests`: the next N requests answer 429 with `Retry-After: 1`.
    - `delay`: seconds every request takes.
    - `expire_credentials_after`: after N more requests every key and password is refused.
    """

    expire_credentials_after: int | None = None

    NAMES: ClassVar[Mapping[str, str]] = {
        **RateLimitFaults.NAMES,
        "expire_after": "expire_credentials_after",
    }


def _number(value: Any, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _invalid(f"{value!r} is not a valid number for {name.upper()}.") from None
    if not number.is_finite():
        raise _invalid(f"{value!r} is not a valid number for {name.upper()}.")
    return number


def _instant(value: Any, name: str, zone: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(f"{value!r} is not a valid date for {name.upper()}.") from None
    # A time without an offset is the server's local time, as Maximo reads it.
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@dataclass
class MaximoEmulator:
    """One Maximo instance's state, shared by every request (guarded by one lock)."""

    work_orders: int = 400
    #: The zone the server writes times in (Maximo shows its own offset).
    zone: str = "America/New_York"
    #: When changes happen (sign-in does not depend on it).
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    faults: Faults = field(default_factory=Faults)
    #: Object structures the user's security groups do not grant.
    denied: set[str] = field(default_factory=set)
    api_keys: set[str] = field(default_factory=set)
    users: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        seeded = seed(self.clock(), work_orders=self.work_orders)
        self.rowstamp = 1_000_000
        self.tables: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in STRUCTURES}
        everything = sorted(
            ((name, row) for name, rows in seeded.rows.items() for row in rows),
            key=lambda pair: pair[1].get("changedate") or datetime.min.replace(tzinfo=UTC),
        )
        for name, row in everything:
            self._store(STRUCTURES[name], row)
        for number, domain in enumerate(STATUS_DOMAINS, start=1):
            rows = [dict(row) for row in seeded.synonyms if row["domainid"] == domain]
            self._store(
                STRUCTURES["mxapidomain"],
                {
                    "maxdomainid": number,
                    "domainid": domain,
                    "domaintype": "SYNONYM",
                    "description": f"{domain.title()} values",
                    "synonymdomain": rows,
                },
            )
        self.stable: dict[str, list[dict[str, Any]]] = {}
        self.expired = False

    # -- records -------------------------------------------------------------------------

    def _store(self, structure: Structure, row: dict[str, Any]) -> str:
        self.rowstamp += 1
        row["_rowstamp"] = str(self.rowstamp)
        member = member_id(structure, row)
        self.tables[structure.name][member] = row
        return member

    def attributes(self, name: str) -> frozenset[str]:
        """The attributes rows of `name` have (for `oslc.where` and `oslc.orderBy`)."""
        names: set[str] = {"_rowstamp"}
        for row in self.tables[name].values():
            names.update(key for key in row if key not in STRUCTURES[name].children)
        return frozenset(names)

    def structure(self, name: str) -> Structure:
        """The object structure `name`, checked against the user's security groups."""
        structure = STRUCTURES.get(name.lower())
        if structure is None:
            raise MaximoError(
                404, "BMXAA8714E", f"The object structure {name.upper()} was not found."
            )
        if structure.name in self.denied:
            raise MaximoError(
                403,
                "BMXAA9051E",
                f"You are not authorized to access the object structure "
                f"{name.upper()}. Ask your administrator for a security group that grants it.",
            )
        return structure

    def row(self, name: str, member: str) -> dict[str, Any]:
        """The stored row of member `member`; BMXAA8727E when there is none."""
        found = self.tables[self.structure(name).name].get(member)
        if found is None:
            raise not_found(name, member)
        return found

    def find(self, name: str, **match: Any) -> tuple[str, dict[str, Any]]:
        """The first member of `name` whose attributes equal `match` (for tests)."""
        with self.lock:
            for member, row in self.tables[name].items():
                if all(row.get(key) == value for key, value in match.items()):
                    return member, row
        raise KeyError(match)

    def now(self) -> datetime:
        """The clock's time, to the second, as Maximo stores change dates."""
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def touch(self, name: str, member: str, *, at: datetime | None = None, **changes: Any) -> None:
        """Change a record as a Maximo user would (for tests): new values, rowstamp, changedate."""
        with self.lock:
            row = self.tables[name][member]
            row.update(changes)
            if "changedate" in row:
                row["changedate"] = (at or self.now()).astimezone(UTC).replace(microsecond=0)
            self.rowstamp += 1
            row["_rowstamp"] = str(self.rowstamp)

    # -- rendering -------------------------------------------------------------------------

    def render(self, value: Any) -> Any:
        """A stored value as JSON shows it (times in the server's zone, to the second)."""
        if isinstance(value, datetime):
            return value.astimezone(ZoneInfo(self.zone)).replace(microsecond=0).isoformat()
        if isinstance(value, Decimal):
            return _plain(value)
        if isinstance(value, list):
            return [self.render(item) for item in value]
        if isinstance(value, dict):
            return {key: self.render(item) for key, item in value.items()}
        return value

    def shown(
        self,
        structure: Structure,
        member: str,
        row: Mapping[str, Any],
        selection: Selection,
        base: str,
    ) -> dict[str, Any]:
        """A member as a response shows it: selected attributes, `href` and `_rowstamp`."""
        out: dict[str, Any] = {
            "href": f"{base}/os/{structure.name}/{member}",
            "_rowstamp": row["_rowstamp"],
        }
        for key, value in row.items():
            if key in structure.children:
                wanted = selection.child(key)
                if wanted is not None:
                    out[key] = [
                        {k: self.render(v) for k, v in child.items() if wanted.wants(k)}
                        for child in value
                    ]
            elif selection.wants(key) and value is not None:
                # Maximo leaves empty attributes out of lean JSON.
                out[key] = self.render(value)
        return out

    # -- reads -----------------------------------------------------------------------------

    def collection(
        self, name: str, params: Mapping[str, str], base: str, url: str
    ) -> dict[str, Any]:
        """`GET os/<name>`: one page of the members the query selects."""
        with self.lock:
            structure = self.structure(name)
            if "stableid" in params:
                rows = self.stable.get(params["stableid"])
                if rows is None:
                    raise MaximoError(400, "BMXAA9366E", "The stable result set has expired.")
            else:
                rows = self._select(structure, params, base)
            try:
                size = int(params.get("oslc.pageSize", "0") or 0)
                page = int(params.get("pageno", "1"))
            except ValueError:
                raise _invalid("oslc.pageSize and pageno are whole numbers.") from None
            if size < 0 or page < 1:
                raise _invalid("oslc.pageSize and pageno must be positive.")
            size = size or max(len(rows), 1)
            chunk = rows[(page - 1) * size : page * size]
            info: dict[str, Any] = {"href": url, "pagenum": page}
            if page * size < len(rows):
                following = {k: v for k, v in params.items() if k != "pageno"}
                if params.get("stablepaging") == "1" and "stableid" not in following:
                    token = uuid.uuid4().hex
                    self.stable[token] = rows
                    while len(self.stable) > _STABLE_SETS:
                        # Readers that stop early never fetch the last page; forget the oldest.
                        self.stable.pop(next(iter(self.stable)))
                    following["stableid"] = token
                following["pageno"] = str(page + 1)
                query = "&".join(f"{k}={_quote(v)}" for k, v in following.items())
                info["nextPage"] = {"href": f"{base}/os/{structure.name}?{query}"}
            elif "stableid" in params:
                self.stable.pop(params["stableid"], None)
            if page > 1 and params.get("stablepaging") != "1":
                previous = {**params, "pageno": str(page - 1)}
                query = "&".join(f"{k}={_quote(v)}" for k, v in previous.items())
                info["previousPage"] = {"href": f"{base}/os/{structure.name}?{query}"}
            if params.get("collectioncount") == "1":
                info["totalCount"] = len(rows)
                info["totalPages"] = -(-len(rows) // size)
            return {"member": chunk, "href": f"{base}/os/{structure.name}", "responseInfo": info}

    def _select(
        self, structure: Structure, params: Mapping[str, str], base: str
    ) -> list[dict[str, Any]]:
        attributes = self.attributes(structure.name)
        try:
            conditions = (
                parse_where(params["oslc.where"], attributes) if params.get("oslc.where") else []
            )
            order = parse_order(params.get("oslc.orderBy"), attributes)
            selection = parse_select(params.get("oslc.select"))
        except QueryError as exc:
            raise MaximoError(400, "BMXAA8726E", str(exc)) from None
        found = [
            (member, row)
            for member, row in self.tables[structure.name].items()
            if all(condition.holds(row) for condition in conditions)
        ]
        keyed = {id(row): member for member, row in found}
        rows = order_rows([row for _, row in found], order or [(structure.uid, False)])
        return [self.shown(structure, keyed[id(row)], row, selection, base) for row in rows]

    def member(
        self, name: str, member: str, params: Mapping[str, str], base: str
    ) -> dict[str, Any]:
        """`GET os/<name>/<member>`."""
        with self.lock:
            structure = self.structure(name)
            try:
                selection = parse_select(params.get("oslc.select") or "*")
            except QueryError as exc:
                raise MaximoError(400, "BMXAA8726E", str(exc)) from None
            return self.shown(structure, member, self.row(name, member), selection, base)

    # -- writes ----------------------------------------------------------------------------

    def _synonym(self, domain: str, site: str, value: Any) -> dict[str, Any] | None:
        rows = self.tables["mxapidomain"][
            member_id(STRUCTURES["mxapidomain"], {"domainid": domain})
        ]
        for row in rows["synonymdomain"]:
            if row["value"] == value and row["siteid"] in (None, site):
                return dict(row)
        return None

    def _default(self, domain: str, site: str, maxvalue: str) -> str:
        rows = self.tables["mxapidomain"][
            member_id(STRUCTURES["mxapidomain"], {"domainid": domain})
        ]
        for row in rows["synonymdomain"]:
            if row["maxvalue"] == maxvalue and row["defaults"] and row["siteid"] in (None, site):
                return str(row["value"])
        return maxvalue

    def _exists(self, name: str, **match: Any) -> dict[str, Any] | None:
        for row in self.tables[name].values():
            if all(row.get(key) == value for key, value in match.items()):
                return row
        return None

    def _unknown(self, body: Mapping[str, Any], allowed: frozenset[str], mbo: str) -> None:
        for key in body:
            if key not in allowed:
                raise MaximoError(
                    400,
                    "BMXAA8729E",
                    f"The attribute {key.upper()} is not in the object structure for {mbo}.",
                )

    def _work_order_values(self, row: dict[str, Any], body: Mapping[str, Any]) -> None:
        site = row["siteid"]
        if body.get("assetnum") is not None and not self._exists(
            "mxapiasset", assetnum=body["assetnum"], siteid=site
        ):
            raise _invalid(f"Asset {body['assetnum']} is not a valid asset in site {site}.")
        if body.get("location") is not None and not self._exists(
            "mxapioperloc", location=body["location"], siteid=site
        ):
            raise _invalid(f"Location {body['location']} is not a valid location in site {site}.")
        for key, value in body.items():
            if key in ("status", "woactivity", "siteid", "wonum"):
                continue
            if key in _DATES:
                row[key] = _instant(value, key, ZoneInfo(self.zone))
            elif key in ("wopriority",):
                row[key] = None if value is None else int(_number(value, key))
            elif key in ("estdur", "actlabhrs"):
                row[key] = None if value is None else float(_number(value, key))
            else:
                row[key] = value
        if (
            row.get("schedstart")
            and row.get("schedfinish")
            and row["schedfinish"] < row["schedstart"]
        ):
            raise _invalid("The scheduled finish is before the scheduled start.")
        if "woactivity" in body:
            self._tasks(row, body["woactivity"], merge=False)

    def _tasks(self, row: dict[str, Any], tasks: Any, *, merge: bool) -> None:
        if not isinstance(tasks, list):
            raise _invalid("WOACTIVITY must be an array.")
        kept = {task["taskid"]: task for task in row["woactivity"]} if merge else {}
        for task in tasks:
            self._unknown(task, _TASK, "WOACTIVITY")
            taskid = int(_number(task.get("taskid", (max(kept, default=0) + 10)), "taskid"))
            kept[taskid] = {**kept.get(taskid, {"status": row["status"]}), **task, "taskid": taskid}
        row["woactivity"] = sorted(kept.values(), key=lambda task: task["taskid"])

    def create(self, name: str, body: Mapping[str, Any]) -> str:
        """`POST os/<name>`: the new member's id."""
        with self.lock:
            structure = self.structure(name)
            if structure.name not in _WRITABLE:
                raise MaximoError(
                    405, "BMXAA8730E", f"{structure.name.upper()} cannot be created here."
                )
            self._unknown(body, _WRITABLE[structure.name], structure.mbo)
            site = body.get("siteid")
            if not site:
                raise _required("Site", structure.mbo)
            if site not in SITES:
                raise _invalid(f"{site} is not a valid site.")
            now = self.now()
            uid = (
                max((row[structure.uid] for row in self.tables[structure.name].values()), default=0)
                + 1
            )
            assert structure.autokey is not None
            number = str(
                body.get(structure.autokey)
                or (
                    max(
                        int(row[structure.autokey])
                        for row in self.tables[structure.name].values()
                        if str(row[structure.autokey]).isdigit()
                    )
                    + 1
                )
            )
            if self._exists(structure.name, siteid=site, **{structure.autokey: number}):
                raise MaximoError(
                    400, "BMXAA4129E", f"Record with key {site}/{number} already exists."
                )
            status = self._default(structure.status_domain or "", site, "WAPPR")
            row: dict[str, Any] = {
                structure.uid: uid,
                structure.autokey: number,
                "siteid": site,
                "orgid": ORG,
                "status": status,
                "statusdate": now,
                "changedate": now,
                "changeby": "MXINTADM",
            }
            if structure.name == "mxapiwodetail":
                if not body.get("description"):
                    raise _required("Description", structure.mbo)
                row.update(
                    woclass="WORKORDER",
                    istask=False,
                    reportdate=now,
                    woactivity=[],
                    matusetrans=[],
                    wostatus=[
                        {"status": status, "changedate": now, "changeby": "MXINTADM", "memo": None}
                    ],
                )
                self._work_order_values(row, body)
            else:
                row.update(
                    revisionnum=0,
                    receipts="NONE",
                    historyflag=False,
                    currencycode="USD",
                    orderdate=now,
                    poline=[],
                )
                self._po_values(row, body, merge=False)
            return self._store(structure, row)

    def _po_values(self, row: dict[str, Any], body: Mapping[str, Any], *, merge: bool) -> None:
        if "vendor" in body:
            vendor = self._exists("mxapivendor", company=body["vendor"], orgid=ORG)
            if vendor is None:
                raise _invalid(f"Company {body['vendor']} is not a valid vendor.")
            if vendor["disabled"]:
                raise _invalid(f"Company {body['vendor']} is disabled and cannot be ordered from.")
        elif not row.get("vendor"):
            raise _required("Vendor", "PO")
        for key, value in body.items():
            if key in ("poline", "siteid", "ponum"):
                continue
            row[key] = _instant(value, key, ZoneInfo(self.zone)) if key == "orderdate" else value
        if "poline" in body:
            self._po_lines(row, body["poline"], merge=merge)
        if not row["poline"]:
            raise _required("PO Line", "PO")
        total = sum((Decimal(line["linecost"]) for line in row["poline"]), Decimal(0))
        tax = (total * Decimal("0.05")).quantize(Decimal("0.01"))
        row.update(pretaxtotal=str(total), totaltax1=str(tax), totalcost=str(total + tax))

    def _po_lines(self, row: dict[str, Any], lines: Any, *, merge: bool) -> None:
        if not isinstance(lines, list):
            raise _invalid("POLINE must be an array.")
        kept = {line["polinenum"]: line for line in row["poline"]} if merge else {}
        next_id = max((line["polineid"] for line in row["poline"]), default=row["poid"] * 10) + 1
        for index, line in enumerate(lines):
            self._unknown(line, _PO_LINE, "POLINE")
            number = int(_number(line.get("polinenum", max(kept, default=0) + 1), "polinenum"))
            current = dict(
                kept.get(
                    number,
                    {
                        "polineid": next_id + index,
                        "polinenum": number,
                        "siteid": row["siteid"],
                        "receivedqty": 0,
                        "linetype": "ITEM",
                        "itemsetid": "SET1",
                        "orderunit": "EACH",
                    },
                )
            )
            current.update(line)
            if current.get("itemnum") is None and not current.get("description"):
                raise _required("Description", "POLINE")
            if current.get("itemnum") is not None and not self._exists(
                "mxapiinventory", itemnum=current["itemnum"]
            ):
                raise _invalid(f"Item {current['itemnum']} is not a valid item.")
            store = current.get("storeloc")
            if store is not None and not self._exists(
                "mxapioperloc", location=store, siteid=row["siteid"], type="STOREROOM"
            ):
                raise _invalid(f"Storeroom {store} is not a valid storeroom in {row['siteid']}.")
            quantity = _number(current.get("orderqty"), "orderqty")
            if quantity <= 0:
                raise MaximoError(400, "BMXAA3932E", "The order quantity must be greater than 0.")
            cost = _number(current.get("unitcost", 0), "unitcost")
            current.update(
                orderqty=_plain(quantity), unitcost=str(cost), linecost=str(quantity * cost)
            )
            kept[number] = current
        row["poline"] = sorted(kept.values(), key=lambda line: line["polinenum"])

    def update(
        self,
        name: str,
        member: str,
        body: Mapping[str, Any],
        *,
        merge: bool,
        if_match: str | None = None,
    ) -> None:
        """`POST os/<name>/<member>` with `x-method-override: PATCH`."""
        with self.lock:
            structure = self.structure(name)
            current = self.row(name, member)
            if structure.name not in _WRITABLE:
                raise MaximoError(
                    405, "BMXAA8730E", f"{structure.name.upper()} cannot be updated here."
                )
            if if_match is not None and if_match.strip('W/"') != current["_rowstamp"]:
                raise MaximoError(
                    412,
                    "BMXAA8229W",
                    f"Record {structure.mbo} {member} has been "
                    "updated by another user. Your changes have not been saved. "
                    "Refresh the record and try again.",
                )
            self._unknown(body, _WRITABLE[structure.name], structure.mbo)
            self._read_only(structure, current)
            row = {
                key: (list(value) if isinstance(value, list) else value)
                for key, value in current.items()
            }
            if structure.name == "mxapiwodetail":
                self._work_order_values(row, {k: v for k, v in body.items() if k != "woactivity"})
                if "woactivity" in body:
                    self._tasks(row, body["woactivity"], merge=merge)
                if "status" in body and body["status"] != row["status"]:
                    self._status(row, str(body["status"]), None)
            else:
                self._po_values(row, body, merge=merge)
            row["changedate"] = self.now()
            current.clear()
            current.update(row)
            self.rowstamp += 1
            current["_rowstamp"] = str(self.rowstamp)

    def _read_only(self, structure: Structure, row: Mapping[str, Any]) -> None:
        synonym = self._synonym(structure.status_domain or "", row["siteid"], row["status"])
        if synonym is not None and synonym["maxvalue"] in _FINAL:
            raise MaximoError(
                400,
                "BMXAA0031E",
                f"The {structure.mbo} object is read only. "
                "Verify the business rules for the MBO or MBOSET object.",
            )

    def _status(self, row: dict[str, Any], value: str, memo: str | None) -> None:
        site, number = row["siteid"], row["wonum"]
        refused = f"Could not change Work Order {number} status to {value}."
        target = self._synonym("WOSTATUS", site, value)
        if target is None:
            raise MaximoError(
                400,
                "BMXAA4590E",
                f"{refused}\n\tBMXAA4153E - {value} is not a valid status for site {site}.",
            )
        now_value = self._synonym("WOSTATUS", site, row["status"])
        current = now_value["maxvalue"] if now_value else row["status"]
        if value == row["status"]:
            raise MaximoError(
                400,
                "BMXAA4590E",
                f"{refused}\n\tBMXAA0032E - The status that you "
                "selected is the same as the current status. Select a different "
                "status.",
            )
        if target["maxvalue"] != current and target["maxvalue"] not in TRANSITIONS[current]:
            raise MaximoError(
                400,
                "BMXAA4590E",
                f"{refused}\n\tBMXAA4109E - A work order in "
                f"status {row['status']} cannot be changed to {value}.",
            )
        now = self.now()
        row.update(status=value, statusdate=now, changedate=now)
        if target["maxvalue"] == "INPRG" and row.get("actstart") is None:
            row["actstart"] = now
        if target["maxvalue"] in ("COMP", "CLOSE") and row.get("actfinish") is None:
            row["actfinish"] = now
        row["wostatus"] = [
            *row["wostatus"],
            {"status": value, "changedate": now, "changeby": "MXINTADM", "memo": memo},
        ]

    def change_status(self, name: str, member: str, body: Mapping[str, Any]) -> None:
        """`?action=wsmethod:changeStatus` on a work order: `{"status", "memo"}`."""
        with self.lock:
            structure = self.structure(name)
            row = self.row(name, member)
            if structure.name != "mxapiwodetail":
                raise MaximoError(400, "BMXAA8731E", f"{structure.mbo} has no action changeStatus.")
            if not body.get("status"):
                raise _required("Status", structure.mbo)
            self._read_only(structure, row)
            self._status(row, str(body["status"]), body.get("memo"))
            self.rowstamp += 1
            row["_rowstamp"] = str(self.rowstamp)

    def adjust_balance(self, name: str, member: str, body: Mapping[str, Any]) -> None:
        """`?action=wsmethod:adjustCurrentBalance` on an inventory record:
        `{"binnum", "lotnum", "newcurbal", "memo"}`; the balance of that bin becomes newcurbal."""
        with self.lock:
            structure = self.structure(name)
            row = self.row(name, member)
            if structure.name != "mxapiinventory":
                raise MaximoError(
                    400, "BMXAA8731E", f"{structure.mbo} has no action adjustCurrentBalance."
                )
            if "newcurbal" not in body:
                raise _required("New Current Balance", "INVENTORY")
            balance = _number(body["newcurbal"], "newcurbal")
            if balance < 0:
                raise MaximoError(400, "BMXAA1861E", "The current balance cannot be negative.")
            wanted = body.get("binnum")
            bins = [b for b in row["invbalances"] if wanted is None or b["binnum"] == wanted]
            if not bins:
                raise _invalid(
                    f"Bin {wanted} holds no balance of item {row['itemnum']} in "
                    f"storeroom {row['location']}."
                )
            bins[0]["curbal"] = _plain(balance)
            bins[0]["physcntdate"] = self.now()
            total = sum(Decimal(str(b["curbal"])) for b in row["invbalances"])
            reserved = Decimal(str(row["reservedqty"]))
            row.update(
                curbaltotal=_plain(total), avblbalance=_plain(max(total - reserved, Decimal(0)))
            )
            self.rowstamp += 1
            row["_rowstamp"] = str(self.rowstamp)

    # -- sign-in ---------------------------------------------------------------------------

    def signed_in(self, api_key: str | None, user: str | None, password: str | None) -> str | None:
        """The user a request signs in as; None when the credentials are refused."""
        if self.expired:
            return None
        if api_key is not None:
            return "MXINTADM" if api_key in self.api_keys else None
        if user is not None and self.users.get(user) == password:
            return user.upper()
        return None

    def whoami(self, user: str) -> dict[str, Any]:
        """`GET whoami`: the signed-in user's profile."""
        return {
            "personid": user,
            "userName": user,
            "displayName": user.title(),
            "defsite": SITES[0],
            "insertOrg": ORG,
            "langcode": "EN",
            "baseCurrency": "USD",
        }

    def later(self, seconds: float) -> datetime:
        """The clock's time `seconds` on (for tests that date changes)."""
        return self.clock() + timedelta(seconds=seconds)


def _quote(value: str) -> str:
    return quote(value, safe="")
