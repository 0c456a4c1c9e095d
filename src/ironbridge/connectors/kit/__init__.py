"""The connector kit: what a system package is declared with.

- `Wire` (`wire.py`): how a protocol family spells paths and typed values.
- The map vocabulary (`fields.py`): `Text`, `Number`, `Day`, `Stamp`, `Code`, `Ref`, `Rows`,
  `Sum`, ... — one set of converters for reads and writes, read through a family's wire.
- `RecordMap` and `Mapper` (`maps.py`): an entity's table, and a connector's tables bound to
  its wire, which are its `to_unified` and its write bodies.
- Computed converters (`computed.py`): `Pick`, `Sorted`, `Template`, `Joined`, `Ratio`,
  `Least`, `Tokens`, ... — one value from several source values or nested rows.
- `guards.py`: the checks every session makes on what the service hands it.
- `pages` (`pages.py`): a record stream chunked into the pages `list_changes` yields.
- `zones.py`: systems that show times in a zone of their own (`ZonedWire`, `zone_of`).
- `pager.py`: one keyset pager over a family's query callable (`KeysetPager`, `Seek`), for exact
  change stamps and for stamps shown at a coarser granularity.
"""

from ironbridge.connectors.kit.computed import (
    Joined,
    Least,
    Link,
    Matching,
    Pick,
    Ratio,
    Sorted,
    Template,
    Tokens,
    When,
    choose_row,
)
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
    read_fields,
    source_code,
    write_fields,
)
from ironbridge.connectors.kit.guards import ensure_page_size, ensure_resolved
from ironbridge.connectors.kit.maps import Derive, Mapper, RecordMap, source_names
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
    "Joined",
    "KeyedRow",
    "KeysetPager",
    "Least",
    "Link",
    "MapContext",
    "Mapper",
    "Matching",
    "Number",
    "NumberWire",
    "Pick",
    "Place",
    "Ratio",
    "RecordMap",
    "Ref",
    "RowQuery",
    "Rows",
    "Seek",
    "Sorted",
    "Stamp",
    "Sum",
    "Template",
    "Text",
    "Tokens",
    "When",
    "Wire",
    "ZonedWire",
    "choose_row",
    "ensure_page_size",
    "ensure_resolved",
    "pages",
    "read_fields",
    "source_code",
    "source_names",
    "truncate",
    "write_fields",
    "zone_of",
]
