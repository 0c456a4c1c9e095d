"""Stable ironbridge record ids.

An id is derived, not stored: `record_id(connection, entity, remote_id)` gives the same answer in
every process, on every node and after a full re-sync, so references resolve whatever order
records arrive in and no id table has to be shared between workers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Final

from pydantic import StringConstraints

from ironbridge.model.entities import Entity

__all__ = [
    "ID_NAMESPACE",
    "ID_PREFIXES",
    "AssetId",
    "InventoryItemId",
    "LocationId",
    "PurchaseOrderId",
    "RemoteId",
    "VendorId",
    "WorkOrderId",
    "entity_of_id",
    "id_pattern",
    "record_id",
]

#: The UUID namespace every record id is derived in. Changing it changes every id ever issued.
ID_NAMESPACE: Final = uuid.UUID("6f0e2b3c-5a1d-5c8e-9f47-2d1b8a7c4e90")

#: The prefix of each entity's ids, so an id says what it is when it shows up in a log or a ticket.
ID_PREFIXES: Final[Mapping[Entity, str]] = MappingProxyType(
    {
        Entity.PURCHASE_ORDERS: "po_",
        Entity.WORK_ORDERS: "wo_",
        Entity.INVENTORY_ITEMS: "item_",
        Entity.VENDORS: "vnd_",
        Entity.ASSETS: "ast_",
        Entity.LOCATIONS: "loc_",
    }
)

_NAMESPACE_BYTES: Final = ID_NAMESPACE.bytes
#: A string as `json.dumps` writes it (ASCII, escaped, quoted).
_json_string: Final = json.encoder.encode_basestring_ascii

_ID_RE: Final = re.compile(r"^([a-z]+_)([0-9a-f]{32})$")
_ENTITY_BY_PREFIX: Final[Mapping[str, Entity]] = MappingProxyType(
    {prefix: entity for entity, prefix in ID_PREFIXES.items()}
)


@functools.lru_cache(maxsize=65_536)
def record_id(connection_id: str, entity: Entity, remote_id: str) -> str:
    """The ironbridge id of the record `remote_id` of `entity` in connection `connection_id`.

    The result is the entity prefix followed by the 32 hex digits of a UUID v5, e.g.
    `po_3f2a...`. It is deterministic and distinct per connection and per entity: the same remote
    id in two connections (or as a vendor and as an item) gives two ids.
    """
    # Cached: a sync computes the same reference ids (an order's vendor, its lines' items)
    # over and over, and a UUID v5 costs a SHA-1 and a JSON encoding each time.
    # A JSON array is an unambiguous encoding of the three parts: joining with a separator
    # would let ("a:b", "c") and ("a", "b:c") collide. ASCII escaping keeps any string
    # (even lone surrogates) encodable for uuid5.
    parts = (connection_id, str(entity.value), remote_id)
    if all(type(part) is str for part in parts):
        # What `json.dumps(list(parts))` writes, without its encoder set up for each call.
        name = "[" + ", ".join([_json_string(part) for part in parts]) + "]"
    else:
        name = json.dumps(list(parts))
    # `uuid.uuid5(ID_NAMESPACE, name).hex` without building a UUID object: the first 16 bytes
    # of the SHA-1, with the version (5) and the variant (RFC 4122) set.
    digest = bytearray(
        hashlib.sha1(_NAMESPACE_BYTES + name.encode(), usedforsecurity=False).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    return ID_PREFIXES[entity] + digest.hex()


def id_pattern(entity: Entity) -> str:
    """The regular expression every id of `entity` matches, for input validation and OpenAPI."""
    return rf"^{ID_PREFIXES[entity]}[0-9a-f]{{32}}$"


def entity_of_id(value: str) -> Entity | None:
    """The entity an ironbridge id belongs to, or None when `value` is not an ironbridge id."""
    match = _ID_RE.match(value)
    if match is None:
        return None
    return _ENTITY_BY_PREFIX.get(match.group(1))


PurchaseOrderId = Annotated[str, StringConstraints(pattern=id_pattern(Entity.PURCHASE_ORDERS))]
"""An ironbridge purchase order id (`po_` + 32 hex digits)."""
WorkOrderId = Annotated[str, StringConstraints(pattern=id_pattern(Entity.WORK_ORDERS))]
"""An ironbridge work order id (`wo_` + 32 hex digits)."""
InventoryItemId = Annotated[str, StringConstraints(pattern=id_pattern(Entity.INVENTORY_ITEMS))]
"""An ironbridge inventory item id (`item_` + 32 hex digits)."""
VendorId = Annotated[str, StringConstraints(pattern=id_pattern(Entity.VENDORS))]
"""An ironbridge vendor id (`vnd_` + 32 hex digits)."""
AssetId = Annotated[str, StringConstraints(pattern=id_pattern(Entity.ASSETS))]
"""An ironbridge asset id (`ast_` + 32 hex digits)."""
LocationId = Annotated[str, StringConstraints(pattern=id_pattern(Entity.LOCATIONS))]
"""An ironbridge location id (`loc_` + 32 hex digits)."""
RemoteId = Annotated[str, StringConstraints(min_length=1, max_length=255)]
"""A source system's id of a record, as given in a write body."""
