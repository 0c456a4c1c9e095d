"""Seeded sample data of one Maximo organisation: two sites with their locations, an asset
hierarchy, storerooms with balances, vendors, hundreds of work orders in every status (with
tasks, issued materials and status history) and purchase orders, plus the synonym domains
with values each site customised. Everything is dated back from the emulator's clock.

The shapes are authored in Maximo's attribute names (MXAPIWODETAIL, MXAPIASSET, MXAPIOPERLOC,
MXAPIINVENTORY, MXAPIVENDOR, MXAPIPO), shape-compatible with IBM's JSON API; no IBM data is
copied.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

__all__ = ["ORG", "SITES", "STATUS_DOMAINS", "Seeded", "seed"]

ORG: Final = "EAGLENA"
SITES: Final = ("BEDFORD", "NASHUA")
ITEMSET: Final = "SET1"

#: Each status domain's internal values (maxvalue) and their descriptions.
STATUS_DOMAINS: Final = {
    "WOSTATUS": {
        "WAPPR": "Waiting on Approval",
        "APPR": "Approved",
        "WSCH": "Waiting to be Scheduled",
        "WMATL": "Waiting on Material",
        "WPCOND": "Waiting on Plant Cond",
        "INPRG": "In Progress",
        "COMP": "Completed",
        "CLOSE": "Closed",
        "CAN": "Canceled",
    },
    "POSTATUS": {
        "WAPPR": "Waiting on Approval",
        "APPR": "Approved",
        "INPRG": "In Progress",
        "HOLD": "On Hold",
        "REVISE": "Revision in Progress",
        "CLOSE": "Closed",
        "CAN": "Canceled",
    },
    "LOCASSETSTATUS": {
        "OPERATING": "Operating",
        "NOT READY": "Not Ready",
        "DECOMMISSIONED": "Decommissioned",
    },
    "ITEMSTATUS": {
        "ACTIVE": "Active",
        "PLANNING": "Planning",
        "PENDOBS": "Pending Obsolescence",
        "OBSOLETE": "Obsolete",
    },
}
#: Values sites added to the domains: (domain, site, value, maxvalue, description).
_SITE_SYNONYMS: Final = (
    ("WOSTATUS", "NASHUA", "WAITPARTS", "WMATL", "Waiting for Parts"),
    ("WOSTATUS", "NASHUA", "DISPATCH", "APPR", "Dispatched to Crew"),
    ("WOSTATUS", "BEDFORD", "FIELDCOMP", "COMP", "Field Work Complete"),
    ("LOCASSETSTATUS", "NASHUA", "BROKEN", "NOT READY", "Broken Down"),
    ("POSTATUS", "BEDFORD", "PENDAPPR", "WAPPR", "Pending Budget Approval"),
)

_WORDS: Final = ("Pump", "Motor", "Fan", "Compressor", "Conveyor", "Chiller", "Boiler", "Valve")
_CRAFTS: Final = ("MECH", "ELECT", "HVAC", "PLUMB")
_PEOPLE: Final = ("WILSON", "SMITH", "GARCIA", "CHEN", "OKAFOR", "MULLER")
_WORK_TYPES: Final = ("CM", "PM", "EM", "CAL", "CP")
_STEPS: Final = ("Isolate", "Inspect", "Replace", "Test", "Clean")


class Seeded:
    """The seeded rows per object structure, and the domain's synonym rows."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.synonyms: list[dict[str, Any]] = []


def _synonyms() -> Iterator[dict[str, Any]]:
    for domain, values in STATUS_DOMAINS.items():
        for value, description in values.items():
            yield {
                "domainid": domain,
                "value": value,
                "maxvalue": value,
                "defaults": True,
                "description": description,
                "siteid": None,
                "orgid": None,
            }
    for domain, site, value, maxvalue, description in _SITE_SYNONYMS:
        yield {
            "domainid": domain,
            "value": value,
            "maxvalue": maxvalue,
            "defaults": False,
            "description": description,
            "siteid": site,
            "orgid": ORG,
        }


def seed(now: datetime, *, work_orders: int = 400, rng_seed: int = 20) -> Seeded:
    """The organisation's rows; `now` (aware) is the moment every date lies before."""
    rng = random.Random(rng_seed)  # noqa: S311, sample data, not secrets
    start = now - timedelta(days=200)
    span = int((now - start).total_seconds()) - 3600  # nothing in the last hour

    def moment() -> datetime:
        return (start + timedelta(seconds=rng.randrange(span))).replace(microsecond=0)

    out = Seeded()
    out.synonyms = list(_synonyms())
    site_values: dict[tuple[str, str], list[str]] = {}
    for row in out.synonyms:
        for site in SITES:
            if row["siteid"] in (None, site):
                site_values.setdefault((row["domainid"], site), []).append(row["value"])

    def status(domain: str, site: str, maxvalue: str) -> str:
        choices = [
            row["value"]
            for row in out.synonyms
            if row["domainid"] == domain
            and row["maxvalue"] == maxvalue
            and row["siteid"] in (None, site)
        ]
        return str(rng.choice(choices))

    companies: list[dict[str, Any]] = []
    for number in range(1, 31):
        kind = "M" if number > 24 else "V"
        changed = moment()
        companies.append(
            {
                "companiesid": number,
                "company": f"{'MFR' if kind == 'M' else 'VEN'}{number:03d}",
                "orgid": ORG,
                "name": f"{rng.choice(_WORDS)} {'Works' if kind == 'M' else 'Supply'} {number}",
                "type": kind,
                "disabled": number % 9 == 0,
                "currencycode": "USD",
                "phone1": f"+1 603 555 01{number:02d}",
                "homepage": f"https://c{number}.example",
                "address1": f"{number * 10} Mill Road",
                "city": "Bedford",
                "stateprovince": "NH",
                "zip": "03110",
                "country": "US",
                "paymentterms": "NET30",
                "changedate": changed,
                "changeby": rng.choice(_PEOPLE),
            }
        )
    out.rows["mxapivendor"] = companies
    vendors = [c["company"] for c in companies if c["type"] == "V" and not c["disabled"]]
    makers = [c["company"] for c in companies if c["type"] == "M"]

    locations: list[dict[str, Any]] = []
    operating: dict[str, list[str]] = {}
    storerooms: dict[str, list[str]] = {"BEDFORD": ["CENTRAL", "STORE2"], "NASHUA": ["NSTORE"]}
    for site in SITES:
        prefix = site[0]
        for building in range(1, 5):
            code = f"{prefix}B{building}00"
            rows: list[tuple[str, str, str | None]] = [(code, f"Building {building}", None)]
            rows += [
                (f"{code}-{room}", f"Building {building} area {room}", code) for room in range(1, 4)
            ]
            for loc, name, parent in rows:
                decommissioned = loc.endswith("-3") and building == 4
                locations.append(
                    {
                        "location": loc,
                        "siteid": site,
                        "orgid": ORG,
                        "description": name,
                        "type": "OPERATING",
                        "parent": parent,
                        "status": status(
                            "LOCASSETSTATUS",
                            site,
                            "DECOMMISSIONED" if decommissioned else "OPERATING",
                        ),
                        "changedate": moment(),
                        "changeby": rng.choice(_PEOPLE),
                    }
                )
                operating.setdefault(site, []).append(loc)
        for store in storerooms[site]:
            locations.append(
                {
                    "location": store,
                    "siteid": site,
                    "orgid": ORG,
                    "description": f"{store} storeroom",
                    "type": "STOREROOM",
                    "parent": None,
                    "status": status("LOCASSETSTATUS", site, "OPERATING"),
                    "changedate": moment(),
                    "changeby": rng.choice(_PEOPLE),
                }
            )
    for number, row in enumerate(locations, start=1):
        row["locationsid"] = number
    out.rows["mxapioperloc"] = locations

    assets: list[dict[str, Any]] = []
    by_site: dict[str, list[str]] = {}
    for site in SITES:
        for number in range(1, 61):
            assetnum = f"{11000 + number * 10 + (0 if site == 'BEDFORD' else 5)}"
            parent = None
            if number % 4 and by_site.get(site):
                parent = rng.choice(by_site[site][-6:])
            word = rng.choice(_WORDS)
            state = rng.choices(["OPERATING", "NOT READY", "DECOMMISSIONED"], [8, 2, 1])[0]
            assets.append(
                {
                    "assetnum": assetnum,
                    "siteid": site,
                    "orgid": ORG,
                    "description": f"{word} {number} - {site.title()}",
                    "assettype": word.upper(),
                    "status": status("LOCASSETSTATUS", site, state),
                    "location": rng.choice(operating[site]),
                    "parent": parent,
                    "serialnum": f"SN{rng.randrange(10**6, 10**7)}",
                    "manufacturer": rng.choice(makers),
                    "vendor": rng.choice(vendors),
                    "installdate": moment().date().isoformat(),
                    "priority": rng.choice([1, 2, 3, None]),
                    "isrunning": state == "OPERATING",
                    "changedate": moment(),
                    "changeby": rng.choice(_PEOPLE),
                }
            )
            by_site.setdefault(site, []).append(assetnum)
    for number, row in enumerate(assets, start=1):
        row["assetuid"] = number
    out.rows["mxapiasset"] = assets

    items = [
        (f"{prefix}-{number:04d}", f"{word} {part}", unit)
        for number, (prefix, word, part, unit) in enumerate(
            (
                rng.choice(("PMP", "MTR", "FLT", "BRG")),
                rng.choice(_WORDS),
                rng.choice(("seal kit", "bearing", "filter", "belt", "gasket")),
                rng.choice(("EACH", "SET", "BOX")),
            )
            for _ in range(40)
        )
    ]
    inventory: list[dict[str, Any]] = []
    balance_id = 0
    for index, (itemnum, description, unit) in enumerate(items):
        places = [(site, store) for site in SITES for store in storerooms[site]]
        for site, store in rng.sample(places, rng.randrange(1, len(places) + 1)):
            balances: list[dict[str, Any]] = []
            for bin_index in range(rng.randrange(1, 3)):
                balance_id += 1
                balances.append(
                    {
                        "invbalancesid": balance_id,
                        "binnum": f"A-{bin_index + 1}",
                        "lotnum": None,
                        "curbal": rng.randrange(0, 80),
                        "physcnt": None,
                        "physcntdate": None,
                    }
                )
            total = sum(int(b["curbal"]) for b in balances)
            reserved = min(total, rng.randrange(0, 6))
            inventory.append(
                {
                    "itemnum": itemnum,
                    "itemsetid": ITEMSET,
                    "location": store,
                    "siteid": site,
                    "orgid": ORG,
                    "description": description,
                    "issueunit": unit,
                    "orderunit": unit,
                    "status": status(
                        "ITEMSTATUS",
                        site,
                        "OBSOLETE"
                        if index % 13 == 12
                        else "PENDOBS"
                        if index % 11 == 10
                        else "ACTIVE",
                    ),
                    "minlevel": rng.randrange(0, 10),
                    "avgcost": str(Decimal(rng.randrange(200, 90000)) / 100),
                    "curbaltotal": total,
                    "reservedqty": reserved,
                    "avblbalance": total - reserved,
                    "invbalances": balances,
                }
            )
    for number, row in enumerate(inventory, start=1):
        row["inventoryid"] = number
    out.rows["mxapiinventory"] = inventory
    stocked = {(row["siteid"], row["itemnum"]): row["location"] for row in inventory}

    orders: list[dict[str, Any]] = []
    maxvalues = list(STATUS_DOMAINS["WOSTATUS"])
    for number in range(1, work_orders + 1):
        site = SITES[number % 2]
        maxvalue = maxvalues[number % len(maxvalues)]
        reported = moment()
        asset = rng.choice([a for a in assets if a["siteid"] == site])
        started = maxvalue in ("INPRG", "COMP", "CLOSE")
        done = maxvalue in ("COMP", "CLOSE")
        value = status("WOSTATUS", site, maxvalue)
        changed = max(reported, moment())
        tasks = [
            {
                "taskid": step * 10,
                "description": f"Step {step}: {rng.choice(_STEPS)}",
                "status": "COMP" if done else value,
                "estdur": float(rng.choice((0.5, 1, 2))),
            }
            for step in range(1, rng.randrange(0, 5) + 1)
        ]
        parts = []
        if started:
            for line, (item_site, itemnum) in enumerate(
                rng.sample([k for k in stocked if k[0] == site], 2), start=1
            ):
                quantity = rng.randrange(1, 4)
                parts.append(
                    {
                        "matusetransid": number * 10 + line,
                        "siteid": site,
                        "itemnum": itemnum,
                        "storeloc": stocked[(item_site, itemnum)],
                        "quantity": -quantity,
                        "positivequantity": quantity,
                        "issuetype": "ISSUE",
                        "transdate": changed,
                    }
                )
        orders.append(
            {
                "workorderid": number,
                "wonum": f"{1000 + number}",
                "siteid": site,
                "orgid": ORG,
                "woclass": "WORKORDER",
                "istask": False,
                "description": f"{rng.choice(('Repair', 'Inspect', 'Service', 'Replace seal on'))} "
                f"{asset['description'].split(' - ')[0]}",
                "description_longdescription": None
                if number % 3
                else "Noise reported by operator.",
                "status": value,
                "statusdate": changed,
                "worktype": rng.choice(_WORK_TYPES),
                "wopriority": rng.choice((1, 2, 3, 4, None)),
                "assetnum": asset["assetnum"],
                "location": asset["location"],
                "reportedby": rng.choice(_PEOPLE),
                "reportdate": reported,
                "lead": rng.choice(_PEOPLE) if number % 4 else None,
                "crewid": None,
                "schedstart": reported + timedelta(days=2),
                "schedfinish": reported + timedelta(days=2, hours=4),
                "targcompdate": reported + timedelta(days=7),
                "actstart": reported + timedelta(days=2) if started else None,
                "actfinish": reported + timedelta(days=2, hours=3) if done else None,
                "estdur": float(rng.choice((1, 2, 4, 8))),
                "actlabhrs": 3.0 if done else 0.0,
                "changedate": changed,
                "changeby": rng.choice(_PEOPLE),
                "woactivity": tasks,
                "matusetrans": parts,
                "wostatus": [
                    {
                        "status": value,
                        "changedate": changed,
                        "changeby": rng.choice(_PEOPLE),
                        "memo": None,
                    }
                ],
            }
        )
    out.rows["mxapiwodetail"] = orders

    pos: list[dict[str, Any]] = []
    po_states = ("WAPPR", "APPR", "APPR", "APPR", "INPRG", "HOLD", "CLOSE", "CAN")
    for number in range(1, 121):
        site = SITES[number % 2]
        maxvalue = po_states[number % len(po_states)]
        ordered = moment()
        lines = []
        for line in range(1, rng.randrange(1, 5) + 1):
            itemnum = rng.choice([k[1] for k in stocked if k[0] == site])
            quantity = rng.randrange(1, 20)
            cost = Decimal(rng.randrange(500, 20000)) / 100
            lines.append(
                {
                    "polineid": number * 10 + line,
                    "polinenum": line,
                    "siteid": site,
                    "itemnum": itemnum,
                    "itemsetid": ITEMSET,
                    "linetype": "ITEM",
                    "description": f"{itemnum} for stock",
                    "orderqty": quantity,
                    "orderunit": "EACH",
                    "unitcost": str(cost),
                    "linecost": str(cost * quantity),
                    "receivedqty": 0,
                    "storeloc": stocked[(site, itemnum)],
                    "reqdeliverydate": (ordered + timedelta(days=14)).date().isoformat(),
                }
            )
        receipts = "NONE"
        if maxvalue in ("APPR", "CLOSE"):
            receipts = (
                "COMPLETE" if maxvalue == "CLOSE" else rng.choice(("NONE", "PARTIAL", "COMPLETE"))
            )
            for line_row in lines:
                line_row["receivedqty"] = (
                    line_row["orderqty"]
                    if receipts == "COMPLETE"
                    else line_row["orderqty"] // 2
                    if receipts == "PARTIAL"
                    else 0
                )
        amount = sum((Decimal(line_row["linecost"]) for line_row in lines), Decimal(0))
        tax = (amount * Decimal("0.05")).quantize(Decimal("0.01"))
        pos.append(
            {
                "poid": number,
                "ponum": f"{2000 + number}",
                "revisionnum": 0,
                "siteid": site,
                "orgid": ORG,
                "description": f"Stock replenishment {number}",
                "status": status("POSTATUS", site, maxvalue),
                "statusdate": ordered,
                "vendor": rng.choice(vendors),
                "orderdate": ordered,
                "requireddate": (ordered + timedelta(days=14)).date().isoformat(),
                "vendeliverydate": (ordered + timedelta(days=10)).date().isoformat(),
                "currencycode": "USD",
                "pretaxtotal": str(amount),
                "totaltax1": str(tax),
                "totalcost": str(amount + tax),
                "purchaseagent": rng.choice(_PEOPLE),
                "paymentterms": "NET30",
                "receipts": receipts,
                "historyflag": maxvalue in ("CLOSE", "CAN"),
                "changedate": max(ordered, moment()),
                "changeby": rng.choice(_PEOPLE),
                "poline": lines,
            }
        )
    out.rows["mxapipo"] = pos
    return out
