"""The object structures the emulator serves: their main object, key, unique id and children,
and how a member's id is written in its URL.

A member URL ends in `_` + the base64 of the key values joined by `/`, with `=` written `-`
(`_QkVERk9SRC8xMDAx` is `BEDFORD/1001`), as Maximo's JSON API writes them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["STRUCTURES", "Structure", "member_id"]


@dataclass(frozen=True)
class Structure:
    """One object structure: `mbo` is its main object, `key` its primary key attributes,
    `uid` its unique id attribute, `children` its child objects, `autokey` the number Maximo
    assigns on create, `status_domain` the synonym domain of its `status`."""

    name: str
    mbo: str
    description: str
    key: tuple[str, ...]
    uid: str
    children: tuple[str, ...] = ()
    autokey: str | None = None
    status_domain: str | None = None


STRUCTURES: Final = {
    s.name: s
    for s in (
        Structure(
            "mxapiwodetail",
            "WORKORDER",
            "Maximo API for Work Orders with Plans and Reservations",
            ("siteid", "wonum"),
            "workorderid",
            ("woactivity", "matusetrans", "wostatus"),
            "wonum",
            "WOSTATUS",
        ),
        Structure(
            "mxapiasset",
            "ASSET",
            "Maximo API for Assets",
            ("assetnum", "siteid"),
            "assetuid",
            status_domain="LOCASSETSTATUS",
        ),
        Structure(
            "mxapioperloc",
            "LOCATIONS",
            "Maximo API for Operating Locations",
            ("location", "siteid"),
            "locationsid",
            status_domain="LOCASSETSTATUS",
        ),
        Structure(
            "mxapiinventory",
            "INVENTORY",
            "Maximo API for Inventory",
            ("itemnum", "itemsetid", "siteid", "location"),
            "inventoryid",
            ("invbalances",),
            status_domain="ITEMSTATUS",
        ),
        Structure(
            "mxapivendor",
            "COMPANIES",
            "Maximo API for Companies",
            ("company", "orgid"),
            "companiesid",
        ),
        Structure(
            "mxapipo",
            "PO",
            "Maximo API for Purchase Orders",
            ("ponum", "revisionnum", "siteid"),
            "poid",
            ("poline",),
            "ponum",
            "POSTATUS",
        ),
        Structure(
            "mxapidomain",
            "MAXDOMAIN",
            "Maximo API for Domains",
            ("domainid",),
            "maxdomainid",
            ("synonymdomain",),
        ),
    )
}


def member_id(structure: Structure, row: dict[str, Any]) -> str:
    """The id in a member's URL."""
    text = "/".join(str(row[name]) for name in structure.key)
    return "_" + base64.b64encode(text.encode()).decode().replace("=", "-")
