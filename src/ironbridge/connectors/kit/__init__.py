"""The connector kit: what a system package is declared with.

- `Wire` (`wire.py`): how a protocol family spells paths and typed values.
- The map vocabulary (`fields.py`): `Text`, `Number`, `Day`, `Stamp`, `Code`, `Ref`, `Rows`,
  `Sum`, ... — one set of converters for reads and writes, read through a family's wire
  (`MapContext`; `MapContext.codes_only` for a rule read outside a connection); the rules
  rows are written by (`Rows(inherit=, needs=, repeat=)`, `Needs`); `each` (`fieldsets.py`)
  declares a run of fields read with one converter at once.
- `CustomCodes` (`custom.py`): the source codes outside the unified model that writes set by
  name in `custom_fields` (organisational units).
- `RecordMap` and `Mapper` (`maps.py`): an entity's table, and a connector's tables bound to
  its wire, which are its `to_unified` and its write bodies (`read_paths`: the source paths
  a table reads, for systems asked for named fields; `Variants`: which of several maps
  reads a record); `MappedConnector`
  (`connector.py`): a connector declared as its session class and its `Mapper`; `derived.py`:
  what many maps derive from the whole row (`gathered`, `priced_lines`, `stock_levels`,
  `place_levels`, `booked_time`).
- Computed converters (`computed.py`): `Pick`, `Sorted`, `Template`, `Joined`, `Ratio`,
  `Least`, `Level`, `Tokens`, `Line`, ... — one value from several source values or nested rows.
- `Numbered` (`numbered.py`): nested rows of one kind (goods lines among comments), each with
  its place among rows of every kind.
- `guards.py`: the checks every session makes on what the service hands it.
- `pages` (`pages.py`): a record stream chunked into the pages `list_changes` yields.
- `scoped.py`: keys and codes that mean something within a site or company only (`ScopedRef`,
  `ScopedCodes`).
- `catalog.py`: what a catalog entry takes from the maps (`writable_fields`, `status_tables`,
  `code_tables`, `written_codes`), and `capability`.
- `checks.py`: the check of a system that signs in with one request and probes each entity
  (`SignInCheck`).
- `stock.py`: the quantity a stock adjustment leaves at a location (`count_after`).
- `tables.py`: code tables many systems share (`PRIORITY_1_TO_4`).
- `zones.py`: systems that show times in a zone of their own (`ZonedWire`, `zone_of`).
- `written.py`: which unified field each source property a write map writes comes from
  (`WrittenNames`; `source_names` for one table), for naming the fields of a refused write.
- `pager.py`: one keyset pager over a family's query callable (`KeysetPager`, `Seek`), for exact
  change stamps and for stamps shown at a coarser granularity.
"""

from ironbridge.connectors.kit.catalog import (
    capability,
    code_tables,
    status_tables,
    writable_fields,
    written_codes,
)
from ironbridge.connectors.kit.checks import SignInCheck
from ironbridge.connectors.kit.computed import (
    Joined,
    Least,
    Level,
    Line,
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
from ironbridge.connectors.kit.connector import MappedConnector
from ironbridge.connectors.kit.custom import CustomCodes
from ironbridge.connectors.kit.derived import (
    booked_time,
    gathered,
    place_levels,
    priced_lines,
    stock_levels,
)
from ironbridge.connectors.kit.fields import (
    STRICT,
    Code,
    Const,
    Day,
    DayStart,
    Field,
    FieldPlan,
    First,
    Flag,
    Flags,
    Integer,
    MapContext,
    Needs,
    Number,
    Place,
    Ref,
    Rows,
    Stamp,
    Sum,
    Text,
    first_text,
    names,
    read_fields,
    read_rows,
    source_code,
    write_fields,
)
from ironbridge.connectors.kit.fieldsets import each, same_names
from ironbridge.connectors.kit.guards import ensure_page_size, ensure_resolved, ensure_writable
from ironbridge.connectors.kit.maps import (
    Derive,
    Mapper,
    RecordMap,
    Variants,
    read_paths,
)
from ironbridge.connectors.kit.numbered import Numbered
from ironbridge.connectors.kit.pager import KeyedRow, KeysetPager, RowQuery, Seek, truncate
from ironbridge.connectors.kit.pages import pages
from ironbridge.connectors.kit.scoped import ScopedCodes, ScopedRef
from ironbridge.connectors.kit.stock import count_after
from ironbridge.connectors.kit.tables import PRIORITY_1_TO_4
from ironbridge.connectors.kit.wire import JSON_NUMBERS, PLAIN, NumberWire, Wire
from ironbridge.connectors.kit.written import WrittenNames, source_names, written_paths
from ironbridge.connectors.kit.zones import ZonedWire, zone_of

__all__ = [
    "JSON_NUMBERS",
    "PLAIN",
    "PRIORITY_1_TO_4",
    "STRICT",
    "Code",
    "Const",
    "CustomCodes",
    "Day",
    "DayStart",
    "Derive",
    "Field",
    "FieldPlan",
    "First",
    "Flag",
    "Flags",
    "Integer",
    "Joined",
    "KeyedRow",
    "KeysetPager",
    "Least",
    "Level",
    "Line",
    "Link",
    "MapContext",
    "MappedConnector",
    "Mapper",
    "Matching",
    "Needs",
    "Number",
    "NumberWire",
    "Numbered",
    "Pick",
    "Place",
    "Ratio",
    "RecordMap",
    "Ref",
    "RowQuery",
    "Rows",
    "ScopedCodes",
    "ScopedRef",
    "Seek",
    "SignInCheck",
    "Sorted",
    "Stamp",
    "Sum",
    "Template",
    "Text",
    "Tokens",
    "Variants",
    "When",
    "Wire",
    "WrittenNames",
    "ZonedWire",
    "booked_time",
    "capability",
    "choose_row",
    "code_tables",
    "count_after",
    "each",
    "ensure_page_size",
    "ensure_resolved",
    "ensure_writable",
    "first_text",
    "gathered",
    "names",
    "pages",
    "place_levels",
    "priced_lines",
    "read_fields",
    "read_paths",
    "read_rows",
    "same_names",
    "source_code",
    "source_names",
    "status_tables",
    "stock_levels",
    "truncate",
    "writable_fields",
    "write_fields",
    "written_codes",
    "written_paths",
    "zone_of",
]
