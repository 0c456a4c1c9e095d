"""The connector kit: what a system package is declared with.

- `Wire` (`wire.py`): how a protocol family spells paths and typed values.
- The map vocabulary (`fields.py`): `Text`, `Number`, `Day`, `Stamp`, `Code`, `Ref`, `Rows`,
  `Sum`, ... — one set of converters for reads and writes, read through a family's wire.
- `RecordMap` and `Mapper` (`maps.py`): an entity's table, and a connector's tables bound to
  its wire, which are its `to_unified` and its write bodies.
- `guards.py`: the checks every session makes on what the service hands it.
- `pages` (`pages.py`): a record stream chunked into the pages `list_changes` yields.
- `zones.py`: systems that show times in a zone of their own (`ZonedWire`, `zone_of`).
- `pager.py`: one keyset pager over a family's query callable (`KeysetPager`, `Seek`), for exact
  change stamps and for stamps shown at a coarser granularity.
"""

from ironbridge.connectors.kit.fields import (
    STRICT,
    Code,
    Const,
    Day,
    DayStart,
    Field,
    First,
    Flag,
    Flags,
    Integer,
    MapContext,
    Number,
    Place,
    Ref,
    Rows,
    Stamp,
    Sum,
    Text,
    names,
    read_fields,
    source_code,
    write_fields,
)
from ironbridge.connectors.kit.guards import ensure_page_size, ensure_resolved
from ironbridge.connectors.kit.maps import Derive, Mapper, RecordMap
from ironbridge.connectors.kit.pager import KeyedRow, KeysetPager, RowQuery, Seek, truncate
from ironbridge.connectors.kit.pages import pages
from ironbridge.connectors.kit.wire import JSON_NUMBERS, PLAIN, NumberWire, Wire
from ironbridge.connectors.kit.zones import ZonedWire, zone_of

__all__ = [
    "JSON_NUMBERS",
    "PLAIN",
    "STRICT",
    "Code",
    "Const",
    "Day",
    "DayStart",
    "Derive",
    "Field",
    "First",
    "Flag",
    "Flags",
    "Integer",
    "KeyedRow",
    "KeysetPager",
    "MapContext",
    "Mapper",
    "Number",
    "NumberWire",
    "Place",
    "RecordMap",
    "Ref",
    "RowQuery",
    "Rows",
    "Seek",
    "Stamp",
    "Sum",
    "Text",
    "Wire",
    "ZonedWire",
    "ensure_page_size",
    "ensure_resolved",
    "names",
    "pages",
    "read_fields",
    "source_code",
    "truncate",
    "write_fields",
    "zone_of",
]
